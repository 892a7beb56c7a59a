// The plugin as the harness sees it: manifest and code agree; a tiny version of the suite is
// deterministic across job counts and keeps the nested-model and accuracy invariants.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'lates'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['calibration', 'calibration-mc']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['lates', 'lates-free', 'lates-mc-dropout', 'mc-dropout', 'temperature-scaling', 'uncalibrated']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['auroc', 'ece', 'lates-fit', 'ts-fit']);
  assert.deepEqual(Object.keys(plugin.claims!).sort(), ['lates-acc-ge-last-layer-most', 'lates-auroc-ge-ts-most', 'lates-ece-le-ts-most', 'lates-mc-dropout-best-under-shift']);
});

// One epoch on 500 digits: seconds of training, every task/method pair, clean and one shift.
const TINY_SUITE = `id: lates-tiny
version: 1
title: lates, tiny
description: test-sized slice of calibration
primary: { metric: nll }
leaderboard: { groupBy: [arch, shift] }
tasks:
  - task: lates/calibration
    params: { shift: { values: [clean, rotate-30] }, arch: mlp-4, trainSize: 500, epochs: 1, headEpochs: 1 }
  - task: lates/calibration-mc
    params: { shift: { values: [clean, blur] }, arch: mlp-dropout, trainSize: 500, epochs: 1, headEpochs: 1, mcPasses: 3 }
methods: [lates/uncalibrated, lates/temperature-scaling, lates/lates, lates/lates-free, lates/mc-dropout, lates/lates-mc-dropout]
seeds: [0]
`;

test('a tiny suite gives the same values with 1 and 2 jobs (timings aside) and keeps the invariants', async () => {
  const dir = tempDir();
  const suite = join(dir, 'lates-tiny.yaml');
  writeFileSync(suite, TINY_SUITE);
  const run = (jobs: number) =>
    runSuite({ suite, budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs, backend: 'auto', failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {} });
  const [a, b] = [await run(1), await run(2)];
  assert.ok(a.rows.length > 0 && a.rows.every((r) => r.status === 'ok'), a.rows.find((r) => r.status !== 'ok')?.reason);
  const values = (rows: typeof a.rows) => rows.filter((r) => r.unit !== 'ms').map((r) => `${r.unit_key} ${r.metric} ${r.value}`).sort();
  assert.deepEqual(values(a.rows), values(b.rows));

  const value = (method: string, metric: string, shift: string, task = 'lates/calibration') =>
    a.rows.find((r) => r.task === task && r.method === `lates/${method}` && r.metric === metric && JSON.parse(r.params).shift === shift)!.value!;
  for (const [task, shifts] of [['lates/calibration', ['clean', 'rotate-30']], ['lates/calibration-mc', ['clean', 'blur']]] as const) {
    for (const shift of shifts) {
      assert.equal(value('temperature-scaling', 'acc', shift, task), value('uncalibrated', 'acc', shift, task), `${task} ${shift}: TS changed accuracy`);
      for (const lates of ['lates', 'lates-free']) {
        assert.ok(value(lates, 'calib-nll', shift, task) <= value('temperature-scaling', 'calib-nll', shift, task) + 1e-6, `${task} ${shift}: ${lates} calib NLL above TS`);
      }
    }
  }
  // shift detection is reported on shifted cells only
  assert.ok(a.rows.some((r) => r.metric === 'auroc-shift' && JSON.parse(r.params).shift === 'rotate-30'));
  assert.ok(!a.rows.some((r) => r.metric === 'auroc-shift' && JSON.parse(r.params).shift === 'clean'));
});
