// The competitors: the four estimators as released, and two variants of M4 kept apart from them.
import type { Method } from '../../harness/api/index.ts';
import { fitEstimator, m4OptionsForDomain, predictLoss, predictLossBisection, type EstimatorName, type M4Options, type ScalingFit } from './estimators.ts';
import type { CurveSplit, Extrapolation } from './tasks.ts';

const TASKS = ['extrapolate', 'logistic-toy'];

/** The toy is a classification error curve, so M4 gets the released notebook's IC settings. */
export function m4Options(split: CurveSplit): M4Options {
  return m4OptionsForDomain(split.domain === 'toy' ? 'IC' : split.domain);
}

function estimator(
  name: EstimatorName,
  variant: { m4?: Partial<M4Options>; predict?: (fit: ScalingFit, x: Float64Array) => Float64Array } = {},
): Method<CurveSplit, Extrapolation> {
  return {
    task: TASKS,
    run(_ctx, split) {
      const fit = fitEstimator(name, split.fitX, split.fitY, { m4: { ...m4Options(split), ...variant.m4 } });
      const predicted = (variant.predict ?? predictLoss)(fit, split.testX);
      return { fit, predicted };
    },
  };
}

export const methods = {
  m1: estimator('M1'),
  m2: estimator('M2'),
  m3: estimator('M3'),
  m4: estimator('M4'),
  'm4-bisection': estimator('M4', { predict: predictLossBisection }),
  'm4-corrected': estimator('M4', { m4: { freeLogBeta: true, refreshErr0Column: true } }),
};
