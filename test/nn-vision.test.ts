// The shared vision stack: custom dense/conv gradients against independent references, the
// networks' shapes, training that learns, the training cache and the weights format.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type * as TF from '@tensorflow/tfjs';
import { createRng } from '../harness/api/index.ts';
import type { RunContext } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { splitMnist } from '../datasets/mnist.ts';
import { conv2dOp, denseOp, maxPoolOp } from '../harness/nn/dense.ts';
import {
  ARCHITECTURES,
  activations,
  deserializeWeights,
  evaluate,
  forward,
  initWeights,
  learningRate,
  mlpSpec,
  parameterNames,
  serializeWeights,
  trainNet,
  trainNetCached,
  weightsToTensors,
} from '../harness/nn/index.ts';

type Tf = typeof TF;
let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

const randomArray = (n: number, seed: number, scale = 1) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
};
const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm = Math.max(norm, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / norm);
  return worst;
};

describe('denseOp gradient', () => {
  const [n, din, dout] = [5, 7, 4];
  const x = randomArray(n * din, 1);
  const k = randomArray(din * dout, 2, 0.5);
  const b = randomArray(dout, 3, 0.5);
  const r = randomArray(n * dout, 4);
  // L = Σ r ⊙ act(x·K + b) in Float64, for finite differences.
  const loss64 = (xs: ArrayLike<number>, ks: ArrayLike<number>, bs: ArrayLike<number>, relu: boolean) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dout; j++) {
        let z = bs[j];
        for (let p = 0; p < din; p++) z += xs[i * din + p] * ks[p * dout + j];
        total += r[i * dout + j] * (relu ? Math.max(0, z) : z);
      }
    }
    return total;
  };
  for (const activation of ['relu', 'none'] as const) {
    it(`equals tfjs autodiff and central finite differences (${activation})`, () => {
      const [X, K, B, R] = [tf.tensor2d(x, [n, din]), tf.tensor2d(k, [din, dout]), tf.tensor1d(b), tf.tensor2d(r, [n, dout])];
      const ours = tf.grads((xx: TF.Tensor, kk: TF.Tensor, bb: TF.Tensor) => tf.sum(tf.mul(denseOp(tf, xx as TF.Tensor2D, kk, bb, activation), R)))([X, K, B]);
      const auto = tf.grads((xx: TF.Tensor, kk: TF.Tensor, bb: TF.Tensor) => {
        const z = tf.add(tf.matMul(xx as TF.Tensor2D, kk as TF.Tensor2D), bb);
        return tf.sum(tf.mul(activation === 'relu' ? tf.relu(z) : z, R));
      })([X, K, B]);
      ours.forEach((g, i) => assert.ok(maxRelDiff(g.dataSync(), auto[i].dataSync()) < 1e-5, `input ${i}`));
      const h = 1e-6;
      const x64 = Float64Array.from(x);
      const k64 = Float64Array.from(k);
      const b64 = Float64Array.from(b);
      const numeric = (arr: Float64Array) =>
        Array.from(arr, (v, i) => {
          arr[i] = v + h;
          const up = loss64(x64, k64, b64, activation === 'relu');
          arr[i] = v - h;
          const down = loss64(x64, k64, b64, activation === 'relu');
          arr[i] = v;
          return (up - down) / (2 * h);
        });
      [numeric(x64), numeric(k64), numeric(b64)].forEach((g, i) => assert.ok(maxRelDiff(ours[i].dataSync(), g) < 1e-4, `finite differences, input ${i}`));
      // Without an input gradient the kernel and bias gradients are unchanged.
      const noInput = tf.grads((kk: TF.Tensor, bb: TF.Tensor) => tf.sum(tf.mul(denseOp(tf, X, kk, bb, activation, { inputGrad: false }), R)))([K, B]);
      assert.ok(maxRelDiff(noInput[0].dataSync(), ours[1].dataSync()) < 1e-6);
      tf.dispose([X, K, B, R, ...ours, ...auto, ...noInput]);
    });
  }
});

