// Task `interpolation-barrier`: a pair of MNIST MLPs trained from different seeds, and what every
// alignment/REPAIR method on that pair needs (endpoint statistics, the activation-matching alignment).
import type { Json, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { splitMnist, type ImageSet } from '../../datasets/mnist.ts';
import { evaluate, mlpSpec, trainNetCached, type NetSpec, type Optimizer, type Tf, type Weights } from '../../harness/nn/index.ts';
import { alphaGrid, alphaLabel, maxLossBarrier, midpointAccuracyBarrier, midpointLossBarrier, relativeReduction, type Endpoints } from './barriers.ts';
import { alignByActivations } from './matching.ts';
import { interpolateWeights, permuteHiddenUnits } from './mlp.ts';
import { pairStatistics, type UnitMoments } from './statistics.ts';

/** One fixed split for every pair and width, so pairs differ only in their training seeds. */
export const SPLIT_SEED = 0;
/** Full-MNIST pixel mean and standard deviation: the official notebooks normalize the inputs with them. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
/** Adam at 1e-3 (constant), a recorded deviation from the notebooks' SGD: see the README. */
export const OPTIMIZER: Optimizer = { kind: 'adam', lr: 1e-3 };
/** The annealing stage after `epochs` at OPTIMIZER: Adam at a tenth of its rate (`annealEpochs`), from
 * the first stage's weights with fresh moments — a step-decay stand-in for the notebooks' schedule that
 * decays to 0, so that the endpoints converge on the training split (README, *Endpoint training*). */
export const ANNEAL_OPTIMIZER: Optimizer = { kind: 'adam', lr: 1e-4 };

export interface BarrierParams {
  width: number;
  depth: number;
  /** Epochs at OPTIMIZER. */
  epochs: number;
  /** Further epochs at ANNEAL_OPTIMIZER (0: none). */
  annealEpochs: number;
  batchSize: number;
  train: number;
  test: number;
  /** Examples from the start of the training split used for REPAIR's statistics and variance ratios. */
  calib: number;
  /** Points of the α grid (odd). */
  alphas: number;
}

export function resolveParams(params: Params): BarrierParams {
  const int = (name: string, fallback: number | undefined, min: number): number => {
    const v = params[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`interpolation-barrier: "${name}" must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const p: BarrierParams = {
    width: int('width', undefined, 2),
    depth: int('depth', undefined, 1),
    epochs: int('epochs', undefined, 1),
    annealEpochs: int('annealEpochs', 0, 0),
    batchSize: int('batchSize', 128, 1),
    train: int('train', 8000, 10),
    test: int('test', 2000, 10),
    calib: int('calib', 5000, 10),
    alphas: int('alphas', 21, 3),
  };
  if (p.calib > p.train) throw new Error(`interpolation-barrier: calib (${p.calib}) cannot exceed train (${p.train}): the calibration rows are taken from the training split`);
  alphaGrid(p.alphas);
  return p;
}

export interface PreparedPair {
  params: BarrierParams;
  spec: NetSpec;
  alphas: number[];
  train: ImageSet;
  calib: ImageSet;
  test: ImageSet;
  a: Weights;
  b: Weights;
  seeds: [number, number];
  endpoints: Endpoints;
  logitsB: Float32Array;
  /** Pre-activation moments of A and of B (B in its own unit order) on the calibration rows. */
  momentsA: UnitMoments[];
  momentsB: UnitMoments[];
  /** Post-ReLU correlation matrices on the training split (rows: A's units, columns: B's units). */
  correlations: Float64Array[];
  /** Time of the pass that forms the correlations (and, on the way, the calibration moments). */
  corrMs: number;
  activation: { perms: Int32Array[]; lapMs: number; maxLogitDelta: number; accDelta: number };
  /** Midpoint barriers of activation matching without REPAIR (the reference of `rel-reduction-*`). */
  reference: { midLoss: number; midAcc: number };
}

const normalized = (set: ImageSet): ImageSet => ({ x: set.x.map((v) => (v - MNIST_MEAN) / MNIST_STD), y: set.y, n: set.n });
const head = (set: ImageSet, n: number): ImageSet => {
  const d = set.x.length / set.n;
  return { x: set.x.subarray(0, n * d), y: set.y.subarray(0, n), n };
};

export function maxAbsDifference(x: Float32Array, y: Float32Array): number {
  let m = 0;
  for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k] - y[k]));
  return m;
}

export async function preparePair(ctx: RunContext, raw: Params): Promise<PreparedPair> {
  const params = resolveParams(raw);
  const tf = (await ctx.tensors()).tf as Tf;
  const split = splitMnist(SPLIT_SEED, { train: params.train, calib: 0, test: params.test });
  const train = normalized(split.train);
  const test = normalized(split.test);
  const calib = head(train, params.calib);
  const spec = mlpSpec(Array.from({ length: params.depth }, () => params.width));
  // suite seed s trains the pair (2s + 1, 2s + 2): seeds 0, 1, 2 give the spec's pairs (1, 2), (3, 4), (5, 6)
  const seeds: [number, number] = [2 * ctx.seedIndex + 1, 2 * ctx.seedIndex + 2];
  const key = { plugin: 'repair', data: 'mnist-normalized', split: SPLIT_SEED };
  const total = params.epochs + params.annealEpochs;
  const trainOne = async (seed: number, part: number) => {
    const progress = (offset: number, epochs: number) => (f: number, note: string) =>
      ctx.progress((part + (offset + f * epochs) / total) / 2.2, `network ${part === 0 ? 'A' : 'B'}: ${note}`);
    const first = await trainNetCached(ctx, key, spec, train, {
      epochs: params.epochs, batchSize: params.batchSize, optimizer: OPTIMIZER, seed, onProgress: progress(0, params.epochs),
    });
    if (params.annealEpochs === 0) return first;
    return trainNetCached(ctx, key, spec, train, {
      epochs: params.annealEpochs, batchSize: params.batchSize, optimizer: ANNEAL_OPTIMIZER, seed, init: first,
      onProgress: progress(params.epochs, params.annealEpochs),
    });
  };
  const a = await trainOne(seeds[0], 0);
  const b = await trainOne(seeds[1], 1);
  ctx.progress(2 / 2.2, 'statistics');
  const evalA = evaluate(tf, spec, a, test);
  const evalB = evaluate(tf, spec, b, test);
  const endpoints: Endpoints = { lossA: evalA.loss, lossB: evalB.loss, accA: evalA.acc, accB: evalB.acc };
  const t0 = performance.now();
  // calib is the prefix of train, so one pass gives the correlations and the calibration moments
  const { correlations, momentsA, momentsB } = pairStatistics(tf, spec, a, b, train, calib.n);
  const corrMs = performance.now() - t0;
  const { perms, lapMs } = alignByActivations(correlations);
  const aligned = permuteHiddenUnits(b, perms);
  const evalAligned = evaluate(tf, spec, aligned, test);
  const mid = evaluate(tf, spec, interpolateWeights(a, aligned, 0.5), test);
  ctx.progress(1, 'prepared');
  return {
    params, spec, alphas: alphaGrid(params.alphas), train, calib, test, a, b, seeds, endpoints, logitsB: evalB.logits,
    momentsA, momentsB, correlations, corrMs,
    activation: { perms, lapMs, maxLogitDelta: maxAbsDifference(evalB.logits, evalAligned.logits), accDelta: Math.abs(evalAligned.acc - evalB.acc) },
    reference: { midLoss: midpointLossBarrier(mid.loss, endpoints), midAcc: midpointAccuracyBarrier(mid.acc, endpoints) },
  };
}

/** What a method hands to `score`: the evaluated α curve and what it measured on the way. */
export interface CurveOutput {
  alphas: number[];
  loss: number[];
  acc: number[];
  /** Per hidden layer, at α = ½: Σ Var_α / Σ ½(Var_A + Var_B) of the pre-activations (calibration rows). */
  varianceRatios: number[];
  /** Mean matched post-ReLU correlation under the method's permutation (identity for `naive`). */
  lapObjective: number;
  /** max |logit(B) − logit(π(B))| on the test split, and |acc(B) − acc(π(B))|. */
  permMaxLogitDelta: number;
  permAccDelta: number;
  timings: { lapMs?: number; corrMs?: number; repairMs?: number };
  /** Weight-matching sweeps until no layer improved. */
  sweeps?: number;
}

export const interpolationBarrier: Task<PreparedPair, CurveOutput> = {
  version: 1,
  prepare: preparePair,
  score(_ctx, p, out): ScoreResult {
    const metrics: Record<string, number> = {};
    out.alphas.forEach((alpha, k) => {
      metrics[`loss-at-${alphaLabel(alpha)}`] = out.loss[k];
      metrics[`acc-at-${alphaLabel(alpha)}`] = out.acc[k];
    });
    const half = out.alphas.indexOf(0.5);
    const midLoss = midpointLossBarrier(out.loss[half], p.endpoints);
    const midAcc = midpointAccuracyBarrier(out.acc[half], p.endpoints);
    metrics['barrier-mid-loss'] = midLoss;
    metrics['barrier-mid-acc'] = midAcc;
    metrics['barrier-max-loss'] = maxLossBarrier(out.alphas, out.loss, p.endpoints);
    metrics['rel-reduction-loss'] = relativeReduction(midLoss, p.reference.midLoss);
    metrics['rel-reduction-acc'] = relativeReduction(midAcc, p.reference.midAcc);
    out.varianceRatios.forEach((r, l) => (metrics[`var-ratio-layer-${l + 1}`] = r));
    const deviations = out.varianceRatios.map((r) => Math.abs(r - 1));
    metrics['var-ratio-mean-dev'] = deviations.reduce((s, x) => s + x, 0) / deviations.length;
    metrics['var-ratio-max-dev'] = Math.max(...deviations);
    metrics['lap-objective'] = out.lapObjective;
    metrics['perm-max-logit-delta'] = out.permMaxLogitDelta;
    metrics['perm-acc-delta'] = out.permAccDelta;
    metrics['endpoint-loss'] = 0.5 * (p.endpoints.lossA + p.endpoints.lossB);
    metrics['endpoint-acc'] = 0.5 * (p.endpoints.accA + p.endpoints.accB);
    if (out.timings.lapMs !== undefined) metrics['lap-ms'] = out.timings.lapMs;
    if (out.timings.corrMs !== undefined) metrics['corr-ms'] = out.timings.corrMs;
    if (out.timings.repairMs !== undefined) metrics['repair-ms'] = out.timings.repairMs;
    if (out.sweeps !== undefined) metrics['match-sweeps'] = out.sweeps;
    const records: Json[] = out.alphas.map((alpha, k) => ({ alpha, loss: out.loss[k], acc: out.acc[k] }));
    records.push({ seeds: p.seeds, endpoints: { ...p.endpoints }, varianceRatios: out.varianceRatios });
    return { metrics, records };
  },
};
