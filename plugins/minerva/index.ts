// Plugin `minerva`: the quantitative-reasoning evaluation of Minerva (arXiv 2206.14858) for any
// LanguageModel — the 4-shot MATH prompt, Appendix-D normalization, LaTeX equivalence, greedy
// pass@1, maj1@k and pass@k — with golden checks of the pipeline and an in-box char-level model.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods, models } from './methods.ts';
import { equivalenceGoldenTask, mathEval, normalizationGoldenTask } from './tasks.ts';

export default definePlugin({
  tasks: { 'math-eval': mathEval, 'normalization-golden': normalizationGoldenTask, 'equivalence-golden': equivalenceGoldenTask },
  methods,
  models,
  kernels,
  claims,
});
