// The graph builder: values with static shapes, raw ONNX nodes, constants, and a tape of
// differentiable steps that `gradients` walks backwards (reverse-mode differentiation). Ops
// (./ops.ts) emit their forward nodes through `node` and record a vector–Jacobian product with
// `record`; during the backward walk recording is off, so the same op functions build the gradient
// graph. The result encodes to ONNX (opset 17, IR 8) with the protobufjs schema of ../nn/onnx.ts.
import { onnxModelType } from '../nn/onnx.ts';

export type FloatType = 'float32' | 'float64';
export type DType = FloatType | 'int64' | 'bool';

const ONNX_ELEM: Record<DType, number> = { float32: 1, int64: 7, bool: 9, float64: 11 };
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;
export const OPSET = 17;
const IR_VERSION = 8;

export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Some parameter reaches this value (its gradient is wanted). */
  needsGrad: boolean;
}

/** An attribute: integer → INT, {f} → FLOAT, string → STRING, integer array → INTS. */
export type Attr = number | number[] | string | { f: number };

/** Given dL/d(output), returns dL/d(input) for the inputs whose `needs` flag is set (null elsewhere). */
export type Vjp = (dy: Value, needs: readonly boolean[]) => (Value | null)[];

interface TapeEntry {
  inputs: Value[];
  output: Value;
  vjp: Vjp;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export class Graph {
  readonly float: FloatType;
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly graphInputs: Value[] = [];
  private readonly graphOutputs: Value[] = [];
  private readonly tape: TapeEntry[] = [];
  private readonly constants = new Map<string, Value>();
  private counter = 0;
  /** Node output name → the node (to rename outputs). */
  private readonly producers = new Map<string, { output: string[]; input: string[] }>();
  private readonly renamed = new Map<string, string>();
  private recording = true;

  constructor(float: FloatType = 'float32') {
    this.float = float;
  }

  /** A graph input fed at run time (a batch, a parameter, a learning rate). */
  input(name: string, shape: readonly number[], dtype: DType = this.float, needsGrad = false): Value {
    if (this.graphInputs.some((v) => v.name === name)) throw new Error(`graph input "${name}" declared twice`);
    const value: Value = { name, shape: [...shape], dtype, needsGrad };
    this.graphInputs.push(value);
    return value;
  }

  /** A trainable parameter: an input whose gradient `gradients` can return. */
  param(name: string, shape: readonly number[]): Value {
    return this.input(name, shape, this.float, true);
  }

  /** Declares `value` a graph output under `name`. The node that computes it is renamed to write
   * `name` directly (an Identity node would copy the tensor); graph inputs, constants and values
   * already output go through an Identity. Call after every other node is built. */
  output(value: Value, name: string): Value {
    const producer = this.producers.get(value.name);
    const renamable = producer && !this.graphOutputs.some((o) => o.name === value.name) && !this.renamed.has(value.name);
    if (!renamable) {
      const out = this.node('Identity', [value], {}, value.shape, value.dtype, name);
      this.graphOutputs.push(out);
      return out;
    }
    this.renamed.set(value.name, name);
    const out: Value = { name, shape: value.shape, dtype: value.dtype, needsGrad: false };
    this.graphOutputs.push(out);
    return out;
  }

  get inputs(): readonly Value[] {
    return this.graphInputs;
  }

  get outputs(): readonly Value[] {
    return this.graphOutputs;
  }

  /** A raw node with one output of the given shape and type (no gradient recorded). */
  node(op: string, inputs: ReadonlyArray<Value | string>, attrs: Record<string, Attr>, shape: readonly number[], dtype: DType, outputName?: string): Value {
    return this.nodeMulti(op, inputs, attrs, [{ shape, dtype }], outputName ? [outputName] : undefined)[0];
  }

  /** A raw node with several outputs. */
  nodeMulti(op: string, inputs: ReadonlyArray<Value | string>, attrs: Record<string, Attr>, outs: { shape: readonly number[]; dtype: DType }[], names?: string[]): Value[] {
    for (const o of outs) for (const d of o.shape) if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: bad output shape [${o.shape}]`);
    const id = this.counter++;
    const outputs = outs.map((o, i) => ({ name: names?.[i] ?? `${op.toLowerCase()}_${id}${i ? `_${i}` : ''}`, shape: [...o.shape], dtype: o.dtype, needsGrad: false }));
    const attribute = Object.entries(attrs).map(([name, value]) => {
      if (Array.isArray(value)) return { name, type: ATTR_INTS, ints: value };
      if (typeof value === 'string') return { name, type: ATTR_STRING, s: new TextEncoder().encode(value) };
      if (typeof value === 'object') return { name, type: ATTR_FLOAT, f: value.f };
      if (!Number.isInteger(value)) throw new Error(`${op}: attribute ${name} = ${value} is not an integer (use {f})`);
      return { name, type: ATTR_INT, i: value };
    });
    const record = { op_type: op, name: `n${id}`, input: inputs.map((v) => (typeof v === 'string' ? v : v.name)), output: outputs.map((o) => o.name), attribute };
    this.nodes.push(record);
    for (const o of outputs) this.producers.set(o.name, record);
    return outputs;
  }

  /** A constant tensor (an initializer), shared between identical requests. */
  constant(values: ArrayLike<number>, shape: readonly number[], dtype: DType = this.float): Value {
    if (values.length !== sizeOf(shape)) throw new Error(`constant: ${values.length} values for shape [${shape}]`);
    const small = values.length <= 16;
    const key = small ? `${dtype}:${shape.join('x')}:${Array.from(values).join(',')}` : undefined;
    const hit = key ? this.constants.get(key) : undefined;
    if (hit) return hit;
    const name = `const_${this.counter++}`;
    let raw: Uint8Array;
    if (dtype === 'float32') raw = new Uint8Array(Float32Array.from(values).buffer);
    else if (dtype === 'float64') raw = new Uint8Array(Float64Array.from(values).buffer);
    else if (dtype === 'int64') raw = new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    else raw = Uint8Array.from(values, (v) => (v ? 1 : 0));
    this.initializers.push({ name, dims: [...shape], data_type: ONNX_ELEM[dtype], raw_data: raw });
    const value: Value = { name, shape: [...shape], dtype, needsGrad: false };
    if (key) this.constants.set(key, value);
    return value;
  }

  /** A scalar constant of the graph's float type (or `dtype`). */
  scalar(value: number, dtype: DType = this.float): Value {
    return this.constant([value], [], dtype);
  }

  /** An int64 vector constant (shapes, axes). */
  ints(values: readonly number[]): Value {
    return this.constant(values, [values.length], 'int64');
  }

  /** Records a differentiable step: `output` was computed from `inputs`; `vjp` maps its gradient
   * back. Outside of a backward walk only; returns `output` (marked when a parameter reaches it). */
  record(output: Value, inputs: Value[], vjp: Vjp): Value {
    if (this.recording && inputs.some((v) => v.needsGrad)) {
      output.needsGrad = true;
      this.tape.push({ inputs, output, vjp });
    }
    return output;
  }

  /** dL/dw for each w of `wrt`, L = the sum of `loss`'s elements: the tape walked backwards, each
   * step's vector–Jacobian product emitted as nodes, contributions to one value summed. */
  gradients(loss: Value, wrt: readonly Value[]): Value[] {
    const grads = new Map<string, Value>();
    grads.set(loss.name, this.constant(new Array(sizeOf(loss.shape)).fill(1), loss.shape, loss.dtype));
    this.recording = false;
    try {
      for (let i = this.tape.length - 1; i >= 0; i--) {
        const entry = this.tape[i];
        const dy = grads.get(entry.output.name);
        if (!dy) continue;
        const needs = entry.inputs.map((v) => v.needsGrad);
        const dxs = entry.vjp(dy, needs);
        entry.inputs.forEach((x, j) => {
          const dx = dxs[j];
          if (!needs[j] || !dx) return;
          if (dx.shape.join() !== x.shape.join()) throw new Error(`gradient of ${x.name} has shape [${dx.shape}], expected [${x.shape}]`);
          const previous = grads.get(x.name);
          grads.set(x.name, previous ? this.node('Add', [previous, dx], {}, x.shape, x.dtype) : dx);
        });
      }
    } finally {
      this.recording = true;
    }
    return wrt.map((w) => grads.get(w.name) ?? this.constant(new Array(sizeOf(w.shape)).fill(0), w.shape, w.dtype));
  }

  /** The ONNX model bytes. */
  toBytes(): Uint8Array {
    const rename = (n: string) => this.renamed.get(n) ?? n;
    const nodes = (this.nodes as Array<{ input: string[]; output: string[] }>).map((n) => ({ ...n, input: n.input.map(rename), output: n.output.map(rename) }));
    const valueInfo = (v: Value) => ({ name: v.name, type: { tensor_type: { elem_type: ONNX_ELEM[v.dtype], shape: { dim: v.shape.map((d) => ({ dim_value: d })) } } } });
    const model = {
      ir_version: IR_VERSION,
      producer_name: 'harness',
      producer_version: '1',
      opset_import: [{ domain: '', version: OPSET }],
      graph: { name: 'train_step', node: nodes, initializer: this.initializers, input: this.graphInputs.map(valueInfo), output: this.graphOutputs.map(valueInfo) },
    };
    const type = onnxModelType();
    return type.encode(type.fromObject(model)).finish();
  }

  /** Number of nodes so far (for tests and design notes). */
  get nodeCount(): number {
    return this.nodes.length;
  }
}
