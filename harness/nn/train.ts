// Mini-batch training of a NetSpec network: functional forward pass with the fast dense/conv
// gradients of ./dense.ts, closed-form cross-entropy gradient, hand-written optimizers (a few
// element-wise kernels per parameter), plain tensors rather than tf.Variables.
import type * as TF from '@tensorflow/tfjs';
import { createRng } from '../api/index.ts';
import type { Json, RunContext } from '../api/index.ts';
import { imageSetChecksum, type ImageSet } from '../../datasets/mnist.ts';
import { UserError } from '../errors.ts';
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import { softmaxCrossEntropy } from './dense.ts';
import { forward, initWeights, type NetSpec, type Tf, type Weights } from './vision.ts';
import { deserializeWeights, serializeWeights, weightsFromTensors, weightsToTensors } from './weights.ts';

export type Optimizer =
  /** SGD with momentum (PyTorch semantics: v ← μv + g + wd·w; w ← w − lr·v; nesterov: w ← w − lr·(g + wd·w + μv)).
   * 'triangular': lr rises linearly from 0 to `lr` over the first `warmupFraction` (default 0.2) of
   * all steps, then falls linearly to 0 at the last step (REPAIR's MNIST notebooks: 0 → peak over
   * 5 epochs, then to 0; set warmupFraction = 5 / epochs for that). */
  | { kind: 'sgd'; lr: number; momentum: number; schedule: 'triangular' | 'constant'; nesterov?: boolean; weightDecay?: number; warmupFraction?: number }
  /** Adam (β = 0.9, 0.999, ε = 1e-8, bias-corrected); weightDecay is L2 added to the gradient (PyTorch Adam). */
  | { kind: 'adam'; lr: number; weightDecay?: number };

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Seeds the init (createRng(seed).fork('init')), the batch order and the dropout masks. */
  seed: number;
  /** Start from these weights instead of a fresh init. */
  init?: Weights;
  onProgress?(fraction: number, note: string): void;
  signal?: AbortSignal;
}

export interface TrainResult {
  weights: Weights;
  /** Mean training loss (nats) over the last epoch's batches. */
  finalLoss: number;
  /** Optimizer steps per second of wall time in the training loop (a timing, not a result). */
  stepsPerSecond: number;
}

/** Bumped when training changes in a way that changes its results (invalidates trainNetCached).
 * 2: the ONNX engine trains dropout networks (before, they fell back to tfjs under the same key). */
const TRAINER_VERSION = 2;

/** Learning rate at step t (0-based) of `total`. */
export function learningRate(opt: Optimizer, t: number, total: number): number {
  if (opt.kind === 'adam' || opt.schedule === 'constant') return opt.lr;
  const warm = Math.max(1, Math.round((opt.warmupFraction ?? 0.2) * total));
  if (t < warm) return (opt.lr * (t + 1)) / warm;
  return (opt.lr * Math.max(0, total - 1 - t)) / Math.max(1, total - warm);
}

function checkOptions(spec: NetSpec, data: ImageSet, opts: TrainOptions): void {
  const d = spec.input[0] * spec.input[1] * spec.input[2];
  if (data.n < 1 || data.x.length !== data.n * d) throw new UserError(`trainNet: data must hold n × ${d} values, got ${data.x.length} for n = ${data.n}`);
  if (!(Number.isInteger(opts.epochs) && opts.epochs >= 1)) throw new UserError(`trainNet: epochs must be an integer ≥ 1, got ${opts.epochs}`);
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw new UserError(`trainNet: batchSize must be an integer ≥ 1, got ${opts.batchSize}`);
  if (!(opts.optimizer.lr > 0)) throw new UserError(`trainNet: optimizer lr must be > 0, got ${opts.optimizer.lr}`);
  for (let i = 0; i < data.n; i++) if (data.y[i] >= spec.classes) throw new UserError(`trainNet: label ${data.y[i]} ≥ classes (${spec.classes})`);
}

/** One backend's side of a training run; the loop (init, batch order, schedule, dropout seeds,
 * progress, cancellation) is trainNetWith's, so every backend sees the same batches. */
export interface NetStepper {
  /** One optimiser step on the batch (x: batch × features, labels: class ids) at learning rate `lr`;
   * t is the 1-based step (Adam's bias correction). Returns the batch's mean loss. */
  step(x: Float32Array, labels: Int32Array, lr: number, t: number, dropoutSeed: number): Promise<number> | number;
  /** The current weights (copied out). */
  weights(): Weights;
  release(): Promise<void> | void;
}

