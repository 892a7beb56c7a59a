// `harness bench nn:onnx-train-mlp-step` / `-lm-step` / `-gss-step`: one training step of a shared model on the ONNX training
// engine (ONNX Runtime, CPU, one intra-op thread), checked before timing, side by side with the
// same step in PyTorch CPU (one thread) and on tfjs (the current backend, normally wasm); the tfjs
// number is part of the side-by-side label so that one row shows all three.
import type * as TF from '@tensorflow/tfjs';
import { Bench } from 'tinybench';
import { createRng, type Kernel, type KernelSize, type Rng, type SideBySide } from '../api/index.ts';
import { loadTensorBackend } from '../backends/tensors.ts';
import { referenceSgdStep } from '../nn/kernels.ts';
import { lmLoss, trainLM, type LMBatch } from '../nn/lm/train-lm.ts';
import type { Tf as LmTf } from '../nn/lm/tf.ts';
import { transformerLM, type TransformerConfig } from '../nn/lm/transformer.ts';
import { torchStepsPerSecond, type TorchReference } from '../nn/torch-reference.ts';
import { initialOptimizerState, trainStep, type Optimizer } from '../nn/train.ts';
import { initWeights, mlpSpec, type Tf, type Weights } from '../nn/vision.ts';
import { weightsToTensors } from '../nn/weights.ts';
import { OnnxTrainer, type FloatArray } from './engine.ts';
import { transformerStepModel } from './lm.ts';
import { gssStepModel } from './ssm.ts';
import { gssLM, GSS_LM_SMALL } from '../nn/ssm/ssm-lm.ts';
import type { SequenceModel } from '../nn/lm/sequence-model.ts';
import { netStepModel } from './vision.ts';

const MLP = mlpSpec([256, 256]);
const SGD = { kind: 'sgd', lr: 0.05, momentum: 0.9, schedule: 'constant' } satisfies Optimizer;
/** The sequence-modeling size of the Transformer LM (STACK.md's PyTorch reference): d 128, 4 heads, FFN 512, 4 layers, RoPE, bytes. */
export const BENCH_TRANSFORMER: TransformerConfig = { vocabSize: 256, dModel: 128, heads: 4, layers: 4, ffn: 512, positional: 'rope', maxLength: 256 };
const ADAM_LR = 1e-3;
const CLIP = 1;

interface StepInput {
  size: KernelSize;
  trainer: OnnxTrainer;
  batch: Record<string, ArrayLike<number>>;
  lr: number;
  /** What the first step must reproduce. */
  expect: () => Promise<StepCheck>;
}

/** The first step's updated MLP weights, or the first step's LM loss. */
type StepCheck = { kind: 'weights'; start: Float32Array[]; values: ArrayLike<number>[] } | { kind: 'loss'; value: number };

function mlpBatch(rng: Rng, n: number) {
  const x = Float32Array.from({ length: n * 784 }, () => rng.next());
  const labels = Uint8Array.from({ length: n }, () => rng.int(10));
  return { x, labels };
}

function lmIds(rng: Rng, B: number, L: number): Int32Array {
  return Int32Array.from({ length: B * (L + 1) }, () => rng.int(BENCH_TRANSFORMER.vocabSize));
}

/** The engine's batch feeds of an LM batch: inputs, targets, weights 1/(B·L). */
export function lmFeeds(ids: Int32Array, B: number, L: number): Record<string, ArrayLike<number>> {
  const inputs = new Int32Array(B * L);
  const targets = new Int32Array(B * L);
  for (let b = 0; b < B; b++) {
    inputs.set(ids.subarray(b * (L + 1), b * (L + 1) + L), b * L);
    targets.set(ids.subarray(b * (L + 1) + 1, (b + 1) * (L + 1)), b * L);
  }
  return { inputs, targets, weights: new Float32Array(B * L).fill(1 / (B * L)) };
}

