// Causal long convolution y[b, t, h] = Σ_{l ≤ t} k[h, l]·u[b, t − l, h], the core of DSS/GSS.
//
// fftCausalConv is a tfjs op with its own gradient that runs the FFTs in JavaScript (fft.js) on
// Float64 buffers: tfjs's rfft runs only on the cpu backend, is 100–3000× slower than fft.js and
// has no gradient (see ../shared/STACK.md). Zero-padding to n ≥ 2L turns the circular convolution
// into the linear, causal one. Two real signals that share a kernel travel through one complex FFT
// (u₁ + i·u₂): the kernel's spectrum is Hermitian, so the real and imaginary parts of the inverse
// are the two convolutions.
//
// directCausalConv (a sum over lags, O(L²) per channel, differentiated by tfjs) and
// causalConvReference (plain loops in float64) are the references it is checked against.
import FFT from 'fft.js';
import type { Tf, TF } from '../lm/tf.ts';

const ffts = new Map<number, FFT>();
function fftOfSize(n: number): FFT {
  let f = ffts.get(n);
  if (!f) {
    f = new FFT(n);
    ffts.set(n, f);
  }
  return f;
}

/** The FFT length used for sequences of length L: the smallest power of two ≥ 2L. */
export function fftLength(L: number): number {
  let n = 2;
  while (n < 2 * L) n *= 2;
  return n;
}

/** Spectra of the kernels, one per channel: [H][2n] interleaved complex (full spectrum). */
function kernelSpectra(f: FFT, n: number, k: Float32Array, H: number, L: number): Float64Array[] {
  const real = new Float64Array(n);
  const spectra: Float64Array[] = [];
  for (let h = 0; h < H; h++) {
    real.fill(0);
    for (let l = 0; l < L; l++) real[l] = k[h * L + l];
    const out = new Float64Array(2 * n);
    f.realTransform(out, real);
    f.completeSpectrum(out);
    spectra.push(out);
  }
  return spectra;
}

/** Packs channel h of batch rows b and b + 1 (if any) of x [B, L, H] into z = x_b + i·x_{b+1}, zero-padded. */
function packPair(z: Float64Array, x: Float32Array, b: number, B: number, L: number, H: number, h: number): void {
  z.fill(0);
  const second = b + 1 < B;
  const o1 = b * L * H + h;
  const o2 = (b + 1) * L * H + h;
  for (let t = 0; t < L; t++) {
    z[2 * t] = x[o1 + t * H];
    if (second) z[2 * t + 1] = x[o2 + t * H];
  }
}

/** Writes the first L entries of the real/imaginary parts of z into rows b, b + 1 of out [B, L, H]. */
function unpackPair(out: Float32Array, z: Float64Array, b: number, B: number, L: number, H: number, h: number): void {
  const second = b + 1 < B;
  const o1 = b * L * H + h;
  const o2 = (b + 1) * L * H + h;
  for (let t = 0; t < L; t++) {
    out[o1 + t * H] = z[2 * t];
    if (second) out[o2 + t * H] = z[2 * t + 1];
  }
}

/** z ← z·s (conj(s) when `conjugate`), interleaved complex arrays of equal length. */
function multiplyInPlace(z: Float64Array, s: Float64Array, conjugate: boolean): void {
  const sign = conjugate ? -1 : 1;
  for (let i = 0; i < z.length; i += 2) {
    const zr = z[i];
    const zi = z[i + 1];
    const sr = s[i];
    const si = sign * s[i + 1];
    z[i] = zr * sr - zi * si;
    z[i + 1] = zr * si + zi * sr;
  }
}

function checkShapes(u: TF.Tensor, k: TF.Tensor): { B: number; L: number; H: number } {
  if (u.rank !== 3 || k.rank !== 2) throw new Error(`causal convolution: expected u [B, L, H] and k [H, L], got u [${u.shape}] and k [${k.shape}]`);
  const [B, L, H] = u.shape;
  if (k.shape[0] !== H || k.shape[1] !== L) throw new Error(`causal convolution: kernel must be [H, L] = [${H}, ${L}], got [${k.shape}]`);
  return { B, L, H };
}

/** The forward pass on plain arrays: u [B, L, H], k [H, L] → y [B, L, H]. */
export function fftCausalConvArrays(u: Float32Array, k: Float32Array, B: number, L: number, H: number): Float32Array {
  const n = fftLength(L);
  const f = fftOfSize(n);
  const spectra = kernelSpectra(f, n, k, H, L);
  const y = new Float32Array(B * L * H);
  const z = new Float64Array(2 * n);
  const Z = new Float64Array(2 * n);
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b += 2) {
      packPair(z, u, b, B, L, H, h);
      f.transform(Z, z);
      multiplyInPlace(Z, spectra[h], false);
      f.inverseTransform(z, Z);
      unpackPair(y, z, b, B, L, H, h);
    }
  }
  return y;
}

