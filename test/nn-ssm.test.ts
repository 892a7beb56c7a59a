// The state-space layers of harness/nn/ssm: the FFT causal convolution against direct sums and
// finite differences, the real-arithmetic DSS kernel against the complex formula, and the GSS/DSS
// language models (parameter counts, causality, any length, training lowers the loss).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import type { Tf, TF } from '../harness/nn/lm/tf.ts';
import { trainLM } from '../harness/nn/lm/train-lm.ts';
import {
  causalConvReference, directCausalConv, dssKernel, dssKernelComplexReference, dssLM, DSS_LM_SMALL,
  fftCausalConv, fftCausalConvArrays, fftCausalConvGradArrays, gssLM, GSS_LM_SMALL,
} from '../harness/nn/ssm/index.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const normals = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

test('a hand-checked causal convolution: golden values from numpy.convolve of a DSS kernel', () => {
  // Golden produced offline with numpy: Λ = −exp(Λ_re) + i·exp(Λ_im), C̃ = C(e^Λ − 1)/Λ,
  // K[l] = Re Σ_n C̃_n e^{Λ_n l} for Λ_re = [0, −0.5], Λ_im = [0, 0.3], C = [1 + 0.5i, −0.25 + i], L = 5;
  // then np.convolve(u, K)[:5] for u = [1, −2, 0.5, 3, 0].
  const K = dssKernelComplexReference({ lambdaRe: [0, -0.5], lambdaIm: [0, 0.3], cRe: [1, -0.25], cIm: [0.5, 1], H: 1, N: 2 }, 5);
  const kGolden = [-0.105853, -0.39201202, -0.00423829, 0.08912431, 0.00421659];
  assert.ok(maxAbsDiff(K, kGolden) < 1e-7, `kernel ${Array.from(K)}`);
  const u = Float32Array.from([1, -2, 0.5, 3, 0]);
  const y = fftCausalConvArrays(u, Float32Array.from(K), 1, 5, 1);
  assert.ok(maxAbsDiff(y, [-0.105853, -0.18030602, 0.72685925, -0.41596413, -1.35218725]) < 1e-6, `conv ${Array.from(y)}`);
});

test('FFT convolution equals the direct O(L²) sum (max |Δ| < 1e-4), odd batch and non-power-of-two L', () => {
  for (const [B, L, H] of [[1, 1, 1], [3, 37, 5], [2, 256, 4], [5, 100, 3]]) {
    const u = normals(B * L * H, L);
    const k = normals(H * L, L + 1).map((x, i) => x * Math.exp(-(i % L) / 30));
    const diff = maxAbsDiff(fftCausalConvArrays(u, k, B, L, H), causalConvReference(u, k, B, L, H));
    assert.ok(diff < 1e-4, `B=${B} L=${L} H=${H}: max |Δ| = ${diff}`);
  }
});

test('the FFT convolution is causal: changing u after t leaves y up to t unchanged', () => {
  const [B, L, H] = [2, 64, 3];
  const u = normals(B * L * H, 7);
  const k = normals(H * L, 8);
  const y1 = fftCausalConvArrays(u, k, B, L, H);
  const u2 = Float32Array.from(u);
  for (let b = 0; b < B; b++) for (let t = 40; t < L; t++) for (let h = 0; h < H; h++) u2[(b * L + t) * H + h] += 5;
  const y2 = fftCausalConvArrays(u2, k, B, L, H);
  for (let b = 0; b < B; b++) for (let t = 0; t < 40; t++) for (let h = 0; h < H; h++) {
    const i = (b * L + t) * H + h;
    assert.ok(Math.abs(y1[i] - y2[i]) < 1e-5);
  }
  assert.ok(Math.abs(y1[40 * H] - y2[40 * H]) > 1e-3, 'position 40 must see the change');
});

