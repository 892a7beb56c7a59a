// maj1@k and pass@k: goldens, the tie-break, equivalence merging, and the synthetic solver's behaviour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { isEquiv } from '../equivalence.ts';
import { majAtK, majorityVote, passAtK } from '../voting.ts';
import { drawAnswer, type SolverProblem } from './synthetic-solver.ts';

test('unbiased pass@k: n = 10, c = 3 gives pass@1 0.3 and pass@5 0.916667', () => {
  assert.ok(Math.abs(passAtK(10, 3, 1) - 0.3) < 1e-12);
  assert.ok(Math.abs(passAtK(10, 3, 5) - 0.916667) < 1e-6);
  assert.equal(passAtK(10, 0, 5), 0);
  assert.equal(passAtK(10, 8, 5), 1);
  assert.throws(() => passAtK(3, 4, 1), /0 ≤ c ≤ n/);
});

test('majority vote: plurality, ties to the earliest sample, invalid answers abstain, equivalence classes merge', () => {
  assert.equal(majorityVote(['1', '2', '2', '1'])!.answer, '1');
  assert.equal(majorityVote(['3', '2', '2', '3', '4'])!.answer, '3');
  assert.equal(majorityVote(['x', 'x', '5'], { skip: 'x' })!.answer, '5');
  assert.equal(majorityVote(['x'], { skip: 'x' }), null);
  const forms = ['\\frac{1}{2}', '0.5', '3', '3', '\\dfrac{1}{2}'];
  assert.equal(majorityVote(forms)!.answer, '3');
  assert.deepEqual(majorityVote(forms, { equiv: isEquiv }), { answer: '\\frac{1}{2}', votes: 3, index: 0 });
});

const problem: SolverProblem = { problem: 'p', forms: ['\\frac{1}{2}', '0.5', '\\dfrac12'], distractors: ['1', '2', '3'] };
const curve = (p: number, blocksOf64: number) => {
  const rng = createRng(5);
  const answers = Array.from({ length: 64 * blocksOf64 }, () => drawAnswer(problem, p, rng));
  const correct = (a: string) => isEquiv(a, '\\frac{1}{2}');
  const memo = new Map<string, boolean>();
  const equiv = (a: string, b: string) => {
    const k = `${a}|${b}`;
    if (!memo.has(k)) memo.set(k, isEquiv(a, b));
    return memo.get(k)!;
  };
  return [1, 4, 16, 64].map((k) => majAtK(answers, correct, k, { equiv }));
};

test('synthetic solver: when the correct class beats every distractor, maj1@k rises with k towards 1', () => {
  const m = curve(0.5, 8); // distractor "1" has probability 0.5·4/7 ≈ 0.29 < 0.5
  for (let i = 1; i < m.length; i++) assert.ok(m[i] >= m[i - 1] - 0.02, `maj1@k ${m.map((v) => v.toFixed(3))}`);
  assert.ok(m[3] >= 0.875 && m[0] < 0.6, `maj1@k ${m.map((v) => v.toFixed(3))}`);
});

test('synthetic solver: when a distractor is more likely than the answer, maj1@k falls with k', () => {
  const m = curve(0.25, 8); // distractor "1" has probability 0.75·4/7 ≈ 0.43 > 0.25
  assert.ok(m[3] < m[0], `maj1@k ${m.map((v) => v.toFixed(3))}`);
});
