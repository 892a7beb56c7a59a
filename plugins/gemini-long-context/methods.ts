// Methods = language models. Each runs the same protocol (protocols.ts) on every task through the
// LanguageModel adapter; an external HTTP or ONNX model becomes a method the same way.
import type { Method, Params, RunContext } from '../../harness/api/index.ts';
import type { LanguageModel } from '../../harness/nn/lm/language-model.ts';
import { ppmLanguageModel } from './models.ts';
import { runInstance, type Instance, type Output } from './protocols.ts';
import { transformerLanguageModel } from './transformer.ts';

const TASKS = ['needle-retrieval', 'multi-needle-retrieval', 'cumulative-nll'];

/** A method that evaluates the model `load` returns; `maxNllTokens` caps the NLL document for slow models. */
export function languageModelMethod(load: (ctx: RunContext, params: Params) => Promise<LanguageModel>, defaults: { maxNllTokens?: number } = {}): Method<Instance, Output> {
  return {
    task: TASKS,
    async run(ctx, inst, params) {
      const lm = await load(ctx, params);
      const maxNllTokens = (params.maxNllTokens as number | undefined) ?? defaults.maxNllTokens;
      return runInstance(lm, inst, { maxNllTokens });
    },
  };
}

export const methods: Record<string, Method<Instance, Output>> = {
  'ppm-6': languageModelMethod(() => ppmLanguageModel(6)),
  'transformer-w256': languageModelMethod((ctx, params) => transformerLanguageModel(ctx, params), { maxNllTokens: 4096 }),
};
