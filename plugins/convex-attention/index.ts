// Plugin `convex-attention`: the convex reformulation of input-independent attention (arXiv 2211.11052, §3).
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods } from './methods.ts';
import { equivalence, grokking, sparsity } from './tasks.ts';

export default definePlugin({
  tasks: { equivalence, sparsity, grokking },
  methods,
  kernels,
  claims,
});
