// Grokking-lite (spec E3): the data generator, the simplex attention, training, determinism.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as TF from '@tensorflow/tfjs';
import { createRng } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import {
  DEFAULT_GROK, SEQ_LEN, denseOf, disposeModel, initModel, modularDivision, simplexAttention, stepsTo, train, trainLoss, type Tf,
} from '../grokking.ts';
import { grokking } from '../tasks.ts';

const tfOf = async () => (await loadTensorBackend('wasm')).tf as Tf;

test('x / y mod 23: every y ≠ 0, label·y ≡ x (mod p), 253/253 split, deterministic in the rng', () => {
  const p = 23;
  const d = modularDivision(p, 0.5, createRng(5));
  assert.equal(d.trainY.length, 253);
  assert.equal(d.testY.length, 253);
  const seen = new Set<string>();
  for (const [X, Y] of [[d.trainX, d.trainY], [d.testX, d.testY]] as const) {
    for (let i = 0; i < Y.length; i++) {
      const [x, op, y, eq] = X.subarray(i * SEQ_LEN, (i + 1) * SEQ_LEN);
      assert.ok(x >= 0 && x < p && y >= 1 && y < p && op === p && eq === p + 1);
      assert.equal((Y[i] * y) % p, x);
      seen.add(`${x},${y}`);
    }
  }
  assert.equal(seen.size, 23 * 22); // every equation exactly once, train and test disjoint
  const again = modularDivision(p, 0.5, createRng(5));
  assert.deepEqual([...again.trainX], [...d.trainX]);
  assert.notDeepEqual([...modularDivision(p, 0.5, createRng(6)).trainX], [...d.trainX]);
});

test('the explicit-transpose dense gradient equals tfjs matMul gradients; simplex W rows sum to 1', async () => {
  const tf = await tfOf();
  const rng = createRng(1);
  const x = tf.tensor2d(Array.from({ length: 12 }, () => rng.normal()), [3, 4]);
  const w = tf.tensor2d(Array.from({ length: 20 }, () => rng.normal()), [4, 5]);
  const r = tf.tensor2d(Array.from({ length: 15 }, () => rng.normal()), [3, 5]);
  const dense = denseOf(tf);
  const mine = tf.grads((a: TF.Tensor, b: TF.Tensor) => tf.sum(tf.mul(dense(a as TF.Tensor2D, b as TF.Tensor2D), r)))([x, w]);
  const ref = tf.grads((a: TF.Tensor, b: TF.Tensor) => tf.sum(tf.mul(tf.matMul(a as TF.Tensor2D, b as TF.Tensor2D), r)))([x, w]);
  for (let i = 0; i < 2; i++) assert.ok(tf.max(tf.abs(tf.sub(mine[i], ref[i]))).dataSync()[0] < 1e-5);
  const m = initModel(tf, createRng(2), 'simplex', { ...DEFAULT_GROK, p: 23 });
  // random Θ, not just the uniform start
  m.vars.theta0.assign(tf.randomNormal(m.vars.theta0.shape, 0, 3, 'float32', 7));
  for (const l of [0, 1]) {
    const W = simplexAttention(m, l);
    assert.deepEqual(W.shape, [DEFAULT_GROK.heads, SEQ_LEN, SEQ_LEN]);
    const sums = tf.sum(W, -1).dataSync();
    assert.ok(sums.every((s) => Math.abs(s - 1) < 1e-6));
    assert.ok(W.dataSync().every((v) => v >= 0));
  }
  disposeModel(m);
});

test('a few AdamW steps reduce the training loss (both attentions); same seed → same metrics', async () => {
  const tf = await tfOf();
  const data = modularDivision(23, 0.5, createRng(3));
  for (const kind of ['softmax', 'simplex'] as const) {
    const run = () => {
      const m = initModel(tf, createRng(4), kind, { ...DEFAULT_GROK, p: 23 });
      const before = trainLoss(m, data);
      const out = train(m, data, createRng(5), { steps: 20, evalEvery: 5 });
      const after = trainLoss(m, data);
      disposeModel(m);
      return { before, after, out };
    };
    const a = run();
    assert.ok(a.after < 0.9 * a.before, `${kind}: loss ${a.before} → ${a.after}`);
    const b = run();
    const inst = { data, steps: 20, evalEvery: 5 };
    const score = (o: typeof a.out) => grokking.score(undefined as never, inst, o, { steps: 20 });
    assert.deepEqual((await score(b.out)).metrics, (await score(a.out)).metrics);
    assert.deepEqual(b.out.curve, a.out.curve);
  }
});

test('steps-to-99 needs two consecutive evaluations ≥ 99 %', () => {
  const c = (accs: number[]) => accs.map((a, i) => ({ step: 100 * (i + 1), trainAcc: a, testAcc: a, loss: 0 }));
  assert.equal(stepsTo(c([0.5, 0.995, 0.9, 0.99, 1]), 'testAcc'), 400);
  assert.equal(stepsTo(c([0.5, 0.995]), 'testAcc'), null);
  assert.equal(stepsTo(c([1, 1]), 'testAcc'), 100);
});
