// Throughput of the E-step's sampling: the rest-em policy (random weights, so every completion runs
// to maxTokens and the token count is fixed) answering P prompts × n samples at T 0.7 / top-k 40,
//   (1) one completion at a time through complete() (one-sequence KV cache),
//   (2) all at once through completeMany() (the batched KV cache, chunks of 128 rows),
//   (3) the same model exported to ONNX and run by ONNX Runtime (its adapter decodes one sequence
//       at a time with a KV cache),
// after checking that (1) and (2) give the same greedy completions.
// Run: node --import tsx plugins/rest-em/scripts/bench-sampling.ts [prompts] [n]
// Prints wall-clock and CPU-time throughput (the latter is what an idle core would see, roughly).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import { createRng } from '../../../harness/plan/seeds.ts';
import { asLanguageModel } from '../../../harness/models/sequence-model-lm.ts';
import { transformerLM, type Tf } from '../../../harness/nn/lm/index.ts';
import { makeSplits } from '../domains.ts';
import { BUDGETS, E_STEP } from '../loop.ts';
import { MODEL_CONFIG, tokenizer } from '../model.ts';

const P = Number(process.argv[2] ?? 32);
const N = Number(process.argv[3] ?? 8);
const MAX = 24;
const { tf: tfAny, name, version } = await loadTensorBackend('wasm');
const tf = tfAny as Tf;
const model = transformerLM(tf, MODEL_CONFIG, createRng(0).fork('init'));
// eos is not a stop id here, so every completion has exactly MAX tokens
const lm = asLanguageModel(tf, 'bench', model, tokenizer, {});
const prompts = makeSplits('math', { ...BUDGETS.full.sizes.math, pool: P }, createRng(1)).pool.map((p) => p.prompt);
const requests = prompts.map((prompt, j) => ({ prompt, seed: j }));
const opts = { maxTokens: MAX, n: N, ...E_STEP };

const greedyOne = [];
for (const r of requests.slice(0, 8)) greedyOne.push((await lm.complete(r.prompt, { maxTokens: MAX }))[0].text);
const greedyMany = (await lm.completeMany!(requests.slice(0, 8), { maxTokens: MAX })).map((c) => c[0].text);
if (JSON.stringify(greedyOne) !== JSON.stringify(greedyMany)) throw new Error('batched greedy decoding differs from one-at-a-time decoding');

const time = async (label: string, f: () => Promise<number>) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const tokens = await f();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  // on a shared machine wall time is inflated by other processes; CPU time approximates an idle core
  console.log(`${label}: ${tokens} tokens in ${s.toFixed(2)} s wall = ${(tokens / s).toFixed(0)} tokens/s; ${cpu.toFixed(2)} s CPU = ${(tokens / cpu).toFixed(0)} tokens per CPU-second`);
};
const count = (cs: { tokens?: number[] }[][]) => cs.flat().reduce((s, c) => s + c.tokens!.length, 0);
console.log(`backend ${name} ${version}; ${P} prompts × ${N} samples × ${MAX} tokens, model d ${MODEL_CONFIG.dModel}, ${MODEL_CONFIG.layers} layers`);
await time('tfjs one completion at a time (KV cache, batch 1)', async () => {
  const out = [];
  for (const r of requests) for (let i = 0; i < N; i++) out.push(await lm.complete(r.prompt, { ...opts, n: 1, seed: r.seed * 1000 + i }));
  return count(out);
});
await time('tfjs completeMany (batched KV cache, 128 rows)', async () => count(await lm.completeMany!(requests, opts)));
try {
  const dir = mkdtempSync(join(tmpdir(), 'rest-em-onnx-'));
  await lm.exportOnnx!(dir);
  const { openOnnxModel } = await import('../../../harness/models/onnx/causal-lm.ts');
  const onnx = await openOnnxModel({ kind: 'onnx', dir, name: 'bench-onnx' });
  await time('ONNX Runtime, one sequence at a time (its KV cache)', async () => {
    const out = [];
    for (const r of requests) out.push(await onnx.complete(r.prompt, { ...opts, seed: r.seed }));
    return count(out);
  });
  await onnx.close();
} catch (err) {
  console.log(`ONNX Runtime: not measured (${(err as Error).message.split('\n')[0]})`);
}

