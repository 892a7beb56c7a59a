// trainNet (harness/nn/train.ts) on the ONNX training engine: the same seeded init, batch order,
// learning-rate schedule and optimiser semantics, one ORT step graph per (network, batch size).
// Used when the tensor backend is `onnx` and the network has no layer the engine lacks (see
// unsupportedNet); dropout masks are fed per step from the same seeds as tfjs; results agree with
// tfjs's within float32 rounding drift (test/onnx-train-backend).
import { createRng } from '../api/index.ts';
import { trainNetWith, type TrainOptions, type TrainResult } from '../nn/train.ts';
import { fillDropoutMask, type NetSpec } from '../nn/vision.ts';
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

/** Trains like trainNet (same loop, trainNetWith) with every step run by ONNX Runtime; dropout masks
 * are drawn from each step's seed exactly as trainNet's forward draws them. */
export async function trainNetOnnx(spec: NetSpec, data: ImageSet, opts: TrainOptions): Promise<TrainResult> {
  return trainNetWith(spec, data, opts, async (init, batch) => {
    const model = netStepModel(spec, batch);
    const trainer = await OnnxTrainer.create(model, graphOptimizer(opts.optimizer), Object.fromEntries(init.names.map((n) => [n, init.tensors[n].data])));
    const weights = new Float32Array(batch).fill(1 / batch);
    const masks = dropoutInputs(spec).map((m) => ({ ...m, data: new Float32Array(batch * m.features) }));
    return {
      step(x, labels, lr, _t, dropoutSeed) {
        const feeds: Record<string, Float32Array | Int32Array> = { x, labels, weights };
        const maskRng = createRng(dropoutSeed).fork('dropout');
        for (const m of masks) feeds[m.name] = fillDropoutMask(maskRng, m.data, m.p);
        return trainer.step(feeds, lr);
      },
      weights() {
        const values = trainer.read();
        const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
        for (const p of model.params) tensors[p.name] = { shape: [...p.shape], data: Float32Array.from(values[p.name]) };
        return { names: model.params.map((p) => p.name), tensors };
      },
      release: () => trainer.release(),
    };
  });
}
