// Finding plugins: built-in folders, npm packages, --plugin folders; missing dependencies; backends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { BIN, cli, copyFixturePlugin, FIXTURE_PLUGIN, FIXTURE_SUITES, ROOT, tempDir } from './helpers.ts';

const missingDep = join(ROOT, 'test', 'fixtures', 'needs-missing-dep');

test('a plugin whose dependency is missing is listed as not installed, and the rest still works', async () => {
  const list = cli(['list', '--plugin', FIXTURE_PLUGIN, '--plugin', missingDep]);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /needs-missing-dep 1\.0\.0[^\n]*\n\s+not installed: missing dependency harness-test-package-that-does-not-exist/);
  assert.match(list.stdout, /fixture-pi 1\.0\.0/);

  const suite = join(tempDir(), 'with-missing.yaml');
  writeFileSync(suite, `id: with-missing\nversion: 1\ntitle: t\ndescription: d\nprimary: { metric: abs-error }\ntasks: [{ task: fixture-pi/estimate-pi, params: { n: 100 } }]\nmethods: [fixture-pi/uniform, needs-missing-dep/fixture-method]\nseeds: [0]\n`);
  const out = join(tempDir(), 'run');
  const run = cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--plugin', missingDep, '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  const rows = await readRows(join(out, 'rows.csv'));
  const skipped = rows.find((r) => r.method === 'needs-missing-dep/fixture-method')!;
  assert.equal(skipped.status, 'skipped');
  assert.match(skipped.reason, /not installed: missing dependency/);
  assert.ok(rows.some((r) => r.method === 'fixture-pi/uniform' && r.status === 'ok'));
});

test('plugins installed as npm packages are found: harness-plugin-* names and a "harness" field', () => {
  const project = tempDir('project-');
  const named = join(project, 'node_modules', 'harness-plugin-pi');
  copyFixturePlugin(named);
  writeFileSync(join(named, 'package.json'), JSON.stringify({ name: 'harness-plugin-pi', version: '1.0.0' }));
  const fielded = join(project, 'node_modules', '@lab', 'estimators');
  mkdirSync(fielded, { recursive: true });
  cpSync(join(missingDep, 'plugin.json'), join(fielded, 'manifest.json'));
  writeFileSync(join(fielded, 'package.json'), JSON.stringify({ name: '@lab/estimators', version: '1.0.0', harness: 'manifest.json' }));
  const list = spawnSync(process.execPath, [BIN, 'list', '--json'], { cwd: project, encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  const found = JSON.parse(list.stdout).plugins.map((p: { id: string; origin: string }) => `${p.id}:${p.origin}`);
  assert.ok(found.includes('fixture-pi:package'), found.join(', '));
  assert.ok(found.includes('needs-missing-dep:package'), found.join(', '));
});

test('an installed plugin imports the API of the harness that runs it, whatever node_modules holds', async () => {
  const project = tempDir('project-');
  // The npm package `harness` is someone else's: an install may leave it (or an old copy of ours) beside the plugin.
  const stranger = join(project, 'node_modules', 'harness');
  mkdirSync(stranger, { recursive: true });
  writeFileSync(join(stranger, 'package.json'), JSON.stringify({ name: 'harness', version: '0.0.6', main: 'index.js' }));
  writeFileSync(join(stranger, 'index.js'), 'throw new Error("the unrelated npm package harness was loaded");\n');
  for (const [name, specifier] of [['harness-plugin-pi', 'paper-harness/api'], ['harness-plugin-pi-old', 'harness/api']]) {
    const dir = copyFixturePlugin(join(project, 'node_modules', name));
    const entry = join(dir, 'index.ts');
    writeFileSync(entry, readFileSync(entry, 'utf8').replace("'paper-harness/api'", `'${specifier}'`));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', harness: 'plugin.json' }));
    if (name.endsWith('-old')) {
      const manifest = JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8'));
      writeFileSync(join(dir, 'plugin.json'), JSON.stringify({ ...manifest, id: 'fixture-pi-old' }));
    }
  }
  const suite = join(project, 'installed.yaml');
  writeFileSync(suite, `id: installed\nversion: 1\ntitle: t\ndescription: d\nprimary: { metric: abs-error }\ntasks: [{ task: fixture-pi/estimate-pi, params: { n: 100 } }, { task: fixture-pi-old/estimate-pi, params: { n: 100 } }]\nmethods: [fixture-pi/uniform, fixture-pi-old/uniform]\nseeds: [0]\n`);
  const out = join(project, 'run');
  const run = spawnSync(process.execPath, [BIN, 'run', suite, '--out', out], { cwd: project, encoding: 'utf8', env: { ...process.env, HARNESS_CACHE_DIR: tempDir('cache-') } });
  assert.equal(run.status, 0, run.stderr);
  const rows = await readRows(join(out, 'rows.csv'));
  assert.deepEqual([...new Set(rows.map((r) => `${r.method} ${r.status}`))].sort(), ['fixture-pi-old/uniform ok', 'fixture-pi/uniform ok'], rows.map((r) => r.reason).join('\n'));
});

test('the tensor backend a unit used is recorded in its rows; --backend chooses it', async () => {
  for (const backend of ['cpu', 'wasm']) {
    const out = join(tempDir(), backend);
    const r = cli(['run', join(FIXTURE_SUITES, 'fixture-tensors.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--backend', backend]);
    assert.equal(r.status, 0, r.stderr);
    const rows = await readRows(join(out, 'rows.csv'));
    const tensor = rows.filter((row) => row.method === 'fixture-pi/tensor-uniform');
    assert.ok(tensor.length && tensor.every((row) => row.backend === backend && row.backend_version === '4.22.0'));
    assert.ok(rows.filter((row) => row.method === 'fixture-pi/uniform').every((row) => row.backend === 'none'));
  }
});

test('harness leaderboard re-aggregates rows without running, and refuses mixed suite versions', async () => {
  const cache = tempDir('cache-');
  const a = join(tempDir(), 'a');
  assert.equal(cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', a], { HARNESS_CACHE_DIR: cache }).status, 0);
  const out = join(tempDir(), 'board');
  const board = cli(['leaderboard', join(a, 'rows.csv'), '--plugin', FIXTURE_PLUGIN, '--out', out]);
  assert.equal(board.status, 0, board.stderr);
  assert.match(board.stdout, /fixture-pi\/stratified/);
  assert.match(board.stdout, /stratified-beats-uniform/);

  const twice = cli(['leaderboard', join(a, 'rows.csv'), join(a, 'rows.csv'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /appear in more than one input/);

  const v2 = join(tempDir(), 'fixture.yaml');
  writeFileSync(v2, (await import('node:fs')).readFileSync(join(FIXTURE_SUITES, 'fixture.yaml'), 'utf8').replace('version: 1', 'version: 2'));
  const b = join(tempDir(), 'b');
  assert.equal(cli(['run', v2, '--plugin', FIXTURE_PLUGIN, '--out', b], { HARNESS_CACHE_DIR: cache }).status, 0);
  const mixed = cli(['leaderboard', join(a, 'rows.csv'), join(b, 'rows.csv'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /different versions of suite "fixture" \(1, 2\)/);
});
