// Plugin `algorithmic-prompting`: "Teaching Algorithmic Reasoning via In-context Learning"
// (arXiv 2211.09066). Exact traces of the paper's prompts for any language model in context, and a
// fine-tuning analogue of the format effect with tiny Transformers trained in the harness.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { additionFinetune, finetuneMethods } from './finetune-task.ts';
import { iclTasks } from './icl.ts';
import { kernels } from './kernels.ts';

export default definePlugin({
  tasks: {
    'icl-parity': iclTasks.parity,
    'icl-addition': iclTasks.addition,
    'icl-subtraction': iclTasks.subtraction,
    'icl-multiplication': iclTasks.multiplication,
    'icl-accumulation': iclTasks.accumulation,
    'icl-composition': iclTasks.composition,
    'addition-finetune': additionFinetune,
  },
  methods: finetuneMethods,
  kernels,
  claims,
});