/**
 * The backward pass on plain arrays, with g = dLoss/dy zero-padded to n:
 * du = irfft(conj(K_f)·G_f)[:L] per (b, h) and dk[h] = Σ_b irfft(conj(U_f)·G_f)[:L].
 * With packed pairs Z_u = U₁ + iU₂, Z_g = G₁ + iG₂, the real part of irfft(Σ conj(Z_u)·Z_g) equals
 * Σ_b irfft(conj(U_b)·G_b) (the cross terms are purely imaginary in the time domain).
 */
export function fftCausalConvGradArrays(
  u: Float32Array, k: Float32Array, g: Float32Array, B: number, L: number, H: number,
): { du: Float32Array; dk: Float32Array } {
  const n = fftLength(L);
  const f = fftOfSize(n);
  const spectra = kernelSpectra(f, n, k, H, L);
  const du = new Float32Array(B * L * H);
  const dk = new Float32Array(H * L);
  const z = new Float64Array(2 * n);
  const Zu = new Float64Array(2 * n);
  const Zg = new Float64Array(2 * n);
  const W = new Float64Array(2 * n);
  for (let h = 0; h < H; h++) {
    W.fill(0);
    for (let b = 0; b < B; b += 2) {
      packPair(z, u, b, B, L, H, h);
      f.transform(Zu, z);
      packPair(z, g, b, B, L, H, h);
      f.transform(Zg, z);
      for (let i = 0; i < 2 * n; i += 2) {
        // W += conj(Zu)·Zg
        W[i] += Zu[i] * Zg[i] + Zu[i + 1] * Zg[i + 1];
        W[i + 1] += Zu[i] * Zg[i + 1] - Zu[i + 1] * Zg[i];
      }
      multiplyInPlace(Zg, spectra[h], true);
      f.inverseTransform(z, Zg);
      unpackPair(du, z, b, B, L, H, h);
    }
    f.inverseTransform(z, W);
    for (let l = 0; l < L; l++) dk[h * L + l] = z[2 * l];
  }
  return { du, dk };
}

/**
 * y = causal convolution of u [B, L, H] (channels last) with per-channel kernels k [H, L], by FFT
 * in O(B·H·L log L). Differentiable in u and k (custom gradient, also by FFT).
 */
export function fftCausalConv(tf: Tf, u: TF.Tensor3D, k: TF.Tensor2D): TF.Tensor3D {
  const { B, L, H } = checkShapes(u, k);
  const op = tf.customGrad(((uT: TF.Tensor3D, kT: TF.Tensor2D, save: (tensors: TF.Tensor[]) => void) => {
    save([uT, kT]);
    const y = fftCausalConvArrays(uT.dataSync() as Float32Array, kT.dataSync() as Float32Array, B, L, H);
    return {
      value: tf.tensor3d(y, [B, L, H]),
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [uS, kS] = saved;
        const { du, dk } = fftCausalConvGradArrays(
          uS.dataSync() as Float32Array, kS.dataSync() as Float32Array, dy.dataSync() as Float32Array, B, L, H,
        );
        return [tf.tensor3d(du, [B, L, H]), tf.tensor2d(dk, [H, L])];
      },
    };
  }) as unknown as Parameters<Tf['customGrad']>[0]);
  return op(u, k) as TF.Tensor3D;
}

/**
 * The same convolution as a sum over lags, y = Σ_l k[:, l] ⊙ (u shifted right by l), O(B·H·L²) work
 * in L small tensor ops, differentiated by tfjs's own autodiff (slice, pad, mul): the direct
 * reference for fftCausalConv's forward and gradient at small L. (tf.depthwiseConv2d and tf.gather
 * would be shorter, but neither has a gradient kernel on the wasm backend.)
 */
export function directCausalConv(tf: Tf, u: TF.Tensor3D, k: TF.Tensor2D): TF.Tensor3D {
  const { B, L, H } = checkShapes(u, k);
  return tf.tidy(() => {
    const terms: TF.Tensor3D[] = [];
    for (let l = 0; l < L; l++) {
      const shifted = l === 0 ? u : tf.pad(tf.slice(u, [0, 0, 0], [B, L - l, H]), [[0, 0], [l, 0], [0, 0]]);
      terms.push(tf.mul(shifted, tf.slice(k, [0, l], [H, 1]).reshape([1, 1, H])));
    }
    return tf.addN(terms);
  });
}

/** Plain float64 loops, u [B, L, H], k [H, L]: the independent reference for tests and kernels. */
export function causalConvReference(u: ArrayLike<number>, k: ArrayLike<number>, B: number, L: number, H: number): Float64Array {
  const y = new Float64Array(B * L * H);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < L; t++) {
        let s = 0;
        for (let l = 0; l <= t; l++) s += k[h * L + l] * u[(b * L + t - l) * H + h];
        y[(b * L + t) * H + h] = s;
      }
    }
  }
  return y;
}