/** Trains from a seeded init. Each epoch draws a fresh permutation of the data and runs
 * ⌊n / batchSize⌋ full batches (the remainder is dropped; a set smaller than one batch is one batch). */
export async function trainNet(tf: Tf, spec: NetSpec, data: ImageSet, opts: TrainOptions): Promise<TrainResult> {
  return trainNetWith(spec, data, opts, (init, batch) => tfjsStepper(tf, spec, init, batch, opts.optimizer));
}

/** trainNet's loop around any backend's stepper (created once the seeded init and batch size are known). */
export async function trainNetWith(
  spec: NetSpec,
  data: ImageSet,
  opts: TrainOptions,
  createStepper: (init: Weights, batch: number) => Promise<NetStepper> | NetStepper,
): Promise<TrainResult> {
  checkOptions(spec, data, opts);
  const rng = createRng(opts.seed);
  const init = opts.init ?? initWeights(spec, rng.fork('init'));
  const orderRng = rng.fork('order');
  const dropoutRng = rng.fork('dropout');
  const d = data.x.length / data.n;
  const batch = Math.min(opts.batchSize, data.n);
  const stepsPerEpoch = Math.floor(data.n / batch);
  const total = stepsPerEpoch * opts.epochs;
  const stepper = await createStepper(init, batch);
  const x = new Float32Array(batch * d);
  const labels = new Int32Array(batch);
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
        epochLoss += await stepper.step(x, labels, learningRate(opts.optimizer, step, total), step + 1, dropoutRng.int(4294967296));
        if (step % 16 === 15) {
          opts.onProgress?.((step + 1) / total, `epoch ${epoch + 1}/${opts.epochs}`);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const weights = stepper.weights();
    opts.onProgress?.(1, 'trained');
    return { weights, finalLoss: epochLoss / stepsPerEpoch, stepsPerSecond: total / seconds };
  } finally {
    await stepper.release();
  }
}

/** The tfjs stepper: parameters and optimiser state as plain tensors replaced at every step. */
function tfjsStepper(tf: Tf, spec: NetSpec, init: Weights, batch: number, opt: Optimizer): NetStepper {
  const names = [...init.names];
  const d = spec.input[0] * spec.input[1] * spec.input[2];
  const classes = spec.classes;
  const initial = weightsToTensors(tf, init);
  let params = names.map((n) => initial[n]);
  // Optimizer state: SGD momentum buffers, or Adam's first and second moments.
  let state = initialOptimizerState(tf, opt, params);
  const onehot = new Float32Array(batch * classes);
  return {
    step(x, labels, lr, t, dropoutSeed) {
      onehot.fill(0);
      for (let i = 0; i < batch; i++) onehot[i * classes + labels[i]] = 1;
      const next = tf.tidy(() => trainStep(tf, spec, names, params, state, tf.tensor2d(x, [batch, d]), tf.tensor2d(onehot, [batch, classes]), opt, lr, t, dropoutSeed));
      tf.dispose([...params, ...state]);
      params = next.params;
      state = next.state;
      const loss = (next.loss.dataSync() as Float32Array)[0];
      next.loss.dispose();
      return loss;
    },
    weights() {
      const record: Record<string, TF.Tensor> = {};
      names.forEach((n, i) => (record[n] = params[i]));
      return weightsFromTensors(names, record);
    },
    release() {
      tf.dispose([...params, ...state]);
    },
  };
}

/** Optimizer state for `params` before the first step (zeros: momentum, or Adam's two moments). */
export function initialOptimizerState(tf: Tf, opt: Optimizer, params: TF.Tensor[]): TF.Tensor[] {
  return opt.kind === 'adam' ? [...params.map((p) => tf.zerosLike(p)), ...params.map((p) => tf.zerosLike(p))] : params.map((p) => tf.zerosLike(p));
}

/** One training step on a batch (x: n × features, onehot: n × classes): loss, gradients through
 * the fast ops, and the optimizer update at learning rate `lr` (t = 1-based step, for Adam). Returns
 * new tensors; the inputs stay the caller's. Run it inside tf.tidy. */
