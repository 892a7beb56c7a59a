// Tensor backend selection at run time. `auto` takes the fastest that loads:
// tfjs-node-gpu → onnx → tfjs-node → wasm → cpu. The native tfjs packages download libtensorflow when
// installed, so they are optional and their absence is normal; onnxruntime-node is a dependency.
// `onnx`: the shared models' training steps run on ONNX Runtime (harness/onnx-train) where that
// engine supports the model; everything else (evaluation, unsupported models) uses the best tfjs
// backend. Rows then record backend `onnx` and the onnxruntime-node version. ONNX comes before
// tfjs-node because its training steps were measured at 1.6–2.2× PyTorch CPU (README, `harness bench
// nn`); tfjs-node could not be installed offline here, so that order is not measured.
import type { TensorBackend } from '../api/types.ts';
import { UserError } from '../errors.ts';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu', 'onnx'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

let loaded: Promise<TensorBackend> | undefined;

export function loadTensorBackend(choice: BackendChoice): Promise<TensorBackend> {
  loaded ??= select(choice);
  return loaded;
}

/** The backend name under which training steps run on the ONNX engine. */
export const ONNX_TRAINING_BACKEND = 'onnx';

let onnxTraining = false;

/** True once the onnx backend (`--backend onnx`, or `auto` with onnxruntime-node present) is loaded
 * in this process: trainers that see only a tfjs namespace (harness/nn/lm trainLM) ask this to run
 * their steps on the ONNX engine. */
export function onnxTrainingChosen(): boolean {
  return onnxTraining;
}

function select(choice: BackendChoice): Promise<TensorBackend> {
  const order: Exclude<BackendChoice, 'auto'>[] = choice === 'auto' ? ['tensorflow-gpu', 'onnx', 'tensorflow', 'wasm', 'cpu'] : [choice];
  return firstThatLoads(order, `no tensor backend could be loaded (${choice})`);
}

/** The best tfjs backend (evaluation and the models the ONNX engine cannot train). */
function tfjsBackend(): Promise<TensorBackend> {
  return firstThatLoads(['tensorflow', 'wasm', 'cpu'], 'no tfjs backend could be loaded');
}

/** The first of `names` that loads; else a UserError listing why each failed. */
async function firstThatLoads(names: readonly Exclude<BackendChoice, 'auto'>[], failure: string): Promise<TensorBackend> {
  const failures: string[] = [];
  for (const name of names) {
    try {
      if (name !== 'onnx') return await tryBackend(name);
      const backend = await onnxBackend();
      onnxTraining = true;
      return backend;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new UserError(failure, failures);
}

async function onnxBackend(): Promise<TensorBackend> {
  let ort: { env: { versions?: { common?: string } } };
  try {
    ort = (await import('onnxruntime-node')) as unknown as typeof ort;
  } catch (error) {
    throw new UserError(`--backend onnx: ONNX Runtime (onnxruntime-node) could not be loaded: ${(error as Error).message.split('\n')[0]}`);
  }
  const tfjs = await tfjsBackend();
  return { name: ONNX_TRAINING_BACKEND, version: ort.env.versions?.common ?? 'unknown', tf: tfjs.tf };
}

async function tryBackend(name: Exclude<BackendChoice, 'auto' | 'onnx'>): Promise<TensorBackend> {
  const native = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : name === 'tensorflow' ? '@tensorflow/tfjs-node' : undefined;
  if (native) {
    // A dynamic specifier keeps the optional package out of type checking and bundling.
    const specifier: string = native;
    const tf = (await import(specifier)) as { version: { tfjs: string }; getBackend(): string; ready(): Promise<void> };
    await tf.ready();
    return { name, version: tf.version.tfjs, tf };
  }
  const tf = await import('@tensorflow/tfjs');
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
  return { name, version: tf.version.tfjs, tf };
}
