// The assignment solver against ground truth: every permutation for n ≤ 8, munkres-js (an independent
// Hungarian implementation, devDependency) for n = 64…128, and our ε-scaling auction.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { auctionAssignment, bruteForceAssignment, isPermutation, solveLinearAssignment } from '../lap.ts';

const munkres = createRequire(import.meta.url)('munkres-js') as (cost: number[][]) => Array<[number, number]>;

test('equals brute force on 600 random problems with n ≤ 8 (real and tied integer costs, max and min)', () => {
  const rng = createRng(11);
  for (let t = 0; t < 600; t++) {
    const n = 1 + (t % 8);
    const C = Float64Array.from({ length: n * n }, () => (t % 3 === 0 ? rng.int(3) : rng.normal()));
    for (const maximize of [true, false]) {
      const got = solveLinearAssignment(C, n, { maximize });
      const truth = bruteForceAssignment(C, n, { maximize });
      assert.ok(isPermutation(got.rowToCol, n), `case ${t}: not a permutation`);
      assert.ok(Math.abs(got.objective - truth.objective) <= 1e-12 * (1 + Math.abs(truth.objective)), `case ${t} (n = ${n}, maximize ${maximize}): ${got.objective} vs ${truth.objective}`);
    }
  }
});

test('a hand-solved 3×3 problem (munkres-js README example)', () => {
  // minimum: rows → columns 1, 0, 2 with cost 150 + 400 + 300 = 850
  const C = Float64Array.from([400, 150, 400, 400, 450, 600, 300, 225, 300]);
  const got = solveLinearAssignment(C, 3);
  assert.deepEqual([...got.rowToCol], [1, 0, 2]);
  assert.equal(got.objective, 850);
});

test('equals munkres-js on correlation-like matrices, n = 64, 96, 128 (maximize)', () => {
  const rng = createRng(12);
  for (const n of [64, 96, 128]) {
    const C = Float64Array.from({ length: n * n }, () => 2 * rng.next() - 1);
    const got = solveLinearAssignment(C, n, { maximize: true });
    const pairs = munkres(Array.from({ length: n }, (_, i) => Array.from(C.subarray(i * n, (i + 1) * n), (x) => -x)));
    const reference = new Int32Array(n);
    for (const [i, j] of pairs) reference[i] = j;
    // continuous random costs: the optimum is unique, so the assignments must be identical
    assert.deepEqual([...got.rowToCol], [...reference], `n = ${n}`);
  }
});

test('the auction solver reaches the same optimum (n = 200)', () => {
  const rng = createRng(13);
  const n = 200;
  const C = Float64Array.from({ length: n * n }, () => rng.normal());
  const exact = solveLinearAssignment(C, n, { maximize: true });
  const auction = auctionAssignment(C, n, { maximize: true });
  assert.ok(Math.abs(exact.objective - auction.objective) <= n * auction.epsilonFinal + 1e-9);
  assert.deepEqual([...exact.rowToCol], [...auction.rowToCol]);
});

test('bad input gets a clear error', () => {
  assert.throws(() => solveLinearAssignment(new Float64Array(5), 2), /expected an n×n matrix \(4 entries\), got 5/);
  assert.throws(() => solveLinearAssignment(Float64Array.from([0, NaN, 1, 2]), 2), /entry 1 is NaN/);
});
