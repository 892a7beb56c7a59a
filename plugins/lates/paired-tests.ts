// Paired statistics over (architecture × shift × seed) cells: exact sign test and Wilcoxon signed-rank.

/** Exact two-sided sign test on paired differences (zeros dropped, as is standard). */
export interface SignTest {
  /** Pairs with a non-zero difference. */
  n: number;
  /** Pairs where the difference is negative (the first method has the smaller value). */
  below: number;
  above: number;
  ties: number;
  /** Two-sided p = min(1, 2·P[X ≤ min(below, above)]), X ~ Binomial(n, ½). */
  p: number;
}

export function signTest(differences: readonly number[]): SignTest {
  const below = differences.filter((d) => d < 0).length;
  const above = differences.filter((d) => d > 0).length;
  const n = below + above;
  const k = Math.min(below, above);
  return { n, below, above, ties: differences.length - n, p: n === 0 ? 1 : Math.min(1, 2 * binomialCdfHalf(k, n)) };
}

/** P[X ≤ k] for X ~ Binomial(n, ½), summed in log space (exact to rounding for any n). */
export function binomialCdfHalf(k: number, n: number): number {
  let logC = 0; // log C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    sum += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, sum);
}

export interface WilcoxonTest {
  n: number;
  /** Sum of the ranks of the positive differences (mid-ranks for ties in |d|). */
  wPlus: number;
  /** Two-sided p: exact (enumerated) for n ≤ 25 without ties in |d|, else normal with tie correction. */
  p: number;
  exact: boolean;
}

export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonTest {
  const d = differences.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { n, wPlus: 0, p: 1, exact: true };
  const order = d.map((x, i) => i).sort((a, b) => Math.abs(d[a]) - Math.abs(d[b]));
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  let tied = false;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && Math.abs(d[order[j + 1]]) === Math.abs(d[order[i]])) j++;
    const t = j - i + 1;
    if (t > 1) tied = true;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j + 2) / 2;
    i = j + 1;
  }
  let wPlus = 0;
  d.forEach((x, i) => { if (x > 0) wPlus += ranks[i]; });
  const mean = (n * (n + 1)) / 4;
  if (n <= 25 && !tied) {
    // exact null distribution of W+ by counting subsets of {1..n} with each rank sum
    const max = (n * (n + 1)) / 2;
    let counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) {
      const next = Float64Array.from(counts);
      for (let s = r; s <= max; s++) next[s] += counts[s - r];
      counts = next;
    }
    const total = 2 ** n;
    const lower = Math.min(wPlus, max - wPlus);
    let tail = 0;
    for (let s = 0; s <= lower; s++) tail += counts[s];
    return { n, wPlus, p: Math.min(1, (2 * tail) / total), exact: true };
  }
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const z = variance > 0 ? (Math.abs(wPlus - mean) - 0.5) / Math.sqrt(variance) : 0;
  return { n, wPlus, p: Math.min(1, 2 * normalUpperTail(Math.max(0, z))), exact: false };
}

/** P[Z > z] for a standard normal, via erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return 0.5 * (x >= 0 ? erfc : 2 - erfc);
}
