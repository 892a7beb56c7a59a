// `harness new plugin`: the scaffold is a working plugin — its manifest is valid, it loads, its own
// tests pass, and its suite runs end to end into a leaderboard with a claim that holds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { PluginManifest } from '../harness/api/manifest.ts';
import { schemaProblems } from '../harness/api/validate.ts';
import { UserError } from '../harness/errors.ts';
import { HARNESS_ROOT, discover, loadPlugin, manifestProblems } from '../harness/plan/registry.ts';
import { readSuiteFile } from '../harness/plan/suite.ts';
import { runSuite } from '../harness/run/runner.ts';
import { scaffoldPlugin } from '../harness/scaffold/scaffold.ts';

const tmp = mkdtempSync(join(tmpdir(), 'harness-new-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const name = 'mean-demo';
const dir = join(tmp, name);
const scaffold = scaffoldPlugin({ name, dir });
const manifestFile = join(dir, 'plugin.json');

describe('harness new plugin', () => {
  it('writes the manifest, code, suite, test, README and links the harness into node_modules', () => {
    assert.deepEqual(scaffold.files, [
      '.gitignore',
      'index.ts',
      'package.json',
      'plugin.json',
      'README.md',
      `suites/${name}.yaml`,
      'sum.ts',
      `test/${name}.test.ts`,
      'tsconfig.json',
    ]);
    assert.equal(realpathSync(join(dir, 'node_modules', 'paper-harness')), realpathSync(HARNESS_ROOT));
    assert.equal(readSuiteFile(join(dir, 'suites', `${name}.yaml`)).id, name);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /placeholder \(arXiv `2101\.00001`/);
  });

  it('writes a plugin.json that passes the manifest schema and the checks beyond it', () => {
    const manifest: PluginManifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    assert.deepEqual(schemaProblems('plugin', manifest, manifestFile), []);
    assert.deepEqual(manifestProblems(manifest, manifestFile), []);
    assert.equal(manifest.id, name);
    assert.deepEqual(manifest.suites, [`suites/${name}.yaml`]);
  });

  it('is resolvable as `paper-harness/api`: the harness package.json exports ./api', () => {
    const pkg: { exports?: Record<string, unknown> } = JSON.parse(readFileSync(join(HARNESS_ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.exports?.['./api'], './harness/api/index.ts', 'package.json needs "exports": { "./api": "./harness/api/index.ts", … }');
  });

  it('loads through discovery, with code that matches its manifest', async () => {
    const registry = discover({ pluginDirs: [dir] });
    const plugin = await loadPlugin(registry.plugins.get(name)!);
    assert.deepEqual(Object.keys(plugin.tasks ?? {}), ['mean-estimation']);
    assert.deepEqual(Object.keys(plugin.methods ?? {}), ['sample-mean']);
    assert.deepEqual(Object.keys(plugin.kernels ?? {}), ['pairwise-sum']);
    assert.deepEqual(Object.keys(plugin.claims ?? {}), ['error-within-3-sigma']);
    assert.equal(registry.suites.get(name)?.plugin, name);
  });

  it('passes its own tests with the linked tsx', async () => {
    // Without NODE_TEST_CONTEXT, which `node --test` sets and which would make the child report to it instead of stdout.
    const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', `test/${name}.test.ts`], { cwd: dir, env, timeout: 30_000 });
    assert.match(stdout, /# pass 4\n# fail 0/);
  });

  it('runs its suite at smoke budget into a leaderboard of sample-mean, with its claim holding', async () => {
    const out = join(tmp, 'run');
    const result = await runSuite({
      suite: name,
      budget: 'smoke',
      out,
      pluginDirs: [dir],
      jobs: 1,
      backend: 'cpu',
      failFast: false,
      force: false,
      cacheDir: join(tmp, 'cache'),
      log: () => {},
    });
    assert.equal(result.counts.error, 0);
    assert.equal(result.counts.ok, 6, '2 sizes × 3 seeds × 1 metric');
    const methods = new Set(result.board.cells.map((c) => c.method));
    assert.deepEqual([...methods], [`${name}/sample-mean`]);
    for (const cell of result.board.cells) assert.ok(cell.metrics['abs-error'].mean > 0 && cell.metrics['abs-error'].mean < 0.3);
    assert.deepEqual(result.claims.map((c) => [c.claim, c.status]), [[`${name}/error-within-3-sigma`, 'holds']]);
    assert.ok(existsSync(out));
  });

  it('refuses an invalid name and a folder that is not empty', () => {
    assert.throws(() => scaffoldPlugin({ name: 'Bad_Name', dir: join(tmp, 'bad') }), (error: unknown) => error instanceof UserError && /invalid plugin name "Bad_Name"/.test(error.message));
    assert.ok(!existsSync(join(tmp, 'bad')));
    const taken = join(tmp, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'notes.txt'), 'mine');
    assert.throws(() => scaffoldPlugin({ name: 'taken', dir: taken }), /is not empty; refusing to overwrite it/);
    assert.equal(readFileSync(join(taken, 'notes.txt'), 'utf8'), 'mine');
  });
});
