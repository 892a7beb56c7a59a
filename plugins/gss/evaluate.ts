// Bits per byte at several evaluation lengths on THE SAME scored tokens, and the loss-vs-position
// curve of the longest windows.
//
// The scored targets are `blocks` consecutive blocks of T = trainLength bytes of the test split,
// starting after a margin of (max multiple)·T bytes. For an evaluation length M (a multiple of T)
// block j is scored from one window of M inputs that ends where the block ends: only the window's
// last T targets count, so every scored byte is predicted from between M − T + 1 and M bytes of
// context (M = T is exactly the training condition). The same bytes are scored at every M, so
// bpb(2T) − bpb(T) is a paired difference, not a difference between samples.
//
// Loss vs position: the windows of the longest length M are scored at EVERY position i = 0 … M − 1
// (the target after input i, predicted from the i + 1 bytes of the window up to it), and averaged
// in octave buckets of i: [0, 1), [1, 2), [2, 4), …, [M/2, M). Positions i < T are the ones seen in
// training; a model that uses context of about T bytes has a curve that still falls in the last
// octave of the training window, [T/2, T) against [T/4, T/2); one whose curve is flat there uses
// no context on the scale of T, and its value at 2T and 4T cannot differ from its value at T.
// Those two octaves hold different bytes, so on code their difference is noisy (text difficulty
// changes within a few dozen bytes). The paired version scores the SAME bytes at two positions: the
// T-windows of the 1× pass and T-windows shifted back by T/2, so that a byte at position i ∈ [T/4,
// T/2) of a 1× window sits at position i + T/2 ∈ [3T/4, T) of the shifted one; its loss with
// i + 1 ≤ T/2 bytes of context minus its loss with i + T/2 + 1 ≥ 3T/4 + 1 bytes is the gain from
// the context between T/4 and T bytes back, within the training length.
import type { SequenceModel, Tf } from '../../harness/nn/lm/index.ts';
import type { TF } from '../../harness/nn/lm/tf.ts';

export interface AlignedEvalOptions {
  trainLength: number;
  /** Evaluation lengths as multiples of trainLength, e.g. [1, 2, 4]. */
  multiples: number[];
  /** Number of scored blocks of trainLength bytes. */
  blocks: number;
  /** Input tokens per forward pass (windows per pass = max(1, ⌊tokensPerPass / M⌋)). */
  tokensPerPass: number;
}

/** One octave bucket of window positions [from, to). */
export interface PositionBucket {
  from: number;
  to: number;
  /** Mean −log₂ p over every window's positions in the bucket. */
  bpb: number;
}

export interface AlignedEvaluation {
  /** Bits per byte of the scored blocks, one value per multiple. */
  bpb: number[];
  /** Length M of the windows the curve comes from (the largest multiple × T). */
  curveLength: number;
  /** Loss vs position in the windows of length curveLength. */
  curve: PositionBucket[];
  /** Per window: mean bits over positions [T/4, T/2) minus mean bits over [T/2, T). */
  lastOctaveGains: number[];
  /** Per 1× window: mean over its positions i ∈ [T/4, T/2) of bits(i) − bits of the same byte at
   * position i + T/2 of the window shifted back by T/2 (same bytes, more context). */
  pairedGains: number[];
}

/** −ln p of every target of `windows` windows of M inputs ending (exclusive) at `ends[w]`: [windows·M]. */
export function windowNats(tf: Tf, model: SequenceModel, data: Uint8Array, ends: number[], M: number, tokensPerPass: number): Float64Array {
  const perPass = Math.max(1, Math.floor(tokensPerPass / M));
  const out = new Float64Array(ends.length * M);
  for (let first = 0; first < ends.length; first += perPass) {
    const rows = Math.min(perPass, ends.length - first);
    const inputs = new Int32Array(rows * M);
    const targets = new Int32Array(rows * M);
    for (let r = 0; r < rows; r++) {
      const end = ends[first + r];
      for (let i = 0; i < M; i++) {
        inputs[r * M + i] = data[end - M + i];
        targets[r * M + i] = data[end - M + i + 1];
      }
    }
    const nats = tf.tidy(() => {
      const logits = model.logits(tf.tensor2d(inputs, [rows, M], 'int32')).reshape([rows * M, model.vocabSize]) as TF.Tensor2D;
      return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.tensor1d(targets, 'int32'), model.vocabSize)), 1));
    });
    out.set(nats.dataSync() as Float32Array, first * M);
    nats.dispose();
  }
  return out;
}

/** Octave buckets [0, 1), [1, 2), [2, 4), …, [M/2, M) of positions 0 … M − 1 (M a power of two). */
export function octaveBuckets(M: number): Array<[number, number]> {
  if (!Number.isInteger(Math.log2(M))) throw new RangeError(`octaveBuckets: length must be a power of two, got ${M}`);
  const buckets: Array<[number, number]> = [[0, 1]];
  for (let from = 1; from < M; from *= 2) buckets.push([from, 2 * from]);
  return buckets;
}

const meanOf = (nats: Float64Array, w: number, M: number, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += nats[w * M + i];
  return s / (to - from) / Math.LN2;
};

export function alignedEvaluation(tf: Tf, model: SequenceModel, data: Uint8Array, opts: AlignedEvalOptions): AlignedEvaluation {
  const T = opts.trainLength;
  const longest = Math.max(...opts.multiples);
  const margin = longest * T;
  if (margin + opts.blocks * T + 1 > data.length) {
    throw new RangeError(`evaluation: ${opts.blocks} blocks of ${T} bytes after a ${margin}-byte margin do not fit in ${data.length} bytes`);
  }
  const ends = Array.from({ length: opts.blocks }, (_, j) => margin + (j + 1) * T);
  let curve: PositionBucket[] = [];
  let lastOctaveGains: number[] = [];
  let pairedGains: number[] = [];
  const bpb = opts.multiples.map((multiple) => {
    const M = multiple * T;
    const nats = windowNats(tf, model, data, ends, M, opts.tokensPerPass);
    let bits = 0;
    for (let w = 0; w < ends.length; w++) bits += meanOf(nats, w, M, M - T, M) * T;
    if (multiple === longest && Number.isInteger(Math.log2(M))) {
      curve = octaveBuckets(M).map(([from, to]) => {
        let s = 0;
        for (let w = 0; w < ends.length; w++) s += meanOf(nats, w, M, from, to);
        return { from, to, bpb: s / ends.length };
      });
      if (T >= 4) lastOctaveGains = ends.map((_, w) => meanOf(nats, w, M, T / 4, T / 2) - meanOf(nats, w, M, T / 2, T));
    }
    if (multiple === 1 && T >= 4 && T % 4 === 0) {
      const shifted = windowNats(tf, model, data, ends.map((end) => end - T / 2), T, opts.tokensPerPass);
      pairedGains = ends.map((_, w) => meanOf(nats, w, T, T / 4, T / 2) - meanOf(shifted, w, T, (3 * T) / 4, T));
    }
    return bits / (ends.length * T);
  });
  return { bpb, curveLength: longest * T, curve, lastOctaveGains, pairedGains };
}

/** Mean −log₂ p over the scored bytes, one value per multiple. */
export function alignedBitsPerByte(tf: Tf, model: SequenceModel, data: Uint8Array, opts: AlignedEvalOptions): number[] {
  return alignedEvaluation(tf, model, data, opts).bpb;
}

/** Mean and standard error of the mean. */
export function meanAndSe(xs: number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, se: Math.sqrt(variance / n) };
}
