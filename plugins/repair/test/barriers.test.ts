// Barrier definitions on hand-made curves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alphaGrid, alphaLabel, maxLossBarrier, midpointAccuracyBarrier, midpointLossBarrier, relativeReduction } from '../barriers.ts';

const e = { lossA: 0.1, lossB: 0.3, accA: 0.98, accB: 0.96 };

test('midpoint barriers: L(½) − ½(L_A + L_B) and ½(acc_A + acc_B) − acc(½)', () => {
  assert.ok(Math.abs(midpointLossBarrier(0.7, e) - 0.5) < 1e-15);
  assert.ok(Math.abs(midpointAccuracyBarrier(0.77, e) - 0.2) < 1e-15);
});

test('max barrier subtracts the straight line between the endpoints, not their mean', () => {
  // at α = 0.25 the line is 0.15, so 0.6 − 0.15 = 0.45 beats the midpoint's 0.5 − 0.2 = 0.3
  const alphas = alphaGrid(5);
  assert.deepEqual(alphas, [0, 0.25, 0.5, 0.75, 1]);
  assert.ok(Math.abs(maxLossBarrier(alphas, [0.1, 0.6, 0.5, 0.3, 0.3], e) - 0.45) < 1e-15);
});

test('relative reduction and α labels', () => {
  assert.ok(Math.abs(relativeReduction(0.138, 0.552) - 0.75) < 1e-15);
  assert.equal(alphaLabel(0.05), '005');
  assert.equal(alphaLabel(1), '100');
  assert.throws(() => alphaGrid(4), /odd number of points/);
});
