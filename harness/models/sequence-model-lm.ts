// A trained SequenceModel of the shared LM stack (harness/nn/lm) as a LanguageModel: scoring slides a
// window over long sequences, generation uses the model's KV cache when it has one.
import type { LanguageModel, ModelDescriptor } from '../api/language-model.ts';
import { tokenLogProbs } from '../nn/lm/evaluate-lm.ts';
import { generate } from '../nn/lm/sample.ts';
import type { SequenceModel } from '../nn/lm/sequence-model.ts';
import type { Tokenizer } from '../nn/lm/tokenizer.ts';
import type { Tf } from '../nn/lm/tf.ts';
import type { Json } from '../api/types.ts';
import { localLanguageModel, type LocalLanguageModel } from './local.ts';

export interface SequenceModelLMOptions {
  /** Longest context fed at once (default the model's maxLength; unbounded models use DEFAULT_UNBOUNDED_WINDOW for scoring). */
  window?: number;
  /** Identity beside the model's kind and tokenizer (e.g. a weights sha256). */
  identity?: { [key: string]: Json };
  /** End-of-sequence ids of the tokenizer. */
  eos?: number[];
}

/**
 * Wraps a trained SequenceModel. contextLength = opts.window ?? model.maxLength (null when both are
 * absent). tokenLogProbs slides a window of that length; generation caps its recomputed context the same way.
 */
export function asLanguageModel(tf: Tf, name: string, model: SequenceModel, tokenizer: Tokenizer, opts: SequenceModelLMOptions = {}): LocalLanguageModel {
  if (tokenizer.vocabSize > model.vocabSize) {
    throw new RangeError(`asLanguageModel(${name}): tokenizer ${tokenizer.id} has ${tokenizer.vocabSize} tokens but the model only ${model.vocabSize}`);
  }
  const contextLength = opts.window ?? model.maxLength;
  const descriptor: ModelDescriptor = {
    name,
    kind: 'builtin',
    identity: { model: model.kind, tokenizer: tokenizer.id, params: model.paramCount(), ...(opts.identity ?? {}) },
    contextLength,
    chat: false,
    logprobs: true,
  };
  return localLanguageModel(descriptor, tokenizer, {
    eos: opts.eos,
    tokenLogProbs: (ids) => tokenLogProbs(tf, model, ids, { window: contextLength ?? undefined }),
    generate: (prompt, g) => generate(tf, model, prompt, { ...g, window: contextLength ?? undefined }),
  });
}

export type { LanguageModel };
