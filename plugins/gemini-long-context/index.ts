// Plugin `gemini-long-context`: Gemini 1.5's long-context diagnostics (arXiv 2403.05530, §5.2.1) as an
// evaluation suite for any LanguageModel: exact-match needle retrieval (single and multi-needle) and the
// cumulative NLL by position with its power-law fit.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods, models } from './methods.ts';
import { cumulativeNllTask, multiNeedleRetrieval, needleRetrieval } from './tasks.ts';
import { mtobLiteTranslation, mtobMethods } from './mtob-task.ts';

export default definePlugin({
  tasks: { 'needle-retrieval': needleRetrieval, 'multi-needle-retrieval': multiNeedleRetrieval, 'cumulative-nll': cumulativeNllTask, 'mtob-lite-translation': mtobLiteTranslation },
  methods: { ...methods, ...mtobMethods },
  models,
  kernels,
  claims,
});
