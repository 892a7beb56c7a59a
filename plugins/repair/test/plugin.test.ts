// The plugin as the harness sees it: manifest and code agree; the smoke suite is deterministic.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';

const TIMINGS = new Set(['lap-ms', 'corr-ms', 'repair-ms']);

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'repair'));
  assert.deepEqual(Object.keys(plugin.tasks!), ['interpolation-barrier']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['naive', 'permute', 'permute-weights', 'repair', 'repair-closed-form']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['correlation-matrix', 'interpolation-sweep', 'linear-assignment']);
});

test('the smoke suite gives the same values with 1 and 2 jobs (timings aside), and sane barriers', async () => {
  const run = (jobs: number) =>
    runSuite({
      suite: 'repair', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs, backend: 'auto',
      failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
    });
  const key = (r: { unit_key: string; metric: string; value: number | null; status: string }) => `${r.unit_key} ${r.metric} ${r.status} ${r.value}`;
  const [a, b] = [await run(1), await run(2)];
  const values = (rows: typeof a.rows) => rows.filter((r) => !TIMINGS.has(r.metric)).map(key).sort();
  assert.ok(a.rows.length > 0 && a.rows.every((r) => r.status === 'ok'), a.rows.find((r) => r.status !== 'ok')?.reason);
  assert.deepEqual(values(a.rows), values(b.rows));
  const of = (method: string, metric: string) =>
    a.rows
      .filter((r) => r.method === `repair/${method}` && r.metric === metric)
      .sort((x, y) => `${x.params} ${x.seed}`.localeCompare(`${y.params} ${y.seed}`))
      .map((r) => r.value!);
  // the aligned network is B itself, and every method starts from the same endpoints (the same weights;
  // tfjs-wasm may round a separate evaluation of them differently in the last bits)
  const close = (x: number[], y: number[], tol: number) => x.length === y.length && x.every((v, k) => Math.abs(v - y[k]) < tol);
  assert.ok(of('permute', 'perm-max-logit-delta').every((d) => d < 1e-4));
  assert.ok(close(of('naive', 'loss-at-000'), of('permute', 'loss-at-000'), 1e-9));
  // at α = 1 permute evaluates π(B): the same function, float32 sums in another order
  assert.ok(close(of('naive', 'loss-at-100'), of('permute', 'loss-at-100'), 1e-5), `${of('naive', 'loss-at-100')} vs ${of('permute', 'loss-at-100')}`);
  assert.ok(of('permute', 'rel-reduction-loss').length > 0 && of('permute', 'rel-reduction-loss').every((v) => v === 0));
});
