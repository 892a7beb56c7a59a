// Kernels of the shared model stacks, benchmarked as `harness bench nn`: the reference MLP's
// training step on the current tfjs backend (against a Float64 plain-JS step) and its forward pass
// through ONNX Runtime (against tfjs); the exported Transformer LM's scoring and greedy generation
// through ONNX Runtime, beside the same model on tfjs.
import type * as TF from '@tensorflow/tfjs';
import { Bench } from 'tinybench';
import { createRng, type Kernel, type KernelSize, type Rng, type SideBySide } from '../api/index.ts';
import { loadTensorBackend } from '../backends/tensors.ts';
import type { ImageSet } from '../../datasets/mnist.ts';
import { transformerToOnnx } from './lm/export-onnx.ts';
import { generate, sampleToken } from './lm/sample.ts';
import type { Tf as LmTf } from './lm/tf.ts';
import { transformerLM, type TransformerConfig, type TransformerLM } from './lm/transformer.ts';
import { onnxSession, toOnnx } from './onnx.ts';
import { torchMlpStepsPerSecond } from './torch-reference.ts';
import { initialOptimizerState, trainStep, type Optimizer } from './train.ts';
import { evaluate, initWeights, mlpSpec, type Tf, type Weights } from './vision.ts';
import { weightsToTensors } from './weights.ts';

/** The reference network of the benchmarks: 784-256-256-10, ReLU. */
const REFERENCE_MLP = mlpSpec([256, 256]);
const STEP_OPTIMIZER: Optimizer = { kind: 'sgd', lr: 0.05, momentum: 0.9, schedule: 'constant' };

function randomBatch(rng: Rng, n: number): { x: Float32Array; labels: Uint8Array } {
  const x = Float32Array.from({ length: n * 784 }, () => rng.next());
  const labels = Uint8Array.from({ length: n }, () => rng.int(10));
  return { x, labels };
}

// ---- one SGD training step
interface StepInput {
  tf: Tf;
  weights: Weights;
  x: Float32Array;
  labels: Uint8Array;
  n: number;
  params: TF.Tensor[];
  state: TF.Tensor[];
  xTensor: TF.Tensor2D;
  onehot: TF.Tensor2D;
  /** The previous call's result, disposed by the next call (timed calls must not leak). */
  last?: TF.Tensor[];
}

/** The updated parameters, read lazily so that the timed call does not include the read-back. */
interface StepOutput {
  read(): Float64Array[];
  /** The weights the step started from, in the same order. */
  start: Float32Array[];
}

const mlpTrainStep: Kernel<StepInput, StepOutput> = {
  sizes: [{ batch: 128 }],
  async setup(size: KernelSize, rng: Rng) {
    const tf = (await loadTensorBackend('auto')).tf as Tf;
    const weights = initWeights(REFERENCE_MLP, rng.fork('init'));
    const { x, labels } = randomBatch(rng.fork('batch'), size.batch);
    const tensors = weightsToTensors(tf, weights);
    const params = weights.names.map((n) => tensors[n]);
    const onehot = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10).toFloat() as TF.Tensor2D;
    return { tf, weights, x, labels, n: size.batch, params, state: initialOptimizerState(tf, STEP_OPTIMIZER, params), xTensor: tf.tensor2d(x, [size.batch, 784]), onehot };
  },
  // One step from the same starting point every call: forward, backward, momentum update.
  run(input) {
    const { tf } = input;
    if (input.last) tf.dispose(input.last);
    const next = tf.tidy(() => {
      const r = trainStep(tf, REFERENCE_MLP, input.weights.names, input.params, input.state, input.xTensor, input.onehot, STEP_OPTIMIZER, STEP_OPTIMIZER.lr, 1);
      return [r.loss, ...r.params, ...r.state];
    });
    input.last = next;
    const updated = next.slice(1, 1 + input.params.length);
    return { read: () => updated.map((t) => Float64Array.from(t.dataSync())), start: input.weights.names.map((n) => input.weights.tensors[n].data) };
  },
  reference(input) {
    const result = referenceSgdStep(input.weights, input.x, input.labels, input.n, STEP_OPTIMIZER.lr);
    return { read: () => result, start: REFERENCE_MLP_NAMES.map((n) => input.weights.tensors[n].data) };
  },
  check(actual, expected) {
    // Compare the updates (new − old weights), which is stricter than comparing the weights.
    const a = actual.read();
    const e = expected.read();
    const names = REFERENCE_MLP_NAMES;
    for (let j = 0; j < e.length; j++) {
      const start = expected.start[j];
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < e[j].length; i++) {
        const base = start[i];
        scale = Math.max(scale, Math.abs(e[j][i] - base));
        worst = Math.max(worst, Math.abs(a[j][i] - e[j][i]));
      }
      if (worst > 1e-4 * Math.max(scale, 1e-12)) return `${names[j]}: update differs by ${worst.toExponential(2)}, relative ${(worst / scale).toExponential(2)} (tolerance 1e-4)`;
    }
    return null;
  },
  items: () => 1,
  async sideBySide(size) {
    const torch = await torchMlpStepsPerSecond({ batch: size.batch });
    return 'unavailable' in torch
      ? { state: 'unavailable', label: 'PyTorch CPU, 1 thread', reason: torch.unavailable }
      : { state: 'measured', label: `PyTorch ${torch.version.replace('torch ', '')} CPU, 1 thread`, itemsPerSecond: torch.stepsPerSecond };
  },
};

