// The extraction and Appendix-D normalization behave byte for byte like the Python reference.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { flexibleAnswer, getUnnormalizedAnswer, goldAnswer, INVALID_ANSWER, lastBoxedOnlyString, normalizeFinalAnswer, pythonIsDigit, removeBoxed, strictAnswer } from '../answer.ts';
import { normalizationGolden } from '../golden.ts';
import { gsm8kFlexible, gsm8kGold, gsm8kPrompt, gsm8kStrict } from '../gsm8k.ts';
import { mathPrompt } from '../prompt.ts';

test('normalizeFinalAnswer, the strict extraction and the gold extraction match the Python reference on all ≥ 500 golden strings', () => {
  const golden = normalizationGolden();
  assert.ok(golden.length >= 500, `${golden.length} golden strings`);
  const misses = golden.filter((c) => normalizeFinalAnswer(c.input) !== c.normalized || getUnnormalizedAnswer(c.input) !== c.strict || goldAnswer(c.input) !== c.gold);
  assert.deepEqual(misses, []);
});

test('the porting pitfalls of Appendix D behave as in Python', () => {
  assert.equal(normalizeFinalAnswer('banana '), 'banan'); // "an " and "a " go anywhere
  assert.equal(normalizeFinalAnswer('$x=5$'), '5');
  assert.equal(normalizeFinalAnswer('The answer is $\\frac{1}{2}$.'), '\\frac{1}{2}'); // "$\3$" replacement
  assert.equal(normalizeFinalAnswer('1,000,000'), '1000000');
  assert.equal(normalizeFinalAnswer(','), ','); // "".isdigit() is False
  assert.equal(normalizeFinalAnswer('\\fracab'), '\\frac{a}{b}');
  assert.equal(normalizeFinalAnswer('\\sqrt2'), '\\sqrt{2}');
  assert.equal(normalizeFinalAnswer('10^\\circ'), '10');
  assert.equal(normalizeFinalAnswer('\\left[1,2\\right)'), '\\le[1,2\\right)'); // "ft" is a removed unit
  assert.ok(pythonIsDigit('١٢٣') && pythonIsDigit('²') && !pythonIsDigit('') && !pythonIsDigit('½'));
});

test('strict extraction needs the Minerva phrase; flexible takes the last \\boxed{} first', () => {
  assert.equal(getUnnormalizedAnswer('so.\nFinal Answer: The final answer is $7$. I hope it is correct.'), '$7$');
  assert.equal(getUnnormalizedAnswer('Final Answer: The final answer is $7$. '), '$7$'); // a generation stopped before the phrase: the appended one completes it
  assert.equal(getUnnormalizedAnswer('Final Answer: The final answer is $7$.'), INVALID_ANSWER); // no space before the appended phrase: no match, as in Python
  assert.equal(strictAnswer('The answer is $\\boxed{7}$.'), INVALID_ANSWER);
  assert.equal(flexibleAnswer('The answer is $\\boxed{7}$.'), '7');
  assert.equal(flexibleAnswer('Final Answer: The final answer is $3$. I hope it is correct.'), '3');
  assert.equal(lastBoxedOnlyString('a \\boxed{1} b \\boxed{\\frac{1}{2}} c'), '\\boxed{\\frac{1}{2}}');
  assert.equal(lastBoxedOnlyString('\\boxed{1'), null);
  assert.equal(removeBoxed('\\boxed 5'), '5');
  assert.equal(removeBoxed('\\fbox{5}'), null);
});

test('the 4-shot MATH prompt is the reference prompt byte for byte', () => {
  const p = mathPrompt('X');
  assert.equal(p.length, 1815);
  assert.equal(createHash('sha256').update(p).digest('hex'), '79518a96f443dd64b9270efe0506e672415578c5166171474659801a1d8fcf91');
  assert.ok(p.endsWith('I hope it is correct.\n\nProblem:\nX\n\nSolution:'));
});

test('GSM8k: 8-shot Q/A prompt, strict "The answer is N." and flexible last number, gold after ####', () => {
  assert.ok(gsm8kPrompt('Q?').endsWith('The answer is 8.\n\nQ: Q?\nA:'));
  assert.equal(gsm8kStrict('So 3 + 4 = 7. The answer is 1,234.'), '1234');
  assert.equal(gsm8kStrict('no phrase 12'), null);
  assert.equal(gsm8kFlexible('he has $18.'), '18');
  assert.equal(gsm8kGold('steps <<1+1=2>>\n#### 72'), '72');
});
