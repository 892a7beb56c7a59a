// Step graphs and the session that runs them. A StepModel says once which parameters and batch
// inputs a model has and how its loss is computed from them; buildStepGraph turns it into one ONNX
// graph of forward + loss + backward + optimiser update, and OnnxTrainer runs that graph with
// onnxruntime-node, feeding each step's output tensors (new parameters, new optimiser state)
// straight back as the next step's inputs.
import { UserError } from '../errors.ts';
import { Graph, sizeOf, type DType, type FloatType, type Value } from './graph.ts';
import { emitUpdate, optimizerScalarValues, stateSlots, type GraphOptimizer } from './optimizer.ts';

type Ort = typeof import('onnxruntime-node');
type OrtTensor = import('onnxruntime-node').Tensor;
type Session = import('onnxruntime-node').InferenceSession;

export interface TensorSpec {
  name: string;
  shape: number[];
}

export interface StepModel {
  /** Parameters in a fixed order (their names are graph inputs). */
  params: TensorSpec[];
  /** Per-step inputs (data, labels, loss weights). */
  batch: Array<TensorSpec & { dtype: DType }>;
  /** The scalar loss from parameter and batch values (built with ./ops.ts). */
  loss(g: Graph, params: Record<string, Value>, batch: Record<string, Value>): Value;
}

function declare(model: StepModel, float: FloatType): { g: Graph; params: Value[]; loss: Value } {
  const g = new Graph(float);
  const params = model.params.map((p) => g.param(p.name, p.shape));
  const batch = Object.fromEntries(model.batch.map((b) => [b.name, g.input(b.name, b.shape, b.dtype === 'float32' || b.dtype === 'float64' ? float : b.dtype)]));
  const loss = model.loss(g, Object.fromEntries(params.map((p) => [p.name, p])), batch);
  return { g, params, loss };
}

/** One training step: inputs params, `${param}.${slot}` state, batch, scalars; outputs `loss`,
 * `${param}.next` and `${param}.${slot}.next`. */
export function buildStepGraph(model: StepModel, opt: GraphOptimizer, float: FloatType = 'float32'): Uint8Array {
  const { g, params, loss } = declare(model, float);
  const grads = g.gradients(loss, params);
  const update = emitUpdate(g, opt, params, grads);
  g.output(loss, 'loss');
  const slots = stateSlots(opt);
  params.forEach((p, i) => {
    g.output(update.params[i], `${p.name}.next`);
    slots.forEach((slot, j) => g.output(update.state[i][j], `${p.name}.${slot}.next`));
  });
  return g.toBytes();
}

/** Loss and gradients only (outputs `loss` and `${param}.grad`): for gradient checks. */
export function buildGradientGraph(model: StepModel, float: FloatType = 'float32'): Uint8Array {
  const { g, params, loss } = declare(model, float);
  const grads = g.gradients(loss, params);
  g.output(loss, 'loss');
  params.forEach((p, i) => g.output(grads[i], `${p.name}.grad`));
  return g.toBytes();
}

let ortModule: Promise<Ort> | undefined;

export async function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').catch((error: Error) => {
    ortModule = undefined;
    throw new UserError(`ONNX Runtime (onnxruntime-node) could not be loaded: ${error.message.split('\n')[0]}`, ['install it with `npm ci` (set ONNXRUNTIME_NODE_INSTALL=skip offline)']);
  });
  return ortModule;
}

/** onnxruntime-node's version (recorded as backend_version). */
export async function ortVersion(): Promise<string> {
  const ort = await loadOrt();
  return (ort as unknown as { env: { versions?: { common?: string } } }).env.versions?.common ?? 'unknown';
}

/** A session on the CPU execution provider, `threads` intra-op threads (default 1), all graph optimisations. */
export async function createSession(bytes: Uint8Array, threads = 1): Promise<Session> {
  const ort = await loadOrt();
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

export type FloatArray = Float32Array | Float64Array;

function tensorOf(ort: Ort, dtype: DType, data: ArrayLike<number>, shape: number[]): OrtTensor {
  switch (dtype) {
    case 'float32':
      return new ort.Tensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), shape);
    case 'float64':
      return new ort.Tensor('float64', data instanceof Float64Array ? data : Float64Array.from(data), shape);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(Array.prototype.map.call(data, (v: number) => BigInt(v)) as bigint[]), shape);
    case 'bool':
      return new ort.Tensor('bool', Uint8Array.from(data), shape);
  }
}

/** Runs a model's step graph. Parameters and optimiser state live in ORT tensors between steps:
 * the outputs of one run are the inputs of the next, never copied into JS arrays by this class.
 * Batches of another shape (a sequence model at another length) get their own session, compiled
 * on first use, over the same parameter and state tensors. */
