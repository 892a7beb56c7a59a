// Every differentiable op of the ONNX training engine (harness/onnx-train) against central finite
// differences of the same graph's loss, in float64 through ONNX Runtime: L = Σ op(inputs) ⊙ R with
// a fixed random R, so every output element carries a different weight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import { gradientEvaluator, type StepModel } from '../harness/onnx-train/engine.ts';
import { sizeOf, type DType, type Graph, type Value } from '../harness/onnx-train/graph.ts';
import * as ops from '../harness/onnx-train/ops.ts';

interface OpCase {
  /** Differentiable float inputs. */
  inputs: Array<{ name: string; shape: number[]; positive?: boolean; awayFromZero?: boolean }>;
  /** Non-differentiable inputs with fixed values. */
  fixed?: Array<{ name: string; shape: number[]; dtype: DType; values: number[] }>;
  build(g: Graph, v: Record<string, Value>): Value;
}

async function checkOp(label: string, c: OpCase, seed = 1, float: 'float32' | 'float64' = 'float64'): Promise<void> {
  const rng = createRng(seed);
  let weightShape: number[] = [];
  let weightValues: number[] = [];
  const model: StepModel = {
    params: c.inputs.map((i) => ({ name: i.name, shape: i.shape })),
    batch: (c.fixed ?? []).map((f) => ({ name: f.name, shape: f.shape, dtype: f.dtype })),
    loss(g, params, batch) {
      const y = c.build(g, { ...params, ...batch });
      weightShape = [...y.shape];
      const wr = createRng(seed + 1000);
      weightValues = Array.from({ length: sizeOf(y.shape) }, () => wr.normal());
      const r = g.constant(weightValues, y.shape);
      return ops.reduceSum(g, ops.mul(g, y, r), Array.from({ length: y.shape.length }, (_, i) => i), false);
    },
  };
  void weightShape;
  const params: Record<string, Float64Array> = {};
  for (const i of c.inputs) {
    params[i.name] = Float64Array.from({ length: sizeOf(i.shape) }, () => {
      let v = rng.normal();
      if (i.awayFromZero) v = Math.sign(v || 1) * (0.1 + Math.abs(v));
      return i.positive ? 0.5 + Math.abs(v) : v;
    });
  }
  const batch = Object.fromEntries((c.fixed ?? []).map((f) => [f.name, f.values]));
  const evaluator = await gradientEvaluator(model, float);
  try {
    const { grads } = await evaluator.run(params, batch);
    const h = float === 'float64' ? 1e-6 : 1e-2;
    const tolerance = float === 'float64' ? 1e-5 : 2e-2;
    for (const i of c.inputs) {
      const values = params[i.name];
      for (let k = 0; k < values.length; k++) {
        const keep = values[k];
        values[k] = keep + h;
        const up = (await evaluator.run(params, batch)).loss;
        values[k] = keep - h;
        const down = (await evaluator.run(params, batch)).loss;
        values[k] = keep;
        const numeric = (up - down) / (2 * h);
        const analytic = grads[i.name][k];
        assert.ok(Math.abs(numeric - analytic) <= tolerance * Math.max(1, Math.abs(numeric)), `${label}: d/d${i.name}[${k}] analytic ${analytic} vs numeric ${numeric}`);
      }
    }
  } finally {
    await evaluator.release();
  }
}

test('element-wise arithmetic with broadcasting: add, sub, mul, div', async () => {
  for (const [name, fn] of [['add', ops.add], ['sub', ops.sub], ['mul', ops.mul], ['div', ops.div]] as const) {
    await checkOp(name, {
      inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [3, 1], positive: name === 'div' }],
      build: (g, v) => fn(g, v.a, v.b),
    });
    await checkOp(`${name} (scalar-like left operand)`, {
      inputs: [{ name: 'a', shape: [4] }, { name: 'b', shape: [2, 4], positive: name === 'div' }],
      build: (g, v) => fn(g, v.a, v.b),
    });
  }
});

