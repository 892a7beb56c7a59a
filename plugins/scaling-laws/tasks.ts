// The plugin's tasks: extrapolating the released learning curves, and the Fig. 2 logistic toy.
import type { BudgetName, Json, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { createRng, deriveSeed } from '../../harness/api/index.ts';
import { loadBenchmarkCurves, type Curve, type Domain } from './curves.ts';
import type { ScalingFit } from './estimators.ts';
import { extrapolationError } from './metrics.ts';
import { logisticToyCurve, splitByCutoff, type LearningCurve } from './toy.ts';

export const DATASET = 'scaling-laws';
/** Bayes risk of the toy: the label-flip probability δ (Sec. 3, Fig. 2). */
export const TOY_DELTA = 0.2;
/** The toy's random-guess error: M4's ε0 (Sec. 3: "ε0 = loss at the random-guessing level"). */
export const TOY_RANDOM_GUESS = 0.5;

/** The toy's grid of training-set sizes n = 2^4 … 2^maxLog2 with `pointsPerOctave` sizes per doubling,
 * by budget unless the params set them. 2^18 ≈ 262k examples brings the curve to ≈ 0.207, near its 0.2
 * floor; four points per octave leave four extrapolation points above n_max/2. */
export const TOY_GRID: Record<BudgetName, { maxLog2: number; pointsPerOctave: number }> = {
  smoke: { maxLog2: 12, pointsPerOctave: 4 },
  standard: { maxLog2: 16, pointsPerOctave: 4 },
  full: { maxLog2: 18, pointsPerOctave: 4 },
};

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

/** The toy's learning curve for a seed index. It depends on the seed index and the grid only, not on τ
 * or the suite, so every cutoff of a seed splits the same curve (as in Fig. 2), and it is kept in the
 * artifact cache: generating it is the costly part of a toy unit (n up to 2^18, d = 100). */
async function toyCurve(ctx: RunContext, params: Params): Promise<LearningCurve> {
  const grid = TOY_GRID[ctx.budget];
  const options = {
    delta: TOY_DELTA,
    maxLog2: (params.maxLog2 as number | undefined) ?? grid.maxLog2,
    pointsPerOctave: (params.pointsPerOctave as number | undefined) ?? grid.pointsPerOctave,
  };
  const key = JSON.stringify(['logistic-toy-curve', options, ctx.seedIndex]);
  return ctx.cache.json(key, () => {
    const rng = createRng(deriveSeed(['scaling-laws/logistic-toy', ctx.seedIndex]));
    return logisticToyCurve(() => rng.next(), options);
  });
}

export const logisticToy: Task<CurveSplit, Extrapolation> = {
  version: 2,
  async prepare(ctx: RunContext, params) {
    const tau = params.tau as number;
    const curve = await toyCurve(ctx, params);
    return { id: `toy/tau=${tau}`, domain: 'toy', ...splitByCutoff(curve, tau) };
  },
  score: (_ctx, split, output) =>
    score(split, output, Number.isNaN(output.fit.epsInf) ? {} : { 'eps-inf-error': Math.abs(output.fit.epsInf - TOY_DELTA) }),
  scoreRecords,
};
