import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logisticToyCurve, mulberry32, splitByCutoff } from '../toy.ts';

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
