// Aggregation of rows into a leaderboard: per task × group × method, mean and 95 % CI per metric,
// win fraction and rank by the primary metric.
import type { Estimate, Json, LeaderboardCell, LeaderboardView, MetricGoal, ResultRow } from '../api/types.ts';
import { canonicalJson } from '../plan/canonical.ts';
import type { MetricDeclaration } from '../api/manifest.ts';
import { estimate, MIN_INTERVAL_N, type MetricScale } from './stats.ts';

export interface LeaderboardConfig {
  suite: string;
  suiteVersion: number;
  primary: string;
  goal: 'min' | 'max';
  /** Params whose values split the leaderboard into groups; an overall group is added too. */
  groupBy: string[];
  /** Truncate primary values to this many decimals before deciding wins (ties split the point). */
  truncateDecimals?: number;
  /** Value a missing or non-finite primary value counts as when deciding wins. */
  missingAs?: number;
  /** Metrics shown in the Markdown table (all non-info metrics when absent). */
  shown?: string[];
  /** Tasks ranked by another metric than `primary` (suites that mix tasks), by task id. */
  byTask?: Record<string, TaskRanking>;
  /** Declared kind and range of the metrics that declare them (plugin.json), by metric id: they
   * choose and clip the intervals. Absent in run folders written before metrics declared them. */
  scales?: Record<string, MetricScale>;
}

/** The `kind`/`range` declarations of the given metrics, for LeaderboardConfig.scales. */
export function metricScales(metrics: ReadonlyMap<string, MetricDeclaration>): Record<string, MetricScale> {
  const scales: Record<string, MetricScale> = {};
  for (const [id, m] of metrics) {
    if (m.kind === undefined && m.range === undefined) continue;
    scales[id] = { ...(m.kind !== undefined ? { kind: m.kind } : {}), ...(m.range !== undefined ? { range: m.range } : {}) };
  }
  return scales;
}

/** How one task's boards are ranked. */
export interface TaskRanking {
  primary: string;
  goal: 'min' | 'max';
  truncateDecimals?: number;
  missingAs?: number;
}

/** The ranking rule of a task's boards: its own when the suite gives one, else the suite's. */
export function rankingFor(config: LeaderboardConfig, task: string): TaskRanking {
  const own = config.byTask?.[task];
  if (own) return own;
  return { primary: config.primary, goal: config.goal, truncateDecimals: config.truncateDecimals, missingAs: config.missingAs };
}

/** Every primary metric of the suite: the suite's first, then the tasks' own. */
export function primaryMetrics(config: LeaderboardConfig): string[] {
  return [...new Set([config.primary, ...Object.values(config.byTask ?? {}).map((r) => r.primary)])];
}

export interface Leaderboard {
  config: LeaderboardConfig;
  cells: LeaderboardCell[];
  /** Metric ids in column order (primary first). */
  metrics: string[];
  goals: Map<string, MetricGoal>;
  units: Map<string, string>;
}

const OVERALL: Record<string, Json> = {};

/** The row's values of the group-by params it has; rows with none of them belong to the overall group only. */
function groupOf(params: Record<string, Json>, groupBy: string[]): Record<string, Json> {
  const group: Record<string, Json> = {};
  for (const key of groupBy) if (key in params) group[key] = params[key];
  return group;
}

