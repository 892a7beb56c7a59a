// The in-context suite as a user runs it against a served model: `harness serve`'s server on
// loopback over (1) a real in-harness Transformer (randomly initialised, byte tokenizer, through
// asLanguageModel) and (2) the oracle executor, each reached through an `openai:` spec. Every unit
// runs; the oracle scores 100 % through HTTP; every completion the run scored is exactly what the
// served Transformer generated for that prompt.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRng, type Completion, type SamplingOptions } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import { asLanguageModel } from '../../../harness/models/sequence-model-lm.ts';
import { parseModelSpec } from '../../../harness/models/spec.ts';
import { byteTokenizer, transformerLM, type Tf } from '../../../harness/nn/lm/index.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { startServer } from '../../../harness/serve/server.ts';
import { tempDir } from '../../../test/helpers.ts';
import { oracleExecutor } from './executors.ts';

const TINY_MAX_TOKENS = 24;

test('the ICL smoke suite through harness serve: every unit runs, the oracle scores 100 %, completions arrive unchanged', async () => {
  const tf = (await loadTensorBackend('auto')).tf as Tf;
  const net = transformerLM(tf, { vocabSize: 256, dModel: 32, heads: 2, layers: 1, ffn: 64, positional: 'rope', maxLength: 16384 }, createRng(11));
  const tiny = asLanguageModel(tf, 'tiny', net, byteTokenizer);
  const generated: string[] = [];
  // An untrained model never writes the blank line that ends a trace, so it would always run to
  // maxTokens (≈ 27 ms per token on one wasm core): the served model caps its own generation.
  const recording = { ...tiny, complete: async (prompt: string | ArrayLike<number>, opts: SamplingOptions): Promise<Completion[]> => {
    const out = await tiny.complete(prompt, { ...opts, maxTokens: Math.min(opts.maxTokens, TINY_MAX_TOKENS) });
    generated.push(...out.map((c) => c.text));
    return out;
  } };
  const oracle = oracleExecutor();
  const [servedTiny, servedOracle] = [await startServer(recording, { servedName: 'tiny' }), await startServer(oracle, { servedName: 'oracle' })];
  try {
    const result = await runSuite({
      suite: 'algorithmic-prompting-icl', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs: 1, backend: 'auto', failFast: false, force: true,
      cacheDir: tempDir('cache-'), log: () => {},
      models: [parseModelSpec(`tiny=openai:${servedTiny.url}#tiny`), parseModelSpec(`oracle=openai:${servedOracle.url}#oracle`)],
    });
    const bad = result.rows.filter((r) => r.status !== 'ok');
    assert.equal(bad.length, 0, bad.map((r) => `${r.status} ${r.method} ${r.task} ${r.reason}`).join('\n'));
    const units = (method: string) => new Set(result.rows.filter((r) => r.method === method).map((r) => r.unit_key)).size;
    assert.equal(units('oracle'), 7);
    assert.equal(units('tiny'), 7);
    const oracleAcc = result.rows.filter((r) => r.method === 'oracle' && r.metric === 'acc');
    assert.ok(oracleAcc.length === 7 && oracleAcc.every((r) => r.value === 1), JSON.stringify(oracleAcc.map((r) => r.value)));
    assert.ok(result.rows.some((r) => r.method === 'oracle' && r.metric === 'step-acc' && r.value === 1));
    // the tiny model's scored completions are the texts it generated server-side
    const { readFileSync } = await import('node:fs');
    const records = readFileSync(join(result.outDir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const scored = records.filter((r) => r.method === 'tiny').flatMap((r) => r.records.map((x: { completion: string }) => x.completion));
    assert.equal(scored.length, 9);
    for (const text of scored) assert.ok(generated.includes(text), `a scored completion the model did not generate: ${JSON.stringify(text.slice(0, 60))}`);
    assert.equal(result.rows.find((r) => r.method === 'tiny')!.backend, 'model:openai');
  } finally {
    await servedTiny.close();
    await servedOracle.close();
    await tiny.close();
    net.dispose();
  }
});
