// Comparing run B against run A on one metric, per task × method: paired statistics on the
// instances both runs measured, an unpaired bootstrap when they share none, and a verdict oriented
// by the metric's goal. Pure: rows in, report out; the CLI reads files and prints.
import type { ResultRow, Rng } from '../api/types.ts';
import { didYouMean, UserError } from '../errors.ts';
import { createRng } from '../plan/seeds.ts';
import { mean } from '../results/stats.ts';
import { mcnemarFromPairs, signTest, type McNemarTest, type SignTest } from './binomial.ts';
import { DEFAULT_RESAMPLES, pairedBootstrap, unpairedBootstrap, type Interval } from './bootstrap.ts';
import { chooseMetric, type ChosenMetric, type Goal, type PrimaryHint } from './metric.ts';
import { pairCells, type PairedCell } from './pairing.ts';

export const DEFAULT_COMPARE_SEED = 0;

export interface CompareOptions {
  /** Metric id; default: `primary` when both runs have it, else the first min/max metric. */
  metric?: string;
  /** The suite's primary metric, from the run folder's manifest. */
  primary?: PrimaryHint;
  /** Tasks ranked by their own primary metric (a mixed suite's `leaderboard.byTask`): without `metric`,
   * each task is compared on its own primary. */
  byTask?: Record<string, PrimaryHint>;
  /** Absolute margin: B is worse only when the whole interval lies beyond it on the worse side. Default 0. */
  threshold?: number;
  /** Seed of the bootstrap generator. Default 0. */
  seed?: number;
  resamples?: number;
  /** Compare only these methods (ids as in the rows). Default: all. */
  methods?: readonly string[];
}

export type Pairing = 'paired' | 'unpaired' | 'only-in-A' | 'only-in-B';

/**
 * - `worse`: the interval of B − A lies entirely on the worse side of the threshold (exit code 1);
 * - `worse-within-threshold`: significantly worse, but not by more than the threshold;
 * - `better`: the interval lies entirely on the better side of 0;
 * - `too-few-instances`: fewer than 2 values (paired: common instances; unpaired: in either run).
 */
export type Verdict = 'better' | 'worse' | 'worse-within-threshold' | 'no-significant-difference' | 'too-few-instances' | 'not-compared';

export interface CellComparison {
  task: string;
  method: string;
  /** The metric this cell was compared on, and which direction is better. */
  metric: string;
  goal: Goal;
  pairing: Pairing;
  /** Values used: the common instances when paired, every value of the run when unpaired. */
  nA: number;
  nB: number;
  common: number;
  onlyA: number;
  onlyB: number;
  /** Units with no value for the metric (error, timeout, skipped, non-finite). */
  withoutValueA: number;
  withoutValueB: number;
  meanA: number;
  meanB: number;
  /** B − A with its 95 % percentile bootstrap interval. */
  difference: Interval;
  /** Paired only. */
  sign: SignTest | null;
  /** Paired 0/1 outcomes only. */
  mcnemar: McNemarTest | null;
  verdict: Verdict;
}

/** A task of the runs that was not compared, and why. */
export interface SkippedTask {
  task: string;
  why: string;
}

export interface CompareReport {
  /** The metric of the comparison: `--metric`, else the suite's primary (tasks in `byTask` use their own). */
  metric: ChosenMetric;
  /** Each compared task's metric, when tasks were compared on their own primaries. */
  byTask?: Record<string, ChosenMetric>;
  skipped: SkippedTask[];
  threshold: number;
  seed: number;
  resamples: number;
  cells: CellComparison[];
  /** 1 when B is worse than A beyond the threshold on some task × method, else 0. */
  exitCode: 0 | 1;
}

