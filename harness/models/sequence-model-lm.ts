// A trained SequenceModel of the shared LM stack (harness/nn/lm) as a LanguageModel: scoring slides a
// window over long sequences, generation uses the model's KV cache when it has one. Transformers can
// also write themselves as an ONNX decoder folder (`harness export`).
import type { LanguageModel, ModelDescriptor } from '../api/language-model.ts';
import { tokenLogProbs } from '../nn/lm/evaluate-lm.ts';
import { generate, generateBatch } from '../nn/lm/sample.ts';
import type { SequenceModel } from '../nn/lm/sequence-model.ts';
import type { Tokenizer } from '../nn/lm/tokenizer.ts';
import type { Tf } from '../nn/lm/tf.ts';
import type { TransformerLM } from '../nn/lm/transformer.ts';
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

/** A LanguageModel that can write itself as an ONNX decoder folder (model.onnx, config.json,
 * tokenizer.json, tokenizer_config.json in Hugging Face Optimum's layout) that `onnx:<dir>` opens. */
export interface OnnxExportable {
  exportOnnx(dir: string): Promise<void>;
}

/**
 * Wraps a trained SequenceModel. contextLength = opts.window ?? model.maxLength (null when both are
 * absent). tokenLogProbs slides a window of that length; generation caps its recomputed context the same way.
 * A transformerLM gets `exportOnnx` (its config.json records contextLength, so the ONNX model scores
 * with the same window).
 */
export function asLanguageModel(tf: Tf, name: string, model: SequenceModel, tokenizer: Tokenizer, opts: SequenceModelLMOptions = {}): LocalLanguageModel & Partial<OnnxExportable> {
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
  const lm = localLanguageModel(descriptor, tokenizer, {
    eos: opts.eos,
    tokenLogProbs: (ids) => tokenLogProbs(tf, model, ids, { window: contextLength ?? undefined }),
    generate: (prompt, g) => generate(tf, model, prompt, { ...g, window: contextLength ?? undefined }),
    // batched decoding only where the whole context fits the cache (no window to slide)
    generateBatch: model.batchDecoder && contextLength === model.maxLength ? (prompts, g, rngs) => generateBatch(tf, model, prompts, g, rngs) : undefined,
  });
  if (!isTransformerLM(model)) return lm;
  const exportOnnx = async (dir: string) => {
    const { exportTransformerOnnx } = await import('../nn/lm/export-onnx.ts');
    exportTransformerOnnx(model, tokenizer, dir, { eos: opts.eos, contextLength });
  };
  return { ...lm, exportOnnx };
}

function isTransformerLM(model: SequenceModel): model is TransformerLM {
  return model.kind.startsWith('transformer-') && typeof (model as Partial<TransformerLM>).config === 'object';
}

export type { LanguageModel };