export class OnnxTrainer {
  private t = 0;
  private readonly sessions = new Map<string, { session: Session; model: StepModel }>();
  private constructor(
    private readonly ort: Ort,
    private active: { session: Session; model: StepModel },
    private readonly opt: GraphOptimizer,
    private readonly float: FloatType,
    private readonly threads: number | undefined,
    private state: Record<string, OrtTensor>,
  ) {
    this.sessions.set(shapeKey(active.model), active);
  }

  /** Compiles the step graph and loads it with `init` parameters (zero optimiser state). */
  static async create(model: StepModel, opt: GraphOptimizer, init: Record<string, ArrayLike<number>>, options?: { float?: FloatType; threads?: number }): Promise<OnnxTrainer> {
    const float = options?.float ?? 'float32';
    const ort = await loadOrt();
    const session = await createSession(buildStepGraph(model, opt, float), options?.threads);
    const state: Record<string, OrtTensor> = {};
    for (const p of model.params) {
      const values = init[p.name];
      if (!values || values.length !== sizeOf(p.shape)) throw new Error(`OnnxTrainer: initial "${p.name}" must hold ${sizeOf(p.shape)} values, got ${values?.length}`);
      state[p.name] = tensorOf(ort, float, values, p.shape);
      for (const slot of stateSlots(opt)) state[`${p.name}.${slot}`] = tensorOf(ort, float, new Float64Array(sizeOf(p.shape)), p.shape);
    }
    return new OnnxTrainer(ort, { session, model }, opt, float, options?.threads, state);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /** One optimiser step on `batch` at learning rate `lr`; returns the loss before the update.
   * `model` (same parameters, other batch shapes) switches to that step graph. */
  async step(batch: Record<string, ArrayLike<number>>, lr: number, model?: StepModel): Promise<number> {
    if (model && shapeKey(model) !== shapeKey(this.active.model)) {
      const key = shapeKey(model);
      let entry = this.sessions.get(key);
      if (!entry) {
        entry = { session: await createSession(buildStepGraph(model, this.opt, this.float), this.threads), model };
        this.sessions.set(key, entry);
      }
      this.active = entry;
    }
    const feeds: Record<string, OrtTensor> = { ...this.state };
    for (const b of this.active.model.batch) {
      const values = batch[b.name];
      if (!values) throw new Error(`OnnxTrainer.step: batch lacks "${b.name}"`);
      feeds[b.name] = tensorOf(this.ort, b.dtype === 'float32' || b.dtype === 'float64' ? this.float : b.dtype, values, b.shape);
    }
    this.t++;
    for (const [name, value] of Object.entries(optimizerScalarValues(this.opt, lr, this.t))) feeds[name] = tensorOf(this.ort, this.float, [value], []);
    const out = await this.active.session.run(feeds);
    for (const name of Object.keys(this.state)) this.state[name] = out[`${name}.next`];
    return Number((out.loss.data as FloatArray)[0]);
  }

  /** Copies of the current parameters. */
  read(): Record<string, FloatArray> {
    return Object.fromEntries(this.active.model.params.map((p) => [p.name, (this.state[p.name].data as FloatArray).slice()]));
  }

  async release(): Promise<void> {
    for (const { session } of this.sessions.values()) await session.release();
    this.sessions.clear();
  }
}

const shapeKey = (model: StepModel) => JSON.stringify(model.batch.map((b) => [b.name, b.shape]));

/** A session computing the loss and gradients of `model` (for checks): call `run` with parameter
 * and batch values as often as needed, then `release`. */
export async function gradientEvaluator(model: StepModel, float: FloatType = 'float64'): Promise<{
  run(params: Record<string, ArrayLike<number>>, batch: Record<string, ArrayLike<number>>): Promise<{ loss: number; grads: Record<string, FloatArray> }>;
  release(): Promise<void>;
}> {
  const ort = await loadOrt();
  const session = await createSession(buildGradientGraph(model, float));
  return {
    async run(params, batch) {
      const feeds: Record<string, OrtTensor> = {};
      for (const p of model.params) feeds[p.name] = tensorOf(ort, float, params[p.name], p.shape);
      for (const b of model.batch) feeds[b.name] = tensorOf(ort, b.dtype === 'float32' || b.dtype === 'float64' ? float : b.dtype, batch[b.name], b.shape);
      const out = await session.run(feeds);
      return { loss: Number((out.loss.data as FloatArray)[0]), grads: Object.fromEntries(model.params.map((p) => [p.name, out[`${p.name}.grad`].data as FloatArray])) };
    },
    release: () => session.release(),
  };
}
