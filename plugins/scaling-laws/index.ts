// Plugin `scaling-laws`: the learning-curve estimators M1–M4 of arXiv 2209.06640.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods } from './methods.ts';
import { benchmarkCurves, extrapolate, logisticToy } from './tasks.ts';

export default definePlugin({
  tasks: { extrapolate, 'logistic-toy': logisticToy },
  methods,
  kernels,
  claims,
  paramSources: {
    /** One param set per released curve: { domain, curve }. */
    curves: async ({ dataset }) => (await benchmarkCurves(dataset)).map((c) => ({ domain: c.domain, curve: c.id })),
  },
});
