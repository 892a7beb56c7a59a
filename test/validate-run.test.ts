// `harness validate <run-dir>`: the submission checker.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';

async function freshRun() {
  const out = join(tempDir(), 'run');
  assert.equal(cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', out]).status, 0);
  const dirty = (await readRows(join(out, 'rows.csv')))[0].git_dirty === true;
  return { out, dirty };
}

test('an untouched run folder passes (apart from a dirty working tree, which is reported as such)', async () => {
  const { out, dirty } = await freshRun();
  const r = cli(['validate', out, '--plugin', FIXTURE_PLUGIN]);
  if (dirty) {
    assert.equal(r.status, 1);
    assert.deepEqual(r.stderr.trim().split('\n').slice(1).map((l) => l.trim().replace(/^.*rows\.csv: /, '')), ['produced from a git tree with uncommitted changes (git_dirty = true)']);
  } else {
    assert.equal(r.status, 0, r.stderr);
  }
});

test('an edited value is rejected, naming the file and the unit whose rows changed', async () => {
  const { out } = await freshRun();
  const file = join(out, 'rows.csv');
  const lines = readFileSync(file, 'utf8').split('\n');
  const cells = lines[1].split(',');
  cells[11] = '0.000001'; // the value column of the first row
  lines[1] = cells.join(',');
  writeFileSync(file, lines.join('\n'));
  const r = cli(['validate', out, '--plugin', FIXTURE_PLUGIN]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /rows\.csv: sha256 [0-9a-f]{64} differs from [0-9a-f]{64} recorded in manifest\.json/);
  assert.match(r.stderr, /the rows of fixture-pi\/\w+ \{"n":500\} seed \d \(unit [0-9a-f]{12}\) differ from their checksum/);
});

test('missing files and units from another plan are reported', async () => {
  const { out } = await freshRun();
  rmSync(join(out, 'claims.csv'));
  const manifestFile = join(out, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.suite.version = 7;
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const r = cli(['validate', out, '--plugin', FIXTURE_PLUGIN]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /claims\.csv: missing/);
  assert.match(r.stderr, /\/suite\/version: 7, but the installed suite "fixture" is version 1/);
});

test('a run in which every unit errored or timed out does not pass', () => {
  const suite = join(tempDir(), 'all-fail.yaml');
  writeFileSync(suite, `id: all-fail\nversion: 1\ntitle: t\ndescription: d\nprimary: { metric: abs-error }\ntasks: [{ task: fixture-pi/estimate-pi, params: { n: 10 } }]\nmethods: [fixture-pi/throw]\nseeds: [0, 1]\n`);
  const out = join(tempDir(), 'run');
  cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', out]);
  const r = cli(['validate', out, '--plugin', FIXTURE_PLUGIN]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /rows\.csv: no unit succeeded: 2 row\(s\) error or timeout \(e\.g\. fixture-pi\/throw: /);
});
