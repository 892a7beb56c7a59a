// Bits per byte at several evaluation lengths on THE SAME scored tokens.
//
// The scored targets are `blocks` consecutive blocks of T = trainLength bytes of the test split,
// starting after a margin of 4T bytes. For an evaluation length M (a multiple of T) block j is
// scored from one window of M inputs that ends where the block ends: only the window's last T
// targets count, so every scored byte is predicted from between M − T and M − 1 bytes of context
// (M = T is exactly the training condition: 0 … T − 1). The same bytes are scored at every M, so
// bpb(2T) − bpb(T) is a paired difference, not a difference between samples.
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

/** Mean −log₂ p over the scored bytes, one value per multiple. */
export function alignedBitsPerByte(tf: Tf, model: SequenceModel, data: Uint8Array, opts: AlignedEvalOptions): number[] {
  const T = opts.trainLength;
  const margin = Math.max(...opts.multiples) * T;
  if (margin + opts.blocks * T + 1 > data.length) {
    throw new RangeError(`evaluation: ${opts.blocks} blocks of ${T} bytes after a ${margin}-byte margin do not fit in ${data.length} bytes`);
  }
  return opts.multiples.map((multiple) => {
    const M = multiple * T;
    const perPass = Math.max(1, Math.floor(opts.tokensPerPass / M));
    let bits = 0;
    let counted = 0;
    for (let first = 0; first < opts.blocks; first += perPass) {
      const rows = Math.min(perPass, opts.blocks - first);
      const inputs = new Int32Array(rows * M);
      const targets = new Int32Array(rows * T);
      for (let r = 0; r < rows; r++) {
        const end = margin + (first + r + 1) * T; // exclusive end of the block's inputs
        for (let i = 0; i < M; i++) inputs[r * M + i] = data[end - M + i];
        for (let i = 0; i < T; i++) targets[r * T + i] = data[end - T + i + 1];
      }
      const nats = tf.tidy(() => {
        const logits = model.logits(tf.tensor2d(inputs, [rows, M], 'int32')) as TF.Tensor3D;
        const last = tf.slice(logits, [0, M - T, 0], [rows, T, model.vocabSize]).reshape([rows * T, model.vocabSize]) as TF.Tensor2D;
        const picked = tf.sum(tf.mul(tf.logSoftmax(last), tf.oneHot(tf.tensor1d(targets, 'int32'), model.vocabSize)), 1);
        return tf.neg(tf.sum(picked));
      });
      bits += (nats.dataSync()[0] as number) / Math.LN2;
      nats.dispose();
      counted += rows * T;
    }
    return bits / counted;
  });
}
