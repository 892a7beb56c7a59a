// Methods = the in-box language models. Each runs its task's own protocol (the task's `evaluate`,
// protocols.ts), exactly what a `--model` (ONNX, HTTP) gets on the same task.
import type { LanguageModelFactory, Method, Params, RunContext } from '../../harness/api/index.ts';
import { ppmLanguageModel } from './models.ts';
import { runInstance, type Instance, type Output } from './protocols.ts';
import { transformerLanguageModel } from './transformer.ts';

const TASKS = ['needle-retrieval', 'multi-needle-retrieval', 'cumulative-nll'];

/** The models this plugin ships, also usable anywhere as `builtin:gemini-long-context/<id>`. */
export const models: Record<string, LanguageModelFactory> = {
  'ppm-6': () => ppmLanguageModel(6),
  'transformer-w256': (ctx: RunContext, params: Params) => transformerLanguageModel(ctx, params),
};

/** A method that evaluates the model `load` returns; `maxNllTokens` caps the NLL document for slow models. */
export function languageModelMethod(load: LanguageModelFactory, defaults: { maxNllTokens?: number } = {}): Method<Instance, Output> {
  return {
    task: TASKS,
    async run(ctx, inst, params) {
      const lm = await load(ctx, params);
      try {
        const maxNllTokens = (params.maxNllTokens as number | undefined) ?? defaults.maxNllTokens;
        return await runInstance(lm, inst, { maxNllTokens });
      } finally {
        await lm.close();
      }
    },
  };
}

export const methods: Record<string, Method<Instance, Output>> = {
  'ppm-6': languageModelMethod(models['ppm-6']),
  'transformer-w256': languageModelMethod(models['transformer-w256'], { maxNllTokens: 4096 }),
};
