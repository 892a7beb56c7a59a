// ONNX decoder folders: a transformerLM exported in Hugging Face Optimum's layout
// (harness/nn/lm/export-onnx.ts) and opened by the generic loader a user's folder takes
// (harness/models/onnx/causal-lm.ts) scores and generates like the same model on tfjs, with and
// without the KV cache, for every positional scheme; its tokenizer.json gives our ids under
// @huggingface/tokenizers; broken folders fail with one clear line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { exportCommand } from '../harness/cli/export.ts';
import { UserError } from '../harness/errors.ts';
import { describeOnnxModel, openOnnxModel } from '../harness/models/onnx/causal-lm.ts';
import { asLanguageModel } from '../harness/models/sequence-model-lm.ts';
import { exportTransformerOnnx, tokenizerJson, transformerToOnnx, type OnnxExportOptions } from '../harness/nn/lm/export-onnx.ts';
import { byteTokenizer, charTokenizer, POSITIONAL_VARIANTS, transformerLM, type Positional, type Tf, type TransformerConfig, type TransformerLM } from '../harness/nn/lm/index.ts';
import { onnxModelType } from '../harness/nn/onnx.ts';
import { ROOT, tempDir } from './helpers.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

const config = (positional: Positional, extra: Partial<TransformerConfig> = {}): TransformerConfig => ({
  vocabSize: 256, dModel: 32, heads: 4, layers: 2, ffn: 64, positional, maxLength: 64, ...extra,
});

/** Random weights, matrices scaled ×10 so that logits spread over several units and disagreements show. */
function tinyModel(cfg: TransformerConfig, seed = 1): TransformerLM {
  const model = transformerLM(tf, cfg, createRng(seed));
  for (const v of model.variables) if (v.shape.length > 1) v.assign(tf.mul(v, 10));
  return model;
}

function exported(model: TransformerLM, opts: OnnxExportOptions = {}, tokenizer = byteTokenizer): string {
  const dir = tempDir('harness-onnx-lm-');
  exportTransformerOnnx(model, tokenizer, dir, opts);
  return dir;
}

const onnxSpec = (dir: string, kvCache?: boolean) => ({ kind: 'onnx' as const, name: 'exported', dir, ...(kvCache === undefined ? {} : { kvCache }) });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const TEXT = 'function add(a, b) { return a + b; } // ü 日本語 🚀 const x = [1, 2, 3].map((v) => v * 2); ';
/** Exactly n byte tokens of a code-like text with multi-byte characters. */
const byteIds = (n: number) => byteTokenizer.encode(TEXT.repeat(Math.ceil(n / 60))).slice(0, n);