const REFERENCE_MLP_NAMES = ['layer0.kernel', 'layer0.bias', 'layer1.kernel', 'layer1.bias', 'classifier.kernel', 'classifier.bias'];

/** One SGD step (zero initial momentum, so w ← w − lr·g) of the 784-256-256-10 ReLU MLP with mean
 * softmax cross-entropy, written as plain Float64 loops: forward, backward by the chain rule. */
export function referenceSgdStep(weights: Weights, x: Float32Array, labels: Uint8Array, n: number, lr: number): Float64Array[] {
  const W = REFERENCE_MLP_NAMES.map((name) => Float64Array.from(weights.tensors[name].data));
  const widths = [784, 256, 256, 10];
  // Forward: activations a[0] = x, a[l+1] = relu(a[l]·K + b) (no ReLU on the logits).
  const acts: Float64Array[] = [Float64Array.from(x)];
  for (let l = 0; l < 3; l++) {
    const [din, dout] = [widths[l], widths[l + 1]];
    const [K, b] = [W[2 * l], W[2 * l + 1]];
    const out = new Float64Array(n * dout);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dout; j++) out[i * dout + j] = b[j];
      for (let p = 0; p < din; p++) {
        const v = acts[l][i * din + p];
        if (v === 0) continue;
        for (let j = 0; j < dout; j++) out[i * dout + j] += v * K[p * dout + j];
      }
    }
    if (l < 2) for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i]);
    acts.push(out);
  }
  // dL/dlogits = (softmax − onehot) / n
  let delta = new Float64Array(n * 10);
  for (let i = 0; i < n; i++) {
    const row = acts[3].subarray(i * 10, i * 10 + 10);
    const max = Math.max(...row);
    let sum = 0;
    for (let c = 0; c < 10; c++) sum += Math.exp(row[c] - max);
    for (let c = 0; c < 10; c++) delta[i * 10 + c] = (Math.exp(row[c] - max) / sum - (labels[i] === c ? 1 : 0)) / n;
  }
  const updated: Float64Array[] = new Array(6);
  for (let l = 2; l >= 0; l--) {
    const [din, dout] = [widths[l], widths[l + 1]];
    const K = W[2 * l];
    const gK = new Float64Array(din * dout);
    const gb = new Float64Array(dout);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dout; j++) gb[j] += delta[i * dout + j];
      for (let p = 0; p < din; p++) {
        const v = acts[l][i * din + p];
        if (v === 0) continue;
        for (let j = 0; j < dout; j++) gK[p * dout + j] += v * delta[i * dout + j];
      }
    }
    if (l > 0) {
      const prev = new Float64Array(n * din);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < din; p++) {
          if (acts[l][i * din + p] <= 0) continue; // ReLU derivative
          let s = 0;
          for (let j = 0; j < dout; j++) s += delta[i * dout + j] * K[p * dout + j];
          prev[i * din + p] = s;
        }
      delta = prev;
    }
    updated[2 * l] = K.map((w, i) => w - lr * gK[i]);
    updated[2 * l + 1] = W[2 * l + 1].map((w, i) => w - lr * gb[i]);
  }
  return updated;
}

// ---- forward pass through ONNX Runtime
interface ForwardInput {
  session: import('onnxruntime-node').InferenceSession;
  ort: typeof import('onnxruntime-node');
  set: ImageSet;
  tf: Tf;
  weights: Weights;
}

