// The contract every trainable sequence model of the LM stack implements (Transformer here; GSS/DSS
// in the gss plugin). The trainer, the evaluators, the sampler and the LanguageModel adapter work
// against this interface only.
import type { TF } from './tf.ts';

/**
 * Optional fast path for autoregressive decoding of ONE sequence (batch 1): the model keeps a cache
 * (e.g. attention keys/values, or a recurrent state) so each new token costs O(context) instead of a
 * full recomputation. generate() uses it when present and recomputes from scratch otherwise.
 */
export interface IncrementalDecoder {
  /** Number of tokens consumed so far. */
  readonly position: number;
  /**
   * Consumes `ids` (≥ 1 token, appended after the ones already consumed) and returns the logits
   * (length vocabSize) predicting the token that follows the last of them.
   */
  append(ids: ArrayLike<number>): Float32Array;
  /** Frees the cache's tensors. */
  dispose(): void;
}

/**
 * Decoding of B sequences in lockstep with one cache: every call appends n tokens to each sequence, so
 * all sequences always hold the same number of tokens (callers feed prompts of different lengths
 * token by token, see generateBatch).
 */
export interface BatchDecoder {
  readonly batch: number;
  /** Tokens consumed so far by each sequence. */
  readonly position: number;
  /** ids: batch × n row-major (sequence-major); returns batch × vocabSize logits after each sequence's last token. */
  append(ids: ArrayLike<number>, n: number): Float32Array;
  dispose(): void;
}

export interface SequenceModel {
  /** Short model-family name ("transformer-rope", "gss", …) for logs and cache keys. */
  readonly kind: string;
  readonly vocabSize: number;
  /** Longest input it accepts, or null when unbounded (RoPE/ALiBi/none/sinusoidal/GSS). */
  readonly maxLength: number | null;
  /** Every trainable variable, in a fixed order (serializeModel relies on the order and the names). */
  readonly variables: TF.Variable[];
  paramCount(): number;
  /**
   * ids: [B, L] int32 → logits [B, L, vocab]; logits[:, t] predicts token t+1 and depends only on
   * ids[:, ≤ t] (causal). `training` enables dropout if the model has any.
   * Throws a clear error when L > maxLength.
   */
  logits(ids: TF.Tensor2D, opts?: { training?: boolean }): TF.Tensor3D;
  /** Optional KV-cache / recurrent decoding; see IncrementalDecoder. */
  decoder?(): IncrementalDecoder;
  /** Optional batched KV-cache decoding; see BatchDecoder. */
  batchDecoder?(batch: number): BatchDecoder;
  dispose(): void;
}

/** Sum of the sizes of a list of variables. */
export function countParams(variables: readonly TF.Variable[]): number {
  return variables.reduce((sum, v) => sum + v.size, 0);
}

/** Throws a clear error when an input of `length` tokens exceeds a model's maxLength. */
export function assertLength(model: Pick<SequenceModel, 'kind' | 'maxLength'>, length: number): void {
  if (model.maxLength !== null && length > model.maxLength) {
    throw new RangeError(
      `${model.kind}: input of ${length} tokens is longer than the model's maximum of ${model.maxLength} (learned positions cannot run past the training length)`,
    );
  }
}