export function compareRuns(rowsA: readonly ResultRow[], rowsB: readonly ResultRow[], options: CompareOptions = {}): CompareReport {
  const threshold = options.threshold ?? 0;
  if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new UserError(`threshold must be a non-negative number, got ${threshold}`);
  const seed = options.seed ?? DEFAULT_COMPARE_SEED;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const tasks = [...new Set([...rowsA, ...rowsB].map((r) => r.task))].sort();
  const skipped: SkippedTask[] = [];
  const perTask = !options.metric && Object.keys(options.byTask ?? {}).length > 0;
  // Which metric each task is compared on.
  const chosen = new Map<string, ChosenMetric>();
  let metric: ChosenMetric;
  if (perTask) {
    for (const task of tasks) {
      const hint = options.byTask![task] ?? options.primary;
      const ofTask = (rows: readonly ResultRow[]) => rows.filter((r) => r.task === task);
      const [a, b] = [ofTask(rowsA), ofTask(rowsB)];
      if (!a.length || !b.length) {
        skipped.push({ task, why: `only in ${a.length ? 'A' : 'B'}` });
        continue;
      }
      const has = (rows: ResultRow[], m: string) => rows.some((r) => r.metric === m);
      if (hint && (!has(a, hint.metric) || !has(b, hint.metric))) {
        skipped.push({ task, why: `its primary metric ${hint.metric} has no rows in ${has(a, hint.metric) ? 'B' : has(b, hint.metric) ? 'A' : 'either run'}` });
        continue;
      }
      try {
        chosen.set(task, chooseMetric(a, b, undefined, hint));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        skipped.push({ task, why: error.message });
      }
    }
    const suitePrimary = [...chosen.values()].find((m) => m.metric === options.primary?.metric);
    metric = suitePrimary ?? chosen.values().next().value ?? chooseMetric(rowsA, rowsB, undefined, options.primary);
  } else {
    metric = chooseMetric(rowsA, rowsB, options.metric, options.primary);
    for (const task of tasks) chosen.set(task, metric);
  }
  let paired: Array<PairedCell & { chosen: ChosenMetric }> = [];
  for (const [task, m] of chosen) {
    const cells = pairCells(rowsA.filter((r) => r.task === task), rowsB.filter((r) => r.task === task), m.metric);
    if (!cells.length) {
      const inA = rowsA.some((r) => r.task === task);
      const inB = rowsB.some((r) => r.task === task);
      skipped.push({ task, why: inA && inB ? `no rows of ${m.metric}${perTask ? '' : ' (compare it with --metric <one of its metrics>)'}` : `only in ${inA ? 'A' : 'B'}` });
      continue;
    }
    paired.push(...cells.map((c) => ({ ...c, chosen: m })));
  }
  if (options.methods?.length) {
    const known = new Set(paired.map((c) => c.method));
    for (const method of options.methods) {
      if (!known.has(method)) throw new UserError(`unknown method "${method}"${didYouMean(method, known)}`, [`methods in the runs: ${[...known].sort().join(', ')}`]);
    }
    paired = paired.filter((c) => options.methods!.includes(c.method));
  }
  if (!paired.some((c) => c.a.values.size && c.b.values.size)) {
    throw new UserError(`nothing to compare on ${perTask ? "each task's primary metric" : metric.metric}: no task × method has values in both runs`, [
      `A: ${describeCells(paired.filter((c) => c.a.values.size))}`,
      `B: ${describeCells(paired.filter((c) => c.b.values.size))}`,
      ...skipped.map((s) => `skipped ${s.task}: ${s.why}`),
    ]);
  }
  const root = createRng(seed);
  const cells = paired.map((cell) => compareCell(cell, cell.chosen, threshold, () => root.fork(`${cell.task}\0${cell.method}`), resamples));
  return {
    metric,
    ...(perTask ? { byTask: Object.fromEntries(chosen) } : {}),
    skipped,
    threshold,
    seed,
    resamples,
    cells,
    exitCode: cells.some((c) => c.verdict === 'worse') ? 1 : 0,
  };
}

function describeCells(cells: PairedCell[]): string {
  return cells.map((c) => `${c.method} on ${c.task}`).join(', ') || 'no values';
}

