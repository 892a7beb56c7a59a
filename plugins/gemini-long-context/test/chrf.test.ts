// chrF (sacreBLEU defaults) against the golden values of the Hugging Face `evaluate` chrF metric card
// (huggingface/evaluate, metrics/chrf/README.md, Apache-2.0), as quoted in the plugin's spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chrF } from '../chrf.ts';

test('chrF reproduces the metric card\'s single-sentence example to 1e-9', () => {
  const v = chrF(['The relationship between Obama and Netanyahu is not exactly friendly.'], ['The ties between Obama and Netanyahu are not particularly friendly.']);
  assert.ok(Math.abs(v - 61.576379378113785) < 1e-9, String(v));
});

test('chrF reproduces the metric card\'s two-sentence corpus example (case-sensitive) to 1e-9', () => {
  const v = chrF(
    ['The relationship between cats and dogs is not exactly friendly.', 'a good bookshop is just a genteel black hole that knows how to read.'],
    ['The relationship between dogs and cats is not exactly friendly.', 'A good bookshop is just a genteel Black Hole that knows how to read.'],
  );
  assert.ok(Math.abs(v - 84.64214891738334) < 1e-9, String(v));
});

test('chrF is 100 for identical text and 0 for disjoint characters', () => {
  assert.ok(Math.abs(chrF(['abc def'], ['abcdef']) - 100) < 1e-9);
  assert.ok(chrF(['xyz'], ['abc']) < 1e-9);
});
