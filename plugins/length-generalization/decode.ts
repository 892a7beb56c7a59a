// Batched greedy decoding with EOS detection. Greedy decoding reproduces the target exactly up to
// the first position where the teacher-forced argmax differs from it, so one teacher-forced pass
// settles every fully correct example; only the others are decoded further, token by token, from
// their first deviation (right-padded batches, the whole context recomputed per token).
import type { SequenceModel, Tf } from '../../harness/nn/lm/index.ts';
import { encodeExample, makeBatch, type Vocabulary } from './batching.ts';
import { targetText, type Example } from './examples.ts';

export interface Decoded {
  /** Generated tokens as text, EOS excluded. */
  tokens: string[];
  /** Whether decoding stopped by emitting EOS (else it hit the token limit). */
  eos: boolean;
}

export interface DecodeOptions {
  /** Tokens allowed beyond the target's length before decoding gives up (default 4). */
  slack?: number;
  /** Rows per forward pass (default 64). */
  batch?: number;
}

/** Argmax over the last axis of logits [B, L, V] → [B·L] (ties → lowest id, like generate()). */
function argmaxRows(tf: Tf, model: SequenceModel, ids: Int32Array, B: number, L: number): Int32Array {
  return tf.tidy(() => {
    const x = tf.tensor2d(ids, [B, L], 'int32');
    return tf.argMax(model.logits(x), -1).dataSync() as Int32Array;
  });
}

/**
 * Greedy continuations of every example's prompt. Throws (through the model) when a sequence would
 * exceed model.maxLength; callers skip such examples (learned positions: N/A).
 */
export function greedyDecode(tf: Tf, model: SequenceModel, vocab: Vocabulary, examples: readonly Example[], opts: DecodeOptions = {}): Decoded[] {
  const slack = opts.slack ?? 4;
  const chunk = opts.batch ?? 64;
  const out: Decoded[] = new Array(examples.length);
  const text = (ids: ArrayLike<number>) => Array.from(ids, (id) => vocab.tokenizer.tokens[id]);
  // sequences still being decoded: prompt + generated ids, and the generation limit
  const pending: Array<{ index: number; seq: number[]; generated: number; limit: number }> = [];

  for (let start = 0; start < examples.length; start += chunk) {
    const part = examples.slice(start, start + chunk);
    const batch = makeBatch(vocab, part);
    const L = batch.length;
    const inputs = new Int32Array(part.length * L);
    for (let b = 0; b < part.length; b++) inputs.set(batch.ids.subarray(b * (L + 1), b * (L + 1) + L), b * L);
    const pred = argmaxRows(tf, model, inputs, part.length, L);
    part.forEach((ex, b) => {
      const { prompt, target } = encodeExample(vocab, ex);
      let k = 0;
      while (k < target.length && pred[b * L + prompt.length - 1 + k] === target[k]) k++;
      if (k === target.length) {
        out[start + b] = { tokens: text(target.subarray(0, target.length - 1)), eos: true };
        return;
      }
      const first = pred[b * L + prompt.length - 1 + k];
      const generated = [...target.subarray(0, k), first];
      if (first === vocab.eos) {
        out[start + b] = { tokens: text(generated.slice(0, -1)), eos: true };
        return;
      }
      let limit = targetText(ex).length + 1 + slack;
      // learned positions: never feed more than maxLength tokens
      if (model.maxLength !== null) limit = Math.min(limit, model.maxLength - prompt.length + 1);
      const seq = [...prompt, ...generated];
      if (generated.length >= limit) out[start + b] = { tokens: text(generated), eos: false };
      else pending.push({ index: start + b, seq, generated: generated.length, limit });
    });
  }

  // continue the wrong ones, a batch of rows at a time
  for (let start = 0; start < pending.length; start += chunk) {
    let rows = pending.slice(start, start + chunk);
    while (rows.length) {
      const L = Math.max(...rows.map((r) => r.seq.length));
      const ids = new Int32Array(rows.length * L).fill(vocab.pad);
      rows.forEach((r, b) => ids.set(r.seq, b * L));
      const pred = argmaxRows(tf, model, ids, rows.length, L);
      const still: typeof rows = [];
      rows.forEach((r, b) => {
        const next = pred[b * L + r.seq.length - 1];
        const promptLength = r.seq.length - r.generated;
        if (next === vocab.eos) {
          out[r.index] = { tokens: text(r.seq.slice(promptLength)), eos: true };
          return;
        }
        r.seq.push(next);
        r.generated++;
        if (r.generated >= r.limit) out[r.index] = { tokens: text(r.seq.slice(promptLength)), eos: false };
        else still.push(r);
      });
      rows = still;
    }
  }
  return out;
}
