// Which metric two runs are compared on, and which direction is worse.
import type { ResultRow } from '../api/types.ts';
import { didYouMean, UserError } from '../errors.ts';

export type Goal = 'min' | 'max';

export interface ChosenMetric {
  metric: string;
  goal: Goal;
  /** Where the choice came from, for the report. */
  source: 'option' | 'suite primary' | 'first ranked metric';
}

/** The suite's primary metric as recorded in a run folder's manifest.json (`leaderboard.primary`, `.goal`). */
export interface PrimaryHint {
  metric: string;
  goal?: string;
}

/** Goal per metric as the rows record it; a metric given two goals in one run is kept as the first. */
function metricGoals(rows: readonly ResultRow[]): Map<string, string> {
  const goals = new Map<string, string>();
  for (const row of rows) if (row.metric && !goals.has(row.metric)) goals.set(row.metric, row.goal);
  return goals;
}

/**
 * `--metric` when given (it must be in both runs and be min or max), else the suite's primary metric
 * when both runs have it, else the first min/max metric of A that B has too.
 */
export function chooseMetric(rowsA: readonly ResultRow[], rowsB: readonly ResultRow[], requested?: string, primary?: PrimaryHint): ChosenMetric {
  const goalsA = metricGoals(rowsA);
  const goalsB = metricGoals(rowsB);
  const common = [...goalsA.keys()].filter((m) => goalsB.has(m));
  const ranked = common.filter((m) => isGoal(goalsA.get(m)));
  if (requested !== undefined) {
    if (!goalsA.has(requested) && !goalsB.has(requested)) {
      throw new UserError(`unknown metric "${requested}"${didYouMean(requested, new Set([...goalsA.keys(), ...goalsB.keys()]))}`, [`metrics in both runs: ${common.join(', ') || 'none'}`]);
    }
    if (!goalsA.has(requested) || !goalsB.has(requested)) {
      throw new UserError(`metric "${requested}" is only in ${goalsA.has(requested) ? 'A' : 'B'}; the runs have no values of it to compare`, [`metrics in both runs: ${common.join(', ') || 'none'}`]);
    }
    return { metric: requested, goal: goalOf(requested, goalsA, goalsB, ranked), source: 'option' };
  }
  if (primary && goalsA.has(primary.metric) && goalsB.has(primary.metric)) {
    const goal = isGoal(primary.goal) ? primary.goal : goalOf(primary.metric, goalsA, goalsB, ranked);
    return { metric: primary.metric, goal, source: 'suite primary' };
  }
  if (!ranked.length) {
    throw new UserError('no common metric to compare: the two runs share no metric whose goal is min or max', [
      `A: ${[...goalsA.keys()].join(', ') || 'no metrics'}`,
      `B: ${[...goalsB.keys()].join(', ') || 'no metrics'}`,
    ]);
  }
  return { metric: ranked[0], goal: goalOf(ranked[0], goalsA, goalsB, ranked), source: 'first ranked metric' };
}

function isGoal(goal: string | undefined): goal is Goal {
  return goal === 'min' || goal === 'max';
}

function goalOf(metric: string, goalsA: Map<string, string>, goalsB: Map<string, string>, ranked: string[]): Goal {
  const a = goalsA.get(metric);
  const b = goalsB.get(metric);
  if (!isGoal(a) || !isGoal(b)) {
    throw new UserError(`metric "${metric}" has goal "${isGoal(a) ? b : a}": neither higher nor lower is worse, so B cannot be judged against A`, [
      `metrics with a goal in both runs: ${ranked.join(', ') || 'none'}`,
    ]);
  }
  if (a !== b) throw new UserError(`metric "${metric}" has goal ${a} in A but ${b} in B; the runs disagree on which direction is better`);
  return a;
}
