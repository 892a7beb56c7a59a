// Exact binomial tests for paired comparisons: the sign test across instances and McNemar's test
// for binary outcomes. Both reduce to "is k of n successes plausible under Bin(n, ½)?".

/** Two-sided exact p-value of k successes in n Bernoulli(½) trials: twice the smaller tail, at most 1. */
export function binomialTwoSidedP(k: number, n: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`binomialTwoSidedP: need integers 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  }
  if (n === 0) return 1;
  return Math.min(1, 2 * lowerTailHalf(Math.min(k, n - k), n));
}

/**
 * P(X ≤ m) for X ~ Bin(n, ½). Summed in log space (pmf(i+1) = pmf(i)·(n−i)/(i+1), pmf(0) = 2⁻ⁿ), so
 * thousands of instances neither overflow the binomial coefficients nor underflow 2⁻ⁿ.
 */
function lowerTailHalf(m: number, n: number): number {
  const logs: number[] = [];
  let logPmf = -n * Math.LN2;
  for (let i = 0; i <= m; i++) {
    logs.push(logPmf);
    logPmf += Math.log((n - i) / (i + 1));
  }
  const top = Math.max(...logs);
  let sum = 0;
  for (const l of logs) sum += Math.exp(l - top);
  return Math.exp(top + Math.log(sum));
}

export interface SignTest {
  /** Instances where B − A > 0. */
  positive: number;
  /** Instances where B − A < 0. */
  negative: number;
  /** Instances where B = A; left out of the test, as the sign test prescribes. */
  ties: number;
  p: number;
}

/** Sign test on paired differences B − A: exact two-sided binomial p over the non-tied instances. */
export function signTest(differences: readonly number[]): SignTest {
  let positive = 0;
  let negative = 0;
  for (const d of differences) {
    if (d > 0) positive++;
    else if (d < 0) negative++;
  }
  return { positive, negative, ties: differences.length - positive - negative, p: binomialTwoSidedP(positive, positive + negative) };
}

export interface McNemarTest {
  /** Instances where A succeeded (1) and B failed (0). */
  b: number;
  /** Instances where A failed (0) and B succeeded (1). */
  c: number;
  p: number;
}

/** McNemar's exact test: only the discordant pairs b and c carry information; b ~ Bin(b + c, ½) under H0. */
export function mcnemarExact(b: number, c: number): McNemarTest {
  return { b, c, p: binomialTwoSidedP(b, b + c) };
}

/** McNemar's test on paired 0/1 outcomes, or null when any value is not 0 or 1. */
export function mcnemarFromPairs(a: readonly number[], b: readonly number[]): McNemarTest | null {
  const binary = (v: number) => v === 0 || v === 1;
  if (!a.length || !a.every(binary) || !b.every(binary)) return null;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 1 && b[i] === 0) onlyA++;
    else if (a[i] === 0 && b[i] === 1) onlyB++;
  }
  return mcnemarExact(onlyA, onlyB);
}