test('element-wise functions: relu, exp, log, tanh, sigmoid, sin, cos, gelu (tanh form), scale', async () => {
  await checkOp('relu', { inputs: [{ name: 'x', shape: [3, 5], awayFromZero: true }], build: (g, v) => ops.relu(g, v.x) });
  await checkOp('exp', { inputs: [{ name: 'x', shape: [7] }], build: (g, v) => ops.exp(g, v.x) });
  await checkOp('log', { inputs: [{ name: 'x', shape: [7], positive: true }], build: (g, v) => ops.log(g, v.x) });
  await checkOp('tanh', { inputs: [{ name: 'x', shape: [7] }], build: (g, v) => ops.tanh(g, v.x) });
  await checkOp('sigmoid', { inputs: [{ name: 'x', shape: [7] }], build: (g, v) => ops.sigmoid(g, v.x) });
  await checkOp('sin', { inputs: [{ name: 'x', shape: [7] }], build: (g, v) => ops.sin(g, v.x) });
  await checkOp('cos', { inputs: [{ name: 'x', shape: [7] }], build: (g, v) => ops.cos(g, v.x) });
  await checkOp('gelu', { inputs: [{ name: 'x', shape: [4, 6] }], build: (g, v) => ops.gelu(g, v.x) });
  await checkOp('scale', { inputs: [{ name: 'x', shape: [5] }], build: (g, v) => ops.scale(g, v.x, -2.5) });
});

test('shape ops and reductions: reshape, transpose, reduceSum, reduceMean', async () => {
  await checkOp('reshape', { inputs: [{ name: 'x', shape: [2, 6] }], build: (g, v) => ops.reshape(g, v.x, [3, 4]) });
  await checkOp('transpose', { inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, v) => ops.transpose(g, v.x, [2, 0, 1]) });
  await checkOp('reduceSum keepdims', { inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, v) => ops.reduceSum(g, v.x, [1], true) });
  await checkOp('reduceSum', { inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, v) => ops.reduceSum(g, v.x, [0, 2], false) });
  await checkOp('reduceMean', { inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, v) => ops.reduceMean(g, v.x, [-1], false) });
});

test('dense (Gemm with bias) and matmul (batched, and with a shared 2-D right operand)', async () => {
  await checkOp('dense', { inputs: [{ name: 'x', shape: [4, 3] }, { name: 'w', shape: [3, 5] }, { name: 'b', shape: [5] }], build: (g, v) => ops.dense(g, v.x, v.w, v.b) });
  await checkOp('dense without bias', { inputs: [{ name: 'x', shape: [4, 3] }, { name: 'w', shape: [3, 2] }], build: (g, v) => ops.dense(g, v.x, v.w) });
  await checkOp('matmul batched', { inputs: [{ name: 'a', shape: [2, 2, 3, 4] }, { name: 'b', shape: [2, 2, 4, 3] }], build: (g, v) => ops.matmul(g, v.a, v.b) });
  await checkOp('matmul shared', { inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [4, 5] }], build: (g, v) => ops.matmul(g, v.a, v.b) });
});

test('layer norm (gain and bias), softmax over the last axis, with a causal mask added', async () => {
  await checkOp('layerNorm', { inputs: [{ name: 'x', shape: [3, 6] }, { name: 'g', shape: [6] }, { name: 'b', shape: [6] }], build: (g, v) => ops.layerNorm(g, v.x, v.g, v.b) });
  await checkOp('layerNorm 3-D', { inputs: [{ name: 'x', shape: [2, 2, 5] }, { name: 'g', shape: [5] }, { name: 'b', shape: [5] }], build: (g, v) => ops.layerNorm(g, v.x, v.g, v.b) });
  await checkOp('softmax', { inputs: [{ name: 'x', shape: [2, 3, 5] }], build: (g, v) => ops.softmax(g, v.x) });
  const T = 4;
  const mask = Array.from({ length: T * T }, (_, k) => (k % T > Math.floor(k / T) ? -1e9 : 0));
  await checkOp('causal softmax', { inputs: [{ name: 'x', shape: [2, T, T] }], build: (g, v) => ops.softmax(g, ops.add(g, v.x, g.constant(mask, [T, T]))) });
});

test('embedding gather (ScatterND-add gradient, repeated ids) and softmax cross-entropy with integer labels and weights', async () => {
  await checkOp('embedding', {
    inputs: [{ name: 'table', shape: [5, 3] }],
    fixed: [{ name: 'ids', shape: [2, 3], dtype: 'int64', values: [0, 4, 4, 2, 0, 4] }],
    build: (g, v) => ops.embedding(g, v.table, v.ids),
  });
  await checkOp('cross-entropy', {
    inputs: [{ name: 'z', shape: [4, 5] }],
    fixed: [
      { name: 'labels', shape: [4], dtype: 'int64', values: [1, 0, 4, 1] },
      { name: 'w', shape: [4], dtype: 'float64', values: [0.5, 0, 0.25, 0.25] },
    ],
    build: (g, v) => ops.softmaxCrossEntropy(g, v.z, v.labels, v.w),
  });
});

