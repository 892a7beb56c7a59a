// One unit whose records cannot be stored as JSON (a BigInt, a cycle) is that unit's error row; the run,
// its other units and a rerun are unaffected.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { cli, hasStackTrace, ROOT, tempDir } from './helpers.ts';

const PLUGIN = join(ROOT, 'test', 'fixtures', 'reliability-plugin');
const SUITE = join(PLUGIN, 'suites', 'bad-records.yaml');

test('BigInt and circular records become error rows with the reason; other units and a rerun are unaffected', async () => {
  const out = join(tempDir(), 'run');
  const cache = tempDir('harness-cache-');
  const first = cli(['run', SUITE, '--plugin', PLUGIN, '--out', out, '--jobs', '1'], { HARNESS_CACHE_DIR: cache });
  assert.equal(first.status, 1, first.stderr); // units failed: exit 1, not a crash
  assert.ok(!hasStackTrace(first.stderr), first.stderr);
  const rows = await readRows(join(out, 'rows.csv'));
  const byMethod = (m: string) => rows.filter((r) => r.method === `fixture-rel/${m}`);
  assert.equal(byMethod('plain').length, 2);
  assert.ok(byMethod('plain').every((r) => r.status === 'ok' && typeof r.value === 'number'));
  for (const [method, cause] of [['bigint-records', /BigInt/], ['circular-records', /circular/i]] as const) {
    const bad = byMethod(method);
    assert.equal(bad.length, 2);
    for (const row of bad) {
      assert.equal(row.status, 'error');
      assert.match(row.reason, /records that cannot be stored as JSON/);
      assert.match(row.reason, cause);
    }
  }
  // The journal holds every unit, each line valid JSON.
  const lines = readFileSync(join(out, 'journal.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 6);
  for (const line of lines) JSON.parse(line);

  const again = cli(['run', SUITE, '--plugin', PLUGIN, '--out', out, '--jobs', '1'], { HARNESS_CACHE_DIR: cache });
  assert.equal(again.status, 1, again.stderr);
  assert.match(again.stdout, /6 resumed/);
});
