// The plugin as the harness sees it: manifest and code agree; the evaluation scores the same bytes at
// every length and its loss-vs-position curve; the Kneser-Ney baseline against a hand calculation;
// the claim helpers and claims on hand-made rows; the smoke suite is deterministic (timings aside).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createRng, type LeaderboardView, type ResultRow } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import type { SequenceModel, Tf } from '../../../harness/nn/lm/index.ts';
import type { TF } from '../../../harness/nn/lm/tf.ts';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';
import { claims, crossover, logLogSlope } from '../claims.ts';
import { checkFftConv } from '../conv-check.ts';
import { alignedBitsPerByte, alignedEvaluation, octaveBuckets } from '../evaluate.ts';
import { fitKneserNey, ngramSequenceModel } from '../ngram.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'gss'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['fft-conv-check', 'interleaved-step-time', 'language-modeling', 'step-time']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), [
    'dss', 'fft-conv', 'gss', 'gss-dss-interleaved', 'kneser-ney-1', 'kneser-ney-2', 'kneser-ney-3', 'transformer-alibi', 'transformer-rope', 'transformer-sinusoidal',
  ]);
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

test('loss vs position: octave buckets of every window position of the longest windows, and the last-octave gain per window', () => {
  const V = 8;
  const rng = createRng(6);
  const table = Float32Array.from({ length: V * V }, () => 2 * rng.normal());
  const data = Uint8Array.from({ length: 300 }, () => rng.int(V));
  const [T, blocks] = [8, 3];
  const result = alignedEvaluation(tf, bigramModel(table, V), data, { trainLength: T, multiples: [1, 2, 4], blocks, tokensPerPass: 40 });
  assert.deepEqual(octaveBuckets(32), [[0, 1], [1, 2], [2, 4], [4, 8], [8, 16], [16, 32]]);
  assert.equal(result.curveLength, 32);
  // independent: window w covers inputs data[end_w − 32 … end_w − 1], end_w = 4T + (w + 1)·T; position i predicts data[end_w − 32 + i + 1]
  const bitsAt = (w: number, i: number) => {
    const p = 4 * T + (w + 1) * T - 32 + i + 1;
    const row = table.subarray(data[p - 1] * V, data[p - 1] * V + V);
    const max = Math.max(...row);
    return (max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) - row[data[p]]) / Math.LN2;
  };
  const bucketMean = (w: number, from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += bitsAt(w, i);
    return s / (to - from);
  };
  for (const b of result.curve) {
    const expected = [0, 1, 2].reduce((s, w) => s + bucketMean(w, b.from, b.to), 0) / 3;
    assert.ok(Math.abs(b.bpb - expected) < 1e-4, `bucket [${b.from}, ${b.to}): ${b.bpb} vs ${expected}`);
  }
  result.lastOctaveGains.forEach((g, w) => assert.ok(Math.abs(g - (bucketMean(w, 2, 4) - bucketMean(w, 4, 8))) < 1e-4));
  // paired: a bigram model sees only the previous byte, so the same bytes score the same at any position
  assert.equal(result.pairedGains.length, 3);
  result.pairedGains.forEach((g) => assert.ok(Math.abs(g) < 1e-5, `paired gain ${g}`));
  // a model whose bigram logits sharpen with the position: logits·(1 + t) at position t
  const sharpening: SequenceModel = {
    ...bigramModel(table, V),
    logits(ids: TF.Tensor2D) {
      const [B, L] = ids.shape;
      return tf.tidy(() => tf.mul(bigramModel(table, V).logits(ids), tf.range(1, L + 1).reshape([1, L, 1])) as TF.Tensor3D);
    },
  };
  const sharp = alignedEvaluation(tf, sharpening, data, { trainLength: T, multiples: [1, 2, 4], blocks, tokensPerPass: 40 });
  const bitsScaled = (p: number, scale: number) => {
    const row = Array.from(table.subarray(data[p - 1] * V, data[p - 1] * V + V), (x) => x * scale);
    const max = Math.max(...row);
    return (max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) - row[data[p]]) / Math.LN2;
  };
  sharp.pairedGains.forEach((g, w) => {
    // 1× window w ends (exclusive) at 4T + (w + 1)·T; position i predicts byte 4T + w·T + i + 1, which sits at i + T/2 in the shifted window
    let s = 0;
    for (let i = T / 4; i < T / 2; i++) s += bitsScaled(4 * T + w * T + i + 1, 1 + i) - bitsScaled(4 * T + w * T + i + 1, 1 + i + T / 2);
    assert.ok(Math.abs(g - s / (T / 4)) < 1e-4, `paired gain ${g} vs ${s / (T / 4)}`);
  });
});