test('the cross-entropy value is the hand-computed mean negative log-likelihood', async () => {
  // logits [[0, ln 3], [ln 2, 0]], labels [1, 1]: p = 3/4 and 1/3 → loss = −(ln 3/4 + ln 1/3)/2.
  const model: StepModel = {
    params: [{ name: 'z', shape: [2, 2] }],
    batch: [{ name: 'labels', shape: [2], dtype: 'int64' }, { name: 'w', shape: [2], dtype: 'float64' }],
    loss: (g, p, b) => ops.softmaxCrossEntropy(g, p.z, b.labels, b.w),
  };
  const evaluator = await gradientEvaluator(model);
  try {
    const { loss, grads } = await evaluator.run({ z: [0, Math.log(3), Math.log(2), 0] }, { labels: [1, 1], w: [0.5, 0.5] });
    assert.ok(Math.abs(loss - -(Math.log(3 / 4) + Math.log(1 / 3)) / 2) < 1e-12, `loss ${loss}`);
    // dL/dz = (softmax − onehot)/2
    assert.deepEqual(Array.from(grads.z, (x) => Number(x.toFixed(12))), [0.125, -0.125, 1 / 3, -1 / 3].map((x) => Number(x.toFixed(12))));
  } finally {
    await evaluator.release();
  }
});

test('causal long convolution (Toeplitz product and FFT): values against direct sums, gradients against finite differences', async () => {
  await checkOp('causalConv', { inputs: [{ name: 'u', shape: [2, 5, 3] }, { name: 'k', shape: [3, 5] }], build: (g, v) => ops.causalConv(g, v.u, v.k) });
  await checkOp('fftCausalConv', { inputs: [{ name: 'u', shape: [2, 8, 3] }, { name: 'k', shape: [3, 8] }], build: (g, v) => ops.fftCausalConv(g, v.u, v.k) });
  // y = k ∗ u for a hand-made case: u = [1, −2, 0.5], k = [2, 1, −1] → [2, −3, −2].
  for (const conv of [ops.causalConv, ops.fftCausalConv]) {
    const model: StepModel = {
      params: [{ name: 'u', shape: [1, 3, 1] }, { name: 'k', shape: [1, 3] }],
      batch: [],
      loss: (g, p) => ops.reduceSum(g, ops.mul(g, conv(g, p.u, p.k), g.constant([1, 10, 100], [1, 3, 1])), [0, 1, 2], false),
    };
    const evaluator = await gradientEvaluator(model);
    try {
      const { loss } = await evaluator.run({ u: [1, -2, 0.5], k: [2, 1, -1] }, {});
      // ONNX Runtime's float64 DFT gave −228.0000068 here (3e-8 relative), not float64 round-off.
      assert.ok(Math.abs(loss - (2 + 10 * -3 + 100 * -2)) < 1e-7 * 228, `${conv.name}: ${loss}`);
    } finally {
      await evaluator.release();
    }
  }
});

test('convolution (stride 1, same and asymmetric padding) and max pooling, in float32 (ONNX Runtime has no float64 Conv): gradients against finite differences', async () => {
  await checkOp('conv2d same', { inputs: [{ name: 'x', shape: [2, 2, 5, 5] }, { name: 'w', shape: [3, 2, 3, 3] }, { name: 'b', shape: [3] }], build: (g, v) => ops.conv2d(g, v.x, v.w, v.b, [1, 1, 1, 1]) }, 1, 'float32');
  await checkOp('conv2d 4×4 asymmetric', { inputs: [{ name: 'x', shape: [1, 1, 6, 6] }, { name: 'w', shape: [2, 1, 4, 4] }, { name: 'b', shape: [2] }], build: (g, v) => ops.conv2d(g, v.x, v.w, v.b, [1, 1, 2, 2]) }, 2, 'float32');
  await checkOp('maxPool 2 (odd size cropped)', { inputs: [{ name: 'x', shape: [2, 2, 5, 4] }], build: (g, v) => ops.maxPool(g, v.x, 2) }, 3, 'float64');
});
