import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROW_COLUMNS } from '../harness/api/rows.ts';
import type { ResultRow } from '../harness/api/types.ts';
import { csvText, neutralizeFormula, readRows, writeRows } from '../harness/results/csv.ts';
import { UserError } from '../harness/errors.ts';
import { tempDir } from './helpers.ts';

function row(overrides: Partial<ResultRow>): ResultRow {
  return {
    schema_version: 1, suite: 's', suite_version: 1, task: 'p/t', task_version: 1, method: 'p/m', plugin: 'p',
    plugin_version: '1.0.0', params: '{}', seed: 0, metric: 'acc', value: 0.5, unit: '', goal: 'max', status: 'ok',
    reason: '', wall_ms: 1.5, backend: 'none', backend_version: '', harness_version: '0.1.0', git_sha: 'abc',
    git_dirty: false, node_version: 'v20', cpu: 'cpu × 2', os: 'linux', started_at: '2026-01-01T00:00:00.000Z',
    unit_key: 'a'.repeat(64), ...overrides,
  };
}

test('rows survive a write/read round trip, including commas, quotes, newlines and formula-like text', async () => {
  const tricky = ['a,b', 'say "hi"', 'line1\nline2', '=SUM(A1:A2)', '+1', '-cmd', '@ref', 'tab\tinside'];
  const rows = tricky.map((reason, i) => row({ reason, params: JSON.stringify({ text: reason, i }), seed: i, value: i === 3 ? null : -(i + 1) / 7, status: i === 3 ? 'error' : 'ok' }));
  const file = join(tempDir(), 'rows.csv');
  await writeRows(file, rows);
  const back = await readRows(file);
  assert.deepEqual(back, rows);
  assert.equal(readFileSync(file, 'utf8').split('\n')[0], ROW_COLUMNS.join(','));
});

test('published CSVs neutralize text cells a spreadsheet would execute, but not numbers', async () => {
  assert.equal(neutralizeFormula('=1+1'), "'=1+1");
  assert.equal(neutralizeFormula('@x'), "'@x");
  assert.equal(neutralizeFormula('plain'), 'plain');
  const text = await csvText(['a', 'b'], [{ a: '-danger', b: -0.5 }], { neutralizeFormulas: true });
  assert.equal(text, "a,b\n'-danger,-0.5\n");
});

test('a rows.csv with a bad cell is rejected with file, line and column', async () => {
  const file = join(tempDir(), 'rows.csv');
  await writeRows(file, [row({}), row({ seed: 1 })]);
  const text = readFileSync(file, 'utf8').replace(',ok,', ',fine,');
  writeFileSync(file, text);
  await assert.rejects(readRows(file), (error: unknown) => {
    assert.ok(error instanceof UserError);
    const all = [error.message, ...error.details].join('\n');
    assert.match(all, /rows\.csv: line 2\/status: expected one of "ok", "error", "timeout", "skipped"/);
    return true;
  });
});

test('a CSV that is not a rows file names the missing columns', async () => {
  const file = join(tempDir(), 'other.csv');
  writeFileSync(file, 'a,b\n1,2\n');
  await assert.rejects(readRows(file), /missing columns schema_version/);
});
