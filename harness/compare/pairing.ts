// Which units of two runs measure the same thing. An instance is (task, method, params, seed): the
// harness derives a task's data from (suite, task, params, seed), so the same instance in two runs
// saw the same data and its two values can be compared pair by pair.
import type { ResultRow } from '../api/types.ts';
import { UserError } from '../errors.ts';
import { canonicalJson } from '../plan/canonical.ts';

/** One method on one task in one run: the metric's value per instance, and the units that have none. */
export interface CellValues {
  /** Instance key (params and seed) → value. */
  values: Map<string, number>;
  /** Instances whose unit failed, timed out, was skipped or gave a non-finite value. */
  withoutValue: Set<string>;
}

/** A task × method present in A, in B or both, with its instances split by where they have a value. */
export interface PairedCell {
  task: string;
  method: string;
  a: CellValues;
  b: CellValues;
  /** Instances with a value in both runs, in a stable (sorted) order. */
  common: string[];
  onlyA: string[];
  onlyB: string[];
}

/** Instance key within a task × method; params are re-canonicalized so key order never matters. */
export function instanceKey(row: Pick<ResultRow, 'params' | 'seed'>): string {
  let params = row.params;
  try {
    params = canonicalJson(JSON.parse(row.params));
  } catch {
    // Not JSON: compare the text as written.
  }
  return `${params} seed ${row.seed}`;
}

const cellKey = (task: string, method: string) => `${task}\0${method}`;

/** The values of `metric` in one run, per task × method. A unit counted twice is refused: which value would it pair? */
export function collectCells(rows: readonly ResultRow[], metric: string, label: string): Map<string, { task: string; method: string; cell: CellValues }> {
  const cells = new Map<string, { task: string; method: string; cell: CellValues }>();
  const cellOf = (row: ResultRow) => {
    const key = cellKey(row.task, row.method);
    let entry = cells.get(key);
    if (!entry) cells.set(key, (entry = { task: row.task, method: row.method, cell: { values: new Map(), withoutValue: new Set() } }));
    return entry.cell;
  };
  for (const row of rows) {
    const failedUnit = row.status !== 'ok' && (row.metric === '' || row.metric === metric);
    if (row.metric !== metric && !failedUnit) continue;
    const cell = cellOf(row);
    const instance = instanceKey(row);
    if (cell.values.has(instance) || (row.metric === metric && cell.withoutValue.has(instance))) {
      throw new UserError(`${label}: ${row.method} on ${row.task} ${instance} appears more than once for metric ${metric}; compare one run (or one merged run) per side`);
    }
    if (row.status === 'ok' && row.value !== null && Number.isFinite(row.value)) cell.values.set(instance, row.value);
    else cell.withoutValue.add(instance);
  }
  return cells;
}

/** Lines up the cells of A and B by task × method and their instances by params and seed. */
export function pairCells(rowsA: readonly ResultRow[], rowsB: readonly ResultRow[], metric: string): PairedCell[] {
  const cellsA = collectCells(rowsA, metric, 'A');
  const cellsB = collectCells(rowsB, metric, 'B');
  const empty = (): CellValues => ({ values: new Map(), withoutValue: new Set() });
  const keys = [...new Set([...cellsA.keys(), ...cellsB.keys()])].sort();
  return keys.map((key) => {
    const fromA = cellsA.get(key);
    const fromB = cellsB.get(key);
    const { task, method } = (fromA ?? fromB)!;
    const a = fromA?.cell ?? empty();
    const b = fromB?.cell ?? empty();
    const common = [...a.values.keys()].filter((k) => b.values.has(k)).sort();
    const onlyA = [...a.values.keys()].filter((k) => !b.values.has(k)).sort();
    const onlyB = [...b.values.keys()].filter((k) => !a.values.has(k)).sort();
    return { task, method, a, b, common, onlyA, onlyB };
  });
}