describe('conv2dOp gradient', () => {
  // Brute-force Float64 'same' convolution: y[i,p,q,f] = b[f] + Σ x[i, p·s+a−pt, q·s+b−pl, c] K[a,b,c,f].
  function bruteForce(x: Float32Array, xs: number[], k: Float32Array, ks: number[], bias: Float32Array, stride: number, r: Float32Array) {
    const [n, h, w, c] = xs;
    const [kk, , , f] = ks;
    const [ho, wo] = [Math.ceil(h / stride), Math.ceil(w / stride)];
    const pt = Math.floor(Math.max((ho - 1) * stride + kk - h, 0) / 2);
    const pl = Math.floor(Math.max((wo - 1) * stride + kk - w, 0) / 2);
    const dx = new Float64Array(x.length);
    const dk = new Float64Array(k.length);
    const db = new Float64Array(f);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < ho; p++)
        for (let q = 0; q < wo; q++)
          for (let o = 0; o < f; o++) {
            let z = bias[o];
            const taps: Array<[number, number]> = [];
            for (let a = 0; a < kk; a++)
              for (let bb = 0; bb < kk; bb++)
                for (let ch = 0; ch < c; ch++) {
                  const [row, col] = [p * stride + a - pt, q * stride + bb - pl];
                  if (row < 0 || row >= h || col < 0 || col >= w) continue;
                  const xi = ((i * h + row) * w + col) * c + ch;
                  const ki = ((a * kk + bb) * c + ch) * f + o;
                  z += x[xi] * k[ki];
                  taps.push([xi, ki]);
                }
            if (z <= 0) continue; // ReLU
            const g = r[((i * ho + p) * wo + q) * f + o];
            db[o] += g;
            for (const [xi, ki] of taps) {
              dx[xi] += g * k[ki];
              dk[ki] += g * x[xi];
            }
          }
    return [dx, dk, db];
  }
  for (const [size, stride] of [
    [3, 1],
    [5, 1],
    [3, 2],
  ]) {
    it(`equals a brute-force gradient (kernel ${size}, stride ${stride})`, () => {
      const xs = [2, 6, 5, 3];
      const ks = [size, size, 3, 4];
      const x = randomArray(2 * 6 * 5 * 3, 5);
      const k = randomArray(size * size * 12, 6, 0.3);
      const bias = randomArray(4, 7, 0.1);
      const ho = Math.ceil(6 / stride);
      const wo = Math.ceil(5 / stride);
      const r = randomArray(2 * ho * wo * 4, 8);
      const [X, K, B, R] = [tf.tensor4d(x, xs as [number, number, number, number]), tf.tensor4d(k, ks as [number, number, number, number]), tf.tensor1d(bias), tf.tensor4d(r, [2, ho, wo, 4])];
      const ours = tf.grads((xx: TF.Tensor, kk: TF.Tensor, bb: TF.Tensor) => tf.sum(tf.mul(conv2dOp(tf, xx as TF.Tensor4D, kk, bb, stride, 'relu'), R)))([X, K, B]);
      bruteForce(x, xs, k, ks, bias, stride, r).forEach((g, i) => assert.ok(maxRelDiff(ours[i].dataSync(), g) < 1e-5, `input ${i}`));
      tf.dispose([X, K, B, R, ...ours]);
    });
  }
});

