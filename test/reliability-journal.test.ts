// Journal recovery: a bad line costs only that line; only `run` drops a cut-short final line; read-only
// commands never rewrite the journal.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal } from '../harness/run/journal.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';

const entry = (key: string) => JSON.stringify({ key, rows: [] });

test('a bad line in the middle is skipped with its line number; the lines after it are kept', () => {
  const file = join(tempDir(), 'journal.jsonl');
  const text = `${entry('a')}\n{not json\n${entry('b')}\n${entry('c')}\n`;
  writeFileSync(file, text);
  const warnings: string[] = [];
  const journal = new Journal(file, { warn: (m) => warnings.push(m) });
  journal.close();
  assert.deepEqual([...journal.entries.keys()], ['a', 'b', 'c']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /line 2 skipped/);
  assert.equal(readFileSync(file, 'utf8'), text, 'nothing is truncated');
});

test('only a cut-short final line is dropped, and only when opened for writing', () => {
  const file = join(tempDir(), 'journal.jsonl');
  const text = `${entry('a')}\n${entry('b')}\n{"key":"c","ro`;
  writeFileSync(file, text);
  const reader = new Journal(file, { readOnly: true, warn: () => {} });
  assert.deepEqual([...reader.entries.keys()], ['a', 'b']);
  assert.equal(readFileSync(file, 'utf8'), text, 'a read-only open leaves the file as it is');
  const writer = new Journal(file, { warn: () => {} });
  writer.append({ key: 'd', rows: [] });
  writer.close();
  assert.equal(readFileSync(file, 'utf8'), `${entry('a')}\n${entry('b')}\n${entry('d')}\n`);
});

test('an entry that cannot be serialised throws before anything is written', () => {
  const file = join(tempDir(), 'journal.jsonl');
  const journal = new Journal(file);
  assert.throws(() => journal.append({ key: 'x', rows: [], records: [{ n: 1n as never }] }), /cannot be serialised/);
  journal.close();
  assert.equal(readFileSync(file, 'utf8'), '');
});

test('`harness plan --out` reads a damaged journal without changing it, and `run` resumes all good units', () => {
  const out = join(tempDir(), 'run');
  const suite = join(FIXTURE_SUITES, 'fixture.yaml');
  const cache = tempDir('harness-cache-');
  assert.equal(cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', out], { HARNESS_CACHE_DIR: cache }).status, 0);
  const file = join(out, 'journal.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 6);
  lines[1] = '{"key": broken';
  const damaged = `${lines.join('\n')}\n{"key":"cut`;
  writeFileSync(file, damaged);
  const plan = cli(['plan', suite, '--plugin', FIXTURE_PLUGIN, '--out', out], { HARNESS_CACHE_DIR: tempDir('harness-cache-') });
  assert.equal(plan.status, 0, plan.stderr);
  assert.match(plan.stderr, /line 2 skipped/);
  assert.match(plan.stdout, /6 units: 1 to run, 0 cached, 5 done in --out/);
  assert.equal(readFileSync(file, 'utf8'), damaged, 'plan never rewrites the journal');
  const rerun = cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', out], { HARNESS_CACHE_DIR: cache });
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stdout, /5 resumed, 1 from cache/);
});
