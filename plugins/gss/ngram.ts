// Byte n-gram baselines: interpolated Kneser-Ney smoothing (Kneser & Ney 1995; the interpolated form
// of Chen & Goodman 1998, §3.5), fit on the training bytes, as a SequenceModel so that it is scored
// by exactly the same evaluation code as the neural models.
//
// A model of order k predicts a byte from the k bytes before it. Level j (0 ≤ j ≤ k) holds counts of
// (j+1)-grams, i.e. of a j-byte context h followed by a byte w:
//   level k:      raw counts c(h, w)
//   level j < k:  continuation counts N1+(• h w) = the number of distinct bytes seen before h w
// and with total(h) = Σ_w count(h, w), types(h) = #{w : count(h, w) > 0}, discount D_j:
//   p_j(w | h) = max(count(h, w) − D_j, 0) / total(h) + D_j · types(h) / total(h) · p_{j−1}(w | h′)
// where h′ drops h's oldest byte; p_j = p_{j−1} when total(h) = 0, and p_{−1}(w) = 1/256. The
// discount of each level is Ney's estimate D_j = n1 / (n1 + 2·n2) from its numbers of entries with
// count 1 and 2 (Ney, Essen & Kneser 1994), unless a fixed discount is given. Near the start of an
// input fewer than k bytes exist; the model then uses the levels up to the bytes available.
import type { SequenceModel, Tf } from '../../harness/nn/lm/index.ts';
import type { TF } from '../../harness/nn/lm/tf.ts';

const V = 256;

interface Level {
  /** Sorted distinct (j+1)-gram keys, big-endian bytes (oldest byte most significant). */
  keys: Uint32Array;
  counts: Uint32Array;
  discount: number;
}

export interface KneserNeyModel {
  order: number;
  /** Distinct n-grams stored over all levels. */
  entries: number;
  discounts: number[];
  /** p(· | the min(order, end) bytes before `end` in `bytes`): 256 probabilities summing to 1. */
  distribution(bytes: ArrayLike<number>, end: number): Float64Array;
}

/** Sorted distinct values of `values` (sorted in place) and how often each occurs. */
function runLength(values: Uint32Array): { keys: Uint32Array; counts: Uint32Array } {
  values.sort();
  let distinct = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) distinct++;
  const keys = new Uint32Array(distinct);
  const counts = new Uint32Array(distinct);
  let at = -1;
  for (let i = 0; i < values.length; i++) {
    if (i === 0 || values[i] !== values[i - 1]) keys[++at] = values[i];
    counts[at]++;
  }
  return { keys, counts };
}

function neyDiscount(counts: Uint32Array): number {
  let n1 = 0;
  let n2 = 0;
  for (const c of counts) {
    if (c === 1) n1++;
    else if (c === 2) n2++;
  }
  return n1 + 2 * n2 === 0 ? 0.75 : n1 / (n1 + 2 * n2);
}

/** First index i with keys[i] ≥ value. */
function lowerBound(keys: Uint32Array, value: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Fits an interpolated Kneser-Ney byte model of `order` (1 … 3) on `train`. */
export function fitKneserNey(train: Uint8Array, order: number, opts: { discount?: number } = {}): KneserNeyModel {
  if (!Number.isInteger(order) || order < 1 || order > 3) throw new RangeError(`Kneser-Ney: order must be 1, 2 or 3 (n-grams up to 4 bytes fit a 32-bit key), got ${order}`);
  if (train.length <= order) throw new RangeError(`Kneser-Ney: ${train.length} training bytes are too few for order ${order}`);
  if (opts.discount !== undefined && !(opts.discount > 0 && opts.discount < 1)) throw new RangeError(`Kneser-Ney: discount must be in (0, 1), got ${opts.discount}`);
  const levels: Level[] = new Array(order + 1);
  // level `order`: raw counts of every (order+1)-gram of the training bytes
  const grams = new Uint32Array(train.length - order);
  for (let i = order; i < train.length; i++) {
    let key = 0;
    for (let j = i - order; j <= i; j++) key = key * V + train[j];
    grams[i - order] = key;
  }
  let top = runLength(grams);
  levels[order] = { ...top, discount: opts.discount ?? neyDiscount(top.counts) };
  // lower levels: continuation counts from the distinct grams one level up
  for (let j = order - 1; j >= 0; j--) {
    const modulus = V ** (j + 1);
    const above = levels[j + 1].keys;
    const suffixes = new Uint32Array(above.length);
    for (let i = 0; i < above.length; i++) suffixes[i] = above[i] % modulus;
    top = runLength(suffixes);
    levels[j] = { ...top, discount: opts.discount ?? neyDiscount(top.counts) };
  }
  const cache = new Map<string, Float64Array>();
  return {
    order,
    entries: levels.reduce((s, l) => s + l.keys.length, 0),
    discounts: levels.map((l) => l.discount),
    distribution(bytes, end) {
      const available = Math.min(order, end);
      let context = 0;
      for (let i = end - available; i < end; i++) context = context * V + bytes[i];
      const cacheKey = `${available}:${context}`;
      const hit = cache.get(cacheKey);
      if (hit) return hit;
      let p = new Float64Array(V).fill(1 / V);
      for (let j = 0; j <= available; j++) {
        const h = context % V ** j; // the last j bytes of the context
        const { keys, counts, discount } = levels[j];
        const from = lowerBound(keys, h * V);
        const to = lowerBound(keys, (h + 1) * V);
        if (to === from) continue; // unseen context: keep the lower-order distribution
        let total = 0;
        for (let i = from; i < to; i++) total += counts[i];
        const next = new Float64Array(V);
        const backoff = (discount * (to - from)) / total;
        for (let w = 0; w < V; w++) next[w] = backoff * p[w];
        for (let i = from; i < to; i++) next[keys[i] % V] += Math.max(counts[i] - discount, 0) / total;
        p = next;
      }
      if (cache.size > 200_000) cache.clear();
      cache.set(cacheKey, p);
      return p;
    },
  };
}

/** The n-gram model as a SequenceModel: logits[b, t] = log p(· | ids[b, ≤ t]). No variables. */
export function ngramSequenceModel(tf: Tf, kn: KneserNeyModel): SequenceModel {
  return {
    kind: `kneser-ney-${kn.order}`,
    vocabSize: V,
    maxLength: null,
    variables: [],
    paramCount: () => kn.entries,
    logits(ids: TF.Tensor2D) {
      const [B, L] = ids.shape;
      const data = ids.dataSync() as Int32Array;
      const out = new Float32Array(B * L * V);
      for (let b = 0; b < B; b++) {
        const row = data.subarray(b * L, (b + 1) * L);
        for (let t = 0; t < L; t++) {
          const p = kn.distribution(row, t + 1);
          const base = (b * L + t) * V;
          for (let w = 0; w < V; w++) out[base + w] = Math.log(p[w]);
        }
      }
      return tf.tensor3d(out, [B, L, V]);
    },
    dispose() {},
  };
}