describe('an exported transformerLM through the generic ONNX loader', () => {
  for (const positional of POSITIONAL_VARIANTS) {
    it(`${positional}: tokenLogProbs of 200 tokens agree with tfjs (≤ 1e-4, with and without KV cache); greedy generations are identical`, async () => {
      const model = tinyModel(config(positional));
      const lm = asLanguageModel(tf, 'tiny', model, byteTokenizer);
      const dir = tempDir('harness-onnx-lm-');
      await lm.exportOnnx!(dir);
      const cached = await openOnnxModel(onnxSpec(dir));
      const recomputed = await openOnnxModel(onnxSpec(dir, false));
      try {
        assert.equal(cached.descriptor.contextLength, positional === 'learned' ? 64 : null);
        const ids = byteIds(200);
        const ours = await lm.tokenLogProbs(ids);
        assert.equal(ours.length, 199);
        // Random scaled weights: far from uniform, so agreement is not trivial.
        assert.ok(Math.max(...ours.map((v) => Math.abs(v + Math.log(256)))) > 1, 'log-probs are far from uniform');
        for (const onnx of [cached, recomputed]) {
          const theirs = await onnx.tokenLogProbs(ids);
          assert.ok(maxAbsDiff(ours, theirs) <= 1e-4, `${positional}: max |Δ log p| ${maxAbsDiff(ours, theirs)}`);
        }
        // 40 + 40 tokens run past the learned table (64): generation switches to recomputation there.
        const prompt = ids.slice(0, 40);
        const reference = (await lm.complete(prompt, { maxTokens: 40 }))[0].tokens;
        assert.equal(reference?.length, 40);
        assert.deepEqual((await cached.complete(prompt, { maxTokens: 40 }))[0].tokens, reference, 'ONNX with KV cache');
        assert.deepEqual((await recomputed.complete(prompt, { maxTokens: 40 }))[0].tokens, reference, 'ONNX without KV cache');
      } finally {
        await Promise.all([cached.close(), recomputed.close()]);
        model.dispose();
      }
    });
  }

  it('sampled completions with the same seed are identical to the builtin model (n = 3, temperature 1, top-k)', async () => {
    const model = tinyModel(config('rope'), 2);
    const lm = asLanguageModel(tf, 'tiny', model, byteTokenizer);
    const dir = tempDir('harness-onnx-lm-');
    await lm.exportOnnx!(dir);
    const onnx = await openOnnxModel(onnxSpec(dir));
    try {
      for (const opts of [{ maxTokens: 30, temperature: 1, n: 3, seed: 7 }, { maxTokens: 20, temperature: 0.8, topK: 20, topP: 0.9, n: 2, seed: 11 }]) {
        const ours = await lm.complete('const ', opts);
        assert.deepEqual(await onnx.complete('const ', opts), ours);
        assert.notDeepEqual(ours[0].tokens, ours[1].tokens, 'the completions differ from each other');
      }
    } finally {
      await onnx.close();
      model.dispose();
    }
  });

  it('the KV cache of the graph: a prefill in two chunks and a left-padded batch give the unpadded logits (≤ 1e-4)', async () => {
    for (const positional of ['rope', 'alibi', 'learned', 'sinusoidal'] as const) {
      const model = tinyModel(config(positional, { maxLength: 160 }));
      const session = await ort.InferenceSession.create(transformerToOnnx(model));
      try {
        const ids = byteIds(150);
        const full = model.logits(tf.tensor2d(ids, [1, 150], 'int32'));
        const reference = full.dataSync() as Float32Array;
        full.dispose();
        const int64 = (values: ArrayLike<number>, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(values, BigInt)), dims);
        const emptyPast = (rows: number) => Object.fromEntries([0, 1].flatMap((l) => ['key', 'value'].map((k) => [`past_key_values.${l}.${k}`, new ort.Tensor('float32', new Float32Array(0), [rows, 4, 0, 8])])));
        const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
        // Chunk 1: tokens 0..99; chunk 2: tokens 100..149 over the cache.
        const first = await session.run({ input_ids: int64(ids.slice(0, 100), [1, 100]), attention_mask: int64(new Array(100).fill(1), [1, 100]), position_ids: int64(range(0, 100), [1, 100]), ...emptyPast(1) });
        const past = Object.fromEntries([0, 1].flatMap((l) => ['key', 'value'].map((k) => [`past_key_values.${l}.${k}`, first[`present.${l}.${k}`]])));
        const second = await session.run({ input_ids: int64(ids.slice(100), [1, 50]), attention_mask: int64(new Array(150).fill(1), [1, 150]), position_ids: int64(range(100, 150), [1, 50]), ...past });
        assert.deepEqual(second['present.1.value'].dims, [1, 4, 150, 8]);
        const chunked = new Float32Array(150 * 256);
        chunked.set(first.logits.data as Float32Array);
        chunked.set(second.logits.data as Float32Array, 100 * 256);
        assert.ok(maxAbsDiff(chunked, reference) <= 1e-4, `${positional} chunked: ${maxAbsDiff(chunked, reference)}`);
        // Row 1 is row 0's first 140 tokens, left-padded by 10 (mask 0, positions from the first real token).
        const padded = [...ids.slice(0, 150), ...new Array(10).fill(0), ...ids.slice(0, 140)];
        const mask = [...new Array(150).fill(1), ...new Array(10).fill(0), ...new Array(140).fill(1)];
        const positions = [...range(0, 150), ...new Array(10).fill(0), ...range(0, 140)];
        const batch = await session.run({ input_ids: int64(padded, [2, 150]), attention_mask: int64(mask, [2, 150]), position_ids: int64(positions, [2, 150]), ...emptyPast(2) });
        const logits = batch.logits.data as Float32Array;
        assert.ok(maxAbsDiff(logits.subarray(0, 150 * 256), reference) <= 1e-4, `${positional} batch row 0`);
        assert.ok(maxAbsDiff(logits.subarray((150 + 10) * 256), reference.subarray(0, 140 * 256)) <= 1e-4, `${positional} padded row: ${maxAbsDiff(logits.subarray((150 + 10) * 256), reference.subarray(0, 140 * 256))}`);
      } finally {
        await session.release();
        model.dispose();
      }
    }
  });

  it('graphs without past inputs or position_ids, and with int32 index inputs, load and agree', async () => {
    const model = tinyModel(config('alibi'));
    const lm = asLanguageModel(tf, 'tiny', model, byteTokenizer);
    const ids = byteIds(120);
    const ours = await lm.tokenLogProbs(ids);
    const reference = (await lm.complete(ids.slice(0, 30), { maxTokens: 25 }))[0].tokens;
    for (const opts of [{ pastKeyValues: false, positionIds: false }, { indexType: 'int32' as const }, { indexType: 'int32' as const, positionIds: false }]) {
      const dir = exported(model, opts);
      const onnx = await openOnnxModel(onnxSpec(dir));
      try {
        assert.ok(maxAbsDiff(ours, await onnx.tokenLogProbs(ids)) <= 1e-4, JSON.stringify(opts));
        assert.deepEqual((await onnx.complete(ids.slice(0, 30), { maxTokens: 25 }))[0].tokens, reference, JSON.stringify(opts));
      } finally {
        await onnx.close();
      }
    }
    model.dispose();
  });

  it('describeOnnxModel: sha256 of each file, config.json context length, no session', async () => {
    const model = tinyModel(config('learned'));
    const dir = exported(model, { eos: [3] });
    const sha = (name: string) => createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
    const described = await describeOnnxModel(onnxSpec(dir));
    assert.deepEqual(described, {
      identity: { model: sha('model.onnx'), tokenizer: sha('tokenizer.json'), config: sha('config.json'), tokenizerConfig: sha('tokenizer_config.json') },
      contextLength: 64,
    });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(
      [cfg.model_type, cfg.vocab_size, cfg.num_hidden_layers, cfg.num_attention_heads, cfg.hidden_size, cfg.max_position_embeddings, cfg.eos_token_id],
      ['harness-transformer', 256, 2, 4, 32, 64, 3],
    );
    const rope = JSON.parse(readFileSync(join(exported(tinyModel(config('rope'))), 'config.json'), 'utf8'));
    assert.equal(rope.max_position_embeddings, null);
    assert.equal(rope.eos_token_id, null);
    rmSync(join(dir, 'config.json'));
    assert.equal((await describeOnnxModel(onnxSpec(dir))).identity.config, null);
    model.dispose();
  });

  it('an eos id from config.json ends generation and is left out of the text', async () => {
    const tokenizer = charTokenizer('ab', ['<eos>']);
    const model = tinyModel(config('rope', { vocabSize: 3 }), 4);
    // Make <eos> (id 2) the most likely next token everywhere: a large bias on its logit.
    const bias = model.variables.find((v) => v.name.endsWith('out.b'))!;
    bias.assign(tf.tensor1d([0, 0, 1000]));
    const onnx = await openOnnxModel(onnxSpec(exported(model, { eos: [2] }, tokenizer)));
    try {
      assert.deepEqual(await onnx.complete('ab', { maxTokens: 5 }), [{ text: '', tokens: [], finishReason: 'stop' }]);
    } finally {
      await onnx.close();
      model.dispose();
    }
  });
});