const onnxMlpForward: Kernel<ForwardInput, Float32Array> = {
  sizes: [{ batch: 128 }, { batch: 1000 }],
  async setup(size, rng) {
    const tf = (await loadTensorBackend('auto')).tf as Tf;
    const weights = initWeights(REFERENCE_MLP, rng.fork('init'));
    const { x, labels } = randomBatch(rng.fork('batch'), size.batch);
    const session = await onnxSession(toOnnx(REFERENCE_MLP, weights));
    return { session, ort: await import('onnxruntime-node'), set: { x, y: labels, n: size.batch }, tf, weights };
  },
  async run({ session, ort, set }) {
    const result = await session.run({ x: new ort.Tensor('float32', set.x, [set.n, 784]) });
    return result.logits.data as Float32Array;
  },
  reference: ({ tf, weights, set }) => evaluate(tf, REFERENCE_MLP, weights, set).logits,
  check(actual, expected) {
    if (actual.length !== expected.length) return `${actual.length} logits, expected ${expected.length}`;
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    return worst <= 1e-4 ? null : `max |Δlogit| ${worst.toExponential(2)} > 1e-4`;
  },
  items: (size) => size.batch,
};

// ---- the exported Transformer LM through ONNX Runtime
// Sizes name the model: { layers, dModel } with 4 heads, FFN 4·dModel, RoPE, vocabulary 256 — the
// gemini plugin's transformer-w256 (2 layers, d 64) and one bigger (4 layers, d 128).
type Ort = typeof import('onnxruntime-node');
type OrtTensor = import('onnxruntime-node').Tensor;

const LM_HEADS = 4;
const LM_VOCAB = 256;

function lmConfig(size: KernelSize): TransformerConfig {
  return { vocabSize: LM_VOCAB, dModel: size.dModel, heads: LM_HEADS, layers: size.layers, ffn: 4 * size.dModel, positional: 'rope', maxLength: 512 };
}

/** A model with random weights, matrices scaled ×10 so that logits spread and the checks mean something. */
async function benchLM(size: KernelSize, rng: Rng): Promise<{ tf: LmTf; model: TransformerLM; backend: string }> {
  const backend = await loadTensorBackend('auto');
  const tf = backend.tf as LmTf;
  const model = transformerLM(tf, lmConfig(size), rng.fork('init'));
  for (const v of model.variables) if (v.shape.length > 1) v.assign(tf.mul(v, 10));
  return { tf, model, backend: `tfjs ${backend.name} ${backend.version}` };
}

const randomIds = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.int(LM_VOCAB));

/** Items per second of `call` on the tfjs side, timed like a kernel (tinybench, ≥ 1 s, ≥ 5 calls). */
async function tfjsItemsPerSecond(label: string, call: () => unknown, items: number): Promise<SideBySide> {
  const bench = new Bench({ time: 1000, iterations: 5, warmup: true, warmupTime: 250, throws: false });
  bench.add(label, call);
  const [task] = await bench.run();
  if (task.result.state !== 'completed') return { state: 'unavailable', label, reason: `tinybench state ${task.result.state}` };
  return { state: 'measured', label, itemsPerSecond: task.result.throughput.mean * items };
}

/** Feeds of one forward pass of the exported graph: ids [rows, n] after `past` (null = empty). */
function lmFeeds(ort: Ort, cfg: TransformerConfig, ids: ArrayLike<number>, rows: number, past: OrtTensor[] | null, pastLength: number): Record<string, OrtTensor> {
  const n = ids.length / rows;
  const int64 = (values: (i: number) => number, length: number, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from({ length }, (_, i) => BigInt(values(i))), dims);
  const feeds: Record<string, OrtTensor> = {
    input_ids: int64((i) => ids[i], ids.length, [rows, n]),
    attention_mask: int64(() => 1, rows * (pastLength + n), [rows, pastLength + n]),
    position_ids: int64((i) => pastLength + (i % n), rows * n, [rows, n]),
  };
  const dh = cfg.dModel / cfg.heads;
  for (let l = 0; l < cfg.layers; l++) {
    feeds[`past_key_values.${l}.key`] = past?.[2 * l] ?? new ort.Tensor('float32', new Float32Array(0), [rows, cfg.heads, 0, dh]);
    feeds[`past_key_values.${l}.value`] = past?.[2 * l + 1] ?? new ort.Tensor('float32', new Float32Array(0), [rows, cfg.heads, 0, dh]);
  }
  return feeds;
}

interface LmInput {
  ort: Ort;
  session: import('onnxruntime-node').InferenceSession;
  tf: LmTf;
  model: TransformerLM;
  ids: Int32Array;
  size: KernelSize;
}

async function lmSetup(size: KernelSize, rng: Rng, tokens: number): Promise<LmInput> {
  const { tf, model } = await benchLM(size, rng);
  const session = await onnxSession(transformerToOnnx(model));
  return { ort: await import('onnxruntime-node'), session, tf, model, ids: randomIds(rng.fork('ids'), tokens), size };
}

