// The plugin as the harness sees it: manifest and code agree, the curve source, a real run, the claims.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LeaderboardView, ResultRow } from '../../../harness/api/index.ts';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { readSuiteFile } from '../../../harness/plan/suite.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { rescoreRun } from '../../../harness/results/rescore.ts';
import { ROOT, tempDir } from '../../../test/helpers.ts';
import { domainWinFractions } from '../claims.ts';

const dataDir = process.env.HARNESS_DATA_DIR ?? join(ROOT, 'data');
const hasData = existsSync(join(dataDir, 'scaling-laws', 'benchmark.vision.csv'));

test('the code provides exactly what plugin.json declares', async () => {
  const record = requirePlugin(discover(), 'scaling-laws');
  const plugin = await loadPlugin(record);
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['extrapolate', 'logistic-toy']);
  assert.equal(Object.keys(plugin.methods!).length, 6);
});

test('the curve source yields the 92 released curves: IC 72, NMT 5, LM 5, BB 10', { skip: !hasData && 'dataset not installed' }, async () => {
  process.env.HARNESS_DATA_DIR = dataDir;
  const record = requirePlugin(discover(), 'scaling-laws');
  const plugin = await loadPlugin(record);
  const { resolveDataset } = await import('../../../harness/run/datasets.ts');
  const sets = await plugin.paramSources!.curves({ budget: 'full', dataset: (id) => resolveDataset(record, id) });
  const count = (d: string) => sets.filter((s) => s.domain === d).length;
  assert.deepEqual([sets.length, count('IC'), count('NMT'), count('LM'), count('BB')], [92, 72, 5, 5, 10]);
  assert.equal(new Set(sets.map((s) => s.curve)).size, 92);
});

test('the smoke suite runs every estimator to a finite fit; on the IC curve M2 collapses onto M1', { skip: !hasData && 'dataset not installed' }, async () => {
  process.env.HARNESS_DATA_DIR = dataDir;
  // The smoke suite's own scaling-laws tasks, without the other plugins it includes.
  const own = readSuiteFile(join(ROOT, 'suites', 'smoke.yaml'));
  delete own.include;
  const suiteFile = join(tempDir(), 'smoke-scaling-laws.yaml');
  writeFileSync(suiteFile, JSON.stringify(own));
  const result = await runSuite({
    suite: suiteFile, budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs: 2, backend: 'auto',
    failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
  });
  const rmse = result.rows.filter((r) => r.metric === 'extrapolation-rmse');
  assert.equal(rmse.length, 4 * 5, 'four estimators × (four curves + the toy)');
  assert.ok(rmse.every((r) => r.status === 'ok' && r.value !== null && r.value > 0));
  const ic = (m: string) => rmse.find((r) => r.method === `scaling-laws/${m}` && r.params.includes('IC/'))!.value;
  // The released code drives M2's ε∞ to its lower bound 0 on most IC curves (spec: "M2 ≡ M1 on most IC tasks").
  assert.equal(ic('m2'), ic('m1'));
  assert.ok(ic('m4')! < ic('m1')!);

  // `harness score` recomputes the RMSE from the kept records: unchanged records give unchanged values,
  // and a changed prediction changes exactly its unit's RMSE.
  const registry = discover();
  const same = await rescoreRun(registry, result.outDir, join(tempDir(), 'rescored'));
  assert.equal(same.rescored, 20);
  assert.deepEqual(same.changes, []);
  const recordsFile = join(result.outDir, 'records.jsonl');
  const lines = readFileSync(recordsFile, 'utf8').trim().split('\n');
  const entry = JSON.parse(lines[0]);
  entry.records[0].predicted *= 2;
  lines[0] = JSON.stringify(entry);
  writeFileSync(recordsFile, `${lines.join('\n')}\n`);
  const changed = await rescoreRun(registry, result.outDir, join(tempDir(), 'rescored'));
  assert.equal(changed.changes.length, 2, changed.changes.join('\n')); // the RMSE and its standard error
  assert.match(changed.changes[0], /extrapolation-rmse/);
});

function row(method: string, curve: string, domain: string, value: number | null): ResultRow {
  return {
    schema_version: 1, suite: 'scaling-laws', suite_version: 1, task: 'scaling-laws/extrapolate', task_version: 1, method,
    plugin: 'scaling-laws', plugin_version: '1.0.0', params: JSON.stringify({ curve, domain }), seed: 0, metric: 'extrapolation-rmse',
    value, unit: 'log-loss', goal: 'min', status: 'ok', reason: '', wall_ms: 0, backend: 'none', backend_version: '', harness_version: '',
    git_sha: '', git_dirty: '', node_version: '', cpu: '', os: '', started_at: '', unit_key: '0'.repeat(64),
  };
}

test('claims use only M1–M4 and the paper\'s win rule', () => {
  const rows = [
    row('scaling-laws/m1', 'a', 'BB', 0.0121), row('scaling-laws/m2', 'a', 'BB', 0.0125), row('scaling-laws/m3', 'a', 'BB', 0.02), row('scaling-laws/m4', 'a', 'BB', null),
    row('scaling-laws/m4-corrected', 'a', 'BB', 0.0001), // a variant: never counted
  ];
  const view = { suite: 'scaling-laws', budget: 'full', cells: [], rows, cell: () => undefined } as LeaderboardView;
  const { wins, curves } = domainWinFractions(view, 'BB');
  assert.equal(curves, 1);
  // 0.0121 and 0.0125 truncate to 0.012: M1 and M2 tie; M4's NaN counts as 1.
  assert.deepEqual(wins, { 'scaling-laws/m1': 0.5, 'scaling-laws/m2': 0.5, 'scaling-laws/m3': 0, 'scaling-laws/m4': 0 });
});
