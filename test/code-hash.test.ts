// Unit keys and artifact keys hash exactly the code that computes a result: the entry module and every
// module it imports, wherever it lives; not tests, READMEs, tsconfig or package.json metadata.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { coreCodeHash, moduleGraph } from '../harness/plan/code-hash.ts';
import { HARNESS_ROOT } from '../harness/plan/registry.ts';
import { readRows } from '../harness/results/csv.ts';
import { readProvenance } from '../harness/results/provenance.ts';
import { runSuite, type RunResult } from '../harness/run/runner.ts';
import { tempDir } from './helpers.ts';

const root = tempDir('code-hash-');
const plugin = join(root, 'probe');
const cacheDir = join(root, 'cache');
// A module of the core the plugin imports (hidden name, removed after the tests): stands for harness/nn or datasets/.
const coreProbe = join(HARNESS_ROOT, 'datasets', `.code-hash-probe-${process.pid}.ts`);
after(() => rmSync(coreProbe, { force: true }));

const manifest = {
  id: 'hash-probe', title: 'Probe of unit keys', version: '1.0.0', harnessApi: '^1.0.0',
  paper: { arxiv: '2101.00001', title: 'Probe', year: 2021 },
  suites: ['suites/hash-probe.yaml'],
  tasks: [{ id: 'echo', version: 1, title: 'Scores what the method returns' }],
  methods: [{ id: 'answer', task: 'echo', title: 'Returns a cached artifact' }],
  metrics: [{ id: 'value', goal: 'max', unit: '', description: 'the returned value' }],
};
const files: Record<string, string> = {
  'plugin.json': JSON.stringify(manifest, null, 2),
  'index.ts': `import { definePlugin } from 'paper-harness/api';
import { answer } from './answer.ts';
export default definePlugin({
  tasks: { echo: { version: 1, prepare: () => null, score: (_ctx, _p, value: number) => ({ metrics: { value } }) } },
  methods: { answer: { task: 'echo', run: (ctx) => ctx.cache.json('answer', () => answer()) } },
});
`,
  'answer.ts': `import { offset } from '../helper.ts';\nimport { base } from '${relative(plugin, coreProbe)}';\nexport const answer = () => base + offset + 1;\n`,
  '../helper.ts': `export const offset = 10;\n`,
  'suites/hash-probe.yaml': `id: hash-probe\nversion: 1\ntitle: t\ndescription: d\nprimary: { metric: value }\ntasks: [{ task: hash-probe/echo }]\nmethods: [hash-probe/answer]\nseeds: [0, 1]\n`,
  'README.md': '# probe\n',
  'tsconfig.json': '{}\n',
  'package.json': JSON.stringify({ name: 'harness-plugin-hash-probe', version: '1.0.0', description: 'first', type: 'module' }),
  'test/probe.test.ts': `// a test\n`,
};
for (const [path, text] of Object.entries(files)) {
  mkdirSync(join(plugin, path, '..'), { recursive: true });
  writeFileSync(join(plugin, path), text);
}
writeFileSync(coreProbe, `export const base = 100;\n`);

const edit = (path: string, from: string | RegExp, to: string) => {
  const file = join(plugin, path);
  const text = readFileSync(file, 'utf8');
  assert.notEqual(text.replace(from, to), text, `${path} has ${from}`);
  writeFileSync(file, text.replace(from, to));
};
const run = (dir = plugin, suite = 'hash-probe'): Promise<RunResult> =>
  runSuite({ suite, budget: 'smoke', pluginDirs: [dir], out: tempDir('run-'), jobs: 1, backend: 'cpu', failFast: false, force: false, cacheDir, log: () => {} });
const values = (result: RunResult) => [...new Set(result.rows.map((r) => r.value))];

