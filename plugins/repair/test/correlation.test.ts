// The streamed correlation against a hand calculation and the two-pass textbook formula.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { CorrelationAccumulator, CORRELATION_EPS, correlationTwoPass } from '../correlation.ts';

test('hand example: b = 2a gives (4/3)/(√(2/3)·√(8/3) + 1e-4); an anti-correlated column gives the negative', () => {
  // a = (1, 2, 3), b1 = 2a, b2 = −a: cov(a, b1) = 4/3, σ_a = √(2/3), σ_b1 = √(8/3) → σ_a σ_b1 = 4/3
  const acc = new CorrelationAccumulator(1, 2);
  acc.add([1, 2], [2, -1, 4, -2], 2);
  acc.add([3], [6, -3], 1);
  const C = acc.correlation();
  assert.ok(Math.abs(C[0] - 4 / 3 / (4 / 3 + CORRELATION_EPS)) < 1e-15);
  assert.ok(Math.abs(C[1] + 2 / 3 / (2 / 3 + CORRELATION_EPS)) < 1e-15);
});

test('streamed in uneven batches = two-pass formula (post-ReLU data with dead units)', () => {
  const rng = createRng(3);
  const [n, hA, hB] = [517, 9, 7];
  const a = Float64Array.from({ length: n * hA }, (_, k) => (k % hA === 4 ? 0 : Math.max(0, rng.normal())));
  const b = Float64Array.from({ length: n * hB }, () => Math.max(0, rng.normal() + 0.3));
  const acc = new CorrelationAccumulator(hA, hB);
  for (const [from, to] of [[0, 100], [100, 101], [101, 400], [400, 517]]) acc.add(a.subarray(from * hA, to * hA), b.subarray(from * hB, to * hB), to - from);
  const streamed = acc.correlation();
  const twoPass = correlationTwoPass(a, b, n, hA, hB);
  for (let k = 0; k < streamed.length; k++) assert.ok(Math.abs(streamed[k] - twoPass[k]) < 1e-12, `entry ${k}: ${streamed[k]} vs ${twoPass[k]}`);
  assert.equal(streamed[4 * hB], 0); // the dead unit correlates with nothing
});
