// Plain-array operations on the weights of an MLP built by mlpSpec (no normalization layers):
// permuting hidden units, interpolating, and folding a per-unit affine reset into a layer.
import type { Weights } from '../../harness/nn/index.ts';

/** One dense layer of an MLP: y = x·kernel + bias, kernel [fanIn, units] row-major (tfjs layout). */
export interface DenseLayer {
  kernelName: string;
  biasName: string;
  fanIn: number;
  units: number;
}

/** The hidden dense layers of an mlpSpec network in forward order, then the classifier. */
export function denseLayers(w: Weights): { hidden: DenseLayer[]; classifier: DenseLayer } {
  const hiddenNames = w.names
    .map((name) => /^layer(\d+)\.kernel$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((x, y) => x - y);
  const layer = (prefix: string): DenseLayer => {
    const kernel = w.tensors[`${prefix}.kernel`];
    const bias = w.tensors[`${prefix}.bias`];
    if (!kernel || !bias || kernel.shape.length !== 2) throw new Error(`expected an MLP (dense ${prefix}.kernel [in, out] and ${prefix}.bias), got tensors ${w.names.join(', ')}`);
    return { kernelName: `${prefix}.kernel`, biasName: `${prefix}.bias`, fanIn: kernel.shape[0], units: kernel.shape[1] };
  };
  const hidden = hiddenNames.map((i, k) => {
    if (i !== k) throw new Error(`expected dense layers layer0…layer${hiddenNames.length - 1}, got layer${i} at position ${k}`);
    return layer(`layer${i}`);
  });
  if (hidden.length + 1 !== w.names.length / 2) throw new Error(`expected an MLP of dense layers only, got tensors ${w.names.join(', ')}`);
  return { hidden, classifier: layer('classifier') };
}

export function cloneWeights(w: Weights): Weights {
  const tensors: Weights['tensors'] = {};
  for (const name of w.names) tensors[name] = { shape: [...w.tensors[name].shape], data: w.tensors[name].data.slice() };
  return { names: [...w.names], tensors };
}

/**
 * Reorders the hidden units of `w`: `perms[ℓ][i]` is the old index of the unit that becomes unit i of
 * hidden layer ℓ. Column i of layer ℓ's kernel and its bias entry move with the unit, and so does row i
 * of the next layer's kernel; the network computes the same function.
 */
export function permuteHiddenUnits(w: Weights, perms: readonly Int32Array[]): Weights {
  const { hidden, classifier } = denseLayers(w);
  if (perms.length !== hidden.length) throw new Error(`permuteHiddenUnits: ${perms.length} permutations for ${hidden.length} hidden layers`);
  const out = cloneWeights(w);
  hidden.forEach((layer, l) => {
    const p = perms[l];
    if (p.length !== layer.units) throw new Error(`permuteHiddenUnits: permutation ${l} has ${p.length} entries for ${layer.units} units`);
    const K = w.tensors[layer.kernelName].data;
    const b = w.tensors[layer.biasName].data;
    const K2 = out.tensors[layer.kernelName].data;
    const b2 = out.tensors[layer.biasName].data;
    const h = layer.units;
    for (let r = 0; r < layer.fanIn; r++) for (let i = 0; i < h; i++) K2[r * h + i] = K[r * h + p[i]];
    for (let i = 0; i < h; i++) b2[i] = b[p[i]];
  });
  // rows of each next kernel, applied after the column moves above (rows and columns commute)
  hidden.forEach((layer, l) => {
    const next = l + 1 < hidden.length ? hidden[l + 1] : classifier;
    const p = perms[l];
    const src = out.tensors[next.kernelName].data.slice();
    const dst = out.tensors[next.kernelName].data;
    const cols = next.units;
    for (let i = 0; i < layer.units; i++) dst.set(src.subarray(p[i] * cols, (p[i] + 1) * cols), i * cols);
  });
  return out;
}

/** θ_α = (1 − α)·θ_A + α·θ_B, tensor by tensor. */
export function interpolateWeights(a: Weights, b: Weights, alpha: number): Weights {
  const tensors: Weights['tensors'] = {};
  for (const name of a.names) {
    const x = a.tensors[name];
    const y = b.tensors[name];
    if (!y || y.data.length !== x.data.length) throw new Error(`interpolateWeights: tensor "${name}" differs between the two networks`);
    const data = new Float32Array(x.data.length);
    for (let k = 0; k < data.length; k++) data[k] = (1 - alpha) * x.data[k] + alpha * y.data[k];
    tensors[name] = { shape: [...x.shape], data };
  }
  return { names: [...a.names], tensors };
}

/** Folds y_j = scale_j·z_j + shift_j on the pre-activations z = x·K + b of `layer` into K and b, in place. */
export function foldAffine(w: Weights, layer: DenseLayer, scale: ArrayLike<number>, shift: ArrayLike<number>): void {
  const K = w.tensors[layer.kernelName].data;
  const b = w.tensors[layer.biasName].data;
  const h = layer.units;
  for (let r = 0; r < layer.fanIn; r++) for (let j = 0; j < h; j++) K[r * h + j] *= scale[j];
  for (let j = 0; j < h; j++) b[j] = scale[j] * b[j] + shift[j];
}

export const identityPerms = (w: Weights): Int32Array[] => denseLayers(w).hidden.map((l) => Int32Array.from({ length: l.units }, (_, i) => i));
