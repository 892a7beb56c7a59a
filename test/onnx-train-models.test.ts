// Whole-model gradients of the ONNX training engine against independent implementations on the
// same weights and batch: the 784-256-256-10 MLP against a plain Float64 JS step
// (referenceSgdStep) and against tfjs; the Transformer LM (every positional scheme, tied and
// untied embeddings, with a loss mask) against tfjs's gradients of harness/nn/lm.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type * as TF from '@tensorflow/tfjs';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { softmaxCrossEntropy as tfCrossEntropy } from '../harness/nn/dense.ts';
import { referenceSgdStep } from '../harness/nn/kernels.ts';
import { lmLoss, type LMBatch } from '../harness/nn/lm/train-lm.ts';
import { transformerLM, type TransformerConfig } from '../harness/nn/lm/transformer.ts';
import type { Tf as LmTf } from '../harness/nn/lm/tf.ts';
import { ARCHITECTURES, forward, initWeights, mlpSpec, type NetSpec, type Tf } from '../harness/nn/vision.ts';
import { weightsToTensors } from '../harness/nn/weights.ts';
import { gradientEvaluator, OnnxTrainer } from '../harness/onnx-train/engine.ts';
import { transformerStepModel } from '../harness/onnx-train/lm.ts';
import { dssStepModel, gssStepModel } from '../harness/onnx-train/ssm.ts';
import { netStepModel } from '../harness/onnx-train/vision.ts';
import { dssLM, gssLM } from '../harness/nn/ssm/ssm-lm.ts';
import type { SequenceModel } from '../harness/nn/lm/sequence-model.ts';
import type { StepModel } from '../harness/onnx-train/engine.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

/** max |a − b| / max(max |b|, 1e-3): the error relative to the gradient's scale (the floor keeps
 * gradients that are zero in exact arithmetic, such as the attention key bias's, from dividing
 * float32 rounding noise by itself). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / Math.max(scale, 1e-3);
}

test('MLP 784-256-256-10: one SGD step on the engine equals the plain Float64 reference step and tfjs gradients', async () => {
  const spec = mlpSpec([256, 256]);
  const n = 16;
  const rng = createRng(3);
  const weights = initWeights(spec, rng.fork('init'));
  const x = Float32Array.from({ length: n * 784 }, () => rng.next());
  const labels = Uint8Array.from({ length: n }, () => rng.int(10));
  const init = Object.fromEntries(weights.names.map((name) => [name, weights.tensors[name].data]));
  const batch = { x, labels: Array.from(labels), weights: new Array(n).fill(1 / n) };
  const lr = 0.1;
  // Float64 engine step vs the hand-written Float64 reference: the updates must agree to ~1e-10.
  const model = netStepModel(spec, n);
  const trainer = await OnnxTrainer.create(model, { kind: 'sgd', momentum: 0.9 }, init, { float: 'float64' });
  await trainer.step(batch, lr);
  const stepped = trainer.read();
  await trainer.release();
  const expected = referenceSgdStep(weights, x, labels, n, lr);
  weights.names.forEach((name, j) => {
    const start = weights.tensors[name].data;
    const ours = Array.from(stepped[name], (v, i) => v - start[i]);
    const theirs = Array.from(expected[j], (v, i) => v - start[i]);
    assert.ok(relativeError(ours, theirs) < 1e-9, `${name}: update differs from the Float64 reference by ${relativeError(ours, theirs)}`);
  });
  // Float32 gradients vs tfjs's (its fast dense ops and closed-form cross-entropy).
  const evaluator = await gradientEvaluator(model, 'float32');
  const ours = await evaluator.run(init, batch);
  await evaluator.release();
  const tensors = weightsToTensors(tf, weights);
  const params = weights.names.map((name) => tensors[name]);
  const onehot = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10).toFloat() as TF.Tensor2D;
  const input = tf.tensor2d(x, [n, 784]);
  const { value, grads } = tf.valueAndGrads((...ps: TF.Tensor[]) => {
    const record: Record<string, TF.Tensor> = {};
    weights.names.forEach((name, i) => (record[name] = ps[i]));
    return tfCrossEntropy(tf, forward(tf, spec, record, input, { training: true, dropoutSeed: 0, collect: false }).logits, onehot);
  })(params);
  assert.ok(Math.abs(ours.loss - value.dataSync()[0]) < 1e-5, `loss ${ours.loss} vs tfjs ${value.dataSync()[0]}`);
  weights.names.forEach((name, i) => {
    const error = relativeError(ours.grads[name], grads[i].dataSync());
    assert.ok(error < 1e-4, `${name}: gradient differs from tfjs by ${error} of its scale`);
  });
  tf.dispose([value, ...grads, ...params, onehot, input]);
});

const TINY: Omit<TransformerConfig, 'positional'> = { vocabSize: 13, dModel: 8, heads: 2, layers: 2, ffn: 16, maxLength: 8 };

/** tfjs gradients of lmLoss vs the engine's (float64) on the same weights and batch. */
async function compareLM(label: string, model: SequenceModel, stepModel: (B: number, L: number) => StepModel, masked: boolean, spread: number): Promise<void> {
  const B = 2;
  const L = 6;
  const rng = createRng(7);
  // Spread the weights so that attention is far from uniform and every path carries gradient.
  if (spread > 0) for (const v of model.variables) v.assign(tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 5), spread)));
  const ltf = tf as unknown as LmTf;
  const ids = Int32Array.from({ length: B * (L + 1) }, () => rng.int(model.vocabSize));
  const lossMask = masked ? Float32Array.from({ length: B * L }, (_, i) => (i % 3 === 0 ? 0 : 1)) : undefined;
  const lmBatch: LMBatch = { ids, batch: B, length: L, lossMask };
  const { value, grads } = tf.variableGrads(() => lmLoss(ltf, model, lmBatch, true) as never, model.variables as never);
  const shortName = (v: TF.Variable) => v.name.slice(v.name.indexOf('/') + 1);
  const init = Object.fromEntries(model.variables.map((v) => [shortName(v), v.dataSync() as Float32Array]));
  const inputs: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) inputs.push(ids[b * (L + 1) + t]), targets.push(ids[b * (L + 1) + t + 1]);
  const total = lossMask ? lossMask.reduce((a, c) => a + c, 0) : B * L;
  const weights = Array.from({ length: B * L }, (_, i) => (lossMask ? lossMask[i] : 1) / total);
  const evaluator = await gradientEvaluator(stepModel(B, L), 'float64');
  const ours = await evaluator.run(init, { inputs, targets, weights });
  await evaluator.release();
  assert.ok(Math.abs(ours.loss - value.dataSync()[0]) < 1e-5, `${label}: loss ${ours.loss} vs tfjs ${value.dataSync()[0]}`);
  for (const v of model.variables) {
    const error = relativeError(ours.grads[shortName(v)], grads[v.name].dataSync());
    assert.ok(error < 1e-4, `${label}: gradient of ${shortName(v)} differs from tfjs by ${error} of its scale`);
  }
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
}

