// The plugin as the harness sees it: manifest and code agree; the smoke suite is deterministic.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'gemini-long-context'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['cumulative-nll', 'mtob-lite-translation', 'multi-needle-retrieval', 'needle-retrieval']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['dictionary-only', 'ppm-6', 'rule-aware', 'transformer-w256']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['attention-vs-n', 'cumulative-nll', 'needle-insertion', 'powerlaw-fit', 'ppm-update-predict']);
  assert.equal(Object.keys(plugin.claims!).length, 5);
  assert.deepEqual(Object.keys(plugin.models!).sort(), ['ppm-6', 'transformer-w256']);
});

test('the smoke suite gives the same values with 1 and 2 jobs (timings aside), and ppm-6 finds every needle', async () => {
  const run = (jobs: number) =>
    runSuite({
      suite: 'long-context', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs, backend: 'auto',
      failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
    });
  const key = (r: { unit_key: string; metric: string; value: number | null; status: string }) => `${r.unit_key} ${r.metric} ${r.status} ${r.value}`;
  const [a, b] = [await run(1), await run(2)];
  const values = (rows: typeof a.rows) => rows.filter((r) => r.unit !== 'ms').map(key).sort();
  assert.ok(a.rows.every((r) => r.status === 'ok'), a.rows.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.method} ${r.params} ${r.reason}`).join('\n') || 'no rows');
  assert.deepEqual(values(a.rows), values(b.rows));
  const ppm = a.rows.filter((r) => r.task === 'gemini-long-context/needle-retrieval' && r.method === 'gemini-long-context/ppm-6' && r.metric === 'recall');
  assert.ok(ppm.length === 4 && ppm.every((r) => r.value === 1));
});