async function setupMlp(size: KernelSize, rng: Rng): Promise<StepInput> {
  const weights = initWeights(MLP, rng.fork('init'));
  const { x, labels } = mlpBatch(rng.fork('batch'), size.batch);
  const init = Object.fromEntries(weights.names.map((n) => [n, weights.tensors[n].data]));
  const trainer = await OnnxTrainer.create(netStepModel(MLP, size.batch), { kind: 'sgd', momentum: SGD.momentum }, init);
  const batch = { x, labels, weights: new Float32Array(size.batch).fill(1 / size.batch) };
  return {
    size,
    trainer,
    batch,
    lr: SGD.lr,
    expect: async () => ({ kind: 'weights', start: weights.names.map((n) => weights.tensors[n].data), values: referenceSgdStep(weights, x, labels, size.batch, SGD.lr) }),
  };
}

/** The tfjs model and the engine's step model of a sequence-model kernel. */
function sequenceModels(which: Exclude<Which, 'mlp'>, tf: LmTf, rng: Rng, size: KernelSize) {
  return which === 'transformer'
    ? { model: transformerLM(tf, BENCH_TRANSFORMER, rng) as SequenceModel, step: transformerStepModel(BENCH_TRANSFORMER, size.batch, size.length) }
    : { model: gssLM(tf, GSS_LM_SMALL, rng) as SequenceModel, step: gssStepModel(GSS_LM_SMALL, size.batch, size.length) };
}

async function setupSequenceModel(which: Exclude<Which, 'mlp'>, size: KernelSize, rng: Rng): Promise<StepInput> {
  const tf = (await loadTensorBackend('auto')).tf as LmTf;
  const { model, step } = sequenceModels(which, tf, rng.fork('init'), size);
  const init = Object.fromEntries(model.variables.map((v) => [v.name.slice(v.name.indexOf('/') + 1), v.dataSync() as Float32Array]));
  const ids = lmIds(rng.fork('ids'), size.batch, size.length);
  const trainer = await OnnxTrainer.create(step, { kind: 'adam', clipNorm: CLIP }, init);
  return {
    size,
    trainer,
    batch: lmFeeds(ids, size.batch, size.length),
    lr: ADAM_LR,
    expect: async () => {
      const loss = lmLoss(tf, model, { ids, batch: size.batch, length: size.length });
      const value = loss.dataSync()[0];
      loss.dispose();
      model.dispose();
      return { kind: 'loss', value };
    },
  };
}

/** `run` returns the step's loss and its parameters; `reference` returns what the first step must give. */
type StepOutput = { loss: number; weights: () => Record<string, FloatArray> } | { expected: StepCheck };

/** The per-row comparison `check` runs; null when they agree. */
function compare(actual: { loss: number; weights: () => Record<string, FloatArray> }, expected: StepCheck): string | null {
  if (expected.kind === 'loss') {
    const gap = Math.abs(actual.loss - expected.value);
    return gap <= 1e-4 * Math.max(1, Math.abs(expected.value)) ? null : `first-step loss ${actual.loss} vs tfjs ${expected.value}`;
  }
  const got = Object.values(actual.weights());
  for (let j = 0; j < expected.values.length; j++) {
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < expected.values[j].length; i++) {
      scale = Math.max(scale, Math.abs(expected.values[j][i] - expected.start[j][i]));
      worst = Math.max(worst, Math.abs(got[j][i] - expected.values[j][i]));
    }
    if (worst > 1e-4 * Math.max(scale, 1e-12)) return `parameter ${j}: update differs from the Float64 reference by ${(worst / scale).toExponential(2)} of its size (tolerance 1e-4)`;
  }
  return null;
}

