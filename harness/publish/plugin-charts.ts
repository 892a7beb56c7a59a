// Per-plugin figures. A plugin may ship vega-lite specs as `charts/<name>.vl.json` in its folder;
// the site renders each one on the page of every suite the plugin takes part in, with the page's
// data bound to named data sources the spec refers to:
//
//   { "data": { "name": "rows" } }         one record per ok row: run, task, method, plugin, seed,
//                                          metric, value, unit, goal, params (an object: "params.tau")
//   { "data": { "name": "leaderboard" } }  one record per cell × metric: task, group (label),
//                                          groupParams, method, rank, wins, instances, metric,
//                                          mean, lo, hi, n
//   { "data": { "name": "records" } }      one record per per-instance record of records.jsonl,
//                                          its own fields plus run, unit_key, task, method, params, seed
//
// Optional settings live in the spec's own `usermeta.harness`: `suites` (ids the chart applies to;
// default: all), `title` (the caption). Nothing else about the spec is interpreted; plugin code is
// not imported, so a figure costs the plugin one JSON file and no API.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Json } from '../api/types.ts';
import type { Registry } from '../plan/registry.ts';
import { groupLabel } from '../results/leaderboard.ts';
import type { SuitePage } from './inputs.ts';

export const CHART_DIR = 'charts';
export const CHART_SUFFIX = '.vl.json';
export const DATASET_NAMES = ['rows', 'leaderboard', 'records'] as const;
type DatasetName = (typeof DATASET_NAMES)[number];

export interface PluginChart {
  plugin: string;
  /** File name without `.vl.json`. */
  name: string;
  file: string;
  caption: string;
  spec?: TopLevelSpec;
  /** Why the spec cannot be used (unreadable, not JSON); rendering errors are reported later. */
  problem?: string;
}

interface HarnessUsermeta {
  suites?: string[];
  title?: string;
}

/** The plugins that take part in a page: those of its methods and of its tasks. */
export function pagePlugins(page: SuitePage): string[] {
  const ids = new Set<string>();
  for (const row of page.rows) {
    ids.add(row.plugin);
    ids.add(row.task.split('/')[0]);
  }
  return [...ids].sort();
}

export function findPluginCharts(page: SuitePage, registry: Registry | undefined): PluginChart[] {
  const charts: PluginChart[] = [];
  for (const plugin of pagePlugins(page)) {
    const record = registry?.plugins.get(plugin);
    const dir = record && join(record.dir, CHART_DIR);
    if (!dir || !existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((f) => f.endsWith(CHART_SUFFIX)).sort()) {
      const file = join(dir, name);
      const base = { plugin, name: name.slice(0, -CHART_SUFFIX.length), file };
      let spec: TopLevelSpec;
      try {
        spec = JSON.parse(readFileSync(file, 'utf8')) as TopLevelSpec;
      } catch (error) {
        charts.push({ ...base, caption: base.name, problem: `${file}: not valid JSON: ${(error as Error).message}` });
        continue;
      }
      const meta = ((spec.usermeta as Record<string, unknown> | undefined)?.harness ?? {}) as HarnessUsermeta;
      if (meta.suites && !meta.suites.includes(page.suite)) continue;
      const caption = meta.title ?? (typeof spec.title === 'string' ? spec.title : base.name);
      charts.push({ ...base, caption, spec });
    }
  }
  return charts;
}

/** The spec with the page's data put into `datasets` under the names it refers to. */
export function bindPageData(spec: TopLevelSpec, page: SuitePage): TopLevelSpec {
  const wanted = referencedNames(spec);
  const datasets: Record<string, Json[]> = { ...((spec as { datasets?: Record<string, Json[]> }).datasets ?? {}) };
  for (const name of DATASET_NAMES) if (wanted.has(name) && !(name in datasets)) datasets[name] = pageDataset(name, page);
  return { ...spec, datasets } as TopLevelSpec;
}

function referencedNames(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedNames(item, found);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.data && typeof record.data === 'object' && typeof (record.data as { name?: unknown }).name === 'string') {
      found.add((record.data as { name: string }).name);
    }
    for (const [key, child] of Object.entries(record)) if (key !== 'datasets') referencedNames(child, found);
  }
  return found;
}

const finite = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);

function pageDataset(name: DatasetName, page: SuitePage): Json[] {
  const runOf = new Map<string, string>();
  for (const run of page.runs) for (const row of run.rows) runOf.set(row.unit_key, run.label);
  if (name === 'rows') {
    return page.rows
      .filter((r) => r.status === 'ok' && r.metric !== '')
      .map((r) => ({
        run: runOf.get(r.unit_key) ?? '', task: r.task, method: r.method, plugin: r.plugin, seed: r.seed,
        metric: r.metric, value: finite(r.value), unit: r.unit, goal: r.goal, params: JSON.parse(r.params) as Json,
      }));
  }
  if (name === 'leaderboard') {
    return page.board.cells.flatMap((cell) =>
      Object.entries(cell.metrics).map(([metric, e]) => ({
        task: cell.task, group: groupLabel(cell.group), groupParams: cell.group, method: cell.method,
        rank: finite(cell.rank), wins: finite(cell.wins), instances: cell.instances,
        metric, mean: finite(e.mean), lo: finite(e.lo), hi: finite(e.hi), n: e.n,
      })),
    );
  }
  const taskOf = new Map(page.rows.map((r) => [r.unit_key, r.task]));
  const out: Json[] = [];
  for (const run of page.runs) {
    if (!run.siblings.records) continue;
    for (const line of readFileSync(run.siblings.records, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { unit_key: string; method: string; params: Json; seed: number; records: Array<Record<string, Json>> };
      if (!taskOf.has(entry.unit_key)) continue;
      for (const record of entry.records) {
        out.push({ ...record, run: run.label, unit_key: entry.unit_key, task: taskOf.get(entry.unit_key)!, method: entry.method, params: entry.params, seed: entry.seed });
      }
    }
  }
  return out;
}
