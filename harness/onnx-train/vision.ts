// The image classifiers of harness/nn/vision.ts (NetSpec) as step models: same parameter names,
// shapes and layouts (dense kernels [in, out], conv kernels HWIO, transposed to ONNX's OIHW inside
// the graph), mean softmax cross-entropy over the batch. Convolutions run in NCHW; a flatten goes
// back to NHWC first so dense kernels keep tfjs's feature order (as harness/nn/onnx.ts).
import { UserError } from '../errors.ts';
import { planNet, type NetSpec } from '../nn/vision.ts';
import type { StepModel } from './engine.ts';
import type { Graph, Value } from './graph.ts';
import { add, conv2d, dense, maxPool, mul, reduceMean, relu, reshape, softmaxCrossEntropy, transpose } from './ops.ts';

/** Why the engine cannot train `spec`, or null when it can. */
export function unsupportedNet(spec: NetSpec): string | null {
  for (const layer of spec.layers) {
    if (layer.kind === 'conv' && (layer.stride ?? 1) !== 1) return 'strided convolution';
  }
  return null;
}

/** The dense layers (classifier last) that take dropout on their input, in the order tfjs's forward
 * draws their masks: batch input `mask<k>` [batch, features] holds layer k's 0 / 1/(1−p) mask. */
export function dropoutInputs(spec: NetSpec): Array<{ name: string; features: number; p: number }> {
  const plans = planNet(spec);
  const out: Array<{ name: string; features: number; p: number }> = [];
  let shape = [...spec.input];
  for (const plan of plans) {
    const p = plan.spec.kind === 'dense' || plan.spec.kind === 'classifier' ? (plan.spec.dropout ?? 0) : 0;
    if (p > 0) out.push({ name: `mask${out.length}`, features: shape.reduce((a, b) => a * b, 1), p });
    shape = plan.outShape;
  }
  return out;
}

/** tfjs 'same' padding at stride 1 as ONNX pads [top, left, bottom, right]. */
function samePads(k: number): number[] {
  const total = k - 1;
  return [Math.floor(total / 2), Math.floor(total / 2), total - Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The step model of `spec` on batches of `batch` examples: inputs `x` [batch, h·w·c], int64
 * `labels` [batch] and `weights` [batch] (1/batch each for the mean loss). */
export function netStepModel(spec: NetSpec, batch: number): StepModel {
  const why = unsupportedNet(spec);
  if (why) throw new UserError(`the onnx training engine does not support ${why} yet`);
  const plans = planNet(spec);
  const [H, W, C] = spec.input;
  const features = H * W * C;
  const masks = dropoutInputs(spec);
  return {
    params: plans.flatMap((p) => p.params.map((q) => ({ name: q.name, shape: q.shape }))),
    batch: [
      { name: 'x', shape: [batch, features], dtype: 'float32' },
      { name: 'labels', shape: [batch], dtype: 'int64' },
      { name: 'weights', shape: [batch], dtype: 'float32' },
      ...masks.map((m) => ({ name: m.name, shape: [batch, m.features], dtype: 'float32' as const })),
    ],
    loss(g: Graph, params: Record<string, Value>, inputs: Record<string, Value>) {
      let h: Value = inputs.x;
      let masked = 0;
      let layout: 'flat' | 'nchw' = 'flat';
      const toImage = () => {
        if (layout === 'nchw') return;
        h = transpose(g, reshape(g, h, [batch, H, W, C]), [0, 3, 1, 2]);
        layout = 'nchw';
      };
      const toFlat = () => {
        if (layout === 'flat') return;
        const [, c, hh, ww] = h.shape;
        h = reshape(g, transpose(g, h, [0, 2, 3, 1]), [batch, hh * ww * c]);
        layout = 'flat';
      };
      const conv = (input: Value, prefix: string, activation: boolean) => {
        const kernel = params[`${prefix}.kernel`];
        const y = conv2d(g, input, transpose(g, kernel, [3, 2, 0, 1]), params[`${prefix}.bias`], samePads(kernel.shape[0]));
        return activation ? relu(g, y) : y;
      };
      for (const plan of plans) {
        const layer = plan.spec;
        const p = plan.index < 0 ? 'classifier' : `layer${plan.index}`;
        switch (layer.kind) {
          case 'dense':
          case 'classifier': {
            toFlat();
            if ((layer.dropout ?? 0) > 0) h = mul(g, h, inputs[masks[masked++].name]);
            h = dense(g, h, params[`${p}.kernel`], params[`${p}.bias`]);
            if (layer.kind === 'dense' && (layer.activation ?? 'relu') === 'relu') h = relu(g, h);
            break;
          }
          case 'conv':
            toImage();
            h = conv(h, p, (layer.activation ?? 'relu') === 'relu');
            break;
          case 'residual': {
            toImage();
            const inner = conv(h, `${p}.conv1`, true);
            const branch = conv(inner, `${p}.conv2`, false);
            const skip = params[`${p}.proj.kernel`] ? conv(h, `${p}.proj`, false) : h;
            h = relu(g, add(g, skip, branch));
            break;
          }
          case 'maxpool':
            toImage();
            h = maxPool(g, h, layer.size);
            break;
          case 'flatten':
            toFlat();
            break;
          case 'global-avg-pool':
            toImage();
            h = reduceMean(g, h, [2, 3], false);
            layout = 'flat';
            break;
        }
      }
      return softmaxCrossEntropy(g, h, inputs.labels, inputs.weights);
    },
  };
}
