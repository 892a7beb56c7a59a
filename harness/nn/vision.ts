// Functional tfjs image classifiers (MLPs and small CNNs) described by a plain NetSpec. Written as
// plain ops over a parameter record rather than tf.layers/model.fit, which is several times
// slower on the wasm backend.
import type * as TF from '@tensorflow/tfjs';
import { createRng } from '../api/index.ts';
import type { Rng } from '../api/index.ts';
import type { ImageSet } from '../../datasets/mnist.ts';
import { UserError } from '../errors.ts';
import { conv2dOp, denseOp, maxPoolOp } from './dense.ts';

export type Tf = typeof TF;

export type LayerSpec =
  /** Fully connected; a 4-D input is flattened first. `dropout` is applied to this layer's input
   * during training and MC-dropout evaluation only. */
  | { kind: 'dense'; units: number; activation?: 'relu' | 'none'; dropout?: number }
  /** 2-D convolution with 'same' padding (default stride 1, activation relu). */
  | { kind: 'conv'; filters: number; size: number; stride?: number; activation?: 'relu' | 'none' }
  /** Max pooling, window = stride = size, 'valid' padding (28 → 14 → 7 → 3). */
  | { kind: 'maxpool'; size: number }
  /** relu(x + conv3×3(relu(conv3×3(x)))); a 1×1 projection of x when the channel count changes. */
  | { kind: 'residual'; filters: number }
  | { kind: 'flatten' }
  | { kind: 'global-avg-pool' };

export interface NetSpec {
  /** [height, width, channels]; the data arrive as n × (h·w·c) rows and are reshaped for convs. */
  readonly input: readonly [number, number, number];
  readonly layers: readonly LayerSpec[];
  /** A final dense classifier to `classes` logits is implied after `layers`. */
  readonly classes: number;
  /** Dropout on the classifier's input (training and MC dropout only). */
  readonly classifierDropout?: number;
}

/** Plain-array parameters (so they can be permuted, interpolated and serialized without tfjs).
 * Names, in forward order (see `parameterNames`): for layer i of `spec.layers`
 *   dense: `layer{i}.kernel` [in, out] (y = x·K + b, tfjs layout, i.e. PyTorch's weight transposed), `layer{i}.bias` [out];
 *   conv:  `layer{i}.kernel` [size, size, in, out] (tfjs HWIO layout), `layer{i}.bias` [out];
 *   residual: `layer{i}.conv1.kernel/bias`, `layer{i}.conv2.kernel/bias`, and `layer{i}.proj.kernel/bias`
 *             (1×1) when the channel count changes;
 * then the classifier `classifier.kernel` [in, classes], `classifier.bias` [classes].
 * For an MLP, permuting hidden unit j of dense layer i means permuting column j of
 * `layer{i}.kernel`, entry j of `layer{i}.bias` and row j of the next kernel. */
