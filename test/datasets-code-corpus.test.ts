// The code corpus: typescript@5.9.3 lib/typescript.js, checked by version and sha256, split
// contiguously 90/5/5, and sampled into seeded next-token windows.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import { CODE_CORPUS_SHA256, loadCodeCorpus, sampleWindows, splitPoints } from '../datasets/code-corpus.ts';

test('the corpus is the pinned typescript.js, split contiguously 90 / 5 / 5', () => {
  const corpus = loadCodeCorpus();
  const file = readFileSync(join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'lib', 'typescript.js'));
  assert.equal(corpus.sha256, CODE_CORPUS_SHA256);
  assert.equal(createHash('sha256').update(file).digest('hex'), CODE_CORPUS_SHA256);
  // 9,112,572 bytes: ⌊0.9 n⌋ = 8,201,314 and ⌊0.95 n⌋ = 8,656,943 (hand calculation)
  assert.equal(file.length, 9112572);
  assert.deepEqual(splitPoints(file.length), [8201314, 8656943]);
  assert.equal(corpus.train.length, 8201314);
  assert.equal(corpus.valid.length, 8656943 - 8201314);
  assert.equal(corpus.test.length, 9112572 - 8656943);
  // contiguity: the three parts laid end to end are the file
  assert.ok(Buffer.from(corpus.train).equals(file.subarray(0, 8201314)));
  assert.ok(Buffer.from(corpus.valid).equals(file.subarray(8201314, 8656943)));
  assert.ok(Buffer.from(corpus.test).equals(file.subarray(8656943)));
  assert.match(corpus.source, /typescript@5\.9\.3/);
  assert.equal(loadCodeCorpus(), corpus, 'read once per process');
});

test('sampled windows are contiguous runs of the data, the same for the same seed', () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251); // every 5-gram occurs once
  const a = sampleWindows(data, 6, 20, createRng(1));
  const b = sampleWindows(data, 6, 20, createRng(1));
  const c = sampleWindows(data, 6, 20, createRng(2));
  assert.equal(a.length, 6 * 21);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const haystack = Buffer.from(data);
  for (let row = 0; row < 6; row++) {
    const window = Buffer.from(Uint8Array.from(a.subarray(row * 21, (row + 1) * 21)));
    assert.ok(haystack.indexOf(window) >= 0, `row ${row} is a contiguous slice`);
  }
  // the last possible start (len − 21) is reachable and nothing beyond it
  const small = Uint8Array.from({ length: 22 }, (_, i) => i);
  const starts = new Set<number>();
  const rng = createRng(3);
  for (let i = 0; i < 200; i++) starts.add(sampleWindows(small, 1, 20, rng)[0]);
  assert.deepEqual([...starts].sort(), [0, 1]);
  assert.throws(() => sampleWindows(small, 1, 30, rng), /do not fit/);
});
