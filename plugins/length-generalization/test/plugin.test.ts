// The plugin as the harness sees it: manifest and code agree; the smoke suite is deterministic;
// the claims evaluate on its leaderboard.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'length-generalization'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['parity', 'variable-assignment']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['direct-finetune', 'scratchpad-finetune', 'shuffled-ops-control']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['alibi-bias', 'causal-attention', 'greedy-decode', 'rope-rotation', 'va-generator']);
  assert.deepEqual(Object.keys(plugin.claims!).sort(), ['direct-id-99', 'direct-parity-ood-chance', 'scratchpad-partial', 'va-ops-beats-depth']);
});

test('the smoke suite gives the same values with 1 and 2 jobs (timings aside)', async () => {
  const run = (jobs: number) =>
    runSuite({
      suite: 'length-generalization', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs, backend: 'auto',
      failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
    });
  const [a, b] = [await run(1), await run(2)];
  const values = (rows: typeof a.rows) => rows.filter((r) => r.unit !== 'ms').map((r) => `${r.unit_key} ${r.metric} ${r.status} ${r.value}`).sort();
  assert.deepEqual(a.rows.filter((r) => r.status !== 'ok').map((r) => r.reason), []);
  assert.deepEqual(values(a.rows), values(b.rows));
  // every unit reports accuracies in [0, 1]
  const acc = a.rows.filter((r) => r.metric === 'acc-in-dist');
  assert.equal(acc.length, 4);
  assert.ok(acc.every((r) => r.value! >= 0 && r.value! <= 1));
});
