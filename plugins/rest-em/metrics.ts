// The evaluation metrics of the paper (§5): greedy pass@1, the unbiased pass@k estimator of Chen et
// al. (2021) and majority voting (maj@k) over sampled answers.

/**
 * Unbiased pass@k for one problem with n samples of which c are correct:
 * 1 − C(n−c, k)/C(n, k), computed as 1 − Π_{i=n−c+1..n} (1 − k/i) (no large binomials).
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`passAtK needs integers 0 ≤ c ≤ n and 1 ≤ k ≤ n; got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/**
 * maj@k for one problem: the most frequent answer among the first k samples (ties: the answer that
 * appeared first; null answers — nothing extractable — never vote) is correct. `answers[i]` is the
 * extracted answer of sample i and `correct(a)` says whether an answer is right.
 */
export function majAtK(answers: readonly (string | null)[], correct: (answer: string) => boolean, k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > answers.length) throw new RangeError(`maj@k needs 1 ≤ k ≤ ${answers.length} samples, got k=${k}`);
  const votes = new Map<string, number>(); // insertion order = order of first appearance
  for (const a of answers.slice(0, k)) if (a !== null) votes.set(a, (votes.get(a) ?? 0) + 1);
  let best: string | null = null;
  for (const [a, v] of votes) if (best === null || v > votes.get(best)!) best = a; // strict: the earliest wins ties
  return best !== null && correct(best) ? 1 : 0;
}

export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