export function aggregate(rows: readonly ResultRow[], config: LeaderboardConfig): Leaderboard {
  const ok = rows.filter((r) => r.status === 'ok' && r.metric !== '');
  const goals = new Map<string, MetricGoal>();
  const units = new Map<string, string>();
  const metricOrder: string[] = [];
  for (const row of ok) {
    if (!goals.has(row.metric)) {
      goals.set(row.metric, (row.goal || 'info') as MetricGoal);
      units.set(row.metric, row.unit);
      metricOrder.push(row.metric);
    }
  }
  const primaries = primaryMetrics(config);
  const metrics = [...primaries, ...metricOrder.filter((m) => !primaries.includes(m)).sort()].filter((m) => goals.has(m) || m === config.primary);

  // cell key → metric → instance → value
  type Bucket = { task: string; method: string; group: Record<string, Json>; values: Map<string, Map<string, number | null>> };
  const buckets = new Map<string, Bucket>();
  const groupings = config.groupBy.length ? [config.groupBy, null] : [[]];
  for (const row of rows) {
    const params = JSON.parse(row.params) as Record<string, Json>;
    const instance = `${row.params}#${row.seed}`;
    for (const grouping of groupings) {
      const group = grouping ? groupOf(params, grouping) : OVERALL;
      if (grouping && grouping.length && Object.keys(group).length === 0) continue; // same as the overall group
      const key = canonicalJson([row.task, group, row.method]);
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { task: row.task, method: row.method, group, values: new Map() };
        buckets.set(key, bucket);
      }
      if (row.status !== 'ok' || row.metric === '') continue;
      let perInstance = bucket.values.get(row.metric);
      if (!perInstance) bucket.values.set(row.metric, (perInstance = new Map()));
      perInstance.set(instance, row.value);
    }
  }

  const cells: LeaderboardCell[] = [];
  for (const bucket of buckets.values()) {
    const cellMetrics: Record<string, Estimate> = {};
    for (const [metric, perInstance] of bucket.values) {
      const finite = [...perInstance.values()].filter((v): v is number => v !== null && Number.isFinite(v));
      cellMetrics[metric] = estimate(finite, config.scales?.[metric]);
    }
    const primaryValues = bucket.values.get(rankingFor(config, bucket.task).primary);
    cells.push({ task: bucket.task, method: bucket.method, group: bucket.group, rank: 0, wins: 0, instances: primaryValues?.size ?? 0, metrics: cellMetrics });
  }

  // Ranks and wins within each (task, group) board.
  const boards = new Map<string, LeaderboardCell[]>();
  for (const cell of cells) {
    const key = canonicalJson([cell.task, cell.group]);
    boards.set(key, [...(boards.get(key) ?? []), cell]);
  }
  for (const board of boards.values()) {
    const ranking = rankingFor(config, board[0].task);
    assignWins(board, buckets, ranking);
    assignRanks(board, ranking);
  }
  cells.sort(
    (a, b) =>
      a.task.localeCompare(b.task) ||
      Number(Object.keys(a.group).length === 0) - Number(Object.keys(b.group).length === 0) ||
      canonicalJson(a.group).localeCompare(canonicalJson(b.group)) ||
      (Number.isNaN(a.rank) ? Infinity : a.rank) - (Number.isNaN(b.rank) ? Infinity : b.rank) ||
      a.method.localeCompare(b.method),
  );
  return { config, cells, metrics, goals, units };
}

function assignWins(board: LeaderboardCell[], buckets: Map<string, { values: Map<string, Map<string, number | null>> }>, config: TaskRanking) {
  const perMethod = board.map((cell) => buckets.get(canonicalJson([cell.task, cell.group, cell.method]))!.values.get(config.primary) ?? new Map());
  const instances = new Set<string>();
  for (const values of perMethod) for (const instance of values.keys()) instances.add(instance);
  const points = new Array(board.length).fill(0);
  const scale = config.truncateDecimals === undefined ? undefined : 10 ** config.truncateDecimals;
  for (const instance of instances) {
    const scores = perMethod.map((values) => {
      let v = values.get(instance);
      if (v === undefined || v === null || !Number.isFinite(v)) v = config.missingAs ?? NaN;
      return scale === undefined || Number.isNaN(v) ? v : Math.trunc(v * scale) / scale;
    });
    const valid = scores.filter((v) => !Number.isNaN(v));
    if (!valid.length) continue;
    const best = config.goal === 'min' ? Math.min(...valid) : Math.max(...valid);
    const winners = scores.map((v, i) => (v === best ? i : -1)).filter((i) => i >= 0);
    for (const i of winners) points[i] += 1 / winners.length;
  }
  board.forEach((cell, i) => (cell.wins = instances.size ? points[i] / instances.size : NaN));
}