describe('tokenizer.json under @huggingface/tokenizers', () => {
  const hf = (tokenizer: Parameters<typeof tokenizerJson>[0]) => new HfTokenizer(tokenizerJson(tokenizer), { clean_up_tokenization_spaces: false });
  const texts = ['plain ASCII: x = f(1, 2); y = "a b"\n\ttab', 'multi-byte: ü é 日本語 🚀 ∑', ' leading and trailing spaces . , ! ', ''];

  it('the byte tokenizer: ids are the UTF-8 bytes and decode back (ASCII, multi-byte, every byte value)', () => {
    const tok = hf(byteTokenizer);
    for (const text of texts) {
      const ids = tok.encode(text, { add_special_tokens: false }).ids;
      assert.deepEqual(ids, Array.from(byteTokenizer.encode(text)), text);
      if (ids.length) assert.equal(tok.decode(ids), text);
    }
    assert.equal(tok.get_vocab(true).size, 256);
    const every = Array.from({ length: 256 }, (_, i) => i);
    assert.equal(tok.decode(every), byteTokenizer.decode(every), 'invalid UTF-8 decodes to the same replacement characters');
  });

  it('a char tokenizer: alphabet ids, special tokens by longest match, decode back', () => {
    const ours = charTokenizer('01 =ab🚀', ['<pad>', '<eos>', '<e', '|']);
    const tok = hf(ours);
    for (const text of ['0 1=1<eos><pad>', 'ab<e<eos>|🚀 ab', '<e<eos><e', '']) {
      const ids = tok.encode(text, { add_special_tokens: false }).ids;
      assert.deepEqual(ids, Array.from(ours.encode(text)), text);
      if (ids.length) assert.equal(tok.decode(ids, { skip_special_tokens: false }), text);
    }
    assert.equal(tok.decode([0, 9, 1], { skip_special_tokens: true }), '01', 'special tokens are marked special');
    assert.throws(() => tokenizerJson({ id: 'other', vocabSize: 3, encode: () => new Int32Array(0), decode: () => '' }), /only the byte tokenizer and charTokenizer/);
  });

  it('the loaded model tokenizes and detokenizes exactly like the builtin tokenizer', async () => {
    const model = tinyModel(config('none'));
    const onnx = await openOnnxModel(onnxSpec(exported(model)));
    try {
      for (const text of texts) {
        assert.deepEqual(Array.from(await onnx.tokenize(text)), Array.from(byteTokenizer.encode(text)));
        assert.equal(await onnx.detokenize(await onnx.tokenize(text)), text);
      }
    } finally {
      await onnx.close();
      model.dispose();
    }
  });
});

