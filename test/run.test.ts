// End to end through the real CLI: outputs, failing units, determinism, resume after SIGKILL.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { stableRows } from '../harness/api/rows.ts';
import { readRows } from '../harness/results/csv.ts';
import { cli, cliAsync, FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';

const suite = (name: string) => join(FIXTURE_SUITES, `${name}.yaml`);

test('a run writes rows, leaderboard, claims and manifest, and prints the leaderboard', async () => {
  const out = join(tempDir(), 'run');
  const r = cli(['run', suite('fixture'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--budget', 'standard']);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['rows.csv', 'leaderboard.csv', 'leaderboard.md', 'claims.csv', 'manifest.json', 'journal.jsonl']) assert.ok(existsSync(join(out, f)), f);
  assert.match(r.stdout, /fixture-pi\/stratified/);
  assert.match(r.stdout, /results: /);
  const rows = await readRows(join(out, 'rows.csv'));
  assert.equal(rows.length, 2 * 2 * 3 * 2); // methods × n × seeds × metrics
  assert.ok(rows.every((row) => row.status === 'ok' && /^[0-9a-f]{64}$/.test(row.unit_key)));
  const claims = readFileSync(join(out, 'claims.csv'), 'utf8');
  assert.match(claims, /fixture-pi\/stratified-beats-uniform/);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.units.length, 12);
  assert.equal(manifest.budget, 'standard');
});

test('a method that throws and one that hangs become error and timeout rows; the run goes on', async () => {
  const out = join(tempDir(), 'run');
  const r = cli(['run', suite('fixture-failing'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--jobs', '2']);
  assert.equal(r.status, 1, 'errors give exit code 1');
  const rows = await readRows(join(out, 'rows.csv'));
  const status = Object.fromEntries(rows.map((row) => [row.method, row.status]));
  assert.equal(status['fixture-pi/uniform'], 'ok');
  assert.equal(status['fixture-pi/throw'], 'error');
  assert.equal(status['fixture-pi/hang'], 'timeout');
  assert.match(rows.find((row) => row.method === 'fixture-pi/throw')!.reason, /this method always fails/);
});

test('same plan and seeds give the same rows, whatever --jobs', async () => {
  const a = join(tempDir(), 'a');
  const b = join(tempDir(), 'b');
  assert.equal(cli(['run', suite('fixture'), '--plugin', FIXTURE_PLUGIN, '--out', a, '--jobs', '1']).status, 0);
  assert.equal(cli(['run', suite('fixture'), '--plugin', FIXTURE_PLUGIN, '--out', b, '--jobs', '2']).status, 0);
  assert.deepEqual(stableRows(await readRows(join(a, 'rows.csv'))), stableRows(await readRows(join(b, 'rows.csv'))));
});

test('completed units come from the cache on a second run; --force recomputes', () => {
  const cache = tempDir('cache-');
  const first = cli(['run', suite('fixture'), '--plugin', FIXTURE_PLUGIN, '--out', join(tempDir(), 'x')], { HARNESS_CACHE_DIR: cache });
  assert.match(first.stdout, /6 units ran, 0 resumed, 0 from cache/);
  const second = cli(['run', suite('fixture'), '--plugin', FIXTURE_PLUGIN, '--out', join(tempDir(), 'y')], { HARNESS_CACHE_DIR: cache });
  assert.match(second.stdout, /0 units ran, 0 resumed, 6 from cache/);
  const forced = cli(['run', suite('fixture'), '--plugin', FIXTURE_PLUGIN, '--out', join(tempDir(), 'z'), '--force'], { HARNESS_CACHE_DIR: cache });
  assert.match(forced.stdout, /6 units ran/);
});

test('killed with SIGKILL mid-run, the same command resumes and ends with the rows of an uninterrupted run', async () => {
  const args = (out: string) => ['run', suite('fixture-slow'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--jobs', '1'];
  const reference = join(tempDir(), 'reference');
  assert.equal(cli(args(reference)).status, 0);

  const out = join(tempDir(), 'killed');
  const cache = tempDir('cache-');
  const child = cliAsync(args(out), { HARNESS_CACHE_DIR: cache });
  const journal = join(out, 'journal.jsonl');
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const lines = existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length : 0;
      if (lines >= 3) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('the run finished before it could be killed'));
    });
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const done = readFileSync(journal, 'utf8').split('\n').filter(Boolean).length;
  assert.ok(done >= 3 && done < 10, `killed after ${done} units`);
  assert.equal(existsSync(join(out, 'rows.csv')), false, 'no rows file from a killed run');

  const resumed = cli(args(out), { HARNESS_CACHE_DIR: tempDir('cache-') });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${done} done earlier`));
  assert.deepEqual(stableRows(await readRows(join(out, 'rows.csv'))), stableRows(await readRows(join(reference, 'rows.csv'))));
});

test('Ctrl-C (SIGINT) stops the run, writes the files of the completed units and exits 130', async () => {
  const out = join(tempDir(), 'interrupted');
  const child = cliAsync(['run', suite('fixture-slow'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--jobs', '1'], { HARNESS_CACHE_DIR: tempDir('cache-') });
  const journal = join(out, 'journal.jsonl');
  const timer = setInterval(() => {
    if (existsSync(journal) && readFileSync(journal, 'utf8').split('\n').filter(Boolean).length >= 2) {
      clearInterval(timer);
      child.kill('SIGINT');
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  assert.equal(code, 130);
  const rows = await readRows(join(out, 'rows.csv'));
  const units = new Set(rows.map((r) => r.unit_key)).size;
  assert.ok(units >= 2 && units < 10, `${units} units written`);
});
