// Confidence intervals for leaderboard cells. Pure functions, checked against hand-computed values.
import type { MetricKind, MetricRange } from '../api/manifest.ts';
import type { Estimate } from '../api/types.ts';

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : NaN;
}

/** Sample standard deviation (n − 1). */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

/** Mean with a two-sided Student-t interval; with one value the interval collapses to NaN bounds. */
export function tInterval(values: readonly number[], level = 0.95): Estimate {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, lo: NaN, hi: NaN, n };
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sampleStd(values) / Math.sqrt(n));
  return { mean: m, lo: m - half, hi: m + half, n };
}

/** Wilson score interval for a proportion of `successes` out of `n`. */
export function wilsonInterval(successes: number, n: number, level = 0.95): Estimate {
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { mean: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half), n };
}

/** Below this many values a leaderboard prints the mean without an interval: a Student-t
 * interval from 2 values (t = 12.7) is wider than any range it could be read against. */
export const MIN_INTERVAL_N = 3;

/** What a metric declares about its values (plugin.json `kind` and `range`). */
export interface MetricScale {
  kind?: MetricKind;
  range?: MetricRange;
}

/**
 * Interval for a leaderboard cell, chosen by what the metric declares, never by the values:
 * - fewer than MIN_INTERVAL_N values: the mean alone (lo = hi = NaN);
 * - kind `proportion` whose values are single 0/1 outcomes: Wilson over the count of successes;
 * - otherwise (a proportion averaged over many items, a rate, a real number): Student t.
 * The bounds are then clipped to the declared range (a proportion's range defaults to [0, 1]).
 */
export function estimate(values: readonly number[], scale: MetricScale = {}, level = 0.95): Estimate {
  const n = values.length;
  if (n < MIN_INTERVAL_N) return { mean: mean(values), lo: NaN, hi: NaN, n };
  const interval =
    scale.kind === 'proportion' && values.every((v) => v === 0 || v === 1)
      ? wilsonInterval(values.filter((v) => v === 1).length, n, level)
      : tInterval(values, level);
  return clipToRange(interval, scale.range ?? (scale.kind === 'proportion' ? [0, 1] : undefined));
}

/** The interval with its bounds moved inside `range` (`null` ends are open). */
export function clipToRange(e: Estimate, range: MetricRange | undefined): Estimate {
  if (!range) return e;
  const [lo, hi] = range;
  const clip = (v: number) => (Number.isNaN(v) ? v : Math.min(hi ?? Infinity, Math.max(lo ?? -Infinity, v)));
  return { ...e, lo: clip(e.lo), hi: clip(e.hi) };
}

export function normalQuantile(p: number): number {
  // Acklam's rational approximation refined by one Halley step (|error| < 1e-12).
  if (p <= 0 || p >= 1) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function erfc(x: number): number {
  // Numerical approximation with fractional error < 1.2e-7, refined enough for one Halley step.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Student-t CDF through the regularized incomplete beta function. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t by bisection on the CDF (monotone), to 1e-12. */
export function studentTQuantile(p: number, df: number): number {
  if (p <= 0 || p >= 1) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  let lo = -1e4;
  let hi = 1e4;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  // Lentz's method for the continued fraction of the incomplete beta function.
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = g[0];
  for (let i = 1; i < 9; i++) sum += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