test('the custom FFT gradient matches central finite differences (relative error < 1e-3)', () => {
  const [B, L, H] = [3, 24, 2];
  const u = normals(B * L * H, 11);
  const k = normals(H * L, 12);
  const w = normals(B * L * H, 13); // loss = Σ w ⊙ y
  const { du, dk } = fftCausalConvGradArrays(u, k, w, B, L, H);
  const loss = (uu: ArrayLike<number>, kk: ArrayLike<number>) => {
    const y = causalConvReference(uu, kk, B, L, H);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += w[i] * y[i];
    return s;
  };
  const eps = 1e-3;
  const numeric = (x: ArrayLike<number>, which: 'u' | 'k') => {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      plus[i] += eps;
      minus[i] -= eps;
      g[i] = which === 'u' ? (loss(plus, k) - loss(minus, k)) / (2 * eps) : (loss(u, plus) - loss(u, minus)) / (2 * eps);
    }
    return g;
  };
  const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) ** 2;
      den += b[i] ** 2;
    }
    return Math.sqrt(num / den);
  };
  const eu = relErr(du, numeric(u, 'u'));
  const ek = relErr(dk, numeric(k, 'k'));
  assert.ok(eu < 1e-3, `du relative error ${eu}`);
  assert.ok(ek < 1e-3, `dk relative error ${ek}`);
});

test('fftCausalConv (tfjs custom op) agrees with tfjs autodiff of the direct convolution, values and gradients', () => {
  const [B, L, H] = [3, 40, 4];
  const u = tf.tensor3d(normals(B * L * H, 21), [B, L, H]);
  const k = tf.tensor2d(normals(H * L, 22), [H, L]);
  const w = tf.tensor3d(normals(B * L * H, 23), [B, L, H]);
  const f = (conv: typeof fftCausalConv) => (a: TF.Tensor, b: TF.Tensor) => tf.sum(tf.mul(conv(tf, a as TF.Tensor3D, b as TF.Tensor2D), w));
  assert.ok(maxAbsDiff(fftCausalConv(tf, u, k).dataSync(), directCausalConv(tf, u, k).dataSync()) < 1e-4);
  const [gu1, gk1] = tf.grads(f(fftCausalConv))([u, k]);
  const [gu2, gk2] = tf.grads(f(directCausalConv))([u, k]);
  const scale = (t: TF.Tensor) => Math.max(1, ...Array.from(t.dataSync()).map(Math.abs));
  assert.ok(maxAbsDiff(gu1.dataSync(), gu2.dataSync()) / scale(gu2) < 1e-5);
  assert.ok(maxAbsDiff(gk1.dataSync(), gk2.dataSync()) / scale(gk2) < 1e-5);
  tf.dispose([u, k, w, gu1, gk1, gu2, gk2]);
});

test('the real-arithmetic DSS kernel equals the complex formula (float64 reference) at L = 64 and 4096', () => {
  const [H, N] = [8, 64];
  const values = { lambdaRe: normals(N, 31), lambdaIm: normals(N, 32), cRe: normals(H * N, 33), cIm: normals(H * N, 34), H, N };
  const w = {
    lambdaRe: tf.variable(tf.tensor1d(values.lambdaRe)), lambdaIm: tf.variable(tf.tensor1d(values.lambdaIm)),
    cRe: tf.variable(tf.tensor2d(values.cRe, [H, N])), cIm: tf.variable(tf.tensor2d(values.cIm, [H, N])),
  };
  for (const L of [64, 4096]) {
    const K = dssKernel(tf, w, L);
    const ref = dssKernelComplexReference(values, L);
    const scale = Math.max(...Array.from(ref).map(Math.abs));
    const err = maxAbsDiff(K.dataSync(), ref) / scale;
    assert.ok(err < 1e-4, `L=${L}: scaled max |Δ| ${err}`);
    K.dispose();
  }
  // differentiable in every kernel parameter
  const grads = tf.grads((a, b, c, d) => tf.sum(dssKernel(tf, { lambdaRe: a, lambdaIm: b, cRe: c, cIm: d } as never, 32)))([w.lambdaRe, w.lambdaIm, w.cRe, w.cIm]);
  for (const g of grads) assert.ok(Array.from(g.dataSync()).every(Number.isFinite) && Array.from(g.dataSync()).some((x) => x !== 0));
  tf.dispose([...grads, ...Object.values(w)]);
});

