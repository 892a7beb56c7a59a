// Plugin `length-generalization`: the fine-tuning results of "Exploring Length Generalization in
// Large Language Models" (arXiv 2207.04901) with tiny Transformers trained from scratch.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods } from './methods.ts';
import { parity, variableAssignment } from './tasks.ts';

export default definePlugin({
  tasks: { parity, 'variable-assignment': variableAssignment },
  methods,
  kernels,
  claims,
});
