// The plugin's tasks: extrapolating the released learning curves, and the Fig. 2 logistic toy.
import type { Json, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { loadBenchmarkCurves, type Curve, type Domain } from './curves.ts';
import type { ScalingFit } from './estimators.ts';
import { extrapolationError } from './metrics.ts';
import { logisticToyCurve, splitByCutoff } from './toy.ts';

export const DATASET = 'scaling-laws';
/** Bayes risk of the toy: the label-flip probability δ (Sec. 3, Fig. 2). */
export const TOY_DELTA = 0.2;

/** What every estimator receives: the fit split, the points to predict, and the domain's settings. */
export interface CurveSplit {
  id: string;
  domain: Domain | 'toy';
  fitX: Float64Array;
  fitY: Float64Array;
  testX: Float64Array;
  testY: Float64Array;
}

export interface Extrapolation {
  fit: ScalingFit;
  predicted: Float64Array;
}

// Parsed once per worker: every unit of the suite reads the same two files.
const curvesByDir = new Map<string, Curve[]>();

export async function benchmarkCurves(dataset: (id: string) => Promise<string>): Promise<Curve[]> {
  const dir = await dataset(DATASET);
  let curves = curvesByDir.get(dir);
  if (!curves) curvesByDir.set(dir, (curves = loadBenchmarkCurves(dir)));
  return curves;
}

function score(split: CurveSplit, output: Extrapolation, extra: Record<string, number> = {}): ScoreResult {
  const { rmse, se } = extrapolationError(output.predicted, split.testY);
  const { fit } = output;
  const metrics: Record<string, number> = { 'extrapolation-rmse': rmse, 'extrapolation-rmse-se': se, 'fit-points': split.fitX.length, ...extra };
  const diagnostics: Record<string, number> = { beta: fit.beta, c: fit.c, 'eps-inf': fit.epsInf, 'eps-0': fit.eps0, alpha: fit.alpha, gamma: fit.gamma };
  // Parameters an estimator does not have are NaN in the fit; they are left out, not reported as NaN.
  for (const [name, value] of Object.entries(diagnostics)) if (!Number.isNaN(value)) metrics[name] = value;
  return {
    metrics,
    records: Array.from(split.testX, (x, i) => ({ x, observed: split.testY[i], predicted: output.predicted[i] })),
  };
}

/** RMSE and its standard error again, from the kept (x, observed, predicted) records. */
function scoreRecords(records: Json[]): Record<string, number> {
  const points = records as Array<{ observed: number; predicted: number }>;
  const { rmse, se } = extrapolationError(points.map((p) => p.predicted), points.map((p) => p.observed));
  return { 'extrapolation-rmse': rmse, 'extrapolation-rmse-se': se };
}

export const extrapolate: Task<CurveSplit, Extrapolation> = {
  version: 1,
  async prepare(ctx: RunContext, params) {
    const curves = await benchmarkCurves(ctx.dataset);
    const curve = curves.find((c) => c.id === params.curve);
    if (!curve) throw new Error(`no curve "${params.curve}" in the scaling-laws dataset (${curves.length} curves)`);
    return curve;
  },
  score: (_ctx, split, output) => score(split, output),
  scoreRecords,
};

export const logisticToy: Task<CurveSplit, Extrapolation> = {
  version: 1,
  prepare(ctx: RunContext, params) {
    const tau = params.tau as number;
    const curve = logisticToyCurve(() => ctx.rng.next(), { delta: TOY_DELTA });
    return { id: `toy/tau=${tau}`, domain: 'toy', ...splitByCutoff(curve, tau) };
  },
  score: (_ctx, split, output) =>
    score(split, output, Number.isNaN(output.fit.epsInf) ? {} : { 'eps-inf-error': Math.abs(output.fit.epsInf - TOY_DELTA) }),
  scoreRecords,
};
