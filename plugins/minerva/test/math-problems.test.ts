// datasets/math-problems.ts: seeded, MATH-shaped, every surface form equivalent to the gold answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { generateMathProblems, MATH_SUBJECTS, MATH_TEMPLATES, minervaSolution } from '../../../datasets/math-problems.ts';
import { goldAnswer, normalizeFinalAnswer, strictAnswer } from '../answer.ts';
import { isEquiv } from '../equivalence.ts';

test('the same seed gives the same problems; another seed gives others', () => {
  const a = generateMathProblems(createRng(3), 40);
  assert.deepEqual(generateMathProblems(createRng(3), 40), a);
  assert.notDeepEqual(generateMathProblems(createRng(4), 40), a);
  assert.equal(new Set(a.map((p) => p.template)).size, MATH_TEMPLATES.length);
});

test('every answer form normalizes to a string equivalent to the gold answer of the \\boxed{} solution', () => {
  const problems = generateMathProblems(createRng(1), 5 * MATH_TEMPLATES.length);
  for (const p of problems) {
    assert.ok(MATH_SUBJECTS.includes(p.subject) && p.level >= 1 && p.level <= 5);
    const gold = goldAnswer(p.solution);
    assert.equal(gold, normalizeFinalAnswer(p.answer), p.id);
    assert.ok(p.forms.length >= 2, `${p.id} has one surface form`);
    for (const f of p.forms) assert.ok(isEquiv(normalizeFinalAnswer(f), gold!), `${p.id}: ${f} ≢ ${gold}`);
  }
});

test('a Minerva-format solution is graded correct by the strict extraction', () => {
  const rng = createRng(2);
  for (const p of generateMathProblems(createRng(9), 2 * MATH_TEMPLATES.length)) {
    const s = minervaSolution(p, rng);
    assert.match(s, /\nFinal Answer: The final answer is \$.+\$\. I hope it is correct\.$/);
    assert.ok(isEquiv(strictAnswer(s), goldAnswer(p.solution)!), s);
  }
});

test('an unknown template is named with the known ones', () => {
  assert.throws(() => generateMathProblems(createRng(0), 1, { templates: ['nope'] }), /unknown math template "nope" \(known: add,/);
});
