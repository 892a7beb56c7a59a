// A third-party author's whole journey, as the README tells it: scaffold → edit → validate → run →
// the plugin's own tests → conformance kit → bench → npm pack → npm install into another project →
// list → run → validate the run. Offline: npm installs a local tarball without the registry.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { BIN, tempDir } from './helpers.ts';

const name = 'journey-demo';

test('scaffold, edit, validate, run, test, bench, pack, install elsewhere, list, run from the cache and validate', async () => {
  const home = tempDir('journey-');
  const cache = tempDir('journey-cache-');
  // Without NODE_TEST_CONTEXT, else a child `node --test` reports to this test runner instead of stdout.
  const { NODE_TEST_CONTEXT: _parent, ...inherited } = process.env;
  const env = { ...inherited, HARNESS_CACHE_DIR: cache, npm_config_cache: join(home, 'npm-cache') };
  const sh = (cmd: string, args: string[], options: SpawnSyncOptions = {}) => {
    const r = spawnSync(cmd, args, { cwd: home, env, encoding: 'utf8', timeout: 120_000, ...options });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const harness = (args: string[], cwd = home) => sh(process.execPath, [BIN, ...args], { cwd });
  const ok = (r: { status: number | null; out: string }, what: string) => assert.equal(r.status, 0, `${what}:\n${r.out}`);

  const dir = join(home, name);
  ok(harness(['new', 'plugin', name, '--dir', dir]), 'new plugin');
  // The author's edit: another seed in the suite, a title of their own.
  const suiteFile = join(dir, 'suites', `${name}.yaml`);
  writeFileSync(suiteFile, readFileSync(suiteFile, 'utf8').replace(/^seeds: \[0, 1, 2\]$/m, 'seeds: [0, 1, 2, 3]'));
  const manifestFile = join(dir, 'plugin.json');
  writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace(/"title": "[^"]*"/, '"title": "My estimator study"'));

  ok(harness(['validate', dir]), 'validate');
  ok(harness(['run', name, '--plugin', dir, '--out', join(home, 'dev-run')]), 'run from the dev folder');
  ok(sh(process.execPath, ['--import', 'tsx', '--test', `test/${name}.test.ts`], { cwd: dir }), "the plugin's own tests");
  ok(harness(['plugin', 'test', dir]), 'conformance kit');
  ok(harness(['bench', name, '--plugin', dir, '--out', join(home, 'kernels.csv'), '--min-time', '20', '--min-samples', '8']), 'bench');

  // Publish: the package holds what the plugin needs, not its tests or links.
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.private, undefined);
  assert.equal(pkg.peerDependenciesMeta?.['paper-harness']?.optional, true);
  const pack = sh('npm', ['pack', '--json', '--pack-destination', home], { cwd: dir });
  ok(pack, 'npm pack');
  const [packed] = JSON.parse(pack.out.slice(pack.out.indexOf('['), pack.out.lastIndexOf(']') + 1)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const packedFiles = packed.files.map((f) => f.path).sort();
  assert.ok(packedFiles.includes('plugin.json') && packedFiles.includes('index.ts') && packedFiles.includes(`suites/${name}.yaml`), packedFiles.join(', '));
  assert.ok(!packedFiles.some((f) => f.startsWith('test/') || f.startsWith('node_modules/')), packedFiles.join(', '));

  const project = join(home, 'project');
  sh('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-benchmarks', version: '1.0.0', private: true, type: 'module' }));
  ok(sh('npm', ['install', '--offline', '--no-audit', '--no-fund', join(home, packed.filename)], { cwd: project }), 'npm install <tgz>');
  assert.deepEqual(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')), [`harness-plugin-${name}`], 'nothing else installed');

  const list = harness(['list', '--json'], project);
  ok(list, 'list');
  const found = JSON.parse(list.out.slice(list.out.indexOf('{'))).plugins.find((p: { id: string }) => p.id === name);
  assert.equal(found?.origin, 'package');

  // The installed package is the same code as the dev folder: same unit keys, so every unit comes from the cache.
  const installedRun = join(project, 'run');
  const run = harness(['run', name, '--out', installedRun], project);
  ok(run, 'run the installed plugin');
  assert.match(run.out, /0 done earlier in .*, (\d+) from cache, 0 to run/);
  const rows = await readRows(join(installedRun, 'rows.csv'));
  assert.ok(rows.length > 0 && rows.every((r) => r.status === 'ok'), rows.map((r) => r.reason).join('\n'));

  const validate = harness(['validate', installedRun], project);
  if (rows[0].git_dirty === true) {
    // Another change in the harness's working tree: the only complaint allowed.
    assert.deepEqual(validate.out.split('\n').filter((l) => /^\s+\//.test(l)).map((l) => l.replace(/^.*rows\.csv: /, '')), ['produced from a git tree with uncommitted changes (git_dirty = true)']);
  } else {
    ok(validate, 'validate the run');
  }
});