export interface Weights {
  readonly names: readonly string[];
  readonly tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

/** 784 → hidden… → 10 with ReLU, no normalization. With `dropout`, every hidden layer after the
 * first and the classifier get dropout on their input (i.e. after each hidden ReLU). */
export function mlpSpec(hidden: readonly number[], opts?: { dropout?: number }): NetSpec {
  const p = opts?.dropout ?? 0;
  const layers: LayerSpec[] = hidden.map((units, i) => (i > 0 && p > 0 ? { kind: 'dense', units, activation: 'relu', dropout: p } : { kind: 'dense', units, activation: 'relu' }));
  return p > 0 ? { input: [28, 28, 1], layers, classes: 10, classifierDropout: p } : { input: [28, 28, 1], layers, classes: 10 };
}

/** The five architectures of the lates spec (MNIST, 28×28×1 → 10):
 * - mlp-4: 784-256-128-64-32-10;
 * - lenet-5: conv6 5×5, pool 2, conv16 5×5, pool 2, flatten, dense 120, dense 84, 10 ('same' padding, so 7×7×16 = 784 features);
 * - vgg-mini: [conv16 3×3, pool 2] [conv32 3×3, pool 2] [conv64 3×3, pool 2], global-avg-pool, 10;
 * - resnet-mini: conv16 3×3, pool 2, 3 × residual(16) at 14×14, global-avg-pool, 10;
 * - mlp-dropout: 784-256-128-64-10 with dropout 0.3 after each hidden ReLU. */
export const ARCHITECTURES: Record<'mlp-4' | 'lenet-5' | 'vgg-mini' | 'resnet-mini' | 'mlp-dropout', NetSpec> = {
  'mlp-4': mlpSpec([256, 128, 64, 32]),
  'lenet-5': {
    input: [28, 28, 1],
    classes: 10,
    layers: [
      { kind: 'conv', filters: 6, size: 5 },
      { kind: 'maxpool', size: 2 },
      { kind: 'conv', filters: 16, size: 5 },
      { kind: 'maxpool', size: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 120 },
      { kind: 'dense', units: 84 },
    ],
  },
  'vgg-mini': {
    input: [28, 28, 1],
    classes: 10,
    layers: [
      { kind: 'conv', filters: 16, size: 3 },
      { kind: 'maxpool', size: 2 },
      { kind: 'conv', filters: 32, size: 3 },
      { kind: 'maxpool', size: 2 },
      { kind: 'conv', filters: 64, size: 3 },
      { kind: 'maxpool', size: 2 },
      { kind: 'global-avg-pool' },
    ],
  },
  'resnet-mini': {
    input: [28, 28, 1],
    classes: 10,
    layers: [
      { kind: 'conv', filters: 16, size: 3 },
      { kind: 'maxpool', size: 2 },
      { kind: 'residual', filters: 16 },
      { kind: 'residual', filters: 16 },
      { kind: 'residual', filters: 16 },
      { kind: 'global-avg-pool' },
    ],
  },
  'mlp-dropout': mlpSpec([256, 128, 64], { dropout: 0.3 }),
};

/** Shape bookkeeping shared by init, forward and the ONNX export. */
export interface LayerPlan {
  /** Index in spec.layers, or -1 for the classifier. */
  index: number;
  spec: LayerSpec | { kind: 'classifier'; units: number; dropout?: number };
  /** Parameter names this layer owns, with shapes and fan-in. */
  params: Array<{ name: string; shape: number[]; fanIn: number }>;
  /** Shape of one example after this layer: [features] or [h, w, c]. */
  outShape: number[];
}

/** Walks the spec, checking it, and returns each layer's parameters and output shape. */
export function planNet(spec: NetSpec): LayerPlan[] {
  let shape: number[] = [...spec.input];
  const plans: LayerPlan[] = [];
  const flatSize = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const needImage = (kind: string, i: number) => {
    if (shape.length !== 3) throw new UserError(`network layer ${i} (${kind}) needs an image input [h, w, c], got features [${shape}]`);
  };
  spec.layers.forEach((layer, i) => {
    const p = `layer${i}`;
    switch (layer.kind) {
      case 'dense': {
        const fanIn = flatSize(shape);
        plans.push({ index: i, spec: layer, params: [{ name: `${p}.kernel`, shape: [fanIn, layer.units], fanIn }, { name: `${p}.bias`, shape: [layer.units], fanIn }], outShape: [layer.units] });
        shape = [layer.units];
        break;
      }
      case 'conv': {
        needImage('conv', i);
        const [h, w, c] = shape;
        const stride = layer.stride ?? 1;
        const fanIn = layer.size * layer.size * c;
        shape = [Math.ceil(h / stride), Math.ceil(w / stride), layer.filters];
        plans.push({ index: i, spec: layer, params: [{ name: `${p}.kernel`, shape: [layer.size, layer.size, c, layer.filters], fanIn }, { name: `${p}.bias`, shape: [layer.filters], fanIn }], outShape: shape });
        break;
      }
      case 'residual': {
        needImage('residual', i);
        const [h, w, c] = shape;
        const f = layer.filters;
        const params = [
          { name: `${p}.conv1.kernel`, shape: [3, 3, c, f], fanIn: 9 * c },
          { name: `${p}.conv1.bias`, shape: [f], fanIn: 9 * c },
          { name: `${p}.conv2.kernel`, shape: [3, 3, f, f], fanIn: 9 * f },
          { name: `${p}.conv2.bias`, shape: [f], fanIn: 9 * f },
        ];
        if (c !== f) params.push({ name: `${p}.proj.kernel`, shape: [1, 1, c, f], fanIn: c }, { name: `${p}.proj.bias`, shape: [f], fanIn: c });
        shape = [h, w, f];
        plans.push({ index: i, spec: layer, params, outShape: shape });
        break;
      }
      case 'maxpool': {
        needImage('maxpool', i);
        const [h, w, c] = shape;
        shape = [Math.floor(h / layer.size), Math.floor(w / layer.size), c];
        if (shape[0] < 1 || shape[1] < 1) throw new UserError(`network layer ${i}: maxpool ${layer.size} on ${h}×${w} leaves nothing`);
        plans.push({ index: i, spec: layer, params: [], outShape: shape });
        break;
      }
      case 'flatten':
        shape = [flatSize(shape)];
        plans.push({ index: i, spec: layer, params: [], outShape: shape });
        break;
      case 'global-avg-pool':
        needImage('global-avg-pool', i);
        shape = [shape[2]];
        plans.push({ index: i, spec: layer, params: [], outShape: shape });
        break;
      default:
        throw new UserError(`network layer ${i}: unknown kind "${(layer as { kind: string }).kind}" (expected dense, conv, maxpool, residual, flatten, global-avg-pool)`);
    }
  });
  const fanIn = flatSize(shape);
  plans.push({
    index: -1,
    spec: { kind: 'classifier', units: spec.classes, dropout: spec.classifierDropout },
    params: [{ name: 'classifier.kernel', shape: [fanIn, spec.classes], fanIn }, { name: 'classifier.bias', shape: [spec.classes], fanIn }],
    outShape: [spec.classes],
  });
  return plans;
}

/** Parameter names of a spec in forward order (the order of Weights.names). */
export function parameterNames(spec: NetSpec): string[] {
  return planNet(spec).flatMap((l) => l.params.map((p) => p.name));
}

/** PyTorch's default init for nn.Linear / nn.Conv2d: kernel ~ U(±1/√fan_in) (kaiming_uniform with
 * a = √5), bias ~ U(±1/√fan_in); fan_in = in (dense) or size²·in (conv). All draws from `rng`, one
 * fork per parameter, so adding a layer does not change the others' values. */
export function initWeights(spec: NetSpec, rng: Rng): Weights {
  const names: string[] = [];
  const tensors: Weights['tensors'] = {};
  for (const layer of planNet(spec)) {
    for (const p of layer.params) {
      const r = rng.fork(p.name);
      const bound = 1 / Math.sqrt(p.fanIn);
      const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = (2 * r.next() - 1) * bound;
      names.push(p.name);
      tensors[p.name] = { shape: [...p.shape], data };
    }
  }
  return { names, tensors };
}

/** A type alias (not an interface) so that it is a tf.TensorContainer and can be returned from tf.tidy. */
export type ForwardResult = {
  logits: TF.Tensor2D;
  /** Output of every weight layer (dense, conv, residual) after its activation, in forward order,
   * flattened to n × features; conv/residual outputs are global-average-pooled to n × channels.
   * Empty when `collect` is false. */
  blocks: TF.Tensor2D[];
  /** Pre-activation (x·K + b) of each hidden dense layer, in order. Empty when `collect` is false. */
  preacts: TF.Tensor2D[];
};

export interface ForwardOptions {
  /** Apply dropout (training or MC dropout); masks come from createRng(dropoutSeed). */
  training?: boolean;
  dropoutSeed?: number;
  /** Fill `blocks` and `preacts` (default: !training). When false, bias + ReLU stay fused. */
  collect?: boolean;
}

/** Fills `mask` with 0 / (1/(1−p)) drawn from `rng` (inverted dropout); the ONNX trainer draws its
 * masks through this too, so both backends drop the same units. */
export function fillDropoutMask(rng: Rng, mask: Float32Array, p: number): Float32Array {
  const keep = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : keep;
  return mask;
}

/** A 0 / (1/(1−p)) mask of n × d drawn from `rng`. */
function dropoutMask(tf: Tf, rng: Rng, n: number, d: number, p: number): TF.Tensor2D {
  return tf.tensor2d(fillDropoutMask(rng, new Float32Array(n * d), p), [n, d]);
}

/** Runs the network on x (n × h·w·c). Uses the fast dense and conv ops of ./dense.ts, so gradients
 * through it are cheap on wasm. Call it inside tf.tidy (or dispose the results yourself). */
export function forward(tf: Tf, spec: NetSpec, params: Record<string, TF.Tensor>, x: TF.Tensor2D, opts?: ForwardOptions): ForwardResult {
  const training = opts?.training ?? false;
  const collect = opts?.collect ?? !training;
  if (training && opts?.dropoutSeed === undefined && hasDropout(spec)) throw new UserError('forward: training with dropout needs a dropoutSeed');
  const rng = createRng(opts?.dropoutSeed ?? 0).fork('dropout');
  const n = x.shape[0];
  const blocks: TF.Tensor2D[] = [];
  const preacts: TF.Tensor2D[] = [];
  let h: TF.Tensor = x;
  // Until the first weight layer the activations are data: no gradient needs to reach them.
  let onData = true;
  const param = (name: string) => {
    const t = params[name];
    if (!t) throw new UserError(`forward: parameter "${name}" is missing (have ${Object.keys(params).join(', ')})`);
    return t;
  };
  const asImage = (t: TF.Tensor) => (t.rank === 4 ? (t as TF.Tensor4D) : (tf.reshape(t, [n, ...spec.input]) as TF.Tensor4D));
  const asFlat = (t: TF.Tensor) => (t.rank === 2 ? (t as TF.Tensor2D) : (tf.reshape(t, [n, -1]) as TF.Tensor2D));
  const pooled = (t: TF.Tensor4D) => tf.mean(t, [1, 2]) as TF.Tensor2D;
  const dense = (name: string, units: number, activation: 'relu' | 'none', dropout: number | undefined, hidden: boolean) => {
    let input = asFlat(h);
    if (training && dropout && dropout > 0) input = tf.mul(input, dropoutMask(tf, rng, n, input.shape[1], dropout));
    const kernel = param(`${name}.kernel`);
    const bias = param(`${name}.bias`);
    if (collect && hidden) {
      const z = denseOp(tf, input, kernel, bias, 'none', { inputGrad: !onData });
      preacts.push(z);
      const y = activation === 'relu' ? tf.relu(z) : z;
      blocks.push(y);
      onData = false;
      return y;
    }
    const y = denseOp(tf, input, kernel, bias, activation, { inputGrad: !onData });
    onData = false;
    return y;
  };
  spec.layers.forEach((layer, i) => {
    const p = `layer${i}`;
    switch (layer.kind) {
      case 'dense':
        h = dense(p, layer.units, layer.activation ?? 'relu', layer.dropout, true);
        break;
      case 'conv': {
        h = conv2dOp(tf, asImage(h), param(`${p}.kernel`), param(`${p}.bias`), layer.stride ?? 1, layer.activation ?? 'relu', { inputGrad: !onData });
        onData = false;
        if (collect) blocks.push(pooled(h as TF.Tensor4D));
        break;
      }
      case 'residual': {
        const input = asImage(h);
        const inner = conv2dOp(tf, input, param(`${p}.conv1.kernel`), param(`${p}.conv1.bias`), 1, 'relu', { inputGrad: !onData });
        const branch = conv2dOp(tf, inner, param(`${p}.conv2.kernel`), param(`${p}.conv2.bias`), 1, 'none');
        const skip = params[`${p}.proj.kernel`] ? conv2dOp(tf, input, param(`${p}.proj.kernel`), param(`${p}.proj.bias`), 1, 'none', { inputGrad: !onData }) : input;
        h = tf.relu(tf.add(skip, branch));
        onData = false;
        if (collect) blocks.push(pooled(h as TF.Tensor4D));
        break;
      }
      case 'maxpool':
        h = maxPoolOp(tf, asImage(h), layer.size);
        break;
      case 'flatten':
        h = asFlat(h);
        break;
      case 'global-avg-pool':
        h = pooled(asImage(h));
        break;
    }
  });
  const logits = dense('classifier', spec.classes, 'none', spec.classifierDropout, false);
  return { logits, blocks, preacts };
}

function hasDropout(spec: NetSpec): boolean {
  return (spec.classifierDropout ?? 0) > 0 || spec.layers.some((l) => l.kind === 'dense' && (l.dropout ?? 0) > 0);
}

export interface Evaluation {
  /** n × classes, row-major. */
  logits: Float32Array;
  /** Mean cross-entropy in nats. */
  loss: number;
  acc: number;
}

/** Tensors for a Weights object (the caller disposes them). */
function toTensors(tf: Tf, weights: Weights): Record<string, TF.Tensor> {
  const out: Record<string, TF.Tensor> = {};
  for (const name of weights.names) out[name] = tf.tensor(weights.tensors[name].data, weights.tensors[name].shape);
  return out;
}

/** Logits, mean cross-entropy and accuracy over `set`, in batches (default 1000). With
 * `mcDropoutSeed` dropout is active (one MC-dropout pass with masks from that seed). */
export function evaluate(tf: Tf, spec: NetSpec, weights: Weights, set: ImageSet, opts?: { batchSize?: number; mcDropoutSeed?: number }): Evaluation {
  const batch = opts?.batchSize ?? 1000;
  const d = set.x.length / set.n;
  const params = toTensors(tf, weights);
  const logits = new Float32Array(set.n * spec.classes);
  try {
    for (let start = 0; start < set.n; start += batch) {
      const m = Math.min(batch, set.n - start);
      const out = tf.tidy(() => {
        const xb = tf.tensor2d(set.x.subarray(start * d, (start + m) * d), [m, d]);
        const seed = opts?.mcDropoutSeed === undefined ? undefined : (opts.mcDropoutSeed + Math.imul(start, 0x9e3779b1)) >>> 0;
        return forward(tf, spec, params, xb, { training: seed !== undefined, dropoutSeed: seed, collect: false }).logits;
      });
      logits.set(out.dataSync(), start * spec.classes);
      out.dispose();
    }
  } finally {
    tf.dispose(Object.values(params));
  }
  const { loss, acc } = crossEntropyAndAccuracy(logits, set.y, spec.classes);
  return { logits, loss, acc };
}

/** Mean cross-entropy (nats, Float64 log-sum-exp) and accuracy of row-major logits. */
export function crossEntropyAndAccuracy(logits: Float32Array, labels: Uint8Array, classes: number): { loss: number; acc: number } {
  const n = labels.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) if (row[c] > max) [max, arg] = [row[c], c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c] - max);
    loss += Math.log(sum) + max - row[labels[i]];
    if (arg === labels[i]) correct++;
  }
  return { loss: loss / n, acc: correct / n };
}