describe('maxPoolOp gradient', () => {
  // tfjs-backend-wasm 4.22's own MaxPoolGrad returns wrong values, so this op has its own gradient.
  it('routes the gradient to each window maximum, cropping odd sizes (7 → 3), like brute force', () => {
    const [n, h, w, c, size] = [2, 7, 6, 3, 2];
    const x = randomArray(n * h * w * c, 12);
    const [ho, wo] = [Math.floor(h / size), Math.floor(w / size)];
    const r = randomArray(n * ho * wo * c, 13);
    const X = tf.tensor4d(x, [n, h, w, c]);
    const R = tf.tensor4d(r, [n, ho, wo, c]);
    const ours = tf.grad((xx: TF.Tensor) => tf.sum(tf.mul(maxPoolOp(tf, xx as TF.Tensor4D, size), R)))(X).dataSync();
    const expected = new Float64Array(x.length);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < ho; p++)
        for (let q = 0; q < wo; q++)
          for (let ch = 0; ch < c; ch++) {
            let best = -1;
            for (let a = 0; a < size; a++)
              for (let b = 0; b < size; b++) {
                const idx = ((i * h + p * size + a) * w + q * size + b) * c + ch;
                if (best < 0 || x[idx] > x[best]) best = idx;
              }
            expected[best] += r[((i * ho + p) * wo + q) * c + ch];
          }
    assert.ok(maxRelDiff(ours, expected) < 1e-6);
    tf.dispose([X, R]);
  });
});

describe('networks', () => {
  it('every architecture maps n × 784 to n × 10 with one block per weight layer', () => {
    const blockCount = { 'mlp-4': 4, 'lenet-5': 4, 'vgg-mini': 3, 'resnet-mini': 4, 'mlp-dropout': 3 };
    for (const [name, spec] of Object.entries(ARCHITECTURES)) {
      const w = initWeights(spec, createRng(1));
      assert.deepEqual([...w.names], parameterNames(spec));
      const params = weightsToTensors(tf, w);
      const out = tf.tidy(() => forward(tf, spec, params, tf.zeros([3, 784]) as TF.Tensor2D));
      assert.deepEqual(out.logits.shape, [3, 10], name);
      assert.equal(out.blocks.length, blockCount[name as keyof typeof blockCount], name);
      tf.dispose([out.logits, ...out.blocks, ...out.preacts, ...Object.values(params)]);
    }
  });
  it('initializes like PyTorch: kernel and bias uniform in ±1/√fan_in', () => {
    const w = initWeights(mlpSpec([300]), createRng(2));
    const k = w.tensors['layer0.kernel'].data;
    const bound = 1 / Math.sqrt(784);
    const max = k.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(max <= bound && max > 0.99 * bound);
    const variance = k.reduce((s, v) => s + v * v, 0) / k.length;
    assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.02, `variance ${variance}`);
  });
  it('activations() streams the same values as forward(); MC dropout is seeded', () => {
    const spec = ARCHITECTURES['mlp-dropout'];
    const w = initWeights(spec, createRng(3));
    const { test } = splitMnist(1, { train: 0, calib: 0, test: 50 });
    const acts = activations(tf, spec, w, test, { batchSize: 20 });
    const params = weightsToTensors(tf, w);
    const out = tf.tidy(() => forward(tf, spec, params, tf.tensor2d(test.x, [50, 784])));
    assert.equal(acts.preacts.length, 3);
    assert.ok(maxRelDiff(acts.preacts[2], out.preacts[2].dataSync()) < 1e-6);
    assert.ok(maxRelDiff(acts.blocks[0], out.blocks[0].dataSync()) < 1e-6);
    const plain = evaluate(tf, spec, w, test);
    assert.ok(maxRelDiff(plain.logits, out.logits.dataSync()) < 1e-5);
    const mc1 = evaluate(tf, spec, w, test, { mcDropoutSeed: 9 });
    const mc2 = evaluate(tf, spec, w, test, { mcDropoutSeed: 9 });
    const mc3 = evaluate(tf, spec, w, test, { mcDropoutSeed: 10 });
    assert.deepEqual(mc1.logits, mc2.logits);
    assert.notDeepEqual(mc1.logits, mc3.logits);
    assert.notDeepEqual(mc1.logits, plain.logits);
    tf.dispose([out.logits, ...out.blocks, ...out.preacts, ...Object.values(params)]);
  });
});