function assignRanks(board: LeaderboardCell[], config: TaskRanking) {
  const score = (cell: LeaderboardCell) => {
    const m = cell.metrics[config.primary]?.mean;
    if (m === undefined || !Number.isFinite(m)) return Infinity;
    return config.goal === 'min' ? m : -m;
  };
  const sorted = [...board].sort((a, b) => score(a) - score(b));
  sorted.forEach((cell, i) => {
    // A method without a primary value (all units skipped or failed) is listed but not ranked.
    if (score(cell) === Infinity) cell.rank = NaN;
    else cell.rank = i > 0 && score(sorted[i - 1]) === score(cell) ? sorted[i - 1].rank : i + 1;
  });
}

export function leaderboardView(board: Leaderboard, rows: readonly ResultRow[], budget: LeaderboardView['budget']): LeaderboardView {
  return {
    suite: board.config.suite,
    budget,
    cells: board.cells,
    rows: rows.filter((r) => r.status === 'ok'),
    cell: ({ task, method, group }) =>
      board.cells.find(
        (c) => (task === undefined || c.task === task) && c.method === method && canonicalJson(c.group) === canonicalJson(group ?? OVERALL),
      ),
  };
}

// ---- rendering

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(2);
  return value.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function formatEstimate(e: Estimate | undefined): string {
  if (!e || e.n === 0) return '–';
  if (e.n < MIN_INTERVAL_N) return `${formatNumber(e.mean)} (n<${MIN_INTERVAL_N})`;
  if (!Number.isFinite(e.lo)) return formatNumber(e.mean);
  return `${formatNumber(e.mean)} [${formatNumber(e.lo)}, ${formatNumber(e.hi)}]`;
}

export function groupLabel(group: Record<string, Json>): string {
  const entries = Object.entries(group);
  return entries.length ? entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') : 'all';
}

export function leaderboardColumns(board: Leaderboard): string[] {
  const columns = ['suite', 'suite_version', 'task', 'group', 'rank', 'ranked_by', 'method', 'instances', 'wins'];
  for (const m of board.metrics) columns.push(m, `${m}_ci_lo`, `${m}_ci_hi`, `${m}_n`);
  return columns;
}

export function leaderboardRecords(board: Leaderboard): Record<string, string | number>[] {
  return board.cells.map((cell) => {
    const record: Record<string, string | number> = {
      suite: board.config.suite,
      suite_version: board.config.suiteVersion,
      task: cell.task,
      group: groupLabel(cell.group),
      rank: cell.rank,
      ranked_by: rankingFor(board.config, cell.task).primary,
      method: cell.method,
      instances: cell.instances,
      wins: cell.wins,
    };
    for (const m of board.metrics) {
      const e = cell.metrics[m];
      record[m] = e?.mean ?? NaN;
      record[`${m}_ci_lo`] = e?.lo ?? NaN;
      record[`${m}_ci_hi`] = e?.hi ?? NaN;
      record[`${m}_n`] = e?.n ?? 0;
    }
    return record;
  });
}

/** Fixed columns of the long (tidy) leaderboard; the group parameters go between `task` and `method`. */
const LONG_FIXED = ['suite', 'suite_version', 'task', 'method', 'metric', 'unit', 'mean', 'lo', 'hi', 'n', 'goal', 'is_primary'];

/** Column name of each group parameter in the long leaderboard: its own name, `param_<name>` where that is a fixed column. */
function longParamColumns(board: Leaderboard): Map<string, string> {
  const params: string[] = [];
  for (const key of board.config.groupBy) if (board.cells.some((c) => key in c.group)) params.push(key);
  for (const cell of board.cells) for (const key of Object.keys(cell.group)) if (!params.includes(key)) params.push(key);
  return new Map(params.map((p) => [p, LONG_FIXED.includes(p) ? `param_${p}` : p]));
}

/**
 * Columns of leaderboard-long.csv: one row per task × group × method × metric, so pandas `read_csv`
 * and DuckDB `read_csv_auto` read it with no options. A group parameter a task lacks is empty; a
 * row whose group parameters are all empty pools every instance of its task.
 */
