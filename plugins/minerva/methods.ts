// Methods: the in-box char-level models (each runs the task's own protocol, exactly what a `--model`
// gets) and the pipeline's own implementations checked against the golden sets.
import type { LanguageModelFactory, Method, Params, RunContext } from '../../harness/api/index.ts';
import { isEquiv } from './equivalence.ts';
import type { EquivalenceCase, NormalizationCase } from './golden.ts';
import { mathCharLanguageModel } from './model.ts';
import { runEvaluation, type EvalInstance, type EvalOutput } from './protocols.ts';
import { runAppendixD, type EquivalenceOutput, type NormalizationOutput } from './tasks.ts';

/** Share of math-solution rows in training: all of them, or a quarter (the rest prose) at equal steps. */
export const MATH_FRACTIONS = { 'char-lm-math': 1, 'char-lm-mixed': 0.25 } as const;

/** The models this plugin ships, also usable anywhere as `builtin:minerva/<id>`. */
export const models: Record<string, LanguageModelFactory> = {
  'char-lm-math': (ctx: RunContext, params: Params) => mathCharLanguageModel(ctx, params, 'char-lm-math', MATH_FRACTIONS['char-lm-math']),
  'char-lm-mixed': (ctx: RunContext, params: Params) => mathCharLanguageModel(ctx, params, 'char-lm-mixed', MATH_FRACTIONS['char-lm-mixed']),
};

/**
 * A method evaluating the model `load` returns with the task's protocol. Method param `maxSamples`
 * lowers the task's sample count for this method only (the data-mix comparison needs greedy only).
 */
export function languageModelMethod(load: LanguageModelFactory): Method<EvalInstance, EvalOutput> {
  return {
    task: 'math-eval',
    async run(ctx, inst, params) {
      const lm = await load(ctx, params);
      try {
        const samples = Math.min(inst.samples, (params.maxSamples as number | undefined) ?? inst.samples);
        return await runEvaluation(lm, { ...inst, samples }, (done) => ctx.progress(0.5 + (0.5 * done) / inst.problems.length, `${done}/${inst.problems.length} problems`));
      } finally {
        await lm.close();
      }
    },
  };
}

export const methods = {
  'char-lm-math': languageModelMethod(models['char-lm-math']),
  'char-lm-mixed': languageModelMethod(models['char-lm-mixed']),
  'appendix-d': { task: 'normalization-golden', run: (_ctx, cases) => runAppendixD(cases) } satisfies Method<NormalizationCase[], NormalizationOutput>,
  'compute-engine': {
    task: 'equivalence-golden',
    run: (_ctx, cases) => ({ verdicts: cases.map((c) => isEquiv(c.a, c.b)) }),
  } satisfies Method<EquivalenceCase[], EquivalenceOutput>,
};