describe('training', () => {
  it('the triangular schedule rises to the peak and falls to 0', () => {
    const opt = { kind: 'sgd', lr: 0.1, momentum: 0.9, schedule: 'triangular', warmupFraction: 0.2 } as const;
    assert.ok(Math.abs(learningRate(opt, 19, 100) - 0.1) < 1e-12);
    assert.ok(Math.abs(learningRate(opt, 9, 100) - 0.05) < 1e-12);
    assert.equal(learningRate(opt, 99, 100), 0);
    assert.ok(learningRate(opt, 60, 100) < learningRate(opt, 40, 100));
  });
  it('an MLP trained one epoch on 2,000 digits tests above 85 %, deterministically', async () => {
    const { train, test } = splitMnist(1, { train: 2000, calib: 0, test: 1000 });
    const spec = mlpSpec([128]);
    const opts = { epochs: 1, batchSize: 32, optimizer: { kind: 'adam', lr: 2e-3 } as const, seed: 4 };
    const a = await trainNet(tf, spec, train, opts);
    const acc = evaluate(tf, spec, a.weights, test).acc;
    assert.ok(acc > 0.85, `test accuracy ${acc}`);
    const b = await trainNet(tf, spec, train, opts);
    assert.deepEqual(b.weights.tensors['classifier.kernel'].data, a.weights.tensors['classifier.kernel'].data);
  });
  it('Adam trains a CNN (conv, pool, residual gradients on wasm): the loss falls', async () => {
    const { train } = splitMnist(2, { train: 256, calib: 0, test: 0 });
    const spec = { input: [28, 28, 1], classes: 10, layers: [{ kind: 'conv', filters: 4, size: 3 }, { kind: 'maxpool', size: 2 }, { kind: 'residual', filters: 6 }, { kind: 'maxpool', size: 2 }, { kind: 'flatten' }] } as const;
    const opts = { batchSize: 32, optimizer: { kind: 'adam', lr: 0.01 } as const, seed: 1 };
    const init = initWeights(spec, createRng(1));
    const before = evaluate(tf, spec, init, train).loss;
    const { weights } = await trainNet(tf, spec, train, { ...opts, epochs: 3, init });
    const after = evaluate(tf, spec, weights, train).loss;
    assert.ok(after < before - 0.5, `loss ${before} → ${after}`);
  });
  it('trainNetCached computes once and returns identical weights on a hit', async () => {
    const store = new Map<string, Uint8Array>();
    let computed = 0;
    const ctx = {
      cache: {
        bytes: async (key: string, compute: () => Promise<Uint8Array> | Uint8Array) => {
          if (!store.has(key)) {
            computed++;
            store.set(key, await compute());
          }
          return store.get(key)!;
        },
      },
      tensors: async () => ({ name: 'wasm', version: tf.version.tfjs, tf }),
      progress: () => {},
      signal: new AbortController().signal,
    } as unknown as RunContext;
    const { train } = splitMnist(1, { train: 200, calib: 0, test: 0 });
    const opts = { epochs: 1, batchSize: 50, optimizer: { kind: 'adam', lr: 1e-3 } as const, seed: 1 };
    const a = await trainNetCached(ctx, 'endpoint-a', mlpSpec([16]), train, opts);
    const b = await trainNetCached(ctx, 'endpoint-a', mlpSpec([16]), train, { ...opts, onProgress: () => {} });
    assert.equal(computed, 1);
    assert.deepEqual(b, a);
    await trainNetCached(ctx, 'endpoint-a', mlpSpec([16]), train, { ...opts, seed: 2 });
    assert.equal(computed, 2);
  });
  it('weights survive serialization bit for bit', () => {
    const w = initWeights(ARCHITECTURES['resnet-mini'], createRng(8));
    const back = deserializeWeights(serializeWeights(w));
    assert.deepEqual(back, w);
    assert.throws(() => deserializeWeights(new Uint8Array(16)), /not a weights file/);
  });
});