/** tfjs steps per second of the same step (tinybench, ≥ 1 s and ≥ `iterations` calls). */
async function tfjsStepsPerSecond(which: Which, size: KernelSize): Promise<{ perSecond: number; backend: string }> {
  const backend = await loadTensorBackend('auto');
  const rng = createRng(0);
  let call: () => unknown;
  let dispose: () => void;
  let iterations = 16;
  if (which === 'mlp') {
    const tf = backend.tf as Tf;
    const weights: Weights = initWeights(MLP, rng.fork('init'));
    const { x, labels } = mlpBatch(rng.fork('batch'), size.batch);
    const tensors = weightsToTensors(tf, weights);
    const params = weights.names.map((n) => tensors[n]);
    const state = initialOptimizerState(tf, SGD, params);
    const xs = tf.tensor2d(x, [size.batch, 784]);
    const onehot = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10).toFloat() as TF.Tensor2D;
    call = () => {
      const out = tf.tidy(() => {
        const r = trainStep(tf, MLP, weights.names, params, state, xs, onehot, SGD, SGD.lr, 1);
        return [r.loss, ...r.params, ...r.state];
      });
      out[0].dataSync();
      tf.dispose(out);
    };
    dispose = () => tf.dispose([...params, ...state, xs, onehot]);
  } else {
    const tf = backend.tf as LmTf;
    const { model } = sequenceModels(which, tf, rng.fork('init'), size);
    const batch: LMBatch = { ids: lmIds(rng.fork('ids'), size.batch, size.length), batch: size.batch, length: size.length };
    call = () => trainLM(tf, model, { steps: 1, lr: ADAM_LR, warmupSteps: 0, clipNorm: CLIP, nextBatch: () => batch });
    dispose = () => model.dispose();
    iterations = 1;
  }
  try {
    const bench = new Bench({ time: 1000, iterations, warmup: true, warmupTime: 1, warmupIterations: 1, throws: true });
    bench.add('tfjs step', call);
    const [task] = await bench.run();
    if (task.result.state !== 'completed') throw new Error(`tinybench state ${task.result.state}`);
    return { perSecond: 1000 / task.result.latency.mean, backend: `tfjs-${backend.name}` };
  } finally {
    dispose();
  }
}

function torchReference(which: Which, size: KernelSize): TorchReference {
  return which === 'mlp' ? { model: 'mlp', batch: size.batch } : { model: which, batch: size.batch, length: size.length };
}

type Which = 'mlp' | 'transformer' | 'gss';

function stepKernel(which: Which, sizes: KernelSize[]): Kernel<StepInput, StepOutput> {
  return {
    sizes,
    setup: (size, rng) => (which === 'mlp' ? setupMlp(size, rng) : setupSequenceModel(which, size, rng)),
    async run(input) {
      const loss = await input.trainer.step(input.batch, input.lr);
      return { loss, weights: () => input.trainer.read() };
    },
    // Checked on the first call only (later timed calls continue training from there).
    reference: async (input) => ({ expected: await input.expect() }),
    check(actual, expected) {
      if (!('loss' in actual) || !('expected' in expected)) return 'run and reference returned the wrong shapes';
      return compare(actual, expected.expected);
    },
    items: () => 1,
    async sideBySide(size) {
      const tfjs = await tfjsStepsPerSecond(which, size).catch((error: Error) => ({ perSecond: NaN, backend: `tfjs (${error.message})` }));
      const tfjsText = `${tfjs.backend} ${Number.isFinite(tfjs.perSecond) ? tfjs.perSecond.toPrecision(3) : '–'}/s`;
      const torch = await torchStepsPerSecond(torchReference(which, size), which === 'mlp' ? 3 : 12);
      if ('unavailable' in torch) return { state: 'unavailable', label: `${tfjsText}; PyTorch CPU, 1 thread`, reason: torch.unavailable };
      return { state: 'measured', label: `${tfjsText}; PyTorch ${torch.version.replace('torch ', '')} CPU, 1 thread`, itemsPerSecond: torch.stepsPerSecond } satisfies SideBySide;
    },
  };
}

export const onnxTrainKernels: Record<string, Kernel<any, any>> = {
  'onnx-train-mlp-step': stepKernel('mlp', [{ batch: 128 }]),
  'onnx-train-lm-step': stepKernel('transformer', [{ batch: 8, length: 256 }]),
  'onnx-train-gss-step': stepKernel('gss', [{ batch: 8, length: 256 }, { batch: 8, length: 1024 }]),
};
