// The simplified DSS kernel of GSS (Mehta et al. 2022, §3; random init, no step size Δ) and the DSS
// layer y = K ∗ û + D ⊙ û with û = LayerNorm(u).
//
// Parameters per layer: Λ_re, Λ_im ∈ R^N; C_re, C_im ∈ R^{H×N}; D ∈ R^H, all N(0, 1).
//   Λ = −exp(Λ_re) + i·exp(Λ_im)
//   C̃ = (C_re + i·C_im) ⊙ (exp(Λ) − 1)/Λ                       (zero-order hold with Δ = 1)
//   K[h, l] = Re Σ_n C̃[h, n]·exp(Λ_n·l),  l = 0 … L − 1
// tfjs has no differentiable complex arithmetic, so dssKernel evaluates the same formula in real
// arithmetic: with a = exp(Λ_re), b = exp(Λ_im), p = e^{−a}cos b − 1, q = e^{−a}sin b,
//   (e^Λ − 1)/Λ = [(−pa + qb) + i(−qa − pb)] / (a² + b²)
//   K = C̃_re·(e^{−al}cos bl) − C̃_im·(e^{−al}sin bl)            (one [H, 2N]·[2N, L] product)
// dssKernelComplexReference evaluates the complex formula literally in float64 (the check).
import type { Rng } from '../../api/index.ts';
import { linear } from '../lm/linear.ts';
import type { Tf, TF } from '../lm/tf.ts';
import { fftCausalConv } from './fft-conv.ts';
import { gelu, layerNorm } from '../lm/layers.ts';
import { asVector, normalVariable, onesVariable, zerosVariable, type VariableFactory } from './layer-ops.ts';

export interface DSSWeights {
  lambdaRe: TF.Variable; // [N]
  lambdaIm: TF.Variable; // [N]
  cRe: TF.Variable; // [H, N]
  cIm: TF.Variable; // [H, N]
  d: TF.Variable; // [H]
  normGain: TF.Variable; // [H]
  normBias: TF.Variable; // [H]
}

/** The DSS weights for `channels` (H) channels and state size N, all N(0, 1) from `rng` (norm: gain 1, bias 0). */
export function dssWeights(make: VariableFactory, prefix: string, channels: number, stateSize: number, rng: Rng): DSSWeights {
  const H = channels;
  const N = stateSize;
  return {
    lambdaRe: normalVariable(make, `${prefix}.lambda_re`, [N], 1, rng),
    lambdaIm: normalVariable(make, `${prefix}.lambda_im`, [N], 1, rng),
    cRe: normalVariable(make, `${prefix}.c_re`, [H, N], 1, rng),
    cIm: normalVariable(make, `${prefix}.c_im`, [H, N], 1, rng),
    d: normalVariable(make, `${prefix}.d`, [H], 1, rng),
    normGain: onesVariable(make, `${prefix}.norm.g`, [H]),
    normBias: zerosVariable(make, `${prefix}.norm.b`, [H]),
  };
}

/** The kernel K [H, L] in real arithmetic, differentiable in Λ_re, Λ_im, C_re, C_im. */
export function dssKernel(tf: Tf, w: Pick<DSSWeights, 'lambdaRe' | 'lambdaIm' | 'cRe' | 'cIm'>, L: number): TF.Tensor2D {
  return tf.tidy(() => {
    const a = tf.exp(w.lambdaRe); // [N]
    const b = tf.exp(w.lambdaIm);
    const ea = tf.exp(tf.neg(a));
    const p = tf.sub(tf.mul(ea, tf.cos(b)), 1);
    const q = tf.mul(ea, tf.sin(b));
    const den = tf.add(tf.square(a), tf.square(b));
    const fRe = tf.div(tf.sub(tf.mul(q, b), tf.mul(p, a)), den);
    const fIm = tf.div(tf.neg(tf.add(tf.mul(q, a), tf.mul(p, b))), den);
    const cTildeRe = tf.sub(tf.mul(w.cRe, fRe), tf.mul(w.cIm, fIm)); // [H, N]
    const cTildeIm = tf.add(tf.mul(w.cRe, fIm), tf.mul(w.cIm, fRe));
    const positions = tf.range(0, L, 1, 'float32').reshape([1, L]);
    const decay = tf.exp(tf.neg(tf.matMul(a.reshape([-1, 1]), positions))); // [N, L]
    const phase = tf.matMul(b.reshape([-1, 1]), positions);
    const basis = tf.concat([tf.mul(decay, tf.cos(phase)), tf.mul(decay, tf.sin(phase))], 0) as TF.Tensor2D; // [2N, L]
    const coeff = tf.concat([cTildeRe, tf.neg(cTildeIm)], 1) as TF.Tensor2D; // [H, 2N]
    return linear(tf, coeff, basis);
  });
}

