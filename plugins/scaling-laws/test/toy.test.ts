import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitLogisticNewton, logisticToyCurve, mulberry32, splitByCutoff } from '../toy.ts';
import { m4Options } from '../methods.ts';

const SMALL = { d: 20, minLog2: 4, maxLog2: 10 } as const;

test('toy generator is deterministic in the rng', () => {
  const a = logisticToyCurve(mulberry32(3), SMALL);
  const b = logisticToyCurve(mulberry32(3), SMALL);
  const c = logisticToyCurve(mulberry32(4), SMALL);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.y, c.y);
  assert.deepEqual(a.x, [16, 32, 64, 128, 256, 512, 1024]);
  const h1 = logisticToyCurve(mulberry32(3), { ...SMALL, testError: 'heldout', heldoutSize: 2000 });
  const h2 = logisticToyCurve(mulberry32(3), { ...SMALL, testError: 'heldout', heldoutSize: 2000 });
  assert.deepEqual(h1, h2);
});

test('toy curve: errors between the Bayes risk and 1/2, decreasing overall', () => {
  const { y } = logisticToyCurve(mulberry32(5), SMALL);
  for (const v of y) assert.ok(v >= 0.2 && v <= 0.5 + 1e-12, String(v));
  assert.ok(y[y.length - 1] < y[0] - 0.05, `no learning: ${y.join(',')}`);
  // a large d = 20 problem with 1024 points is close to the Bayes risk
  assert.ok(y[y.length - 1] < 0.26, String(y[y.length - 1]));
});

test('splitByCutoff: fit on τ ≤ x ≤ x_max/2, test above', () => {
  const curve = { x: [16, 32, 64, 128, 256], y: [0.5, 0.4, 0.3, 0.25, 0.22] };
  const s = splitByCutoff(curve, 32);
  assert.deepEqual(Array.from(s.fitX), [32, 64, 128]);
  assert.deepEqual(Array.from(s.testX), [256]);
  assert.deepEqual(Array.from(s.testY), [0.22]);
  const s0 = splitByCutoff(curve, 0, { fitMax: 64 });
  assert.deepEqual(Array.from(s0.fitX), [16, 32, 64]);
  assert.deepEqual(Array.from(s0.testX), [128, 256]);
});

test('Newton with a reused Hessian factor reaches the same optimum as Newton with a fresh one at every size', () => {
  // one stream of labelled sphere points, via the curve generator's own draw: a d = 20 curve fixes w*
  const d = 20;
  const rng = mulberry32(9);
  const n = 600;
  const X = new Float64Array(n * d);
  const labels = new Int8Array(n);
  const wStar = Float64Array.from({ length: d }, () => rng() - 0.5);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < d; j++) m += wStar[j] * (X[i * d + j] = rng() - 0.5);
    labels[i] = (m >= 0 ? 1 : -1) * (rng() < 0.2 ? -1 : 1);
  }
  const carried = new Float64Array(d);
  const factor = { factor: null as Float64Array | null };
  let reused = 0;
  for (const size of [40, 50, 64, 80, 100, 128, 160, 200, 256, 320, 400, 512, 600]) {
    const r = fitLogisticNewton(X, labels, size, d, 1e-4, carried, factor);
    if (r.hessians === 0) reused++;
    // reference: from zero, with a Hessian formed afresh for each size
    const fresh = new Float64Array(d);
    for (let it = 0; it < 100; it++) {
      const s = fitLogisticNewton(X, labels, size, d, 1e-4, fresh, { factor: null });
      if (s.steps <= 1) break;
    }
    // both stop at a Newton decrement gᵀH⁻¹g < 1e-14, which leaves ‖w − w*‖ up to ≈ sqrt(1e-14 / λ_min(H)) ≈ 1e-5 with λ = 1e-4
    for (let j = 0; j < d; j++) assert.ok(Math.abs(carried[j] - fresh[j]) <= 1e-5 * (1 + Math.abs(fresh[j])), `n = ${size}, w[${j}]: ${carried[j]} vs ${fresh[j]}`);
  }
  assert.ok(reused > 0, 'the factor of the previous size was never reused');
});

test('M4 on the toy starts ε0 at the random-guess error 0.5, or just above a fitted point worse than chance', () => {
  const split = (fitY: number[]) => ({ id: 't', domain: 'toy' as const, fitX: Float64Array.from(fitY, (_, i) => 16 * 2 ** i), fitY: Float64Array.from(fitY), testX: new Float64Array(1), testY: new Float64Array(1) });
  assert.deepEqual(m4Options(split([0.48, 0.4, 0.3])), { errInf: null, err0: 0.5, updateErr0: true, upBound: 0.5 });
  const worse = m4Options(split([0.503, 0.4, 0.3]));
  assert.ok(Math.abs(worse.err0! - 0.504) < 1e-12 && worse.upBound === 0.503);
  // the IC settings are unchanged for the released curves
  assert.deepEqual(m4Options({ ...split([0.5]), domain: 'IC' }), { errInf: null, err0: 1.0, updateErr0: true, upBound: 1.0 });
});