/** Hidden activations over `set` (dropout off), streamed in batches: `preacts[j]` and `blocks[j]`
 * are n × width row-major (same order as ForwardResult). */
export function activations(tf: Tf, spec: NetSpec, weights: Weights, set: ImageSet, opts?: { batchSize?: number }): { preacts: Float32Array[]; blocks: Float32Array[] } {
  const batch = opts?.batchSize ?? 1000;
  const d = set.x.length / set.n;
  const params = toTensors(tf, weights);
  let preacts: Float32Array[] = [];
  let blocks: Float32Array[] = [];
  try {
    for (let start = 0; start < set.n; start += batch) {
      const m = Math.min(batch, set.n - start);
      const out = tf.tidy(() => {
        const xb = tf.tensor2d(set.x.subarray(start * d, (start + m) * d), [m, d]);
        const r = forward(tf, spec, params, xb, { collect: true });
        return { preacts: r.preacts, blocks: r.blocks };
      });
      if (start === 0) {
        preacts = out.preacts.map((t) => new Float32Array(set.n * t.shape[1]));
        blocks = out.blocks.map((t) => new Float32Array(set.n * t.shape[1]));
      }
      out.preacts.forEach((t, j) => preacts[j].set(t.dataSync(), start * t.shape[1]));
      out.blocks.forEach((t, j) => blocks[j].set(t.dataSync(), start * t.shape[1]));
      tf.dispose([...out.preacts, ...out.blocks]);
    }
  } finally {
    tf.dispose(Object.values(params));
  }
  return { preacts, blocks };
}
