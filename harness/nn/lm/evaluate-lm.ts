// Held-out evaluation of a SequenceModel: bits per byte over a token stream, and per-token log
// probabilities of one long sequence with a sliding window.
import { scoringWindows } from './scoring-windows.ts';
import { assertLength, type SequenceModel } from './sequence-model.ts';
import type { Tf, TF } from './tf.ts';

export interface BitsPerByteOptions {
  /** Window length L: the model sees L inputs and predicts L targets per window. */
  length: number;
  /**
   * Windows start every `stride` tokens (default `length`: non-overlapping windows, the target at
   * offset t predicted from the t + 1 tokens before it, 1..L, exactly like training). With
   * stride < length only the last `stride` targets of each window are counted, so every counted
   * target outside the first window has ≥ length − stride + 1 tokens of context.
   */
  stride?: number;
  /** Stop after this many counted targets (default: the whole stream). */
  maxTokens?: number;
  /** Windows per forward pass (default 8). */
  batch?: number;
}

/**
 * Mean −log₂ p(target) over the counted targets of `data` (byte ids, one token per byte, so bits per
 * token = bits per byte). Windows are taken from the start of `data`; the trailing part that does
 * not fill a whole window is dropped. Returns the number of counted targets too.
 */
export function bitsPerByte(tf: Tf, model: SequenceModel, data: ArrayLike<number>, opts: BitsPerByteOptions): { bitsPerByte: number; tokens: number } {
  const L = opts.length;
  const stride = opts.stride ?? L;
  const batch = opts.batch ?? 8;
  const maxTokens = opts.maxTokens ?? Infinity;
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`bitsPerByte: length must be a positive integer, got ${L}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > L) throw new RangeError(`bitsPerByte: stride must be an integer in 1..length (${L}), got ${stride}`);
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`bitsPerByte: batch must be a positive integer, got ${batch}`);
  if (data.length < L + 1) throw new RangeError(`bitsPerByte: ${data.length} tokens are fewer than one window of ${L + 1}`);
  assertLength(model, L);
  // Window w starts at w·stride; it counts all L targets when w = 0, else its last `stride`.
  const windows: { start: number; firstCounted: number; counted: number }[] = [];
  let tokens = 0;
  for (let start = 0; start + L + 1 <= data.length && tokens < maxTokens; start += stride) {
    const firstCounted = start === 0 ? 0 : L - stride;
    const counted = Math.min(L - firstCounted, maxTokens - tokens);
    windows.push({ start, firstCounted, counted });
    tokens += counted;
  }
  let nats = 0;
  for (let w0 = 0; w0 < windows.length; w0 += batch) {
    const group = windows.slice(w0, w0 + batch);
    const logProbs = windowLogProbs(tf, model, data, group.map((w) => w.start), L);
    group.forEach((w, i) => {
      for (let t = w.firstCounted; t < w.firstCounted + w.counted; t++) nats -= logProbs[i * L + t];
    });
  }
  return { bitsPerByte: nats / tokens / Math.LN2, tokens };
}

/** ln p(data[s+t+1] | data[s..s+t]) for each window start s and t = 0..L−1, row-major [starts, L]. */
function windowLogProbs(tf: Tf, model: SequenceModel, data: ArrayLike<number>, starts: number[], L: number): Float32Array {
  const B = starts.length;
  const inputs = new Int32Array(B * L);
  const targets = new Int32Array(B * L);
  starts.forEach((s, b) => {
    for (let t = 0; t < L; t++) {
      const input = data[s + t];
      const target = data[s + t + 1];
      if (!(input >= 0 && input < model.vocabSize) || !(target >= 0 && target < model.vocabSize)) {
        throw new RangeError(`token at index ${!(input >= 0 && input < model.vocabSize) ? s + t : s + t + 1} is outside the model's vocabulary 0..${model.vocabSize - 1}`);
      }
      inputs[b * L + t] = input;
      targets[b * L + t] = target;
    }
  });
  const picked = tf.tidy(() => {
    const logits = tf.reshape(model.logits(tf.tensor2d(inputs, [B, L], 'int32')), [B * L, model.vocabSize]) as TF.Tensor2D;
    return tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.tensor1d(targets, 'int32'), model.vocabSize)), 1);
  });
  const values = picked.dataSync() as Float32Array;
  picked.dispose();
  return values;
}

export interface TokenLogProbsOptions {
  /** Longest context fed to the model at once (default model.maxLength, or 1024 when unbounded). */
  window?: number;
  /**
   * How far the window advances (default window/2, rounded up). Token x_t with t ≤ window is
   * predicted from all of x_<t; after that every token is predicted from between
   * window − stride + 1 and window preceding tokens (never more than window: this is what makes a
   * windowed model's NLL flatten past its window).
   */
  stride?: number;
  /** Windows per forward pass (default 8). */
  batch?: number;
}

/** Context fed at once when neither the caller nor the model bounds it. */
export const DEFAULT_UNBOUNDED_WINDOW = 1024;

/** ln p(x_t | x_<t) for t = 1..n−1 (length n−1) of one sequence `ids`. */
export function tokenLogProbs(tf: Tf, model: SequenceModel, ids: ArrayLike<number>, opts: TokenLogProbsOptions = {}): Float64Array {
  const n = ids.length;
  const out = new Float64Array(Math.max(0, n - 1));
  if (n < 2) return out;
  const window = opts.window ?? model.maxLength ?? DEFAULT_UNBOUNDED_WINDOW;
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`tokenLogProbs: window must be a positive integer, got ${window}`);
  assertLength(model, Math.min(window, n - 1));
  const stride = opts.stride ?? Math.ceil(window / 2);
  if (!Number.isInteger(stride) || stride < 1 || stride > window) throw new RangeError(`tokenLogProbs: stride must be an integer in 1..window (${window}), got ${stride}`);
  const batch = opts.batch ?? 8;
  // Windows of L inputs starting at s predict targets s+1..s+L; the last window is aligned to the
  // end of the sequence. Each window fills in the targets not covered by the previous one.
  const { length: L, starts } = scoringWindows(n, window, stride);
  let covered = 0; // targets 1..covered are done
  for (let w0 = 0; w0 < starts.length; w0 += batch) {
    const group = starts.slice(w0, w0 + batch);
    const logProbs = windowLogProbs(tf, model, ids, group, L);
    group.forEach((s, i) => {
      for (let t = 0; t < L; t++) {
        const target = s + t + 1;
        if (target > covered) out[target - 1] = logProbs[i * L + t];
      }
      covered = s + L;
    });
  }
  return out;
}