test('Kneser-Ney: interpolated probabilities on a 4-byte corpus match a hand calculation', () => {
  // train 0 1 0 2, order 1, discount 0.5. Level 1 (raw bigram counts): after 0: {1: 1, 2: 1}, after 1: {0: 1}.
  // Level 0 (continuation counts, distinct bytes before w): 0, 1 and 2 once each, total 3, 3 types.
  // p0(w) = max(n − ½, 0)/3 + ½·3/3·(1/256): w ∈ {0, 1, 2}: 1/6 + 1/512; else 1/512.
  // p(1 | 0) = (1 − ½)/2 + ½·2/2·p0(1) = 1/4 + 1/12 + 1/1024; p(0 | 0) = ½·p0(0) = 1/12 + 1/1024;
  // p(0 | 1) = (1 − ½)/1 + ½·1/1·p0(0) = 1/2 + 1/12 + 1/1024; after 2 (unseen context): p0.
  const kn = fitKneserNey(Uint8Array.from([0, 1, 0, 2]), 1, { discount: 0.5 });
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  const at = (context: number[], w: number) => kn.distribution(context, context.length)[w];
  close(at([0], 1), 1 / 4 + 1 / 12 + 1 / 1024);
  close(at([0], 2), 1 / 4 + 1 / 12 + 1 / 1024);
  close(at([0], 0), 1 / 12 + 1 / 1024);
  close(at([0], 200), 1 / 1024);
  close(at([1], 0), 1 / 2 + 1 / 12 + 1 / 1024);
  close(at([2], 0), 1 / 6 + 1 / 512);
  close(at([], 1), 1 / 6 + 1 / 512); // no context yet: level 0
  for (const c of [[0], [1], [2], []]) close(kn.distribution(c, c.length).reduce((a, b) => a + b, 0), 1);
  // Ney's discount n1 / (n1 + 2·n2): every count here is 1, so D = 1 on both levels
  assert.deepEqual(fitKneserNey(Uint8Array.from([0, 1, 0, 2]), 1).discounts, [1, 1]);
  // as a SequenceModel: logits[t] = log p(· | ids[≤ t]) from the last `order` bytes
  const logits = ngramSequenceModel(tf, kn).logits(tf.tensor2d([[2, 0, 1]], [1, 3], 'int32'));
  const values = logits.arraySync() as number[][][];
  const closeF32 = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  closeF32(Math.exp(values[0][0][0]), 1 / 6 + 1 / 512);
  closeF32(Math.exp(values[0][1][1]), 1 / 4 + 1 / 12 + 1 / 1024);
  closeF32(Math.exp(values[0][2][0]), 1 / 2 + 1 / 12 + 1 / 1024);
  logits.dispose();
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
  const values = (rows: typeof a.rows) => rows.filter((r) => !timing.has(r.unit) && r.task !== 'gss/interleaved-step-time').map((r) => `${r.unit_key} ${r.metric} ${r.status} ${r.value}`).sort();
  assert.ok(a.rows.every((r) => r.status === 'ok'), a.rows.filter((r) => r.status !== 'ok').map((r) => r.reason).join('; '));
  assert.deepEqual(values(a.rows), values(b.rows));
  const bpb = a.rows.filter((r) => r.metric === 'bpb-at-1x');
  assert.equal(bpb.length, 8);
  assert.ok(bpb.every((r) => r.value! > 0 && r.value! < 9), 'an untrained byte model scores near 8 bits/byte');
});

const row = (task: string, method: string, metric: string, value: number, seed = 0, params: object = {}) =>
  ({ task: `gss/${task}`, method: `gss/${method}`, params: JSON.stringify(params), metric, value, seed, status: 'ok' }) as unknown as ResultRow;