/** Plain values of the kernel parameters (for the float64 reference). */
export interface DSSKernelValues {
  lambdaRe: ArrayLike<number>;
  lambdaIm: ArrayLike<number>;
  cRe: ArrayLike<number>; // row-major [H, N]
  cIm: ArrayLike<number>;
  H: number;
  N: number;
}

/** K [H, L] (row-major) from the complex formula, evaluated literally in float64 complex arithmetic. */
export function dssKernelComplexReference(v: DSSKernelValues, L: number): Float64Array {
  const { H, N } = v;
  const K = new Float64Array(H * L);
  for (let n = 0; n < N; n++) {
    const lr = -Math.exp(v.lambdaRe[n]); // Λ = lr + i·li
    const li = Math.exp(v.lambdaIm[n]);
    // z = (exp(Λ) − 1)/Λ
    const er = Math.exp(lr) * Math.cos(li) - 1;
    const ei = Math.exp(lr) * Math.sin(li);
    const m = lr * lr + li * li;
    const zr = (er * lr + ei * li) / m;
    const zi = (ei * lr - er * li) / m;
    for (let h = 0; h < H; h++) {
      const cr = v.cRe[h * N + n];
      const ci = v.cIm[h * N + n];
      const tr = cr * zr - ci * zi; // C̃[h, n]
      const ti = cr * zi + ci * zr;
      for (let l = 0; l < L; l++) {
        // Re(C̃·exp(Λ·l))
        const mag = Math.exp(lr * l);
        K[h * L + l] += mag * (tr * Math.cos(li * l) - ti * Math.sin(li * l));
      }
    }
  }
  return K;
}

/**
 * DSS(u) for u [B, L, H]: û = LayerNorm(u) over the channels, y = K ∗ û (causal, by FFT) + D ⊙ û.
 * The kernel is generated for exactly L positions, so any L works (no positional parameters).
 */
export function dss(tf: Tf, w: DSSWeights, u: TF.Tensor3D): TF.Tensor3D {
  const [B, L, H] = u.shape;
  return tf.tidy(() => {
    const uHat = layerNorm(tf, u.reshape([B * L, H]) as TF.Tensor2D, asVector(w.normGain), asVector(w.normBias)).reshape([B, L, H]) as TF.Tensor3D;
    const K = dssKernel(tf, w, L);
    return tf.add(fftCausalConv(tf, uHat, K), tf.mul(uHat, w.d)) as TF.Tensor3D;
  });
}

/** One block of the DSS language model: x += DSS(x) over all E channels; x += W₂·GELU(W₁·LN(x)) (no gating). */
export interface DSSBlockWeights {
  dss: DSSWeights;
  ffnNormGain: TF.Variable;
  ffnNormBias: TF.Variable;
  w1: TF.Variable; // [E, F]
  b1: TF.Variable;
  w2: TF.Variable; // [F, E]
  b2: TF.Variable;
}

export function dssBlockWeights(make: VariableFactory, prefix: string, dims: { dModel: number; ffn: number; stateSize: number; layers: number }, rng: Rng): DSSBlockWeights {
  const { dModel: E, ffn: F } = dims;
  return {
    dss: dssWeights(make, `${prefix}.dss`, E, dims.stateSize, rng),
    ffnNormGain: onesVariable(make, `${prefix}.ffn.norm.g`, [E]),
    ffnNormBias: zerosVariable(make, `${prefix}.ffn.norm.b`, [E]),
    w1: normalVariable(make, `${prefix}.ffn.w1`, [E, F], 1 / Math.sqrt(E), rng),
    b1: zerosVariable(make, `${prefix}.ffn.b1`, [F]),
    w2: normalVariable(make, `${prefix}.ffn.w2`, [F, E], 0.02 / Math.sqrt(2 * dims.layers), rng),
    b2: zerosVariable(make, `${prefix}.ffn.b2`, [E]),
  };
}

/** x [B·L, E] → [B·L, E]. */
export function dssBlock(tf: Tf, w: DSSBlockWeights, x: TF.Tensor2D, B: number, L: number): TF.Tensor2D {
  const E = x.shape[1];
  const mixed = tf.add(x, dss(tf, w.dss, x.reshape([B, L, E]) as TF.Tensor3D).reshape([B * L, E])) as TF.Tensor2D;
  const h = layerNorm(tf, mixed, asVector(w.ffnNormGain), asVector(w.ffnNormBias));
  const hidden = gelu(tf, linear(tf, h, w.w1 as TF.Tensor as TF.Tensor2D, w.b1 as TF.Tensor as TF.Tensor1D));
  return tf.add(mixed, linear(tf, hidden, w.w2 as TF.Tensor as TF.Tensor2D, w.b2 as TF.Tensor as TF.Tensor1D)) as TF.Tensor2D;
}
