// Plugin `lates`: layer-stack temperature scaling (arXiv 2211.10193) against temperature scaling and MC dropout on MNIST.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods } from './methods.ts';
import { calibration, calibrationMc } from './tasks.ts';

export default definePlugin({
  tasks: { calibration, 'calibration-mc': calibrationMc },
  methods,
  kernels,
  claims,
});
