// A task may declare JSON Schemas of what `prepare` hands a method (`input`) and of what `score` takes
// back (`output`); the core checks both and blames the right party, naming the field.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PluginManifest } from '../harness/api/manifest.ts';
import { discover, manifestProblems } from '../harness/plan/registry.ts';
import { readRows } from '../harness/results/csv.ts';
import { runSuite } from '../harness/run/runner.ts';
import { ROOT, tempDir } from './helpers.ts';

const manifest = {
  id: 'shapes', title: 'Declared task shapes', version: '1.0.0', harnessApi: '^1.0.0',
  paper: { arxiv: '2101.00001', title: 'Probe', year: 2021 },
  tasks: [{
    id: 'mean', version: 1, title: 'Estimate the mean of the given values',
    input: { type: 'object', required: ['values'], properties: { values: { typedArray: 'Float64Array' } } },
    output: { type: 'object', required: ['mean', 'samples'], properties: { mean: { type: 'number' }, samples: { typedArray: 'Float64Array' } } },
  }],
  methods: ['right', 'missing-field', 'plain-array'].map((id) => ({ id, task: 'mean', title: id })),
  metrics: [{ id: 'error', goal: 'min', unit: '', description: '|estimate − true mean|' }],
};
const code = (prepared: string) => `import { definePlugin } from 'paper-harness/api';
const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
export default definePlugin({
  tasks: { mean: { version: 1, prepare: () => (${prepared}), score: (_c, p: { values: Float64Array }, out: { mean: number }) => ({ metrics: { error: Math.abs(out.mean - mean(p.values)) } }) } },
  methods: {
    right: { task: 'mean', run: (_c, p: { values: Float64Array }) => ({ mean: mean(p.values), samples: p.values }) },
    'missing-field': { task: 'mean', run: (_c, p: { values: Float64Array }) => ({ mean: mean(p.values) }) },
    'plain-array': { task: 'mean', run: (_c, p: { values: Float64Array }) => ({ mean: mean(p.values), samples: Array.from(p.values) }) },
  },
});
`;
const suite = `id: shapes\nversion: 1\ntitle: t\ndescription: d\nprimary: { metric: error }\ntasks: [{ task: shapes/mean }]\nmethods: [shapes/right, shapes/missing-field, shapes/plain-array]\nseeds: [0]\n`;

async function runWith(prepared: string) {
  const dir = join(tempDir('shapes-'), 'shapes');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'index.ts'), code(prepared));
  writeFileSync(join(dir, 'suite.yaml'), suite);
  const result = await runSuite({ suite: join(dir, 'suite.yaml'), budget: 'smoke', pluginDirs: [dir], out: tempDir('run-'), jobs: 1, backend: 'cpu', failFast: false, force: false, cacheDir: tempDir('cache-'), log: () => {} });
  return new Map((await readRows(join(result.outDir, 'rows.csv'))).map((r) => [r.method, r]));
}

test('a method whose output does not match the task\'s output schema is an error naming the field and the method', async () => {
  const rows = await runWith('{ values: Float64Array.from([1, 2, 3, 6]) }');
  assert.equal(rows.get('shapes/right')?.status, 'ok');
  const missing = rows.get('shapes/missing-field')!;
  assert.equal(missing.status, 'error');
  assert.match(missing.reason, /^method shapes\/missing-field returned what task shapes\/mean's score\(\) does not take .*: \/: missing required field "samples"$/);
  assert.match(rows.get('shapes/plain-array')!.reason, /method shapes\/plain-array .*: \/samples: expected a Float64Array, got an array$/);
});

test('a prepare() that breaks its own declared input schema is the task\'s error, before any method runs', async () => {
  const rows = await runWith('{ values: [1, 2, 3, 6] }');
  for (const row of rows.values()) {
    assert.equal(row.status, 'error');
    assert.match(row.reason, /^task shapes\/mean's prepare\(\) returned what its declared input schema .* does not describe: \/values: expected a Float64Array, got an array$/);
  }
});

test('the built-in tasks other plugins target declare both shapes, and the manifests still validate', () => {
  const registry = discover({});
  for (const ref of ['lates/calibration', 'lates/calibration-mc', 'scaling-laws/extrapolate', 'scaling-laws/logistic-toy']) {
    const [plugin, task] = ref.split('/');
    const record = registry.plugins.get(plugin)!;
    const declaration = record.manifest.tasks!.find((t) => t.id === task)!;
    assert.ok(declaration.input && declaration.output, `${ref} declares input and output`);
    const raw: PluginManifest = JSON.parse(readFileSync(join(ROOT, 'plugins', plugin, 'plugin.json'), 'utf8'));
    assert.deepEqual(manifestProblems(raw, record.manifestFile), []);
  }
});