async function compareTransformer(cfg: TransformerConfig, masked: boolean): Promise<void> {
  const model = transformerLM(tf as unknown as LmTf, cfg, createRng(7).fork('init'));
  const label = `${cfg.positional}${cfg.tiedEmbeddings ? ', tied' : ''}${masked ? ', masked' : ''}`;
  await compareLM(label, model, (B, L) => transformerStepModel(cfg, B, L), masked, 0.3);
}

test('Transformer LM: engine gradients (float64) equal tfjs gradients for every positional scheme', async () => {
  for (const positional of ['rope', 'learned', 'sinusoidal', 'alibi', 'none'] as const) await compareTransformer({ ...TINY, positional }, false);
});

test('Transformer LM: tied embeddings and a loss mask', async () => {
  await compareTransformer({ ...TINY, positional: 'rope', tiedEmbeddings: true }, true);
});

test('GSS LM (DSS kernel from Λ and C, causal convolution, gating): engine gradients (float64) equal tfjs gradients', async () => {
  const cfg = { vocabSize: 11, dModel: 8, ffn: 16, channels: 4, stateSize: 3, layers: 2 };
  await compareLM('gss', gssLM(tf as unknown as LmTf, cfg, createRng(9)), (B, L) => gssStepModel(cfg, B, L), true, 0);
});

test('DSS LM (DSS over all channels + GELU FFN): engine gradients (float64) equal tfjs gradients', async () => {
  const cfg = { vocabSize: 11, dModel: 6, ffn: 12, stateSize: 3, layers: 2 };
  await compareLM('dss', dssLM(tf as unknown as LmTf, cfg, createRng(11)), (B, L) => dssStepModel(cfg, B, L), false, 0);
});

test('CNNs (LeNet-5, VGG-mini, ResNet-mini: conv, max-pool, residual, global average pool): engine gradients (float32) equal tfjs gradients', async () => {
  for (const name of ['lenet-5', 'vgg-mini', 'resnet-mini'] as const) {
    const spec: NetSpec = ARCHITECTURES[name];
    const n = 4;
    const rng = createRng(12);
    const weights = initWeights(spec, rng.fork('init'));
    const x = Float32Array.from({ length: n * 784 }, () => rng.next());
    const labels = Array.from({ length: n }, () => rng.int(10));
    const init = Object.fromEntries(weights.names.map((k) => [k, weights.tensors[k].data]));
    const evaluator = await gradientEvaluator(netStepModel(spec, n), 'float32');
    const ours = await evaluator.run(init, { x, labels, weights: new Array(n).fill(1 / n) });
    await evaluator.release();
    const tensors = weightsToTensors(tf, weights);
    const params = weights.names.map((k) => tensors[k]);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as TF.Tensor2D;
    const input = tf.tensor2d(x, [n, 784]);
    const { value, grads } = tf.valueAndGrads((...ps: TF.Tensor[]) => {
      const record: Record<string, TF.Tensor> = {};
      weights.names.forEach((k, i) => (record[k] = ps[i]));
      return tfCrossEntropy(tf, forward(tf, spec, record, input, { training: true, dropoutSeed: 0, collect: false }).logits, onehot);
    })(params);
    assert.ok(Math.abs(ours.loss - value.dataSync()[0]) < 1e-4, `${name}: loss ${ours.loss} vs tfjs ${value.dataSync()[0]}`);
    weights.names.forEach((k, i) => {
      const error = relativeError(ours.grads[k], grads[i].dataSync());
      assert.ok(error < 1e-3, `${name}: gradient of ${k} differs from tfjs by ${error} of its scale`);
    });
    tf.dispose([value, ...grads, ...params, onehot, input]);
  }
});
