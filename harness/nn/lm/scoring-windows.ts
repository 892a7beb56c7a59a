// Sliding windows for scoring a sequence longer than a model's context, one layout for every runner
// (tfjs in evaluate-lm.ts, ONNX Runtime, an HTTP endpoint): windows of `window` inputs (window + 1
// tokens), the next starting `stride` later, the last aligned to the end; each target is taken from
// the first window that covers it, which is the one giving it the most context.

export interface ScoringWindows {
  /** Inputs per window (each window holds length + 1 tokens and predicts `length` targets). */
  length: number;
  /** Index of each window's first token. */
  starts: number[];
}

/** The windows over a sequence of `n` ≥ 2 tokens. */
export function scoringWindows(n: number, window: number, stride = Math.ceil(window / 2)): ScoringWindows {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`scoring window must be a positive integer, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > window) throw new RangeError(`scoring stride must be an integer in 1..${window}, got ${stride}`);
  const length = Math.min(window, n - 1);
  const starts = [0];
  while (starts[starts.length - 1] + length < n - 1) starts.push(Math.min(starts[starts.length - 1] + stride, n - 1 - length));
  return { length, starts };
}

/** ln p(x_t | …) for t = 1..n−1 from each window's `length` log-probs (window i predicts starts[i]+1 …). */
export function stitchWindows(n: number, windows: ScoringWindows, logProbs: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(Math.max(0, n - 1));
  let covered = 0; // targets 1..covered are filled in
  windows.starts.forEach((start, i) => {
    for (let t = 0; t < windows.length; t++) {
      const target = start + t + 1;
      if (target > covered) out[target - 1] = logProbs[i][t];
    }
    covered = start + windows.length;
  });
  return out;
}