const onnxLmScore: Kernel<LmInput & { feeds: Record<string, OrtTensor> }, Float32Array> = {
  sizes: [{ layers: 2, dModel: 64, batch: 8, length: 256 }, { layers: 4, dModel: 128, batch: 8, length: 256 }],
  async setup(size, rng) {
    const input = await lmSetup(size, rng, size.batch * size.length);
    return { ...input, feeds: lmFeeds(input.ort, input.model.config, input.ids, size.batch, null, 0) };
  },
  async run({ session, feeds }) {
    return (await session.run(feeds, ['logits'])).logits.data as Float32Array;
  },
  reference({ tf, model, ids, size }) {
    const logits = model.logits(tf.tensor2d(ids, [size.batch, size.length], 'int32'));
    const values = Float32Array.from(logits.dataSync() as Float32Array);
    logits.dispose();
    return values;
  },
  check(actual, expected) {
    if (actual.length !== expected.length) return `${actual.length} logits, expected ${expected.length}`;
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < actual.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return worst <= 1e-4 * Math.max(1, scale) ? null : `max |Δlogit| ${worst.toExponential(2)} > 1e-4 × max(1, ${scale.toFixed(2)})`;
  },
  items: (size) => size.batch * size.length,
  async sideBySide(size) {
    const { tf, model, backend } = await benchLM(size, createRng(0));
    const ids = tf.tensor2d(randomIds(createRng(1), size.batch * size.length), [size.batch, size.length], 'int32');
    try {
      // Read back outside tf.tidy, as the builtin scoring does: a dataSync inside an outer tidy
      // makes this forward pass several times slower on wasm.
      const forward = () => {
        const logits = model.logits(ids);
        logits.dataSync();
        logits.dispose();
      };
      return await tfjsItemsPerSecond(`${backend}, same model`, forward, size.batch * size.length);
    } finally {
      ids.dispose();
      model.dispose();
    }
  },
};

/** Greedy continuation of `prompt` by `maxTokens` tokens through the exported graph, with its KV cache. */
async function onnxGreedy(input: LmInput, prompt: Int32Array, maxTokens: number): Promise<number[]> {
  const { ort, session, model } = input;
  const cfg = model.config;
  const fetches = ['logits', ...Array.from({ length: cfg.layers }, (_, l) => [`present.${l}.key`, `present.${l}.value`]).flat()];
  const out: number[] = [];
  let past: OrtTensor[] | null = null;
  let pastLength = 0;
  let step: ArrayLike<number> = prompt;
  while (out.length < maxTokens) {
    const result: Record<string, OrtTensor> = await session.run(lmFeeds(ort, cfg, step, 1, past, pastLength), fetches);
    const logits = result.logits.data as Float32Array;
    const token = sampleToken(logits.subarray(logits.length - cfg.vocabSize), { temperature: 0 });
    out.push(token);
    past = fetches.slice(1).map((name): OrtTensor => result[name]);
    pastLength += step.length;
    step = [token];
  }
  return out;
}

const onnxLmGenerate: Kernel<LmInput, number[]> = {
  sizes: [{ layers: 2, dModel: 64, prompt: 64, tokens: 64 }, { layers: 4, dModel: 128, prompt: 64, tokens: 64 }],
  setup: (size, rng) => lmSetup(size, rng, size.prompt),
  run: (input) => onnxGreedy(input, input.ids, input.size.tokens),
  reference: ({ tf, model, ids, size }) => generate(tf, model, ids, { maxTokens: size.tokens }),
  check(actual, expected) {
    const at = actual.findIndex((t, i) => t !== expected[i]);
    return actual.length === expected.length && at < 0 ? null : `greedy tokens differ from tfjs at position ${at < 0 ? Math.min(actual.length, expected.length) : at}`;
  },
  // Generated tokens per second; the 64-token prompt's prefill is inside the timed call.
  items: (size) => size.tokens,
  async sideBySide(size) {
    const { tf, model, backend } = await benchLM(size, createRng(0));
    const prompt = randomIds(createRng(1), size.prompt);
    try {
      return await tfjsItemsPerSecond(`${backend}, same model, KV cache`, () => generate(tf, model, prompt, { maxTokens: size.tokens }), size.tokens);
    } finally {
      model.dispose();
    }
  },
};

export const nnKernels: Record<string, Kernel<any, any>> = {
  'mlp-train-step': mlpTrainStep,
  'onnx-mlp-forward': onnxMlpForward,
  'onnx-lm-score': onnxLmScore,
  'onnx-lm-generate': onnxLmGenerate,
};
