// Weights ↔ bytes for ctx.cache.bytes. Layout: "HLM1" magic, uint32 header length, a UTF-8 JSON
// header { kind, variables: [{ name, shape }] }, then every variable's float32 data (little-endian),
// in model.variables order. Loading checks kind, names and shapes and names the first mismatch.
import { createRequire } from 'node:module';
import type { SequenceModel } from './sequence-model.ts';

const MAGIC = 'HLM1';

interface Header {
  kind: string;
  variables: { name: string; shape: number[] }[];
}

/** A variable's name without its per-instance prefix ("transformer12/h0.attn.wq" → "h0.attn.wq"). */
function stableName(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(slash + 1);
}

export function serializeModel(model: SequenceModel): Uint8Array {
  const header: Header = { kind: model.kind, variables: model.variables.map((v) => ({ name: stableName(v.name), shape: v.shape })) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const floats = model.variables.reduce((sum, v) => sum + v.size, 0);
  const dataStart = Math.ceil((8 + headerBytes.length) / 4) * 4; // float32-aligned
  const bytes = new Uint8Array(dataStart + floats * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, headerBytes.length, true);
  bytes.set(headerBytes, 8);
  const data = new Float32Array(bytes.buffer, dataStart, floats);
  let offset = 0;
  for (const v of model.variables) {
    data.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return bytes;
}

/** Assigns the saved weights to the model's variables (same architecture required). */
export function loadModelWeights(model: SequenceModel, bytes: Uint8Array): void {
  const fail = (why: string): never => {
    throw new RangeError(`loadModelWeights(${model.kind}): ${why}`);
  };
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) fail('not a serialized model (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  } catch {
    return fail('corrupt header');
  }
  if (header.kind !== model.kind) fail(`the weights are for a ${header.kind} model`);
  if (header.variables.length !== model.variables.length) fail(`the weights hold ${header.variables.length} variables, the model has ${model.variables.length}`);
  model.variables.forEach((v, i) => {
    const saved = header.variables[i];
    if (saved.name !== stableName(v.name) || saved.shape.join() !== v.shape.join()) {
      fail(`variable ${i} is ${saved.name} [${saved.shape}] in the weights but ${stableName(v.name)} [${v.shape}] in the model`);
    }
  });
  const dataStart = Math.ceil((8 + headerLength) / 4) * 4;
  const floats = model.variables.reduce((sum, v) => sum + v.size, 0);
  if (bytes.length !== dataStart + floats * 4) fail(`expected ${dataStart + floats * 4} bytes, got ${bytes.length}`);
  // Copy into an aligned buffer: `bytes` may sit at any offset of a larger buffer.
  const data = new Float32Array(bytes.slice(dataStart).buffer);
  const { tensor } = tfjsCore();
  let offset = 0;
  for (const v of model.variables) {
    const values = data.subarray(offset, offset + v.size);
    offset += v.size;
    const value = tensor(values, v.shape, 'float32');
    v.assign(value);
    value.dispose();
  }
}

// The function has no tf argument (models do not carry one), so it takes tensor() from tfjs-core,
// loaded on first use: the same module instance (and engine) that @tensorflow/tfjs itself uses.
let core: typeof import('@tensorflow/tfjs-core') | undefined;
function tfjsCore(): typeof import('@tensorflow/tfjs-core') {
  core ??= createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  return core;
}