const view = (rows: ResultRow[]) => ({ suite: 'sequence-modeling', budget: 'full', cells: [], rows, cell: () => undefined }) as unknown as LeaderboardView;

test('gss-close-to-attention: two-sided 5 %, not-checked unless both models beat the order-3 Kneser-Ney baseline', () => {
  const rows = (g: number, t: number, kn3: number) => [
    row('language-modeling', 'gss', 'bpb-at-1x', g),
    row('language-modeling', 'transformer-rope', 'bpb-at-1x', t),
    row('language-modeling', 'kneser-ney-3', 'bpb-at-1x', kn3),
  ];
  const check = (g: number, t: number, kn3: number) => claims['gss-close-to-attention'].check(view(rows(g, t, kn3)));
  assert.equal(check(2.0, 2.05, 2.1).status, 'holds');
  assert.equal(check(1.5, 2.0, 2.1).status, 'fails', 'GSS 25 % better is not "within 5 %"');
  assert.equal(check(2.09, 1.9, 2.1).status, 'fails');
  const unmet = check(2.669, 3.613, 2.111);
  assert.equal(unmet.status, 'not-checked');
  assert.match(unmet.why, /precondition unmet: GSS and the Transformer do not beat the order-3 Kneser-Ney/);
});

test('gss-length-generalization: not-checked without context use on the scale of T; else GSS bounded and sinusoidal degraded', () => {
  const rows = (gain: number, gss4: number, sin4: number) => [
    row('language-modeling', 'gss', 'bpb-at-1x', 2.5),
    row('language-modeling', 'gss', 'bpb-growth-2x', gss4 / 2),
    row('language-modeling', 'gss', 'bpb-growth-4x', gss4),
    row('language-modeling', 'gss', 'context-gain-paired', gain),
    row('language-modeling', 'gss', 'context-gain-paired-se', 0.01),
    row('language-modeling', 'transformer-sinusoidal', 'bpb-growth-2x', sin4),
    row('language-modeling', 'transformer-sinusoidal', 'bpb-growth-4x', sin4),
  ];
  const check = (gain: number, gss4: number, sin4: number) => claims['gss-length-generalization'].check(view(rows(gain, gss4, sin4)));
  const flat = check(0.015, -0.008, 0.5);
  assert.equal(flat.status, 'not-checked');
  assert.match(flat.why, /precondition unmet/);
  assert.equal(check(0.05, -0.008, 0.5).status, 'holds');
  assert.equal(check(0.05, 0.06, 0.5).status, 'fails');
  assert.equal(check(0.05, -0.008, 0.03).status, 'fails', 'no contrast: the sinusoidal Transformer does not degrade');
});

test('gss-faster-than-dss reads the interleaved unit; gss-nlogn fits the attention slope on three lengths', () => {
  const pair = (g: number, d: number) => [
    row('interleaved-step-time', 'gss-dss-interleaved', 'gss-ms-per-step', g),
    row('interleaved-step-time', 'gss-dss-interleaved', 'dss-ms-per-step', d),
    row('interleaved-step-time', 'gss-dss-interleaved', 'gss-faster-rounds', 0.5),
  ];
  assert.equal(claims['gss-faster-than-dss'].check(view(pair(500, 600))).status, 'holds');
  assert.equal(claims['gss-faster-than-dss'].check(view(pair(600, 500))).status, 'fails');
  const step = (method: string, curve: Array<[number, number]>) => curve.map(([L, ms]) => row('step-time', method, 'ms-per-step', ms, 0, { length: L }));
  const gss: Array<[number, number]> = [[256, 30], [512, 55], [1024, 100], [2048, 210], [4096, 440]];
  // attention exactly quadratic at 1024 … 4096 except a fast 4096 point: two-point slope 1.0, three-point fit 1.5
  const att: Array<[number, number]> = [[256, 20], [512, 60], [1024, 400], [2048, 1600], [4096, 3200]];
  const v = claims['gss-nlogn-attention-quadratic'].check(view([...step('gss', gss), ...step('transformer-rope', att)]));
  assert.match(v.measured!, /attention 1\.50 \(L ∈ \{1024, 2048, 4096\}\)/);
  assert.equal(v.status, 'fails');
});
