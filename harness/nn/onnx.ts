// Export of NetSpec networks to ONNX (opset 13, IR 7) and evaluation through onnxruntime-node.
// The model is encoded with protobufjs from the ONNX subset in ./onnx-subset.proto.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { ImageSet } from '../../datasets/mnist.ts';
import { UserError } from '../errors.ts';
import { planNet, type NetSpec, type Weights } from './vision.ts';

const OPSET = 13;
const IR_VERSION = 7;
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

let modelType: protobuf.Type | undefined;

/** protobufjs type of onnx.ModelProto, parsed once from the subset schema beside this file. */
export function onnxModelType(): protobuf.Type {
  if (!modelType) {
    const text = readFileSync(new URL('./onnx-subset.proto', import.meta.url), 'utf8');
    modelType = protobuf.parse(text, { keepCase: true }).root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

interface GraphBuilder {
  nodes: object[];
  initializers: object[];
  counter: number;
}

function floatInitializer(g: GraphBuilder, name: string, dims: number[], data: Float32Array): string {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  g.initializers.push({ name, dims, data_type: FLOAT, raw_data: raw });
  return name;
}

function int64Initializer(g: GraphBuilder, name: string, values: number[]): string {
  g.initializers.push({ name, dims: [values.length], data_type: INT64, int64_data: values });
  return name;
}

function node(g: GraphBuilder, op: string, inputs: string[], attributes: Record<string, number | number[]> = {}): string {
  const output = `${op.toLowerCase()}_${g.counter++}`;
  const attribute = Object.entries(attributes).map(([name, value]) =>
    Array.isArray(value) ? { name, type: ATTR_INTS, ints: value } : { name, type: ATTR_INT, i: value },
  );
  g.nodes.push({ op_type: op, name: output, input: inputs, output: [output], attribute });
  return output;
}

/** HWIO (tfjs) → OIHW (ONNX) kernel layout. */
function convKernel(w: { shape: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) out[((o * ci + c) * kh + a) * kw + b] = w.data[((a * kw + b) * ci + c) * co + o];
  return { dims: [co, ci, kh, kw], data: out };
}

/** tfjs 'same' padding as ONNX pads [top, left, bottom, right]. */
function samePads(h: number, w: number, k: number, stride: number): number[] {
  const padH = Math.max((Math.ceil(h / stride) - 1) * stride + k - h, 0);
  const padW = Math.max((Math.ceil(w / stride) - 1) * stride + k - w, 0);
  return [Math.floor(padH / 2), Math.floor(padW / 2), padH - Math.floor(padH / 2), padW - Math.floor(padW / 2)];
}

/** ONNX model bytes: input `x` [N, h·w·c] float32 → output `logits` [N, classes]. Supports every
 * LayerSpec kind (dense, conv, maxpool, residual, flatten, global-avg-pool); dropout is the
 * identity at inference. Convolutions run in NCHW: the image is reshaped to NHWC and transposed once,
 * and transposed back to NHWC before flattening so dense kernels keep tfjs's feature order. */
export function toOnnx(spec: NetSpec, weights: Weights): Uint8Array {
  const g: GraphBuilder = { nodes: [], initializers: [], counter: 0 };
  const param = (name: string) => {
    const t = weights.tensors[name];
    if (!t) throw new UserError(`toOnnx: weights lack "${name}"`);
    return t;
  };
  const [H, W, C] = spec.input;
  let current = 'x';
  let layout: 'flat' | 'nchw' = 'flat';
  let shape: number[] = [H, W, C];
  const toImage = () => {
    if (layout === 'nchw') return;
    const reshaped = node(g, 'Reshape', [current, int64Initializer(g, `shape_${g.counter}`, [-1, H, W, C])]);
    current = node(g, 'Transpose', [reshaped], { perm: [0, 3, 1, 2] });
    layout = 'nchw';
  };
  const toFlat = () => {
    if (layout === 'flat') return;
    const nhwc = node(g, 'Transpose', [current], { perm: [0, 2, 3, 1] });
    current = node(g, 'Flatten', [nhwc], { axis: 1 });
    layout = 'flat';
  };
  const conv = (input: string, prefix: string, k: number, stride: number, inShape: number[]) => {
    const kernel = convKernel(param(`${prefix}.kernel`));
    const wName = floatInitializer(g, `${prefix}.kernel`, kernel.dims, kernel.data);
    const bias = param(`${prefix}.bias`);
    const bName = floatInitializer(g, `${prefix}.bias`, bias.shape, bias.data);
    return node(g, 'Conv', [input, wName, bName], { kernel_shape: [k, k], strides: [stride, stride], pads: samePads(inShape[0], inShape[1], k, stride) });
  };
  const dense = (prefix: string, relu: boolean) => {
    toFlat();
    const kernel = param(`${prefix}.kernel`);
    const bias = param(`${prefix}.bias`);
    const y = node(g, 'Gemm', [current, floatInitializer(g, `${prefix}.kernel`, kernel.shape, kernel.data), floatInitializer(g, `${prefix}.bias`, bias.shape, bias.data)]);
    current = relu ? node(g, 'Relu', [y]) : y;
  };
  for (const plan of planNet(spec)) {
    const layer = plan.spec;
    const p = `layer${plan.index}`;
    switch (layer.kind) {
      case 'dense':
        dense(p, (layer.activation ?? 'relu') === 'relu');
        break;
      case 'classifier':
        dense('classifier', false);
        break;
      case 'conv': {
        toImage();
        const y = conv(current, p, layer.size, layer.stride ?? 1, shape);
        current = (layer.activation ?? 'relu') === 'relu' ? node(g, 'Relu', [y]) : y;
        break;
      }
      case 'residual': {
        toImage();
        const input = current;
        const inner = node(g, 'Relu', [conv(input, `${p}.conv1`, 3, 1, shape)]);
        const branch = conv(inner, `${p}.conv2`, 3, 1, shape);
        const skip = weights.tensors[`${p}.proj.kernel`] ? conv(input, `${p}.proj`, 1, 1, shape) : input;
        current = node(g, 'Relu', [node(g, 'Add', [skip, branch])]);
        break;
      }
      case 'maxpool':
        toImage();
        current = node(g, 'MaxPool', [current], { kernel_shape: [layer.size, layer.size], strides: [layer.size, layer.size] });
        break;
      case 'flatten':
        toFlat();
        break;
      case 'global-avg-pool':
        toImage();
        current = node(g, 'Flatten', [node(g, 'GlobalAveragePool', [current])], { axis: 1 });
        layout = 'flat';
        break;
    }
    shape = plan.outShape;
  }
  // Name the final value `logits`.
  (g.nodes[g.nodes.length - 1] as { output: string[] }).output = ['logits'];
  const tensorType = (dims: Array<number | string>) => ({
    tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } },
  });
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'harness',
    producer_version: '1',
    opset_import: [{ domain: '', version: OPSET }],
    graph: {
      name: 'net',
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: 'x', type: tensorType(['N', H * W * C]) }],
      output: [{ name: 'logits', type: tensorType(['N', spec.classes]) }],
    },
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

