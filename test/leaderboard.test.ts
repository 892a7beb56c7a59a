import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResultRow } from '../harness/api/types.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate, leaderboardMarkdown } from '../harness/results/leaderboard.ts';
import { parseCsv } from '../harness/results/csv.ts';
import { LONG_LEADERBOARD, writeLeaderboard } from '../harness/results/outputs.ts';

let n = 0;
function r(method: string, params: object, seed: number, value: number | null, metric = 'rmse'): ResultRow {
  return {
    schema_version: 1, suite: 's', suite_version: 1, task: 'p/t', task_version: 1, method, plugin: 'p', plugin_version: '1.0.0',
    params: JSON.stringify(params), seed, metric, value, unit: '', goal: metric === 'rmse' ? 'min' : 'info', status: 'ok', reason: '',
    wall_ms: 0, backend: 'none', backend_version: '', harness_version: '0', git_sha: '', git_dirty: '', node_version: '', cpu: '', os: '',
    started_at: '', unit_key: (n++).toString(16).padStart(64, '0'),
  };
}

const config = { suite: 's', suiteVersion: 1, primary: 'rmse', goal: 'min' as const, groupBy: ['domain'], truncateDecimals: 3, missingAs: 1 };

test('win fraction: truncation to 3 decimals makes ties, ties split the point, missing counts as 1', () => {
  const rows = [
    // curve a: A 0.0101 and B 0.0109 both truncate to 0.010 → tie, half a point each
    r('A', { domain: 'X', curve: 'a' }, 0, 0.0101), r('B', { domain: 'X', curve: 'a' }, 0, 0.0109), r('C', { domain: 'X', curve: 'a' }, 0, 0.5),
    // curve b: C wins outright; B's value is NaN (stored as null) → counts as 1
    r('A', { domain: 'X', curve: 'b' }, 0, 0.2), r('B', { domain: 'X', curve: 'b' }, 0, null), r('C', { domain: 'X', curve: 'b' }, 0, 0.1),
    // another domain
    r('A', { domain: 'Y', curve: 'c' }, 0, 0.3), r('B', { domain: 'Y', curve: 'c' }, 0, 0.1), r('C', { domain: 'Y', curve: 'c' }, 0, 0.2),
  ];
  const board = aggregate(rows, config);
  const wins = (method: string, domain?: string) =>
    board.cells.find((c) => c.method === method && (domain ? c.group.domain === domain : Object.keys(c.group).length === 0))!.wins;
  assert.equal(wins('A', 'X'), 0.25);
  assert.equal(wins('B', 'X'), 0.25);
  assert.equal(wins('C', 'X'), 0.5);
  assert.equal(wins('B', 'Y'), 1);
  // overall: A 0.5, B 0.5 + 1, C 1 point out of 3 curves
  assert.equal(wins('A'), 0.5 / 3);
  assert.equal(wins('B'), 1.5 / 3);
  assert.equal(wins('C'), 1 / 3);
});

test('cells average over instances; ranks follow the primary goal and share ties', () => {
  const rows = [
    r('A', { domain: 'X', curve: 'a' }, 0, 0.1), r('A', { domain: 'X', curve: 'b' }, 0, 0.3),
    r('B', { domain: 'X', curve: 'a' }, 0, 0.2), r('B', { domain: 'X', curve: 'b' }, 0, 0.2),
    r('C', { domain: 'X', curve: 'a' }, 0, 0.5), r('C', { domain: 'X', curve: 'b' }, 0, 0.5),
  ];
  const board = aggregate(rows, { ...config, groupBy: [] });
  const byMethod = Object.fromEntries(board.cells.map((c) => [c.method, c]));
  assert.equal(byMethod.A.metrics.rmse.mean, 0.2);
  assert.equal(byMethod.A.metrics.rmse.n, 2);
  // n = 2: a t interval would be 0.2 ± 12.706 · s/√2 (s = √0.02), wider than anything it is read against: none is given.
  assert.ok(Number.isNaN(byMethod.A.metrics.rmse.lo) && Number.isNaN(byMethod.A.metrics.rmse.hi));
  assert.match(leaderboardMarkdown(board), /\| 1 \| A \| 2 \| 0\.5 \| 0\.2 \(n<3\) \|/);
  assert.equal(byMethod.A.rank, 1);
  assert.equal(byMethod.B.rank, 1);
  assert.equal(byMethod.C.rank, 3);
  assert.match(leaderboardMarkdown(board), /\| 3 \| C \| 2 \|/);
});

test('failed units do not enter the means but keep their method on the board', () => {
  const rows = [r('A', { curve: 'a' }, 0, 0.1), { ...r('B', { curve: 'a' }, 0, null), status: 'error' as const, metric: '' }];
  const board = aggregate(rows, { ...config, groupBy: [] });
  const b = board.cells.find((c) => c.method === 'B')!;
  assert.equal(b.instances, 0);
  assert.equal(b.metrics.rmse, undefined);
});