describe('broken folders fail with one clear line', () => {
  /** Rewrites model.onnx through `edit` on its decoded ModelProto. */
  function editGraph(dir: string, edit: (graph: { input: Array<{ name: string }>; output: Array<{ name: string }>; node: Array<{ input: string[]; output: string[] }> }) => void): void {
    const type = onnxModelType();
    const proto = type.toObject(type.decode(readFileSync(join(dir, 'model.onnx'))), { longs: Number, bytes: Array });
    edit(proto.graph);
    writeFileSync(join(dir, 'model.onnx'), type.encode(type.fromObject(proto)).finish());
  }
  const rejectsWith = async (dir: string, pattern: RegExp) => {
    await assert.rejects(openOnnxModel(onnxSpec(dir)), (error: Error) => {
      assert.ok(error instanceof UserError, `${error.name}: ${error.message}`);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes('\n'), 'one line');
      return true;
    });
  };
  let model: TransformerLM;
  before(() => {
    model = tinyModel(config('rope', { layers: 2 }));
  });

  it('a missing model.onnx or tokenizer.json names the folder and the file', async () => {
    for (const name of ['model.onnx', 'tokenizer.json']) {
      const dir = exported(model);
      rmSync(join(dir, name));
      const pattern = new RegExp(`onnx model ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no ${name.replace('.', '\\.')} in the folder`);
      await assert.rejects(describeOnnxModel(onnxSpec(dir)), pattern);
      await rejectsWith(dir, pattern);
    }
    await rejectsWith(join(tempDir(), 'absent'), /the folder does not exist/);
  });

  it('a graph whose input_ids or logits were renamed', async () => {
    const renamedInput = exported(model);
    editGraph(renamedInput, (g) => {
      g.input[0].name = 'tokens';
      for (const n of g.node) n.input = n.input.map((i) => (i === 'input_ids' ? 'tokens' : i));
    });
    await rejectsWith(renamedInput, /model\.onnx: the graph has no input "input_ids" \(its inputs: tokens, attention_mask, position_ids, past_key_values/);
    const renamedOutput = exported(model);
    editGraph(renamedOutput, (g) => {
      g.output[0].name = 'scores';
      for (const n of g.node) n.output = n.output.map((o) => (o === 'logits' ? 'scores' : o));
    });
    await rejectsWith(renamedOutput, /model\.onnx: the graph has no output "logits" \(its outputs: scores, present/);
  });

  it('past_key_values inputs without matching present outputs', async () => {
    const dir = exported(model);
    editGraph(dir, (g) => {
      g.output = g.output.filter((o) => o.name !== 'present.1.value');
    });
    await rejectsWith(dir, /past_key_values inputs for 2 layers but lacks output present\.1\.value/);
  });

  it('a tokenizer.json with more tokens than the logits have (both sizes named)', async () => {
    const small = tinyModel(config('rope', { vocabSize: 8 }));
    const dir = exported(small, {}, charTokenizer('abcdefgh'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(byteTokenizer)));
    await rejectsWith(dir, /tokenizer\.json has 256 tokens but the logits of model\.onnx only 8/);
    small.dispose();
  });
});

describe('harness export', () => {
  /** A plugin folder shipping a tiny byte-level RoPE Transformer and the same model without export. */
  function fixturePlugin(): string {
    const dir = tempDir('harness-export-plugin-');
    const api = pathToFileURL(join(ROOT, 'harness')).href;
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify({
      id: 'fixture-export', title: 'Test fixture: exportable models', version: '1.0.0', harnessApi: '^1.0.0',
      paper: { arxiv: '1000.00002', title: 'Test fixture (not a paper)', year: 2000 },
      models: [{ id: 'tiny-rope', title: 'a tiny RoPE Transformer' }, { id: 'opaque', title: 'the same model, not exportable' }],
    }));
    writeFileSync(join(dir, 'index.ts'), `
import { definePlugin } from '${api}/api/index.ts';
import { asLanguageModel } from '${api}/models/sequence-model-lm.ts';
import { byteTokenizer, transformerLM } from '${api}/nn/lm/index.ts';
const tiny = async (ctx) => {
  const { tf } = await ctx.tensors();
  const model = transformerLM(tf, { vocabSize: 256, dModel: 32, heads: 4, layers: 1, ffn: 64, positional: 'rope', maxLength: 32 }, ctx.rng.fork('init'));
  return asLanguageModel(tf, 'tiny-rope', model, byteTokenizer, { window: 48 });
};
export default definePlugin({ models: { 'tiny-rope': tiny, opaque: async (ctx) => { const { exportOnnx, ...rest } = await tiny(ctx); return rest; } } });
`);
    return dir;
  }

  it('writes the four files of a builtin Transformer, which open as onnx:<dir> with its window', async () => {
    const plugin = fixturePlugin();
    const out = join(tempDir(), 'exported');
    const written = await exportCommand({ model: 'builtin:fixture-export/tiny-rope', out, plugin: [plugin], backend: 'wasm', force: false });
    assert.deepEqual(written.map((f) => f.path), ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(out, f)));
    assert.ok(written.every((f) => f.bytes > 0));
    const onnx = await openOnnxModel(onnxSpec(out));
    try {
      assert.equal(onnx.descriptor.contextLength, 48);
      assert.equal((await onnx.tokenLogProbs(byteIds(100))).length, 99);
    } finally {
      await onnx.close();
    }
    await assert.rejects(exportCommand({ model: 'builtin:fixture-export/tiny-rope', out, plugin: [plugin], backend: 'wasm', force: false }), /the folder is not empty/);
    await assert.rejects(exportCommand({ model: 'builtin:fixture-export/opaque', out: join(tempDir(), 'x'), plugin: [plugin], backend: 'wasm', force: false }), /this model cannot be exported to ONNX/);
    await assert.rejects(exportCommand({ model: `onnx:${out}`, out: join(tempDir(), 'y'), plugin: [], backend: 'wasm', force: false }), /only builtin models can be exported/);
  });
});

const python = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
it('every positional variant passes onnx.checker (full check) when python3-onnx is installed', { skip: python.status !== 0 ? 'python3 onnx package not installed' : false }, () => {
  for (const positional of POSITIONAL_VARIANTS) {
    const model = tinyModel(config(positional));
    const dir = exported(model);
    const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version)', join(dir, 'model.onnx')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${positional}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), '17');
    model.dispose();
  }
});
