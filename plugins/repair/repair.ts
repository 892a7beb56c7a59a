// REPAIR: reset the statistics of each hidden pre-activation of the interpolated network θ_α to
// μ* = (1−α)μ_A + αμ_B and σ* = (1−α)σ_A + ασ_B, then fold the reset into the weights.
import type * as TF from '@tensorflow/tfjs';
import type { ImageSet } from '../../datasets/mnist.ts';
import type { Tf, Weights } from '../../harness/nn/index.ts';
import { cloneWeights, denseLayers, foldAffine } from './mlp.ts';
import type { PairedMoments, UnitMoments } from './statistics.ts';

/** BatchNorm's ε, as in the reset layers of the official notebooks. */
export const RESET_EPS = 1e-5;

/** Per-unit goal statistics of the interpolated network's hidden pre-activations at α. */
export interface ResetTargets {
  mean: Float64Array;
  std: Float64Array;
}

/** μ* and σ* (standard deviations interpolated, not variances) from A's and (aligned) B's moments. */
export function resetTargets(a: UnitMoments[], b: UnitMoments[], alpha: number): ResetTargets[] {
  return a.map((ma, l) => ({
    mean: ma.mean.map((m, j) => (1 - alpha) * m + alpha * b[l].mean[j]),
    std: ma.variance.map((v, j) => (1 - alpha) * Math.sqrt(v) + alpha * Math.sqrt(b[l].variance[j])),
  }));
}

/**
 * The forward-pass ("exact") variant: walks the network layer by layer over `calib`; at each hidden
 * layer it measures the mean and variance of the pre-activations that the already-reset earlier layers
 * produce, and folds y = σ*·(z − E z)/√(Var z + ε) + μ* into that layer. This is the fixed point that the
 * notebooks' reset layers reach with all resets active (they average per-batch statistics in train mode);
 * here every statistic is over the whole calibration set. Returns the repaired copy of `w`.
 */
export function repairForwardPass(tf: Tf, w: Weights, targets: ResetTargets[], calib: ImageSet, eps = RESET_EPS): Weights {
  const out = cloneWeights(w);
  const { hidden } = denseLayers(out);
  if (targets.length !== hidden.length) throw new Error(`repairForwardPass: ${targets.length} targets for ${hidden.length} hidden layers`);
  const d = calib.x.length / calib.n;
  let x: TF.Tensor2D = tf.tensor2d(calib.x, [calib.n, d]);
  try {
    hidden.forEach((layer, l) => {
      const h = layer.units;
      const z = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d(out.tensors[layer.kernelName].data, [layer.fanIn, h])), tf.tensor1d(out.tensors[layer.biasName].data)) as TF.Tensor2D);
      const values = z.dataSync() as Float32Array;
      const mean = new Float64Array(h);
      const sq = new Float64Array(h);
      for (let r = 0; r < calib.n; r++) {
        for (let j = 0; j < h; j++) {
          const v = values[r * h + j];
          mean[j] += v;
          sq[j] += v * v;
        }
      }
      const scale = new Float64Array(h);
      const shift = new Float64Array(h);
      for (let j = 0; j < h; j++) {
        mean[j] /= calib.n;
        const variance = Math.max(0, sq[j] / calib.n - mean[j] ** 2);
        scale[j] = targets[l].std[j] / Math.sqrt(variance + eps);
        shift[j] = targets[l].mean[j] - scale[j] * mean[j];
      }
      foldAffine(out, layer, scale, shift);
      const next = tf.tidy(() => tf.relu(tf.add(tf.mul(z, tf.tensor1d(Float32Array.from(scale))), tf.tensor1d(Float32Array.from(shift)))) as TF.Tensor2D);
      z.dispose();
      x.dispose();
      x = next;
    });
  } finally {
    x.dispose();
  }
  return out;
}

/**
 * The closed-form variant: assume the interpolated pre-activation is z_α = (1−α)z_A + αz_B (exact at the
 * first layer), so E z_α = (1−α)μ_A + αμ_B and Var z_α = (1−α)²σ_A² + α²σ_B² + 2α(1−α)cov(z_A, z_B);
 * fold scale = σ* / √(Var z_α + ε), shift = μ* − scale·E z_α into every hidden layer. No forward pass of θ_α.
 */
export function repairClosedForm(w: Weights, moments: PairedMoments[], alpha: number, eps = RESET_EPS): Weights {
  const out = cloneWeights(w);
  const { hidden } = denseLayers(out);
  if (moments.length !== hidden.length) throw new Error(`repairClosedForm: moments for ${moments.length} layers, network has ${hidden.length}`);
  const targets = resetTargets(moments.map((m) => m.a), moments.map((m) => m.b), alpha);
  hidden.forEach((layer, l) => {
    const { a, b, covariance } = moments[l];
    const h = layer.units;
    const scale = new Float64Array(h);
    const shift = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      const predictedMean = (1 - alpha) * a.mean[j] + alpha * b.mean[j];
      const predictedVar = Math.max(0, (1 - alpha) ** 2 * a.variance[j] + alpha ** 2 * b.variance[j] + 2 * alpha * (1 - alpha) * covariance[j]);
      scale[j] = targets[l].std[j] / Math.sqrt(predictedVar + eps);
      shift[j] = targets[l].mean[j] - scale[j] * predictedMean;
    }
    foldAffine(out, layer, scale, shift);
  });
  return out;
}

/** The closed form's predicted first-layer moments of θ_α (exact: the first layer is linear in θ). */
export function closedFormFirstLayer(m: PairedMoments, alpha: number): UnitMoments {
  return {
    mean: m.a.mean.map((x, j) => (1 - alpha) * x + alpha * m.b.mean[j]),
    variance: m.a.variance.map((v, j) => (1 - alpha) ** 2 * v + alpha ** 2 * m.b.variance[j] + 2 * alpha * (1 - alpha) * m.covariance[j]),
  };
}
