// The image classifiers of harness/nn/vision.ts (NetSpec) as step models: same parameter names,
// shapes and layouts (dense kernels [in, out]), mean softmax cross-entropy over the batch.
import { UserError } from '../errors.ts';
import { planNet, type NetSpec } from '../nn/vision.ts';
import type { StepModel } from './engine.ts';
import { dense, relu, softmaxCrossEntropy } from './ops.ts';
import type { Value } from './graph.ts';

/** Why the engine cannot train `spec`, or null when it can. */
export function unsupportedNet(spec: NetSpec): string | null {
  if (spec.classifierDropout) return 'dropout';
  for (const layer of spec.layers) {
    if (layer.kind !== 'dense') return `layer kind "${layer.kind}"`;
    if (layer.dropout) return 'dropout';
  }
  return null;
}

/** The step model of `spec` on batches of `batch` examples: inputs `x` [batch, h·w·c], int64
 * `labels` [batch] and `weights` [batch] (1/batch each for the mean loss). */
export function netStepModel(spec: NetSpec, batch: number): StepModel {
  const why = unsupportedNet(spec);
  if (why) throw new UserError(`the onnx training engine does not support ${why} yet`);
  const plans = planNet(spec);
  const features = spec.input[0] * spec.input[1] * spec.input[2];
  return {
    params: plans.flatMap((p) => p.params.map((q) => ({ name: q.name, shape: q.shape }))),
    batch: [
      { name: 'x', shape: [batch, features], dtype: 'float32' },
      { name: 'labels', shape: [batch], dtype: 'int64' },
      { name: 'weights', shape: [batch], dtype: 'float32' },
    ],
    loss(g, params, inputs) {
      let h: Value = inputs.x;
      for (const plan of plans) {
        const [kernel, bias] = plan.params.map((q) => params[q.name]);
        h = dense(g, h, kernel, bias);
        const layer = plan.spec;
        if (layer.kind === 'dense' && (layer.activation ?? 'relu') === 'relu') h = relu(g, h);
      }
      return softmaxCrossEntropy(g, h, inputs.labels, inputs.weights);
    },
  };
}
