// The in-harness language models behind the shared LanguageModel contract: the online PPM model over
// cl100k tokens (unbounded context) and a tiny RoPE Transformer over bytes evaluated with a hard
// sliding window of 256 tokens, trained to retrieve needles inside that window.
import type { Completion, LanguageModel, SamplingOptions } from '../../harness/api/index.ts';
import { localLanguageModel, type LocalLanguageModel } from '../../harness/models/local.ts';
import { PpmModel, ppmGreedy, ppmLogProbs } from './ppm.ts';
import { cl100kTokenizer } from './tokenizers.ts';

/** The online PPM model: every call reads its input from scratch, so calls are independent and deterministic. */
export async function ppmLanguageModel(order = 6): Promise<LocalLanguageModel> {
  const tokenizer = await cl100kTokenizer();
  const opts = { order, vocabSize: tokenizer.vocabSize };
  const name = `ppm-${order}`;
  return localLanguageModel(
    { name, kind: 'builtin', identity: { model: 'ppm', order, tokenizer: tokenizer.id }, contextLength: null, chat: false, logprobs: true },
    tokenizer,
    {
      tokenLogProbs: (ids) => ppmLogProbs(ids, opts),
      generate: (prompt, g) => {
        if (g.temperature !== 0) throw new RangeError(`${name} decodes greedily only (temperature 0), got temperature ${g.temperature}`);
        return ppmGreedy(prompt, g.maxTokens, { ...opts, stop: g.stop });
      },
    },
  );
}

/** Re-exported for kernels and tests. */
export { PpmModel };

/**
 * Caps what a model sees to its last `window` tokens, generation included: the prompt is cut to its
 * last window − maxTokens tokens before generating, so recall beyond the window measures the window.
 */
export function windowed(lm: LocalLanguageModel, window: number): LocalLanguageModel {
  const complete = async (prompt: string | ArrayLike<number>, g: SamplingOptions): Promise<Completion[]> => {
    const ids = typeof prompt === 'string' ? lm.tokenizer.encode(prompt) : prompt;
    const keep = Math.max(1, window - g.maxTokens);
    const cut = ids.length > keep ? Array.prototype.slice.call(ids, ids.length - keep) : ids;
    return lm.complete(cut, g);
  };
  return { ...lm, descriptor: { ...lm.descriptor, contextLength: window, identity: { ...lm.descriptor.identity, window } }, complete, completeMany: undefined };
}

export type { LanguageModel };
