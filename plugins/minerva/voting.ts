// maj1@k (Wang et al. 2022 self-consistency as Minerva uses it) and the unbiased pass@k estimator.

/**
 * The most common answer among `answers` (normalized strings). With `equiv`, answers fall into
 * equivalence classes first (each joins the class of the earliest earlier answer equivalent to it,
 * O(k²) checks); without it, classes are equal strings (O(k)). Ties go to the class whose first
 * member came earliest. `skip` answers (e.g. "[invalidanswer]") never vote; null when none is left.
 */
export function majorityVote(answers: readonly string[], opts: { equiv?: (a: string, b: string) => boolean; skip?: string } = {}): { answer: string; votes: number; index: number } | null {
  const classes: { answer: string; votes: number; index: number }[] = [];
  const byString = new Map<string, number>();
  answers.forEach((a, i) => {
    if (a === opts.skip) return;
    let c = byString.get(a);
    if (c === undefined && opts.equiv) c = classes.findIndex((k) => opts.equiv!(k.answer, a));
    if (c === undefined || c < 0) {
      c = classes.length;
      classes.push({ answer: a, votes: 0, index: i });
    }
    byString.set(a, c);
    classes[c].votes++;
  });
  let best: (typeof classes)[number] | null = null;
  for (const k of classes) if (!best || k.votes > best.votes) best = k; // strict >: the earliest class wins ties
  return best;
}

/** Unbiased pass@k = 1 − C(n−c, k)/C(n, k) (Chen et al. 2021), as a stable product. */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`passAtK needs integers 0 ≤ c ≤ n, 1 ≤ k ≤ n; got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/**
 * maj1@k from n ≥ k samples of one problem: the mean over the ⌊n/k⌋ disjoint blocks of k consecutive
 * samples of "the block's majority answer is correct" (one block = the paper's estimator; more blocks
 * = the same expectation with less variance).
 */
export function majAtK(answers: readonly string[], correct: (answer: string) => boolean, k: number, opts: { equiv?: (a: string, b: string) => boolean; skip?: string } = {}): number {
  const blocks = Math.floor(answers.length / k);
  if (blocks < 1) throw new RangeError(`maj1@${k} needs at least ${k} samples, got ${answers.length}`);
  let hits = 0;
  for (let b = 0; b < blocks; b++) {
    const vote = majorityVote(answers.slice(b * k, (b + 1) * k), opts);
    if (vote && correct(vote.answer)) hits++;
  }
  return hits / blocks;
}
