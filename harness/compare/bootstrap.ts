// Percentile bootstrap intervals for a difference of means, paired or unpaired. Pure functions of
// the data and a seeded generator: the same data and seed always give the same interval.
import type { Rng } from '../api/types.ts';
import { mean } from '../results/stats.ts';

/** At least this many resamples, so the 2.5 % and 97.5 % quantiles rest on ≥ 50 resamples each. */
export const MIN_RESAMPLES = 2000;
export const DEFAULT_RESAMPLES = 10000;

export interface BootstrapOptions {
  resamples?: number;
  /** Coverage of the interval, 0.95 by default. */
  level?: number;
}

export interface Interval {
  /** Difference of means B − A on the data itself (not a bootstrap average). */
  estimate: number;
  lo: number;
  hi: number;
}

/**
 * Paired bootstrap of the mean of differences B − A: resample instances (each keeps its pair), so
 * what instances share — the same curve, the same data seed — cancels out of the interval.
 */
export function pairedBootstrap(differences: readonly number[], rng: Rng, options: BootstrapOptions = {}): Interval {
  const n = differences.length;
  if (n === 0) return { estimate: NaN, lo: NaN, hi: NaN };
  const { resamples, level } = resolve(options);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[rng.int(n)];
    means[r] = sum / n;
  }
  return { estimate: mean(differences), ...percentileInterval(means, level) };
}

/**
 * Unpaired (Welch-style) bootstrap of mean(B) − mean(A): each run resampled on its own, so unequal
 * sizes and unequal variances are both allowed and nothing is assumed about how values correspond.
 */
export function unpairedBootstrap(a: readonly number[], b: readonly number[], rng: Rng, options: BootstrapOptions = {}): Interval {
  if (!a.length || !b.length) return { estimate: NaN, lo: NaN, hi: NaN };
  const { resamples, level } = resolve(options);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) differences[r] = resampledMean(b, rng) - resampledMean(a, rng);
  return { estimate: mean(b) - mean(a), ...percentileInterval(differences, level) };
}

function resampledMean(values: readonly number[], rng: Rng): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[rng.int(values.length)];
  return sum / values.length;
}

function resolve(options: BootstrapOptions): Required<BootstrapOptions> {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < MIN_RESAMPLES) throw new RangeError(`bootstrap: need an integer ≥ ${MIN_RESAMPLES} resamples, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  return { resamples, level };
}

/** Equal-tailed percentile interval of the bootstrap distribution (sorts `draws` in place). */
function percentileInterval(draws: Float64Array, level: number): { lo: number; hi: number } {
  draws.sort();
  const alpha = 1 - level;
  return { lo: quantileSorted(draws, alpha / 2), hi: quantileSorted(draws, 1 - alpha / 2) };
}

/** Quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7, R's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
}
