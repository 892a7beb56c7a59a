// pass@k against the spec's hand-calculated golden values and against brute-force enumeration of
// every k-subset; maj@k's vote and tie rule; the word-problem verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { majAtK, passAtK } from '../metrics.ts';
import { readWordAnswer, generateWordProblems, wordProblemSolution, arithmeticFacts } from '../../../datasets/math-problems.ts';
import { createRng } from '../../../harness/plan/seeds.ts';

test('pass@k: n = 10, c = 3 gives pass@1 = 0.3 and pass@5 = 1 − 21/252 (hand calculation)', () => {
  assert.ok(Math.abs(passAtK(10, 3, 1) - 0.3) < 1e-12);
  assert.ok(Math.abs(passAtK(10, 3, 5) - (1 - 21 / 252)) < 1e-12);
  assert.ok(Math.abs(passAtK(10, 3, 5) - 0.916667) < 1e-6);
  assert.equal(passAtK(10, 0, 5), 0);
  assert.equal(passAtK(10, 6, 5), 1); // fewer than k wrong samples
  assert.throws(() => passAtK(4, 5, 1), /0 ≤ c ≤ n/);
  assert.throws(() => passAtK(4, 1, 5), /1 ≤ k ≤ n/);
});

test('pass@k equals the fraction of k-subsets holding a correct sample (enumeration), not "any of the first k"', () => {
  const subsets = (n: number, k: number): number[][] => (k === 0 ? [[]] : n < k ? [] : [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)]);
  for (const n of [1, 4, 7]) {
    for (let c = 0; c <= n; c++) {
      for (let k = 1; k <= n; k++) {
        const all = subsets(n, k);
        const hit = all.filter((s) => s.some((i) => i < c)).length / all.length; // samples 0..c−1 correct
        assert.ok(Math.abs(passAtK(n, c, k) - hit) < 1e-12, `n=${n} c=${c} k=${k}`);
      }
    }
  }
  // with the correct samples last, "any of the first k" would say 0; the estimator does not depend on order
  assert.ok(passAtK(8, 2, 2) > 0.4);
});

test('maj@k: the most frequent answer among the first k, ties to the earliest, null answers never vote', () => {
  const right = (a: string) => a === '7';
  assert.equal(majAtK(['7', '3', '7', '3'], right, 4), 1); // 2–2 tie: "7" appeared first
  assert.equal(majAtK(['3', '7', '7', '3'], right, 4), 0); // 2–2 tie: "3" appeared first
  assert.equal(majAtK(['3', '7', '7'], right, 3), 1);
  assert.equal(majAtK([null, null, '7'], right, 3), 1);
  assert.equal(majAtK([null, null], right, 2), 0);
  assert.equal(majAtK(['7', '3', '3'], right, 1), 1); // only the first sample counts at k = 1
  assert.throws(() => majAtK(['7'], right, 2), /k ≤ 1/);
});

test('word problems: the reference chain is right, the verifier reads the number after the last #', () => {
  const facts = new Set(arithmeticFacts());
  for (const p of generateWordProblems(createRng(3), 200, 3)) {
    const solution = wordProblemSolution(p);
    assert.equal(readWordAnswer(solution), p.answer);
    for (const eq of solution.split(';').slice(0, -1)) assert.ok(facts.has(eq), eq); // every step is a pretraining fact
    assert.ok(p.answer >= 0 && p.answer <= 40);
  }
  assert.equal(readWordAnswer('5+3=8;#8'), 8);
  assert.equal(readWordAnswer('#3;#12'), 12);
  assert.equal(readWordAnswer('5+3=8;8-2=6'), null);
  assert.equal(readWordAnswer('#6x'), null);
  assert.equal(readWordAnswer('#'), null);
});