type Ort = typeof import('onnxruntime-node');

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new UserError(`ONNX Runtime (onnxruntime-node) could not be loaded: ${(error as Error).message.split('\n')[0]}`, ['install it with `npm ci` (set ONNXRUNTIME_NODE_INSTALL=skip offline)']);
  }
}

/** An ONNX Runtime session on the CPU with one intra-op and one inter-op thread. */
export async function onnxSession(modelBytes: Uint8Array): Promise<import('onnxruntime-node').InferenceSession> {
  const ort = await loadOrt();
  return ort.InferenceSession.create(modelBytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', executionProviders: ['cpu'] });
}

/** Logits (n × classes, row-major) of `set` through ONNX Runtime (CPU, one intra-op thread), in
 * batches of `batchSize` (default 1000). */
export async function onnxEvaluate(modelBytes: Uint8Array, set: ImageSet, batchSize = 1000): Promise<Float32Array> {
  const ort = await loadOrt();
  const session = await onnxSession(modelBytes);
  try {
    const d = set.x.length / set.n;
    let out: Float32Array | undefined;
    for (let start = 0; start < set.n; start += batchSize) {
      const m = Math.min(batchSize, set.n - start);
      const x = new ort.Tensor('float32', set.x.slice(start * d, (start + m) * d), [m, d]);
      const result = await session.run({ x });
      const logits = result.logits.data as Float32Array;
      const classes = logits.length / m;
      out ??= new Float32Array(set.n * classes);
      out.set(logits, start * classes);
    }
    return out ?? new Float32Array(0);
  } finally {
    await session.release();
  }
}
