// Kernels of the shared vision stack, benchmarked as `harness bench nn`: the reference MLP's
// training step on the current tfjs backend (against a Float64 plain-JS step) and its forward pass
// through ONNX Runtime (against tfjs).
import type * as TF from '@tensorflow/tfjs';
import type { Kernel, KernelSize, Rng } from '../api/index.ts';
import { loadTensorBackend } from '../backends/tensors.ts';
import type { ImageSet } from '../../datasets/mnist.ts';
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

export const nnKernels: Record<string, Kernel<any, any>> = {
  'mlp-train-step': mlpTrainStep,
  'onnx-mlp-forward': onnxMlpForward,
};
