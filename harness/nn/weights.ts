// Weights ⇄ bytes and Weights ⇄ tfjs tensors.
import type * as TF from '@tensorflow/tfjs';
import { UserError } from '../errors.ts';
import type { Tf, Weights } from './vision.ts';

const MAGIC = 'HNNW';
const FORMAT_VERSION = 1;

/** A self-describing little-endian format: "HNNW", u32 version, u32 header length, a JSON header
 * ({ names, shapes }), zero padding to a multiple of 4, then every tensor's float32 data in `names` order. */
export function serializeWeights(w: Weights): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ names: w.names, shapes: w.names.map((n) => w.tensors[n].shape) }));
  const headerEnd = 12 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const total = w.names.reduce((s, n) => s + w.tensors[n].data.length, 0);
  const bytes = new Uint8Array(dataStart + 4 * total);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let offset = dataStart;
  for (const name of w.names) {
    const { data, shape } = w.tensors[name];
    if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`serializeWeights: "${name}" has ${data.length} values for shape [${shape}]`);
    for (let i = 0; i < data.length; i++, offset += 4) view.setFloat32(offset, data[i], true);
  }
  return bytes;
}

export function deserializeWeights(bytes: Uint8Array): Weights {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new UserError('not a weights file (expected the "HNNW" header)');
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new UserError(`weights file format ${version} is not supported (expected ${FORMAT_VERSION})`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as { names: string[]; shapes: number[][] };
  let offset = Math.ceil((12 + headerLength) / 4) * 4;
  const tensors: Weights['tensors'] = {};
  header.names.forEach((name, j) => {
    const shape = header.shapes[j];
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * size > bytes.length) throw new UserError(`weights file is truncated (tensor "${name}")`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++, offset += 4) data[i] = view.getFloat32(offset, true);
    tensors[name] = { shape: [...shape], data };
  });
  if (offset !== bytes.length) throw new UserError(`weights file has ${bytes.length - offset} unexpected trailing bytes`);
  return { names: header.names, tensors };
}

/** One tf.Tensor per name (the caller disposes them). */
export function weightsToTensors(tf: Tf, w: Weights): Record<string, TF.Tensor> {
  const out: Record<string, TF.Tensor> = {};
  for (const name of w.names) out[name] = tf.tensor(w.tensors[name].data, w.tensors[name].shape);
  return out;
}

/** Reads tensors back into plain arrays, in `names` order (copies; the tensors stay the caller's). */
export function weightsFromTensors(names: readonly string[], tensors: Record<string, TF.Tensor>): Weights {
  const out: Weights['tensors'] = {};
  for (const name of names) {
    const t = tensors[name];
    if (!t) throw new Error(`weightsFromTensors: no tensor "${name}"`);
    out[name] = { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
  }
  return { names: [...names], tensors: out };
}

/** A deep copy. */
export function cloneWeights(w: Weights): Weights {
  const tensors: Weights['tensors'] = {};
  for (const name of w.names) tensors[name] = { shape: [...w.tensors[name].shape], data: w.tensors[name].data.slice() };
  return { names: [...w.names], tensors };
}
