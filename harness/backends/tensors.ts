// Tensor backend selection at run time: tfjs-node-gpu → tfjs-node → wasm → cpu. The native packages
// download libtensorflow when installed, so they are optional and their absence is normal.
import type { TensorBackend } from '../api/types.ts';
import { UserError } from '../errors.ts';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

let loaded: Promise<TensorBackend> | undefined;

export function loadTensorBackend(choice: BackendChoice): Promise<TensorBackend> {
  loaded ??= select(choice);
  return loaded;
}

async function select(choice: BackendChoice): Promise<TensorBackend> {
  const order: Exclude<BackendChoice, 'auto'>[] = choice === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [choice];
  const failures: string[] = [];
  for (const name of order) {
    try {
      return await tryBackend(name);
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new UserError(`no tensor backend could be loaded (${choice})`, failures);
}

async function tryBackend(name: Exclude<BackendChoice, 'auto'>): Promise<TensorBackend> {
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