test('a task with its own primary metric is ranked by it; the other tasks keep the suite primary', () => {
  const acc = (method: string, value: number) => ({ ...r(method, { x: 1 }, 0, value, 'acc'), task: 'p/u', goal: 'max' as const });
  const rows = [r('A', { curve: 'a' }, 0, 0.1), r('B', { curve: 'a' }, 0, 0.2), acc('A', 0.6), acc('B', 0.9)];
  const board = aggregate(rows, { ...config, groupBy: [], byTask: { 'p/u': { primary: 'acc', goal: 'max' } } });
  const cell = (task: string, method: string) => board.cells.find((c) => c.task === task && c.method === method)!;
  assert.equal(cell('p/t', 'A').rank, 1); // lower rmse wins on the suite primary
  assert.equal(cell('p/u', 'B').rank, 1); // higher acc wins on the task's own primary
  assert.equal(cell('p/u', 'B').wins, 1);
  assert.equal(cell('p/u', 'A').instances, 1);
  const md = leaderboardMarkdown(board);
  // each section shows only the metrics its task reports, its own primary first
  assert.match(md, /## p\/u — all\n\n\| rank \| method \| n \| wins \| acc ↑ \|\n/);
  assert.match(md, /## p\/t — all\n\n\| rank \| method \| n \| wins \| rmse ↓ \|\n/);
});

test('leaderboard-long.csv: one row per task × group × method × metric, a column per group parameter, primary marked', async () => {
  // Two tasks of a mixed suite: p/t grouped by domain and ranked by rmse; p/u has a `width` param and its own primary acc.
  const acc = (method: string, width: number, seed: number, value: number) => ({ ...r(method, { width }, seed, value, 'acc'), task: 'p/u', goal: 'max' as const, unit: 'fraction' });
  const rows = [
    r('A', { domain: 'X', curve: 'a' }, 0, 0.1), r('B', { domain: 'X', curve: 'a' }, 0, 0.2),
    r('A', { domain: 'Y', curve: 'b' }, 0, 0.3), r('B', { domain: 'Y', curve: 'b' }, 0, 0.4),
    r('A', { domain: 'Y', curve: 'b' }, 0, 7, 'extra'),
    acc('A', 8, 0, 1), acc('A', 8, 1, 0), acc('A', 8, 2, 1), acc('B', 8, 0, 0),
  ];
  const board = aggregate(rows, { ...config, groupBy: ['domain', 'width'], byTask: { 'p/u': { primary: 'acc', goal: 'max' } }, scales: { acc: { kind: 'proportion' } } });
  const dir = mkdtempSync(join(tmpdir(), 'long-'));
  await writeLeaderboard(dir, board);
  const { headers, records } = await parseCsv(readFileSync(join(dir, LONG_LEADERBOARD), 'utf8'), LONG_LEADERBOARD);
  assert.deepEqual(headers, ['suite', 'suite_version', 'task', 'domain', 'width', 'method', 'metric', 'unit', 'mean', 'lo', 'hi', 'n', 'goal', 'is_primary']);
  // p/t: 2 domains + overall = 3 groups × 2 methods on rmse, plus A's `extra` in domain Y and overall; p/u: width 8 + overall × 2 methods.
  assert.equal(records.length, 3 * 2 + 2 + 2 * 2);
  const find = (task: string, method: string, metric: string, group: Record<string, string>) =>
    records.filter((x) => x.task === task && x.method === method && x.metric === metric && x.domain === (group.domain ?? '') && x.width === (group.width ?? ''));
  const ax = find('p/t', 'A', 'rmse', { domain: 'X' });
  assert.equal(ax.length, 1);
  assert.deepEqual([ax[0].mean, ax[0].n, ax[0].lo, ax[0].goal, ax[0].is_primary], ['0.1', '1', '', 'min', 'true']);
  assert.equal(find('p/t', 'A', 'extra', { domain: 'Y' })[0].is_primary, 'false');
  // p/u has no domain: empty there; acc is its primary; 2 of 3 successes with n = 3 gives a Wilson interval.
  const au = find('p/u', 'A', 'acc', { width: '8' });
  assert.equal(au.length, 1);
  assert.deepEqual([au[0].is_primary, au[0].n, au[0].unit], ['true', '3', 'fraction']);
  assert.ok(Number(au[0].lo) > 0 && Number(au[0].hi) < 1);
  assert.equal(find('p/u', 'A', 'acc', {}).length, 1, 'the pooled row has every group column empty');
  // Every row has a value in every fixed column but lo/hi (empty where n < 3).
  for (const x of records) for (const c of ['suite', 'task', 'method', 'metric', 'mean', 'n', 'goal', 'is_primary']) assert.notEqual(x[c], '', `${c} empty in ${JSON.stringify(x)}`);
});

test('the wide leaderboard.csv names the metric that ranked each row', async () => {
  const acc = (method: string, value: number) => ({ ...r(method, { x: 1 }, 0, value, 'acc'), task: 'p/u', goal: 'max' as const });
  const board = aggregate([r('A', { curve: 'a' }, 0, 0.1), acc('A', 0.6)], { ...config, groupBy: [], byTask: { 'p/u': { primary: 'acc', goal: 'max' } } });
  const dir = mkdtempSync(join(tmpdir(), 'wide-'));
  await writeLeaderboard(dir, board);
  const { records } = await parseCsv(readFileSync(join(dir, 'leaderboard.csv'), 'utf8'), 'leaderboard.csv');
  assert.deepEqual(records.map((x) => [x.task, x.ranked_by]), [['p/t', 'rmse'], ['p/u', 'acc']]);
});
