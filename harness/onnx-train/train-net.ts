// trainNet (harness/nn/train.ts) on the ONNX training engine: the same seeded init, batch order,
// learning-rate schedule and optimiser semantics, one ORT step graph per (network, batch size).
// Used when the tensor backend is `onnx` and the network has no layer the engine lacks (see
// unsupportedNet); dropout masks are fed per step from the same seeds as tfjs; results agree with tfjs's within float32 rounding drift (test/onnx-train-backend).
import { createRng } from '../api/index.ts';
import { learningRate, type TrainOptions, type TrainResult } from '../nn/train.ts';
import { fillDropoutMask, initWeights, type NetSpec } from '../nn/vision.ts';
import type { ImageSet } from '../../datasets/mnist.ts';
import { OnnxTrainer } from './engine.ts';
import type { GraphOptimizer } from './optimizer.ts';
import { dropoutInputs, netStepModel, unsupportedNet } from './vision.ts';

/** Whether the engine can train `spec` (otherwise trainNetCached falls back to tfjs). */
export const supportsNet = (spec: NetSpec): boolean => unsupportedNet(spec) === null;

/** trainNet's optimiser as the graph optimiser (the schedule stays in JS). */
function graphOptimizer(opt: TrainOptions['optimizer']): GraphOptimizer {
  return opt.kind === 'sgd'
    ? { kind: 'sgd', momentum: opt.momentum, nesterov: opt.nesterov, weightDecay: opt.weightDecay }
    : { kind: 'adam', weightDecay: opt.weightDecay };
}

/** Trains like trainNet (the caller has checked the options) with every step run by ONNX Runtime. */
export async function trainNetOnnx(spec: NetSpec, data: ImageSet, opts: TrainOptions): Promise<TrainResult> {
  const rng = createRng(opts.seed);
  const init = opts.init ?? initWeights(spec, rng.fork('init'));
  const orderRng = rng.fork('order');
  // One dropout seed per step, masks drawn from it in layer order, exactly as trainNet's forward.
  const dropoutRng = rng.fork('dropout');
  const d = data.x.length / data.n;
  const batch = Math.min(opts.batchSize, data.n);
  const stepsPerEpoch = Math.floor(data.n / batch);
  const total = stepsPerEpoch * opts.epochs;
  const model = netStepModel(spec, batch);
  const trainer = await OnnxTrainer.create(model, graphOptimizer(opts.optimizer), Object.fromEntries(init.names.map((n) => [n, init.tensors[n].data])));
  const x = new Float32Array(batch * d);
  const labels = new Int32Array(batch);
  const weights = new Float32Array(batch).fill(1 / batch);
  const masks = dropoutInputs(spec).map((m) => ({ ...m, data: new Float32Array(batch * m.features) }));
  const order = Array.from({ length: data.n }, (_, i) => i);
  let epochLoss = 0;
  let step = 0;
  const started = performance.now();
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      orderRng.shuffle(order);
      epochLoss = 0;
      for (let s = 0; s < stepsPerEpoch; s++, step++) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('training aborted');
        for (let i = 0; i < batch; i++) {
          const j = order[s * batch + i];
          x.set(data.x.subarray(j * d, (j + 1) * d), i * d);
          labels[i] = data.y[j];
        }
        const maskRng = createRng(dropoutRng.int(4294967296)).fork('dropout');
        const feeds: Record<string, Float32Array | Int32Array> = { x, labels, weights };
        for (const m of masks) feeds[m.name] = fillDropoutMask(maskRng, m.data, m.p);
        epochLoss += await trainer.step(feeds, learningRate(opts.optimizer, step, total));
        if (step % 16 === 15) opts.onProgress?.((step + 1) / total, `epoch ${epoch + 1}/${opts.epochs}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const values = trainer.read();
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const p of model.params) tensors[p.name] = { shape: [...p.shape], data: Float32Array.from(values[p.name]) };
    opts.onProgress?.(1, 'trained');
    return { weights: { names: model.params.map((p) => p.name), tensors }, finalLoss: epochLoss / stepsPerEpoch, stepsPerSecond: total / seconds };
  } finally {
    await trainer.release();
  }
}
