// Misbehaving plugin code costs only its own unit (or claim): hangs, throws, process.exit, process.kill,
// a never-settling promise, a synchronous endless loop, a flood of output and a Buffer hoard each end as
// that unit's row; the other units' rows equal those of a run without the misbehaving methods; the
// run's files are all written; what units print goes to bounded per-unit logs, not the terminal; and
// commands that only read results never import plugin code.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { readRows } from '../harness/results/csv.ts';
import { BIN, cli, ROOT, tempDir } from './helpers.ts';

const PLUGIN = join(ROOT, 'test', 'fixtures', 'misbehaving-plugin');
const M = 'fixture-misbehave';

test('each misbehaving unit and claim costs only itself; the run ends normally with all its files', async () => {
  const cache = tempDir('cache-');
  const out = join(tempDir(), 'run');
  const r = cli(['run', M, '--plugin', PLUGIN, '--out', out, '--jobs', '2', '--timeout', '30', '--memory-limit', '300'], { HARNESS_CACHE_DIR: cache });
  assert.equal(r.status, 1, r.stderr); // units failed, the run itself did not
  for (const file of ['rows.csv', 'leaderboard.csv', 'manifest.json', 'claims.csv', 'journal.jsonl']) assert.ok(existsSync(join(out, file)), file);
  const rows = await readRows(join(out, 'rows.csv'));
  const of = (method: string) => rows.filter((row) => row.method === `${M}/${method}`);
  const reasons = (method: string) => of(method).map((row) => `${row.status}: ${row.reason}`);
  for (const reason of reasons('throw')) assert.match(reason, /^error: Error: this method always throws/);
  for (const reason of reasons('exit')) assert.match(reason, /^error: its process exited with code 0/);
  for (const reason of reasons('kill')) assert.match(reason, /^error: its process was killed by signal SIGTERM/);
  for (const reason of reasons('never-resolves')) assert.match(reason, /^timeout: exceeded the unit timeout of 30 s/);
  for (const reason of reasons('sync-loop')) assert.match(reason, /^timeout: exceeded the unit timeout of 30 s/);
  for (const reason of reasons('hog')) assert.match(reason, /^error: exceeded the memory limit of 300 MB \(rss \d+ MB\)/);
  const stage = rows.filter((row) => row.task === `${M}/stage-hang`);
  assert.deepEqual(stage.map((row) => [JSON.parse(row.params).where, row.status]).sort(), [['nowhere', 'ok'], ['prepare', 'timeout'], ['score', 'timeout']]);
  const cleanSums = of('clean').filter((row) => row.task === `${M}/sum`);
  assert.equal(cleanSums.length, 2);
  assert.ok(cleanSums.every((row) => row.status === 'ok'));
  assert.ok(of('flood').every((row) => row.status === 'ok'));
  for (const reason of reasons('hog').concat(reasons('sync-loop'))) assert.ok(!reason.includes('\n'));

  // Claims: each failing check is an error row with its reason; the good one holds.
  const claims = readFileSync(join(out, 'claims.csv'), 'utf8');
  assert.match(claims, /fixture-misbehave\/holds,.*,holds,/);
  assert.match(claims, /fixture-misbehave\/hangs,.*,error,the check did not finish within 30 s/);
  assert.match(claims, /fixture-misbehave\/exits,.*,error,"?the check's process ended: its process exited with code 0/);
  assert.match(claims, /fixture-misbehave\/kills,.*,error,"?the check's process ended: its process was killed by signal SIGTERM/);
  assert.match(claims, /fixture-misbehave\/throws,.*,error,the check threw: Error: this check always throws/);

  // Output: nothing a unit printed reaches the terminal; each flood unit's log keeps its first lines, in
  // order, and counts the rest.
  assert.doesNotMatch(r.stdout + r.stderr, /chatty plugin/);
  for (const row of of('flood')) {
    const log = readFileSync(join(out, 'logs', `${row.unit_key}.log`), 'utf8');
    const lines = log.split('\n');
    assert.equal(lines[0], 'line 0 of what a chatty plugin prints');
    assert.equal(lines[9999], 'line 9999 of what a chatty plugin prints');
    assert.match(log, /\[harness\] 20001 more line\(s\) \(\d+ bytes\) not kept/);
  }
  assert.equal(readdirSync(join(out, 'logs')).filter((f) => f.endsWith('.log') && f !== 'claims.log').length, 2);

  // The well-behaved units give the same rows as a run without the misbehaving methods.
  const clean = join(tempDir(), 'clean');
  const c = cli(['run', M, '--plugin', PLUGIN, '--out', clean, '--method', `${M}/clean`, '--timeout', '30'], { HARNESS_CACHE_DIR: tempDir('cache-') });
  const cleanRows = await readRows(join(clean, 'rows.csv'));
  const pick = (list: typeof rows) =>
    list
      .filter((row) => row.method === `${M}/clean` && row.status === 'ok')
      .map((row) => [row.unit_key, row.metric, row.value])
      .sort();
  assert.equal(cleanRows.filter((row) => row.status === 'ok').length, 3, c.stderr);
  assert.deepEqual(pick(rows), pick(cleanRows));

  // Read-only commands import no plugin code, not even a package installed in the current directory.
  const cwd = tempDir('evil-cwd-');
  const marker = join(cwd, 'imported.txt');
  const evil = join(cwd, 'node_modules', 'harness-plugin-evil');
  mkdirSync(evil, { recursive: true });
  writeFileSync(join(evil, 'package.json'), JSON.stringify({ name: 'harness-plugin-evil', version: '1.0.0', type: 'module', harness: 'plugin.json' }));
  writeFileSync(
    join(evil, 'plugin.json'),
    JSON.stringify({
      id: 'evil', title: 'Imports are side effects', version: '1.0.0', harnessApi: '^1.0.0', paper: { arxiv: '1000.00004', title: 'none', year: 2000 },
      claims: [{ id: 'peek', suite: M, statement: 'runs code when imported', paper: 'none' }],
    }),
  );
  writeFileSync(join(evil, 'index.ts'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'imported');\nexport default { claims: { peek: { check: () => ({ status: 'holds', why: '' }) } } };\n`);
  const inCwd = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HARNESS_CACHE_DIR: cache } });
  const board = inCwd(['leaderboard', join(out, 'rows.csv'), '--plugin', PLUGIN]);
  assert.equal(board.status, 0, board.stderr);
  assert.match(board.stdout, /error\s+fixture-misbehave\/hangs/); // the claims harness run stored
  assert.equal(inCwd(['publish', out, '--out', join(cwd, 'site'), '--no-png', '--plugin', PLUGIN]).status, 0);
  assert.equal(inCwd(['compare', join(out, 'rows.csv'), join(clean, 'rows.csv')]).status, 0);
  assert.ok(!existsSync(marker), 'a read-only command imported plugin code');
});
