// Scoring of decoded outputs on hand-made examples: parsing, first wrong step, EOS errors, batches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeBatch, vocabulary } from '../batching.ts';
import { PARITY_ALPHABET, type Example } from '../examples.ts';
import { accuracy, eosErrorRate, firstWrongStats, parseOutput, scoreExample, stepAccuracy } from '../scoring.ts';

// $10110; → scratchpad 1 1 0 1 1, answer 1
const ex: Example = { prompt: '$10110;', steps: ['1', '1', '0', '1', '1'], answer: '1', length: 5 };
const out = (text: string, eos = true) => ({ tokens: text.split(''), eos });

test('parse: steps before `>`, the answer after it; direct outputs are just the answer', () => {
  assert.deepEqual(parseOutput('11011>1'.split(''), 1, true), { steps: ['1', '1', '0', '1', '1'], answer: '1', marker: true });
  assert.deepEqual(parseOutput('a1b0c>0'.split(''), 2, true), { steps: ['a1', 'b0', 'c'], answer: '0', marker: true });
  assert.deepEqual(parseOutput('110'.split(''), 1, true), { steps: ['1', '1', '0'], answer: undefined, marker: false });
  assert.deepEqual(parseOutput(['0'], 1, false), { steps: [], answer: '0', marker: false });
});

test('a correct scratchpad: every step right, no first wrong step, EOS in place', () => {
  const s = scoreExample(ex, out('11011>1'), 1);
  assert.deepEqual(s, { length: 5, correct: 1, exact: 1, steps: 5, stepsCorrect: 5, firstWrong: null, eosError: 0, eosEarly: 0 });
});

test('first wrong step, step accuracy and a right answer after a wrong scratchpad', () => {
  // steps 1 0 0 1 1: index 1 is wrong, the others right; answer still 1
  const s = scoreExample(ex, out('10011>1'), 1);
  assert.equal(s.firstWrong, 1);
  assert.equal(s.stepsCorrect, 4);
  assert.equal(s.correct, 1);
  assert.equal(s.exact, 0);
  assert.equal(s.eosError, 0);
});

test('premature EOS: missing steps count as wrong, EOS error and early EOS are flagged', () => {
  const s = scoreExample(ex, out('110'), 1);
  assert.equal(s.firstWrong, 3);
  assert.equal(s.stepsCorrect, 3);
  assert.equal(s.correct, 0);
  assert.equal(s.eosError, 1);
  assert.equal(s.eosEarly, 1);
});

test('extra steps: all true steps right but the end is wrong → first wrong step = n; no EOS → EOS error', () => {
  const s = scoreExample(ex, out('110110>0', false), 1);
  assert.equal(s.firstWrong, 5);
  assert.equal(s.stepsCorrect, 5);
  assert.equal(s.eosError, 1);
  assert.equal(s.eosEarly, 0);
});

test('aggregates: accuracy, pooled step accuracy, quarters of the first wrong step, EOS error rate', () => {
  const scores = [scoreExample(ex, out('11011>1'), 1), scoreExample(ex, out('10011>1'), 1), scoreExample(ex, out('110'), 1), scoreExample(ex, out('01011>0'), 1)];
  assert.equal(accuracy(scores), 0.5);
  assert.equal(stepAccuracy(scores), (5 + 4 + 3 + 4) / 20);
  // wrong scratchpads: first wrong 1 (quarter ⌊4/5⌋ = 0), 3 (⌊12/5⌋ = 2), 0 (0)
  const fw = firstWrongStats(scores, 2);
  assert.deepEqual(fw.quarters, [2 / 3, 0, 1 / 3, 0]);
  assert.equal(fw.within, 2 / 3);
  assert.equal(fw.wrong, 3);
  assert.ok(Math.abs(fw.relative - (1 / 5 + 3 / 5 + 0) / 3) < 1e-12);
  assert.equal(eosErrorRate(scores), 1 / 4);
});

test('batches: right padding, loss mask exactly on target tokens (scratchpad, answer, EOS)', () => {
  const vocab = vocabulary(PARITY_ALPHABET);
  const short: Example = { prompt: '$1>', steps: [], answer: '1', length: 1 };
  const b = makeBatch(vocab, [ex, short]);
  // ex: 7 prompt + 7 target (5 steps, >, answer) + EOS = 15 tokens → L = 14
  assert.equal(b.length, 14);
  const id = (c: string) => vocab.tokenizer.encode(c)[0];
  const row0 = Array.from(b.ids.subarray(0, 15));
  assert.deepEqual(row0, [...'$10110;11011>1'].map(id).concat([vocab.eos]));
  const row1 = Array.from(b.ids.subarray(15, 30));
  assert.deepEqual(row1.slice(0, 5), [id('$'), id('1'), id('>'), id('1'), vocab.eos]);
  assert.ok(row1.slice(5).every((t) => t === vocab.pad));
  // mask row 0: inputs 6..13 predict the 8 target tokens; row 1: inputs 2, 3 predict answer and EOS
  assert.deepEqual(Array.from(b.lossMask!.subarray(0, 14)), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(b.lossMask!.subarray(14, 28)), [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});
