// Kernels, each checked against an independent direct computation before it is timed:
//   fft-causal-conv           FFT causal convolution forward (fft.js) vs the O(B·H·L²) sum
//   fft-causal-conv-backward  its custom gradient (du, dk) vs the direct analytic gradient
//   dss-kernel                the real-arithmetic DSS kernel (tfjs) vs the complex formula (float64)
//   causal-attention          causal softmax attention forward (tfjs, 4 heads, d_head 32) vs loops
// B = 8, H = 32 match the PyTorch reference timings of ../shared/STACK.md (FFT conv fwd+bwd).
import type { Kernel, KernelSize } from '../../harness/api/index.ts';
import { loadTensorBackend } from '../../harness/backends/tensors.ts';
import { batchMatMul, type Tf } from '../../harness/nn/lm/index.ts';
import { MASKED } from '../../harness/nn/lm/positional.ts';
import type { TF } from '../../harness/nn/lm/tf.ts';
import {
  causalConvReference, dssKernel, dssKernelComplexReference, fftCausalConvArrays, fftCausalConvGradArrays, type DSSKernelValues,
} from '../../harness/nn/ssm/index.ts';
import { causalConvGradReference } from './conv-check.ts';

const tensors = async (): Promise<Tf> => (await loadTensorBackend('auto')).tf as Tf;

function scaledMaxDiff(tol: number, label: string) {
  return (actual: ArrayLike<number>, expected: ArrayLike<number>): string | null => {
    if (actual.length !== expected.length) return `${label}: length ${actual.length} ≠ ${expected.length}`;
    let diff = 0;
    let scale = 1;
    for (let i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return diff / scale <= tol ? null : `${label}: max |Δ| / max(1, max |ref|) = ${(diff / scale).toExponential(2)} > ${tol}`;
  };
}

interface ConvInput { u: Float32Array; k: Float32Array; g: Float32Array; B: number; L: number; H: number }
const convSizes: KernelSize[] = [256, 1024, 4096].map((L) => ({ B: 8, H: 32, L }));
function convSetup(size: KernelSize, rng: { normal(): number }): ConvInput {
  const { B, H, L } = size;
  const u = Float32Array.from({ length: B * L * H }, () => rng.normal());
  const k = Float32Array.from({ length: H * L }, (_, i) => rng.normal() * Math.exp(-(i % L) / 64));
  const g = Float32Array.from({ length: B * L * H }, () => rng.normal());
  return { u, k, g, B, L, H };
}

const fftCausalConv: Kernel<ConvInput, ArrayLike<number>> = {
  sizes: convSizes,
  setup: convSetup,
  run: ({ u, k, B, L, H }) => fftCausalConvArrays(u, k, B, L, H),
  reference: ({ u, k, B, L, H }) => causalConvReference(u, k, B, L, H),
  // the claim's bound (spec acceptance 1): max |Δ| < 1e-4 in fp32
  check: (actual, expected) => scaledMaxDiff(1e-4, 'y')(actual, expected),
  items: (size) => size.B * size.H * size.L,
};

const fftCausalConvBackward: Kernel<ConvInput, { du: ArrayLike<number>; dk: ArrayLike<number> }> = {
  sizes: convSizes,
  setup: convSetup,
  run: ({ u, k, g, B, L, H }) => fftCausalConvGradArrays(u, k, g, B, L, H),
  reference: ({ u, k, g, B, L, H }) => causalConvGradReference(u, k, g, B, L, H),
  check: (actual, expected) => scaledMaxDiff(1e-5, 'du')(actual.du, expected.du) ?? scaledMaxDiff(1e-5, 'dk')(actual.dk, expected.dk),
  items: (size) => size.B * size.H * size.L,
};

interface KernelGenInput { tf: Tf; values: DSSKernelValues; vars: { lambdaRe: TF.Variable; lambdaIm: TF.Variable; cRe: TF.Variable; cIm: TF.Variable }; L: number }
const dssKernelGeneration: Kernel<KernelGenInput, ArrayLike<number>> = {
  sizes: [256, 1024, 4096].map((L) => ({ H: 32, N: 64, L })),
  async setup(size, rng) {
    const tf = await tensors();
    const { H, N, L } = size;
    const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const values = { lambdaRe: normal(N), lambdaIm: normal(N), cRe: normal(H * N), cIm: normal(H * N), H, N };
    const vars = {
      lambdaRe: tf.variable(tf.tensor1d(values.lambdaRe)), lambdaIm: tf.variable(tf.tensor1d(values.lambdaIm)),
      cRe: tf.variable(tf.tensor2d(values.cRe, [H, N])), cIm: tf.variable(tf.tensor2d(values.cIm, [H, N])),
    };
    return { tf, values, vars, L };
  },
  run({ tf, vars, L }) {
    const K = dssKernel(tf, vars, L);
    const out = K.dataSync() as Float32Array;
    K.dispose();
    return out;
  },
  reference: ({ values, L }) => dssKernelComplexReference(values, L),
  check: (actual, expected) => scaledMaxDiff(1e-4, 'K')(actual, expected),
  items: (size) => size.H * size.L,
};

interface AttentionInput { tf: Tf; q: Float32Array; k: Float32Array; v: Float32Array; mask: Float32Array; heads: number; L: number; dh: number }
const causalAttention: Kernel<AttentionInput, ArrayLike<number>> = {
  sizes: [256, 1024, 2048].map((L) => ({ heads: 4, dh: 32, L })),
  async setup(size, rng) {
    const { heads, L, dh } = size;
    const normal = () => Float32Array.from({ length: heads * L * dh }, () => rng.normal());
    const mask = new Float32Array(L * L); // additive causal mask, built once (not timed)
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) mask[i * L + j] = MASKED;
    return { tf: await tensors(), q: normal(), k: normal(), v: normal(), mask, heads, L, dh };
  },
  run({ tf, q, k, v, mask, heads, L, dh }) {
    const out = tf.tidy(() => {
      const Q = tf.tensor3d(q, [heads, L, dh]);
      const K = tf.tensor3d(k, [heads, L, dh]);
      const V = tf.tensor3d(v, [heads, L, dh]);
      const scores = tf.add(tf.mul(batchMatMul(tf, Q, tf.transpose(K, [0, 2, 1])), 1 / Math.sqrt(dh)), tf.tensor2d(mask, [L, L]));
      return batchMatMul(tf, tf.softmax(scores) as TF.Tensor3D, V);
    });
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  },
  reference({ q, k, v, heads, L, dh }) {
    const out = new Float64Array(heads * L * dh);
    const p = new Float64Array(L);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < L; i++) {
        let max = -Infinity;
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let c = 0; c < dh; c++) s += q[(h * L + i) * dh + c] * k[(h * L + j) * dh + c];
          p[j] = s / Math.sqrt(dh);
          max = Math.max(max, p[j]);
        }
        let z = 0;
        for (let j = 0; j <= i; j++) z += p[j] = Math.exp(p[j] - max);
        for (let j = 0; j <= i; j++) for (let c = 0; c < dh; c++) out[(h * L + i) * dh + c] += (p[j] / z) * v[(h * L + j) * dh + c];
      }
    }
    return out;
  },
  check: (actual, expected) => scaledMaxDiff(1e-4, 'attention output')(actual, expected),
  items: (size) => size.heads * size.L,
};

export const kernels: Record<string, Kernel<any, any>> = {
  'fft-causal-conv': fftCausalConv,
  'fft-causal-conv-backward': fftCausalConvBackward,
  'dss-kernel': dssKernelGeneration,
  'causal-attention': causalAttention,
};
