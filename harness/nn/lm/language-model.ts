// The adapter every language model implements, whatever runs it (an in-harness SequenceModel here;
// HTTP and ONNX adapters later). Scoring and generation work on token ids of `tokenizer`.
import { tokenLogProbs } from './evaluate-lm.ts';
import { generate, type GenerateOptions } from './sample.ts';
import type { SequenceModel } from './sequence-model.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { Tf } from './tf.ts';

export interface LanguageModel {
  readonly id: string;
  readonly tokenizer: Tokenizer;
  /** Longest context the model conditions on, or null = unbounded. */
  readonly contextLength: number | null;
  /** ln p(x_t | x_<t) for t = 1..n−1 (see tokenLogProbs for the windowing). */
  tokenLogProbs(ids: ArrayLike<number>): Promise<Float64Array>;
  /** Continuation ids of `prompt` (without the prompt). */
  generate(prompt: ArrayLike<number>, opts: GenerateOptions): Promise<number[]>;
}

/**
 * Wraps a trained SequenceModel. contextLength = opts.window ?? model.maxLength (null when both are
 * absent). tokenLogProbs slides a window of that length (DEFAULT_UNBOUNDED_WINDOW when unbounded;
 * see tokenLogProbs); generate() caps its recomputed context the same way.
 */
export function asLanguageModel(tf: Tf, id: string, model: SequenceModel, tokenizer: Tokenizer, opts: { window?: number } = {}): LanguageModel {
  if (tokenizer.vocabSize > model.vocabSize) {
    throw new RangeError(`asLanguageModel(${id}): tokenizer ${tokenizer.id} has ${tokenizer.vocabSize} tokens but the model only ${model.vocabSize}`);
  }
  const contextLength = opts.window ?? model.maxLength;
  return {
    id,
    tokenizer,
    contextLength,
    tokenLogProbs: async (ids) => tokenLogProbs(tf, model, ids, { window: contextLength ?? undefined }),
    generate: async (prompt, generateOptions) => generate(tf, model, prompt, { ...generateOptions, window: generateOptions.window ?? contextLength ?? undefined }),
  };
}
