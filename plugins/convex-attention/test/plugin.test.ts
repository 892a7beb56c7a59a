// The plugin as the harness sees it: manifest and code agree; the smoke suite is deterministic.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'convex-attention'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['equivalence', 'grokking', 'sparsity']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['convex-fista', 'nonconvex-h1', 'nonconvex-h2', 'nonconvex-h2n', 'nonconvex-hn', 'simplex-attention', 'softmax-attention']);
  assert.equal(Object.keys(plugin.kernels!).length, 5);
});

test('the smoke suite gives the same values with 1 and 2 jobs (timings aside)', async () => {
  const run = (jobs: number) =>
    runSuite({
      suite: 'convex-attention', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs, backend: 'auto',
      failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
    });
  const key = (r: { unit_key: string; metric: string; value: number | null; status: string }) => `${r.unit_key} ${r.metric} ${r.status} ${r.value}`;
  const [a, b] = [await run(1), await run(2)];
  const values = (rows: typeof a.rows) => rows.filter((r) => r.metric !== 'solve-ms').map(key).sort();
  assert.ok(a.rows.every((r) => r.status === 'ok'));
  assert.deepEqual(values(a.rows), values(b.rows));
  const mapped = a.rows.filter((r) => r.metric === 'mapped-obj-err');
  assert.ok(mapped.length > 0 && mapped.every((r) => r.value! <= 1e-9));
});
