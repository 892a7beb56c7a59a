// Plugin `repair`: neuron alignment and REPAIR of interpolated MNIST MLPs (arXiv 2211.08403).
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods } from './methods.ts';
import { interpolationBarrier } from './tasks.ts';

export default definePlugin({
  tasks: { 'interpolation-barrier': interpolationBarrier },
  methods,
  kernels,
  claims,
});