function compareCell(cell: PairedCell, chosen: ChosenMetric, threshold: number, rngFor: () => Rng, resamples: number): CellComparison {
  const goal = chosen.goal;
  const base = {
    task: cell.task,
    method: cell.method,
    metric: chosen.metric,
    goal,
    common: cell.common.length,
    onlyA: cell.onlyA.length,
    onlyB: cell.onlyB.length,
    withoutValueA: cell.a.withoutValue.size,
    withoutValueB: cell.b.withoutValue.size,
  };
  const allA = [...cell.a.values.values()];
  const allB = [...cell.b.values.values()];
  if (!allA.length || !allB.length) {
    return {
      ...base,
      pairing: allA.length ? 'only-in-A' : 'only-in-B',
      nA: allA.length,
      nB: allB.length,
      meanA: mean(allA),
      meanB: mean(allB),
      difference: { estimate: NaN, lo: NaN, hi: NaN },
      sign: null,
      mcnemar: null,
      verdict: 'not-compared',
    };
  }
  if (cell.common.length) {
    const a = cell.common.map((k) => cell.a.values.get(k)!);
    const b = cell.common.map((k) => cell.b.values.get(k)!);
    const differences = b.map((v, i) => v - a[i]);
    const enough = differences.length >= 2;
    const difference = enough ? pairedBootstrap(differences, rngFor(), { resamples }) : { estimate: mean(differences), lo: NaN, hi: NaN };
    return {
      ...base,
      pairing: 'paired',
      nA: a.length,
      nB: b.length,
      meanA: mean(a),
      meanB: mean(b),
      difference,
      sign: signTest(differences),
      mcnemar: mcnemarFromPairs(a, b),
      verdict: enough ? verdictOf(difference, goal, threshold) : 'too-few-instances',
    };
  }
  const enough = allA.length >= 2 && allB.length >= 2;
  const difference = enough ? unpairedBootstrap(allA, allB, rngFor(), { resamples }) : { estimate: mean(allB) - mean(allA), lo: NaN, hi: NaN };
  return {
    ...base,
    pairing: 'unpaired',
    nA: allA.length,
    nB: allB.length,
    meanA: mean(allA),
    meanB: mean(allB),
    difference,
    sign: null,
    mcnemar: null,
    verdict: enough ? verdictOf(difference, goal, threshold) : 'too-few-instances',
  };
}

/**
 * Orients the interval of B − A so that positive means worse (higher for min-goal metrics, lower for
 * max-goal ones), then: worse when it lies entirely above the threshold, better when entirely below 0.
 */
export function verdictOf(difference: Pick<Interval, 'lo' | 'hi'>, goal: Goal, threshold = 0): Verdict {
  if (!Number.isFinite(difference.lo) || !Number.isFinite(difference.hi)) return 'too-few-instances';
  const [worseLo, worseHi] = goal === 'min' ? [difference.lo, difference.hi] : [-difference.hi, -difference.lo];
  if (worseLo > threshold) return 'worse';
  if (worseLo > 0) return 'worse-within-threshold';
  if (worseHi < 0) return 'better';
  return 'no-significant-difference';
}

/** "paired on 92 instances; 0 only in A, 3 only in B", or what was done instead. */
export function describePairing(cell: CellComparison): string {
  const failed = [
    cell.withoutValueA ? `${cell.withoutValueA} unit(s) without a value in A` : '',
    cell.withoutValueB ? `${cell.withoutValueB} unit(s) without a value in B` : '',
  ].filter(Boolean);
  const tail = failed.length ? ` (${failed.join(', ')})` : '';
  switch (cell.pairing) {
    case 'paired':
      return `paired on ${cell.common} instance${cell.common === 1 ? '' : 's'}; ${cell.onlyA} only in A, ${cell.onlyB} only in B${tail}`;
    case 'unpaired':
      return `unpaired (no instance in common; Welch-style bootstrap of the difference of means): ${cell.nA} value(s) in A, ${cell.nB} in B${tail}`;
    case 'only-in-A':
      return `not compared: values only in A (${cell.nA})${tail}`;
    case 'only-in-B':
      return `not compared: values only in B (${cell.nB})${tail}`;
  }
}
