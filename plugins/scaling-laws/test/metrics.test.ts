import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extrapolationError, extrapolationRmse, winFractions } from '../metrics.ts';

test('extrapolation RMSE and the released standard-error formula', () => {
  const y = [0.5, 0.25, 0.125];
  const p = [0.5 * Math.E, 0.25, 0.125 / Math.E]; // log errors: 1, 0, −1
  const rmse = extrapolationRmse(p, y);
  assert.ok(Math.abs(rmse - Math.sqrt(2 / 3)) < 1e-15);
  // e = (1, 0, 1): μ = 2/3, population std = sqrt(2/9)
  const { se, n } = extrapolationError(p, y);
  assert.equal(n, 3);
  const expected = Math.sqrt(2 / 3 + Math.sqrt(2 / 9) / Math.sqrt(3)) - Math.sqrt(2 / 3);
  assert.ok(Math.abs(se - expected) < 1e-15);
  assert.equal(extrapolationRmse([0.3], [0.3]), 0);
  assert.throws(() => extrapolationRmse([1, 2], [1]));
});

test('win fractions: truncation to 3 decimals, ties split, NaN counts as 1', () => {
  const table = {
    a: { M1: 0.0129, M2: 0.0121, M3: 0.05, M4: 0.02 }, // M1, M2 truncate to 0.012 → tie: ½ each
    b: { M1: 0.3, M2: 0.2, M3: 0.1, M4: NaN }, // M3 wins
    c: { M1: NaN, M2: NaN, M3: NaN, M4: NaN }, // all 1 → four-way tie
    d: { M1: 0.0009, M2: 0.0001, M3: 0.00099, M4: 0.5 }, // all of M1–M3 truncate to 0 → ⅓ each
  };
  const w = winFractions(table, { truncateDecimals: 3, nanAs: 1 });
  assert.ok(Math.abs(w.M1 - (0.5 + 0.25 + 1 / 3) / 4) < 1e-15);
  assert.ok(Math.abs(w.M2 - (0.5 + 0.25 + 1 / 3) / 4) < 1e-15);
  assert.ok(Math.abs(w.M3 - (1 + 0.25 + 1 / 3) / 4) < 1e-15);
  assert.ok(Math.abs(w.M4 - 0.25 / 4) < 1e-15);
  assert.ok(Math.abs(w.M1 + w.M2 + w.M3 + w.M4 - 1) < 1e-15);
  // NaN as 1 loses against a real value above 1 only after truncation rules: 1.0004 → 1.0 ties with NaN
  const w2 = winFractions(new Map([['x', new Map([['A', NaN], ['B', 1.0004]])]]));
  assert.deepEqual(w2, { A: 0.5, B: 0.5 });
  // no truncation → B loses
  const w3 = winFractions({ x: { A: 0.0121, B: 0.0129 } }, { truncateDecimals: 6 });
  assert.deepEqual(w3, { A: 1, B: 0 });
});
