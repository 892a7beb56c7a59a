// Per-block linear heads on frozen features (spec "Heads"): softmax regression trained with Adam on the
// training split, in Float64 JS (small: d ≤ a few hundred, C = 10), seeded, so it is deterministic.
import type { Rng } from '../../harness/api/index.ts';

export interface LinearHead {
  dim: number;
  classes: number;
  /** Feature standardization learned on the training split (part of the head: still a linear map). */
  mean: Float64Array;
  scale: Float64Array;
  /** dim × classes, row-major. */
  W: Float64Array;
  b: Float64Array;
}

export interface HeadTraining {
  epochs: number;
  batch: number;
  lr: number;
  /** L2 penalty on W (keeps near-separable features from driving weights up without bound). */
  weightDecay: number;
}

export const DEFAULT_HEAD_TRAINING: HeadTraining = { epochs: 5, batch: 128, lr: 0.01, weightDecay: 1e-4 };

export function trainLinearHead(features: ArrayLike<number>, labels: ArrayLike<number>, classes: number, rng: Rng, opts: HeadTraining = DEFAULT_HEAD_TRAINING): LinearHead {
  const n = labels.length;
  const dim = features.length / n;
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`trainLinearHead: ${features.length} feature values for ${n} labels`);
  const mean = new Float64Array(dim);
  const scale = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) scale[j] += (features[i * dim + j] - mean[j]) ** 2;
  for (let j = 0; j < dim; j++) scale[j] = 1 / Math.sqrt(scale[j] / n + 1e-8);
  const head: LinearHead = { dim, classes, mean, scale, W: new Float64Array(dim * classes), b: new Float64Array(classes) };

  const P = dim * classes + classes;
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const grad = new Float64Array(P);
  const x = new Float64Array(dim);
  const s = new Float64Array(classes);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let t = 0;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < n; start += opts.batch) {
      const end = Math.min(n, start + opts.batch);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const i = order[k];
        for (let j = 0; j < dim; j++) x[j] = (features[i * dim + j] - mean[j]) * scale[j];
        logitsOf(head, x, s);
        softmaxInPlace(s);
        s[labels[i]] -= 1;
        for (let j = 0; j < dim; j++) {
          const xj = x[j];
          if (xj === 0) continue;
          for (let c = 0; c < classes; c++) grad[j * classes + c] += xj * s[c];
        }
        for (let c = 0; c < classes; c++) grad[dim * classes + c] += s[c];
      }
      const inv = 1 / (end - start);
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let q = 0; q < P; q++) {
        const param = q < dim * classes ? head.W : head.b;
        const at = q < dim * classes ? q : q - dim * classes;
        const gq = grad[q] * inv + (q < dim * classes ? opts.weightDecay * param[at] : 0);
        m[q] = beta1 * m[q] + (1 - beta1) * gq;
        v[q] = beta2 * v[q] + (1 - beta2) * gq * gq;
        param[at] -= (opts.lr * (m[q] / c1)) / (Math.sqrt(v[q] / c2) + eps);
      }
    }
  }
  return head;
}

/** N × C logits of a head on N × dim features. */
export function applyHead(head: LinearHead, features: ArrayLike<number>): Float64Array {
  const n = features.length / head.dim;
  const out = new Float64Array(n * head.classes);
  const x = new Float64Array(head.dim);
  const s = new Float64Array(head.classes);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < head.dim; j++) x[j] = (features[i * head.dim + j] - head.mean[j]) * head.scale[j];
    logitsOf(head, x, s);
    out.set(s, i * head.classes);
  }
  return out;
}

function logitsOf(head: LinearHead, x: Float64Array, out: Float64Array) {
  const C = head.classes;
  out.set(head.b);
  for (let j = 0; j < head.dim; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    for (let c = 0; c < C; c++) out[c] += xj * head.W[j * C + c];
  }
}

function softmaxInPlace(s: Float64Array) {
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let sum = 0;
  for (let c = 0; c < s.length; c++) sum += s[c] = Math.exp(s[c] - max);
  for (let c = 0; c < s.length; c++) s[c] /= sum;
}

/** Heads as bytes for the artifact cache: [dim, classes] as Float64 then mean, scale, W, b per head. */
export function headsToBytes(heads: LinearHead[]): Uint8Array {
  const parts: number[] = [heads.length];
  for (const h of heads) parts.push(h.dim, h.classes, ...h.mean, ...h.scale, ...h.W, ...h.b);
  return new Uint8Array(Float64Array.from(parts).buffer);
}

export function headsFromBytes(bytes: Uint8Array): LinearHead[] {
  const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let k = 0;
  const take = (len: number) => all.slice(k, (k += len));
  const count = all[k++];
  const heads: LinearHead[] = [];
  for (let i = 0; i < count; i++) {
    const dim = all[k++];
    const classes = all[k++];
    heads.push({ dim, classes, mean: take(dim), scale: take(dim), W: take(dim * classes), b: take(classes) });
  }
  return heads;
}