test('parameter counts of the spec sizes, by hand', () => {
  // GSS layer, E=128, F=512, H=32, N=64: LN 2E + W_v (E·F + F) + W_u (E·H + H) + DSS (LN 2H, Λ 2N,
  // C 2HN, D H) + W_uc H·F + W_o (F·E + E) = 256 + 66048 + 4128 + 4320 + 16384 + 65664 = 156800.
  // Embedding 256·128, final LN 256, output 128·256 + 256: 66048. 4 layers: 693248.
  const g = gssLM(tf, GSS_LM_SMALL, createRng(0));
  assert.equal(g.paramCount(), 4 * 156800 + 66048);
  // DSS block: DSS over E (LN 2E, Λ 2N, C 2EN, D E = 16896) + FFN (LN 2E, E·F + F, F·E + E = 131968).
  const d = dssLM(tf, DSS_LM_SMALL, createRng(0));
  assert.equal(d.paramCount(), 4 * (16896 + 131968) + 66048);
  g.dispose();
  d.dispose();
});

test('GSS and DSS language models are causal and run at any length', () => {
  for (const build of [
    () => gssLM(tf, { vocabSize: 16, dModel: 16, ffn: 32, channels: 4, stateSize: 8, layers: 2 }, createRng(1)),
    () => dssLM(tf, { vocabSize: 16, dModel: 16, ffn: 32, stateSize: 8, layers: 2 }, createRng(1)),
  ]) {
    const model = build();
    assert.equal(model.maxLength, null);
    const a = Int32Array.from({ length: 2 * 24 }, (_, i) => (i * 5) % 16);
    const b = Int32Array.from(a);
    for (let t = 15; t < 24; t++) b[24 + t] = (b[24 + t] + 3) % 16; // change the future of row 1
    const la = model.logits(tf.tensor2d(a, [2, 24], 'int32'));
    const lb = model.logits(tf.tensor2d(b, [2, 24], 'int32'));
    assert.deepEqual(la.shape, [2, 24, 16]);
    const va = la.dataSync();
    const vb = lb.dataSync();
    const row1 = 24 * 16;
    assert.ok(maxAbsDiff(va.subarray(row1, row1 + 15 * 16), vb.subarray(row1, row1 + 15 * 16)) < 1e-5, `${model.kind}: not causal`);
    assert.ok(maxAbsDiff(va.subarray(row1 + 15 * 16), vb.subarray(row1 + 15 * 16)) > 1e-4, `${model.kind}: ignores its input`);
    const long = model.logits(tf.tensor2d(Int32Array.from({ length: 100 }, (_, i) => i % 16), [1, 100], 'int32'));
    assert.deepEqual(long.shape, [1, 100, 16]);
    tf.dispose([la, lb, long]);
    model.dispose();
  }
});

test('a few Adam steps lower the training loss of a small GSS LM on a repeating pattern', async () => {
  const model = gssLM(tf, { vocabSize: 8, dModel: 16, ffn: 32, channels: 4, stateSize: 8, layers: 1 }, createRng(2));
  const pattern = [1, 2, 3, 4, 5, 6, 7, 0, 3, 5];
  const { losses } = await trainLM(tf, model, {
    steps: 30, lr: 1e-2, warmupSteps: 3, clipNorm: 0.5,
    nextBatch: (step) => ({ ids: Int32Array.from({ length: 4 * 33 }, (_, i) => pattern[(i + step) % pattern.length]), batch: 4, length: 32 }),
  });
  const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
  const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
  assert.ok(last < first - 0.3, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
  model.dispose();
});
