// The competitors: the four estimators as released, and two variants of M4 kept apart from them.
import type { Method } from '../../harness/api/index.ts';
import { fitEstimator, m4OptionsForDomain, predictLoss, predictLossBisection, type EstimatorName, type M4Options, type ScalingFit } from './estimators.ts';
import { TOY_RANDOM_GUESS, type CurveSplit, type Extrapolation } from './tasks.ts';

const TASKS = ['extrapolate', 'logistic-toy'];

/**
 * M4's settings: the released notebook's per domain; for the toy, the notebook's IC pattern (ε0
 * starts at the random-guess error, is updated, and is bounded by it + 1e-3) with the toy's own
 * random-guess error 0.5 (binary labels) instead of IC's 1.0 (Sec. 3: ε0 is the loss at the
 * random-guessing level). The form needs ε0 > every fitted ε: where a tiny-n point is worse than
 * chance (ε ≥ 0.5), ε0 starts and stays just above the largest one (max ε + 1e-3).
 */
export function m4Options(split: CurveSplit): M4Options {
  if (split.domain !== 'toy') return m4OptionsForDomain(split.domain);
  const top = split.fitY.reduce((a, b) => Math.max(a, b), -Infinity);
  if (top < TOY_RANDOM_GUESS) return { errInf: null, err0: TOY_RANDOM_GUESS, updateErr0: true, upBound: TOY_RANDOM_GUESS };
  return { errInf: null, err0: top + 1e-3, updateErr0: true, upBound: top };
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
