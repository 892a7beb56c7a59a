// The plugin as the harness sees it: manifest and code agree; the evaluation scores the same bytes at
// every length; the claim helpers; the smoke suite is deterministic (timings aside).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import type { SequenceModel, Tf } from '../../../harness/nn/lm/index.ts';
import type { TF } from '../../../harness/nn/lm/tf.ts';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';
import { crossover, logLogSlope } from '../claims.ts';
import { checkFftConv } from '../conv-check.ts';
import { alignedBitsPerByte } from '../evaluate.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'gss'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['fft-conv-check', 'language-modeling', 'step-time']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['dss', 'fft-conv', 'gss', 'transformer']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['causal-attention', 'dss-kernel', 'fft-causal-conv', 'fft-causal-conv-backward']);
  assert.deepEqual(Object.keys(plugin.claims!).sort(), ['fft-equals-direct', 'gss-close-to-attention', 'gss-faster-than-dss', 'gss-length-generalization', 'gss-nlogn-attention-quadratic']);
});

/** A bigram model: logits depend on the current byte only, from a fixed random table [V, V]. */
function bigramModel(table: Float32Array, V: number): SequenceModel {
  return {
    kind: 'bigram', vocabSize: V, maxLength: null, variables: [], paramCount: () => 0, dispose() {},
    logits(ids: TF.Tensor2D) {
      const [B, L] = ids.shape;
      return tf.tidy(() => tf.gather(tf.tensor2d(table, [V, V]), ids.reshape([B * L])).reshape([B, L, V]) as TF.Tensor3D);
    },
  };
}

test('the aligned evaluation scores the same bytes at 1×, 2× and 4× the training length', () => {
  const V = 8;
  const rng = createRng(5);
  const table = Float32Array.from({ length: V * V }, () => 2 * rng.normal());
  const data = Uint8Array.from({ length: 400 }, () => rng.int(V));
  const [T, blocks] = [16, 5];
  const [b1, b2, b4] = alignedBitsPerByte(tf, bigramModel(table, V), data, { trainLength: T, multiples: [1, 2, 4], blocks, tokensPerPass: 40 });
  // independent: the scored targets are data[4T + 1 … 4T + blocks·T], each predicted from the byte before it
  let bits = 0;
  for (let p = 4 * T + 1; p <= 4 * T + blocks * T; p++) {
    const row = table.subarray(data[p - 1] * V, data[p - 1] * V + V);
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    bits += (logZ - row[data[p]]) / Math.LN2;
  }
  const expected = bits / (blocks * T);
  for (const b of [b1, b2, b4]) assert.ok(Math.abs(b - expected) < 1e-4, `${b} vs ${expected}`);
});

test('claim helpers: log-log slope and crossover on hand-made curves', () => {
  assert.ok(Math.abs(logLogSlope([[100, 3], [200, 12], [400, 48]]) - 2) < 1e-12);
  assert.ok(Math.abs(logLogSlope([[128, 5], [1024, 40]]) - 1) < 1e-12);
  const gss: Array<[number, number]> = [[128, 10], [256, 12], [512, 20], [1024, 40]];
  assert.equal(crossover(gss, [[128, 5], [256, 14], [512, 30], [1024, 100]]), 256);
  assert.equal(crossover(gss, [[128, 5], [256, 14], [512, 15], [1024, 100]]), 1024);
  assert.equal(crossover(gss, [[128, 5], [256, 6], [512, 7], [1024, 8]]), null);
});

test('the conv check reports agreement for the FFT op', () => {
  const c = checkFftConv(createRng(3), 2, 48, 3);
  assert.ok(c.forwardMaxAbsDiff < 1e-4 && c.gradMaxRelDiff < 1e-5 && c.gradFiniteDiffRelErr < 1e-3, JSON.stringify(c));
});

test('the smoke suite gives the same values with 1 and 2 jobs (timings aside)', async () => {
  const cacheDir = tempDir('gss-cache-');
  const run = (jobs: number) =>
    runSuite({
      suite: 'sequence-modeling', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs, backend: 'wasm',
      failFast: false, force: true, cacheDir: jobs === 1 ? cacheDir : tempDir('gss-cache-'), log: () => {},
    });
  const [a, b] = [await run(1), await run(2)];
  const timing = new Set(['ms', 'tokens/s']);
  const values = (rows: typeof a.rows) => rows.filter((r) => !timing.has(r.unit)).map((r) => `${r.unit_key} ${r.metric} ${r.status} ${r.value}`).sort();
  assert.ok(a.rows.every((r) => r.status === 'ok'), a.rows.filter((r) => r.status !== 'ok').map((r) => r.reason).join('; '));
  assert.deepEqual(values(a.rows), values(b.rows));
  const bpb = a.rows.filter((r) => r.metric === 'bpb-at-1x');
  assert.equal(bpb.length, 3);
  assert.ok(bpb.every((r) => r.value! > 0 && r.value! < 9), 'an untrained byte model scores near 8 bits/byte');
});
