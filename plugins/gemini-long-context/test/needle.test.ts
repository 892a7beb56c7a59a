// Needle placement, prompts and exact-number scoring.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { containsNumber, drawNeedles, endsSentence, insertionPoint, insertNeedles, linearDepths, multiNeedleDepths, needleSentence } from '../needle.ts';
import { proseHaystack } from '../corpora.ts';
import { cl100kTokenizer, sentenceBoundaryTest } from '../tokenizers.ts';

test('a needle lands right after a sentence end, at the last one at or before the requested depth', async () => {
  const tok = await cl100kTokenizer();
  const isBoundary = sentenceBoundaryTest(tok, endsSentence);
  const hay = tok.encode(proseHaystack(createRng(3), 20_000)).subarray(0, 4000);
  const needle = tok.encode(needleSentence({ city: 'Oslo', number: '1234567' }));
  for (const depth of [5, 25, 50, 73, 99]) {
    const { ids, positions } = insertNeedles(hay, [{ ids: needle, depth }], isBoundary);
    const at = positions[0];
    const target = Math.floor((hay.length * depth) / 100);
    assert.ok(at <= target, `depth ${depth}: inserted at ${at} after the target ${target}`);
    assert.ok(endsSentence(tok.decode(hay.subarray(at - 1, at))), `depth ${depth}: token before the needle is ${JSON.stringify(tok.decode(hay.subarray(at - 1, at)))}`);
    for (let i = at; i < target; i++) assert.ok(!isBoundary(hay[i]), `depth ${depth}: a later boundary at ${i} was skipped`);
    assert.ok(target - at < 400, 'the backoff stays within a few sentences of prose');
    assert.deepEqual(Array.from(ids.subarray(at, at + needle.length)), Array.from(needle));
    assert.equal(ids.length, hay.length + needle.length);
    // the haystack around the needle is untouched
    assert.deepEqual(Array.from(ids.subarray(0, at)), Array.from(hay.subarray(0, at)));
    assert.deepEqual(Array.from(ids.subarray(at + needle.length)), Array.from(hay.subarray(at)));
    // decoded text reads "…end. The special magic Oslo number is: 1234567. Next…"
    assert.match(tok.decode(ids.subarray(at - 1, at + needle.length)), /[.!?]["')\]]*\s*The special magic Oslo number is: 1234567\.$/);
  }
});

test('depth 100 appends, depth 0 prepends, and a haystack without boundaries backs off to the start', () => {
  const never = () => false;
  const hay = [5, 6, 7, 8];
  assert.equal(insertionPoint(hay, 100, never), 4);
  assert.equal(insertionPoint(hay, 0, (t) => t === 5), 0);
  assert.equal(insertionPoint(hay, 90, never), 0);
  assert.equal(insertionPoint(hay, 90, (t) => t === 6), 2); // ⌊4·0.9⌋ = 3 → back to after token 6
  const { ids, positions } = insertNeedles(hay, [{ ids: [1, 1], depth: 100 }, { ids: [2], depth: 0 }], never);
  assert.deepEqual(Array.from(ids), [2, 5, 6, 7, 8, 1, 1]);
  assert.deepEqual(positions, [5, 0]);
});

test('linear depths and multi-needle depths', () => {
  assert.deepEqual(linearDepths(11), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(multiNeedleDepths(4), [0, 25, 50, 75]);
});

test('needles are fresh per draw: distinct cities and 7-digit numbers', () => {
  const ns = drawNeedles(createRng(1), 50);
  assert.equal(new Set(ns.map((n) => n.city)).size, 50);
  assert.equal(new Set(ns.map((n) => n.number)).size, 50);
  assert.ok(ns.every((n) => /^[1-9][0-9]{6}$/.test(n.number)));
  assert.notDeepEqual(drawNeedles(createRng(2), 1), drawNeedles(createRng(3), 1));
});

test('exact-number scoring: the digit run must match exactly', () => {
  assert.equal(containsNumber(' 1234567.', '1234567'), true);
  assert.equal(containsNumber('The number is 1234567', '1234567'), true);
  assert.equal(containsNumber(' 12345678', '1234567'), false);
  assert.equal(containsNumber(' 01234567 and 1234567', '1234567'), true);
  assert.equal(containsNumber(' 123 4567', '1234567'), false);
  assert.equal(containsNumber('', '1234567'), false);
});