export function leaderboardLongColumns(board: Leaderboard): string[] {
  return ['suite', 'suite_version', 'task', ...longParamColumns(board).values(), ...LONG_FIXED.slice(3)];
}

export function leaderboardLongRecords(board: Leaderboard): Record<string, string | number | boolean>[] {
  const params = longParamColumns(board);
  const records: Record<string, string | number | boolean>[] = [];
  for (const cell of board.cells) {
    const primary = rankingFor(board.config, cell.task).primary;
    const base: Record<string, string | number | boolean> = { suite: board.config.suite, suite_version: board.config.suiteVersion, task: cell.task };
    for (const [param, column] of params) {
      const value = cell.group[param];
      base[column] = value === undefined ? '' : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
    }
    base.method = cell.method;
    for (const metric of board.metrics) {
      const e = cell.metrics[metric];
      if (!e || e.n === 0) continue;
      records.push({ ...base, metric, unit: board.units.get(metric) ?? '', mean: e.mean, lo: e.lo, hi: e.hi, n: e.n, goal: board.goals.get(metric) ?? '', is_primary: metric === primary });
    }
  }
  return records;
}

export function leaderboardMarkdown(board: Leaderboard): string {
  const shown = board.config.shown ?? board.metrics.filter((m) => board.goals.get(m) !== 'info');
  const lines: string[] = [`# ${board.config.suite} (suite version ${board.config.suiteVersion})`, ''];
  const mixed = Object.keys(board.config.byTask ?? {}).length > 0;
  lines.push(`${mixed ? 'Each task is ranked by its primary metric (first column)' : `Ranked by **${board.config.primary}** (${board.config.goal === 'min' ? 'lower' : 'higher'} is better)`}; mean [95 % CI] over instances × seeds (no interval below n = ${MIN_INTERVAL_N}: marked n<${MIN_INTERVAL_N}; Wilson for proportions of 0/1 outcomes, Student t otherwise, clipped to the metric's declared range); wins: fraction of instances where the method is best.`, '');
  for (const section of boardSections(board.cells)) {
    const ranking = rankingFor(board.config, section.task);
    // A metric no method of this board reports (another task's metric) gets no column here.
    const reported = (m: string) => m === ranking.primary || section.cells.some((c) => (c.metrics[m]?.n ?? 0) > 0);
    const metrics = [ranking.primary, ...shown.filter((m) => m !== ranking.primary)].filter((m) => board.goals.has(m) && reported(m));
    lines.push(`## ${section.task} — ${groupLabel(section.group)}`, '');
    const header = ['rank', 'method', 'n', 'wins', ...metrics.map((m) => `${m}${board.units.get(m) ? ` (${board.units.get(m)})` : ''} ${arrow(board.goals.get(m))}`)];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const cell of section.cells) {
      const values = metrics.map((m) => formatEstimate(cell.metrics[m]));
      lines.push(`| ${[Number.isNaN(cell.rank) ? '–' : cell.rank, cell.method, cell.instances, formatNumber(cell.wins), ...values].map((v) => escapeMarkdown(String(v))).join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Consecutive cells of one (task, group) board, in leaderboard order. */
export function boardSections(cells: readonly LeaderboardCell[]): Array<{ task: string; group: Record<string, Json>; cells: LeaderboardCell[] }> {
  const sections: Array<{ task: string; group: Record<string, Json>; cells: LeaderboardCell[]; key: string }> = [];
  for (const cell of cells) {
    const key = canonicalJson([cell.task, cell.group]);
    const last = sections[sections.length - 1];
    if (last?.key === key) last.cells.push(cell);
    else sections.push({ task: cell.task, group: cell.group, cells: [cell], key });
  }
  return sections.map(({ key: _key, ...rest }) => rest);
}

function arrow(goal: MetricGoal | undefined): string {
  return goal === 'min' ? '↓' : goal === 'max' ? '↑' : '';
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