export function trainStep(
  tf: Tf,
  spec: NetSpec,
  names: readonly string[],
  params: TF.Tensor[],
  state: TF.Tensor[],
  x: TF.Tensor2D,
  onehot: TF.Tensor2D,
  opt: Optimizer,
  lr: number,
  t: number,
  dropoutSeed = 0,
): { loss: TF.Scalar; params: TF.Tensor[]; state: TF.Tensor[] } {
  const lossOf = (...ps: TF.Tensor[]) => {
    const record: Record<string, TF.Tensor> = {};
    names.forEach((n, i) => (record[n] = ps[i]));
    return softmaxCrossEntropy(tf, forward(tf, spec, record, x, { training: true, dropoutSeed, collect: false }).logits, onehot);
  };
  const { value, grads } = tf.valueAndGrads(lossOf)(params);
  const updated = optimizerStep(tf, opt, params, grads, state, lr, t);
  return { loss: value as TF.Scalar, params: updated.params, state: updated.state };
}

/** One optimizer update; returns the new parameters and state (the old ones are the caller's). */
function optimizerStep(tf: Tf, opt: Optimizer, params: TF.Tensor[], grads: TF.Tensor[], state: TF.Tensor[], lr: number, t: number): { params: TF.Tensor[]; state: TF.Tensor[] } {
  const wd = opt.weightDecay ?? 0;
  const g = wd > 0 ? grads.map((gr, i) => tf.add(gr, tf.mul(params[i], wd))) : grads;
  if (opt.kind === 'sgd') {
    const mu = opt.momentum;
    const velocity = g.map((gr, i) => (mu > 0 ? tf.add(tf.mul(state[i], mu), gr) : gr));
    const lrT = tf.scalar(lr);
    const next = params.map((p, i) => tf.sub(p, tf.mul(opt.nesterov ? tf.add(g[i], tf.mul(velocity[i], mu)) : velocity[i], lrT)));
    return { params: next, state: velocity };
  }
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const k = params.length;
  const m = g.map((gr, i) => tf.add(tf.mul(state[i], b1), tf.mul(gr, 1 - b1)));
  const v = g.map((gr, i) => tf.add(tf.mul(state[k + i], b2), tf.mul(tf.square(gr), 1 - b2)));
  // PyTorch's update lr/bc1 · m / (√v/√bc2 + ε), rewritten with one scalar step size.
  const bc1 = 1 - b1 ** t;
  const bc2 = 1 - b2 ** t;
  const stepSize = (lr * Math.sqrt(bc2)) / bc1;
  const next = params.map((p, i) => tf.sub(p, tf.mul(tf.div(m[i], tf.add(tf.sqrt(v[i]), eps * Math.sqrt(bc2))), stepSize)));
  return { params: next, state: [...m, ...v] };
}

/** What identifies a training run in the cache: everything that changes its result. */
export function trainingCacheKey(backend: string, cacheKey: Json, spec: NetSpec, data: ImageSet, opts: TrainOptions): string {
  const identity = {
    trainer: TRAINER_VERSION,
    backend,
    cacheKey,
    spec: spec as unknown as Json,
    data: imageSetChecksum(data),
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    optimizer: opts.optimizer as unknown as Json,
    seed: opts.seed,
    init: opts.init ? sha256(serializeWeights(opts.init)) : null,
  };
  return `nn-train-${sha256(canonicalJson(identity))}`;
}

/** trainNet through ctx.cache.bytes, keyed by (cacheKey, spec, opts without callbacks, data
 * checksum, tensor backend name), so methods share endpoint networks and re-runs do not retrain.
 * Progress and cancellation default to ctx.progress / ctx.signal. */
export async function trainNetCached(ctx: RunContext, cacheKey: Json, spec: NetSpec, data: ImageSet, opts: TrainOptions): Promise<Weights> {
  const backend = await ctx.tensors();
  const tf = backend.tf as Tf;
  const key = trainingCacheKey(backend.name, cacheKey, spec, data, opts);
  const bytes = await ctx.cache.bytes(key, async () => {
    const run: TrainOptions = {
      ...opts,
      onProgress: opts.onProgress ?? ((f, note) => ctx.progress(f, note)),
      signal: opts.signal ?? ctx.signal,
    };
    // `--backend onnx`: the steps run on ONNX Runtime when that engine supports the network.
    const onnx = backend.name === 'onnx' ? await import('../onnx-train/train-net.ts') : undefined;
    const result = onnx?.supportsNet(spec) ? await onnx.trainNetOnnx(spec, data, run) : await trainNet(tf, spec, data, run);
    return serializeWeights(result.weights);
  });
  return deserializeWeights(bytes);
}
