// The in-harness language models behind the shared LanguageModel adapter: the online PPM model over
// cl100k tokens (unbounded context) and a tiny RoPE Transformer over bytes evaluated with a hard
// sliding window of 256 tokens, trained to retrieve needles inside that window.
import type { RunContext } from '../../harness/api/index.ts';
import type { LanguageModel } from '../../harness/nn/lm/language-model.ts';
import type { GenerateOptions } from '../../harness/nn/lm/sample.ts';
import { PpmModel, ppmGreedy, ppmLogProbs } from './ppm.ts';
import { cl100kTokenizer } from './tokenizers.ts';

/** The online PPM model: every call reads its input from scratch, so calls are independent and deterministic. */
export async function ppmLanguageModel(order = 6): Promise<LanguageModel> {
  const tokenizer = await cl100kTokenizer();
  const opts = { order, vocabSize: tokenizer.vocabSize };
  return {
    id: `ppm-${order}`,
    tokenizer,
    contextLength: null,
    tokenLogProbs: async (ids) => ppmLogProbs(ids, opts),
    generate: async (prompt, g: GenerateOptions) => {
      if ((g.temperature ?? 0) !== 0) throw new RangeError(`ppm-${order} decodes greedily only (temperature 0), got temperature ${g.temperature}`);
      return ppmGreedy(prompt, g.maxTokens, { ...opts, stop: g.stop });
    },
  };
}

/** Re-exported for kernels and tests. */
export { PpmModel };

/**
 * Caps what a model sees to its last `window` tokens, generation included: the prompt is cut to its
 * last window − maxTokens tokens before generating, so recall beyond the window measures the window.
 */
export function windowed(lm: LanguageModel, window: number): LanguageModel {
  return {
    ...lm,
    contextLength: window,
    generate: (prompt, g) => {
      const keep = Math.max(1, window - g.maxTokens);
      const cut = prompt.length > keep ? Array.prototype.slice.call(prompt, prompt.length - keep) : prompt;
      return lm.generate(cut, g);
    },
  };
}

/** A factory a method uses to get its model inside a unit (training or loading cached weights). */
export type ModelFactory = (ctx: RunContext, params: Record<string, unknown>) => Promise<LanguageModel>;
