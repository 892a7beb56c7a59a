// The plugin as the harness sees it: manifest and code agree; the fine-tuning smoke suite runs and
// is deterministic; the in-context suite without --model skips every unit with the instruction.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';

const run = (suite: string, cacheDir = tempDir('cache-')) =>
  runSuite({ suite, budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs: 1, backend: 'auto', failFast: false, force: true, cacheDir, log: () => {} });

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'algorithmic-prompting'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['addition-finetune', 'icl-accumulation', 'icl-addition', 'icl-composition', 'icl-multiplication', 'icl-parity', 'icl-subtraction']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['algorithmic', 'direct', 'scratchpad']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['step-check', 'trace-generation', 'trace-parse']);
  assert.equal(Object.keys(plugin.claims!).length, 7);
  for (const t of ['icl-accumulation', 'icl-addition', 'icl-composition', 'icl-composition', 'icl-multiplication', 'icl-parity', 'icl-subtraction']) assert.equal(typeof plugin.tasks![t].evaluate, 'function');
});

test('the fine-tuning smoke suite: every format trains and decodes, and a rerun from cached weights gives the same values', async () => {
  const cache = tempDir('cache-');
  const [a, b] = [await run('algorithmic-prompting', cache), await run('algorithmic-prompting', cache)];
  const values = (rows: typeof a.rows) => rows.filter((r) => r.unit !== 'ms' && r.metric !== 'train-ms-per-step').map((r) => `${r.method} ${r.metric} ${r.status} ${r.value}`).sort();
  assert.ok(a.rows.length > 0 && a.rows.every((r) => r.status === 'ok'), a.rows.filter((r) => r.status !== 'ok').map((r) => `${r.method}: ${r.reason}`).join('\n'));
  assert.deepEqual(values(a.rows), values(b.rows));
  for (const m of ['direct', 'scratchpad', 'algorithmic']) assert.ok(a.rows.some((r) => r.method === `algorithmic-prompting/${m}` && r.metric === 'acc-ood'));
  assert.ok(a.rows.some((r) => r.method === 'algorithmic-prompting/algorithmic' && r.metric === 'step-acc'));
});

test('the in-context suite without --model: every unit is skipped and says to pass --model', async () => {
  const r = await run('algorithmic-prompting-icl');
  assert.ok(r.rows.length >= 5);
  assert.ok(r.rows.every((row) => row.status === 'skipped' && /pass --model/.test(row.reason)), r.rows.map((row) => `${row.status} ${row.reason}`).join('\n'));
  assert.ok(r.claims.every((c) => c.status === 'not-checked'));
});
