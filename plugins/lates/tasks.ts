// Task `calibration`: one (architecture, test shift, seed) cell. prepare() trains the backbone (cached per
// arch × seed, so all shifts and methods share it), trains one linear head per hidden block, and computes
// per-layer logits on the calibration split, the clean test split and (for a shift) the shifted test
// split once; the methods only turn those logits into probabilities. Task `calibration-mc` is the same
// cell for a network with dropout, with MC-dropout passes added (its methods include MC dropout).
import type { Json, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { deriveSeed } from '../../harness/api/index.ts';
import { weightsToTensors, type NetSpec, type Tf } from '../../harness/nn/index.ts';
import { MNIST_SHIFTS, shiftImages, splitMnist, subsetImages, type ImageSet } from '../../datasets/mnist.ts';
import {
  accuracy, brierScore, softmaxRows, expectedCalibrationError, misclassificationAuroc, negativeLogLikelihood, predictions, reliabilityBins, shiftDetectionAuroc,
} from './calibration-metrics.ts';
import type { LayerLogits } from './fit.ts';
import { backboneWithHeads, decodePasses, encodePasses, layerLogits, runNetwork, type ArchId, type BackboneConfig } from './layer-logits.ts';

/** Spec split: 7,000 / 1,500 / 1,500 (train / calibration / test). */
export const SPLIT = { train: 7000, calib: 1500, test: 1500 } as const;
export const MC_PASSES = 20;
/** Backbone epochs when the suite does not set them: 10 for every network, inside the spec's 8–15.
 * (Up to suite v2 the CNNs had 3, when their convolutions trained on tfjs-wasm only; the ONNX
 * training engine trains them, see README.) */
export const DEFAULT_EPOCHS: Record<ArchId, number> = { 'mlp-4': 10, 'mlp-dropout': 10, 'lenet-5': 10, 'vgg-mini': 10, 'resnet-mini': 10 };

export interface CalibrationCell {
  arch: ArchId;
  /** 'clean' or a shift id of datasets/mnist.ts. */
  shift: string;
  classes: number;
  layerCount: number;
  calib: LayerLogits;
  /** The clean test split (needed on shifted cells too, for shift detection). */
  test: LayerLogits;
  shifted: LayerLogits | null;
  /** MC-dropout passes (pass → per-layer logits), only on `calibration-mc`. */
  mc: { calib: Float32Array[][]; test: Float32Array[][]; shifted: Float32Array[][] | null } | null;
  backbone: { trainSize: number; epochs: number; testAcc: number };
}

/** What every method returns: probabilities on each split, and how they were obtained. */
export interface CalibratedOutput {
  probs: { calib: Float64Array; test: Float64Array; shifted: Float64Array | null };
  /** Per-layer weights w_ℓ of the applied combination (uncalibrated: e_L; TS: e_L/T). */
  weights: Float64Array;
  temperature: number | null;
  fit: { ms: number; iterations: number; gradNorm: number; converged: boolean } | null;
}

function configOf(params: Params): BackboneConfig {
  return {
    arch: params.arch as ArchId,
    trainSize: (params.trainSize as number | undefined) ?? SPLIT.train,
    epochs: (params.epochs as number | undefined) ?? DEFAULT_EPOCHS[params.arch as ArchId],
    lr: (params.lr as number | undefined) ?? 1e-3,
    batchSize: (params.batchSize as number | undefined) ?? 128,
    headEpochs: (params.headEpochs as number | undefined) ?? 5,
  };
}

const hasDropout = (spec: NetSpec) => (spec.classifierDropout ?? 0) > 0 || spec.layers.some((l) => l.kind === 'dense' && (l.dropout ?? 0) > 0);

async function prepareCell(ctx: RunContext, params: Params, withMc: boolean): Promise<CalibrationCell> {
  const config = configOf(params);
  const shift = params.shift as string;
  if (shift !== 'clean' && !MNIST_SHIFTS.includes(shift)) throw new Error(`unknown shift "${shift}"; expected "clean" or one of ${MNIST_SHIFTS.join(', ')}`);
  // data, split and shift depend on the seed index only, so every shift cell of an arch × seed shares them
  const split = splitMnist(deriveSeed(['lates-split', ctx.seedIndex]), SPLIT);
  const train = config.trainSize < split.train.n ? subsetImages(split.train, Array.from({ length: config.trainSize }, (_, i) => i)) : split.train;
  const tf = (await ctx.tensors()).tf as Tf;
  const { spec, weights, heads, backboneKey } = await backboneWithHeads(ctx, tf, config, train);
  if (withMc && !hasDropout(spec)) throw new Error(`architecture "${config.arch}" has no dropout layers: MC dropout needs one (use mlp-dropout)`);
  const shiftedSet: ImageSet | null = shift === 'clean' ? null : shiftImages(split.test, shift, deriveSeed(['lates-shift', shift, ctx.seedIndex]));
  const tensors = weightsToTensors(tf, weights);
  try {
    ctx.progress(0.85, 'per-layer logits');
    // per-layer logits of a set, one list per pass (one deterministic pass, or MC passes with
    // seeded masks shared by every method of the cell); stored as Float32 whether cached or not
    const passesOf = (set: ImageSet, label: string, passes: number | null) => {
      const seeds = passes === null ? [undefined] : Array.from({ length: passes }, (_, t) => deriveSeed(['lates-mc', config.arch, ctx.seedIndex, label, t]));
      return encodePasses(seeds.map((dropoutSeed) => layerLogits(heads, runNetwork(tf, spec, tensors, set, { dropoutSeed }))));
    };
    // the calibration and clean test splits do not depend on the shift: computed once per arch × seed
    const cachedPasses = async (set: ImageSet, label: string, passes: number | null) =>
      decodePasses(await ctx.cache.bytes(JSON.stringify(['lates-logits', backboneKey, label, passes]), () => passesOf(set, label, passes)));
    const wrap = (set: ImageSet, layers: Float32Array[]): LayerLogits => ({ layers, labels: set.y, classes: spec.classes });
    const calib = wrap(split.calib, (await cachedPasses(split.calib, 'calib', null))[0]);
    const test = wrap(split.test, (await cachedPasses(split.test, 'test', null))[0]);
    const shifted = shiftedSet && wrap(shiftedSet, decodePasses(passesOf(shiftedSet, `shift-${shift}`, null))[0]);
    let mc: CalibrationCell['mc'] = null;
    if (withMc) {
      const passes = (params.mcPasses as number | undefined) ?? MC_PASSES;
      mc = {
        calib: await cachedPasses(split.calib, 'calib', passes),
        test: await cachedPasses(split.test, 'test', passes),
        shifted: shiftedSet && decodePasses(passesOf(shiftedSet, `shift-${shift}`, passes)),
      };
    }
    const testAcc = accuracy(predictions(softmaxRows(test.layers[test.layers.length - 1], spec.classes), test.labels, spec.classes));
    return { arch: config.arch, shift, classes: spec.classes, layerCount: calib.layers.length, calib, test, shifted, mc, backbone: { trainSize: train.n, epochs: config.epochs, testAcc } };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Metrics of one method on one cell: on the cell's test set (clean, or shifted on a shift cell). */
export function scoreCell(cell: CalibrationCell, out: CalibratedOutput): ScoreResult {
  const evalSet = cell.shifted ?? cell.test;
  const evalProbs = cell.shifted ? out.probs.shifted : out.probs.test;
  if (!evalProbs) throw new Error('the method returned no probabilities for the shifted test set');
  const C = cell.classes;
  const pred = predictions(evalProbs, evalSet.labels, C);
  const metrics: Record<string, number> = {
    acc: accuracy(pred),
    nll: negativeLogLikelihood(evalProbs, evalSet.labels, C),
    'ece-15': expectedCalibrationError(pred.conf, pred.correct),
    brier: brierScore(evalProbs, evalSet.labels, C),
    'calib-nll': negativeLogLikelihood(out.probs.calib, cell.calib.labels, C),
  };
  const misAuc = misclassificationAuroc(pred);
  if (misAuc !== null) metrics['auroc-misclassification'] = misAuc;
  if (cell.shifted) {
    const clean = predictions(out.probs.test, cell.test.labels, C);
    const shiftAuc = shiftDetectionAuroc(clean.conf, pred.conf);
    if (shiftAuc !== null) metrics['auroc-shift'] = shiftAuc;
  }
  if (out.temperature !== null) metrics.temperature = out.temperature;
  out.weights.forEach((w, l) => (metrics[`w-layer-${l + 1}`] = w));
  metrics['nonlast-vote-share'] = voteShare(cell.calib, out.weights);
  if (out.fit) {
    metrics['fit-ms'] = out.fit.ms;
    metrics['fit-iterations'] = out.fit.iterations;
    metrics['fit-grad-norm'] = out.fit.gradNorm;
  }
  const records: Json[] = [{
    arch: cell.arch, shift: cell.shift, layers: cell.layerCount, weights: Array.from(out.weights), temperature: out.temperature,
    converged: out.fit?.converged ?? null, backbone: cell.backbone,
    reliability: reliabilityBins(pred.conf, pred.correct).map((b) => ({ ...b })),
  }];
  return { metrics, records };
}

/** Share of the combined logits' RMS contributed by the layers before the last: Σ_{ℓ<L} rms(w_ℓ Z_ℓ) / Σ_ℓ rms(w_ℓ Z_ℓ)
 * on the calibration split (raw w_ℓ are not comparable across layers whose logits have different scales). */
export function voteShare(data: LayerLogits, w: ArrayLike<number>): number {
  const rms = data.layers.map((z, l) => {
    let s = 0;
    for (let k = 0; k < z.length; k++) s += (w[l] * z[k]) ** 2;
    return Math.sqrt(s / z.length);
  });
  const total = rms.reduce((a, b) => a + b, 0);
  return total > 0 ? (total - rms[rms.length - 1]) / total : 0;
}

export const calibration: Task<CalibrationCell, CalibratedOutput> = {
  version: 1,
  prepare: (ctx, params) => prepareCell(ctx, params, false),
  score: (_ctx, cell, out) => scoreCell(cell, out),
};

export const calibrationMc: Task<CalibrationCell, CalibratedOutput> = {
  version: 1,
  prepare: (ctx, params) => prepareCell(ctx, params, true),
  score: (_ctx, cell, out) => scoreCell(cell, out),
};
