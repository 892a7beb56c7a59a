// `--task` / `--method` selections with inline overrides, JSON output, and the ETA's cost model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandPlan, type Unit } from '../harness/plan/expand.ts';
import { discover } from '../harness/plan/registry.ts';
import { parsePattern, selectionFromOptions } from '../harness/plan/select.ts';
import { loadSuite } from '../harness/plan/suite.ts';
import { CostModel, formatDuration, remainingSeconds } from '../harness/run/cost-model.ts';
import { formatTable } from '../harness/cli/table.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, hasStackTrace, tempDir } from './helpers.ts';

const SUITE = join(FIXTURE_SUITES, 'fixture.yaml');

async function plan(tasks: string[], methods: string[]) {
  const registry = discover({ pluginDirs: [FIXTURE_PLUGIN] });
  return expandPlan(registry, loadSuite(registry, SUITE), { budget: 'standard', selection: selectionFromOptions(tasks, methods) });
}

test('a pattern is a glob with optional param=value overrides; a list is a grid axis', () => {
  assert.deepEqual(parsePattern('gss/*', '--task'), { text: 'gss/*', glob: 'gss/*', params: {} });
  const p = parsePattern('estimate-pi[n=[10,20],name=abc,flag=true,x="a,b"]', '--task');
  assert.equal(p.glob, 'estimate-pi');
  assert.deepEqual(p.params, { n: { values: [10, 20] }, name: 'abc', flag: true, x: 'a,b' });
  assert.throws(() => parsePattern('x[n=1', '--task'), /closing "\]"/);
  assert.throws(() => parsePattern('x[n]', '--task'), /not param=value/);
  assert.throws(() => parsePattern('x[n=1,n=2]', '--task'), /given twice/);
  assert.throws(() => parsePattern('[n=1]', '--task'), /a name or glob is needed/);
});

test('--method keeps only the matching methods; --task overrides replace the suite\'s grid', async () => {
  const all = await plan([], []);
  assert.equal(all.units.length, 2 * 2 * 3);
  const onlyStratified = await plan([], ['*strat*']);
  assert.deepEqual([...new Set(onlyStratified.units.map((u) => u.method))], ['fixture-pi/stratified']);
  assert.equal(onlyStratified.units.length, 2 * 3);
  const overridden = await plan(['estimate-pi[n=[50,60,70]]'], ['fixture-pi/uniform']);
  assert.deepEqual([...new Set(overridden.units.map((u) => u.taskParams.n))].sort(), [50, 60, 70]);
  assert.equal(overridden.units.length, 3 * 3);
  // An overridden unit is the unit the suite would have had with that value: same key as an unselected run's.
  const same = await plan(['fixture-pi/estimate-pi[n=1000]'], []);
  const keys = new Set(all.units.map((u) => u.key));
  assert.ok(same.units.every((u) => keys.has(u.key)));
});

test('a pattern that matches nothing, or an override of an unknown parameter, is a clear error', async () => {
  await assert.rejects(plan(['nope*'], []), /--task nope\* matches nothing \(tasks: fixture-pi\/estimate-pi; methods: fixture-pi\/uniform, fixture-pi\/stratified\)/);
  await assert.rejects(plan(['estimate-pi[m=3]'], []), /no task it selects has the parameter "m" \(their parameters: n\)/);
  await assert.rejects(plan(['estimate-pi[n="many"]'], []), /params do not match task/);
});

test('run with a selection: only the selected units run, the manifest records the selection and validate recomputes it', () => {
  const out = tempDir();
  const run = cli(['run', SUITE, '--plugin', FIXTURE_PLUGIN, '--budget', 'standard', '--out', out, '--task', 'estimate-pi[n=[300]]', '--method', 'uniform', '--seeds', '0,1', '--json']);
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.counts.ok, 2 * 2); // 2 seeds × 2 metrics
  assert.deepEqual(result.leaderboard.map((b: { cells: { method: string }[] }) => b.cells.map((c) => c.method)).flat(), ['fixture-pi/uniform']);
  assert.equal(result.leaderboard[0].primary, 'abs-error');
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.selection, { tasks: ['estimate-pi[n=[300]]'], methods: ['uniform'] });
  assert.ok(!hasStackTrace(run.stderr));
  const validate = cli(['validate', out, '--plugin', FIXTURE_PLUGIN]);
  assert.doesNotMatch(validate.stdout + validate.stderr, /cannot be recomputed/);
});

test('plan --task with a bad pattern exits 2 with the message, no stack trace', () => {
  const r = cli(['plan', SUITE, '--plugin', FIXTURE_PLUGIN, '--task', 'estimate-pi[n=1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--task "estimate-pi\[n=1": expected name\[param=value,…\] with a closing "\]"/);
  assert.ok(!hasStackTrace(r.stderr));
});

const unit = (task: string, method: string, seed: number) =>
  ({ task, methodName: method, taskParams: {}, methodParams: {}, budget: 'smoke', seed, key: `${task}${method}${seed}` }) as unknown as Unit;

test('the ETA weights remaining units by what units like them cost, not by the mean of the finished ones', () => {
  const costs = new CostModel();
  // Five cheap units finished (10 ms each); one expensive unit of another task finished (1000 ms).
  for (let s = 0; s < 5; s++) costs.observe(unit('cheap', 'm', s), 10);
  costs.observe(unit('dear', 'm', 0), 1000);
  const pending = [unit('dear', 'm', 1), unit('dear', 'm', 2), unit('cheap', 'm', 5)];
  // Hand calculation: 1000 + 1000 + 10 ms on one slot = 2.01 s; the naive mean (5·10 + 1000)/6 = 175 ms per unit would say 0.525 s.
  assert.equal(remainingSeconds(costs, pending, new Map(), 1, 0), 2.01);
  // On two slots the same work takes half as long; a running unit counts only what is left of it.
  assert.equal(remainingSeconds(costs, pending, new Map(), 2, 0), 1.005);
  assert.equal(remainingSeconds(costs, [], new Map([[unit('dear', 'm', 3), 0]]), 1, 400), 0.6);
  // Nothing known yet: no guess.
  assert.equal(remainingSeconds(new CostModel(), pending, new Map(), 1, 0), undefined);
});

test('costs remembered from an earlier run are used before any unit of this run finishes', () => {
  const dir = tempDir();
  const first = new CostModel();
  first.observe(unit('dear', 'm', 0), 800);
  first.save(dir);
  const second = CostModel.load(dir);
  assert.equal(second.estimate(unit('dear', 'm', 7)), 800);
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(65), '1:05');
});

test('terminal tables size each column to its widest cell', () => {
  const lines = formatTable(['rank', 'method', 'n'], [['1', 'convex-attention/nonconvex-h2n', '20'], ['2', 'a', '5']], ['left', 'left', 'right']);
  assert.deepEqual(lines, ['  rank  method                           n', '  1     convex-attention/nonconvex-h2n  20', '  2     a                                5']);
});
