// The conformance kit (`harness plugin test`) and `harness reproduce`, through the CLI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, FIXTURE_PLUGIN, ROOT, tempDir } from './helpers.ts';

test('a scaffolded plugin passes every conformance check', () => {
  const dir = join(tempDir(), 'my-paper');
  assert.equal(cli(['new', 'plugin', 'my-paper', '--dir', dir]).status, 0);
  const r = cli(['plugin', 'test', dir]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /pass {2}suite my-paper runs at smoke budget/);
  assert.match(r.stdout, /pass {2}suite my-paper: same seed, same rows/);
  assert.match(r.stdout, /(\d+) of \1 checks pass/);
});

test('a kernel that disagrees with its reference fails the kit with the numbers', () => {
  const r = cli(['plugin', 'test', join(ROOT, 'test', 'fixtures', 'bench-plugin')]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL {2}kernel off-by-one-sum agrees with its reference: \{"n":16\}: sum [\d.]+ differs from reference/);
});

test('an invalid manifest fails the kit at the first check', () => {
  const r = cli(['plugin', 'test', join(ROOT, 'test', 'fixtures', 'bad', 'missing-field')]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL {2}manifest: .*missing required field "title"/);
});

test('reproduce runs the suites of a plugin\'s claims and writes claims.csv', () => {
  const out = join(tempDir(), 'reproduce');
  const r = cli(['reproduce', 'fixture-pi', '--plugin', FIXTURE_PLUGIN, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /holds {7}fixture-pi\/stratified-beats-uniform/);
  assert.match(r.stdout, /fixture-pi: 1 hold, 0 fail, 0 not checked \(budget full\)/);
  assert.match(readFileSync(join(out, 'claims.csv'), 'utf8'), /fixture-pi\/stratified-beats-uniform,fixture-pi,fixture,/);
});