describe('unit and artifact keys', () => {
  it('follow the entry module\'s imports: its own modules, a helper beside the folder, core modules', () => {
    const graph = moduleGraph([join(plugin, 'index.ts')]).map((f) => relative(root, f));
    for (const f of ['probe/index.ts', 'probe/answer.ts', 'helper.ts']) assert.ok(graph.includes(f), `${f} in ${graph.join(', ')}`);
    const core = moduleGraph([join(plugin, 'index.ts')]).map((f) => relative(HARNESS_ROOT, f));
    assert.ok(core.includes(relative(HARNESS_ROOT, coreProbe)) && core.includes('harness/api/index.ts'), core.join(', '));
    assert.ok(!graph.some((f) => f.includes('test/') || f.endsWith('.md') || f.endsWith('.json')), graph.join(', '));
    // Type-only imports are erased: they compute nothing.
    assert.ok(!moduleGraph([join(HARNESS_ROOT, 'harness', 'api', 'index.ts')]).some((f) => f.endsWith('types.ts')));
  });

  it('a first run computes every unit; the same run again takes all of them from the cache', async () => {
    const first = await run();
    assert.equal(first.counts.ran, 2);
    assert.deepEqual(values(first), [111]);
    assert.equal((await run()).counts.cached, 2);
  });

  it('editing a README, a test, tsconfig, package.json metadata or a description in plugin.json reruns nothing', async () => {
    edit('README.md', '# probe', '# probe, documented');
    edit('test/probe.test.ts', '// a test', '// another test');
    edit('tsconfig.json', '{}', '{ "compilerOptions": {} }');
    edit('package.json', '"description":"first"', '"description":"second"');
    edit('plugin.json', '"description": "the returned value"', '"description": "what the method returned"');
    edit('plugin.json', '"title": "Returns a cached artifact"', '"title": "Returns an artifact"');
    const again = await run();
    assert.equal(again.counts.cached, 2);
    assert.equal(again.counts.ran, 0);
  });

  it('the same plugin packed (no tests, README or tsconfig) gives the same keys', async () => {
    const packed = join(tempDir('packed-'), 'package');
    cpSync(plugin, packed, { recursive: true, filter: (src) => !/(test|README\.md|tsconfig\.json)$/.test(src) });
    writeFileSync(join(packed, '..', 'helper.ts'), files['../helper.ts']);
    const fromPack = await run(packed);
    assert.equal(fromPack.counts.cached, 2);
  });

  for (const [kind, path, from, to, expected] of [
    ['its own module', 'answer.ts', '+ 1;', '+ 2;', 112],
    ['a helper outside its folder', '../helper.ts', 'offset = 10', 'offset = 20', 122],
    ['a core module it imports', relative(plugin, coreProbe), 'base = 100', 'base = 200', 222],
  ] as const) {
    it(`changing ${kind} misses both caches: the units rerun and the artifact is recomputed`, async () => {
      edit(path, from, to);
      const result = await run();
      assert.equal(result.counts.cached, 0);
      assert.equal(result.counts.ran, 2);
      assert.deepEqual(values(result), [expected], 'a stale artifact would give the old value');
    });
  }

  it('renaming a method with `as:` serves the cached result under the new name', async () => {
    const suite = join(root, 'renamed', 'hash-probe.yaml');
    mkdirSync(join(root, 'renamed'));
    writeFileSync(suite, files['suites/hash-probe.yaml'].replace('methods: [hash-probe/answer]', 'methods: [{ method: hash-probe/answer, as: the-answer }]'));
    const result = await run(plugin, suite);
    assert.equal(result.counts.cached, 2);
    const rows = await readRows(join(result.outDir, 'rows.csv'));
    assert.deepEqual([...new Set(rows.map((r) => r.method))], ['the-answer']);
  });

  it('a unit served from the cache carries this run\'s provenance, and the manifest says where it came from', async () => {
    const before = new Date().toISOString();
    const result = await run();
    assert.equal(result.counts.cached, 2);
    const provenance = readProvenance();
    for (const row of await readRows(join(result.outDir, 'rows.csv'))) {
      assert.ok(row.started_at >= before, `${row.started_at} is this run's start, not the cached unit's`);
      assert.equal(row.git_sha, provenance.git_sha);
      assert.equal(row.git_dirty, provenance.git_dirty);
    }
    const manifest = JSON.parse(readFileSync(join(result.outDir, 'manifest.json'), 'utf8'));
    assert.ok(manifest.units.every((u: { cached_from: string | null }) => u.cached_from && u.cached_from < before));
  });

  it('a model adapter\'s hash covers the modules it imports', () => {
    assert.match(coreCodeHash(join(HARNESS_ROOT, 'harness', 'models', 'openai', 'adapter.ts')), /^[0-9a-f]{64}$/);
  });
});
