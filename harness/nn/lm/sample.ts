// Autoregressive generation: greedy, temperature, top-k and nucleus (top-p) sampling. Uses the
// model's IncrementalDecoder (KV cache for the Transformer) when it has one; otherwise recomputes
// the logits of the whole (window-capped) context for every new token.
import type { Rng } from '../../api/index.ts';
import type { SequenceModel } from './sequence-model.ts';
import type { Tf } from './tf.ts';

export interface GenerateOptions {
  maxTokens: number;
  /** 0 (default) = greedy argmax (ties → lowest id); > 0 divides the logits. */
  temperature?: number;
  /** Keep the k most likely tokens (ties at the boundary broken by lower id). */
  topK?: number;
  /** Keep the smallest most-likely set whose probability reaches p (applied after topK). */
  topP?: number;
  /** Stop after emitting any of these ids (the stop id is included in the output). */
  stop?: number[];
  /** Required when temperature > 0. */
  rng?: Rng;
  /** Recompute mode only: the longest context fed (default model.maxLength; unbounded models use everything). */
  window?: number;
  /** Force recomputation even when the model has a decoder (for tests and timing). */
  noCache?: boolean;
  /** Checked after every token with the ids generated so far; true ends generation (stop strings). */
  shouldStop?: (generated: readonly number[]) => boolean;
}

/** Picks one token id from a logit vector according to temperature/topK/topP. */
export function sampleToken(logits: ArrayLike<number>, opts: Pick<GenerateOptions, 'temperature' | 'topK' | 'topP' | 'rng'>): number {
  const V = logits.length;
  if (V === 0) throw new RangeError('sampleToken: empty logit vector');
  const temperature = opts.temperature ?? 0;
  if (!(temperature >= 0)) throw new RangeError(`sampleToken: temperature must be ≥ 0, got ${temperature}`);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  if (!opts.rng) throw new RangeError('sampleToken: sampling with temperature > 0 needs an rng');
  // Candidates by decreasing logit, ties by lower id.
  let order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  if (opts.topK !== undefined) {
    if (!Number.isInteger(opts.topK) || opts.topK < 1) throw new RangeError(`sampleToken: topK must be a positive integer, got ${opts.topK}`);
    order = order.slice(0, opts.topK);
  }
  const top = logits[order[0]] / temperature;
  let weights = order.map((i) => Math.exp(logits[i] / temperature - top));
  if (opts.topP !== undefined) {
    if (!(opts.topP > 0 && opts.topP <= 1)) throw new RangeError(`sampleToken: topP must be in (0, 1], got ${opts.topP}`);
    const total = weights.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let keep = 0;
    while (keep < weights.length) {
      cumulative += weights[keep] / total;
      keep++;
      if (cumulative >= opts.topP - 1e-12) break;
    }
    order = order.slice(0, keep);
    weights = weights.slice(0, keep);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  let u = opts.rng.next() * total;
  for (let i = 0; i < order.length; i++) {
    u -= weights[i];
    if (u < 0) return order[i];
  }
  return order[order.length - 1];
}

/**
 * The generated ids (without the prompt), at most maxTokens of them. The prompt must be non-empty.
 * With a decoder (and without noCache) each token costs one cached step; a model with a hard
 * maxLength switches to recomputation over its last maxLength tokens once the cache is full.
 */
export function generate(tf: Tf, model: SequenceModel, prompt: ArrayLike<number>, opts: GenerateOptions): number[] {
  if (prompt.length < 1) throw new RangeError('generate: the prompt must hold at least one token');
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 0) throw new RangeError(`generate: maxTokens must be a non-negative integer, got ${opts.maxTokens}`);
  for (let i = 0; i < prompt.length; i++) {
    if (!Number.isInteger(prompt[i]) || prompt[i] < 0 || prompt[i] >= model.vocabSize) {
      throw new RangeError(`generate: prompt token ${prompt[i]} at index ${i} is outside the vocabulary 0..${model.vocabSize - 1}`);
    }
  }
  if ((opts.temperature ?? 0) > 0 && !opts.rng) throw new RangeError('generate: sampling with temperature > 0 needs an rng');
  const window = opts.window ?? model.maxLength ?? Infinity;
  if (!(window >= 1)) throw new RangeError(`generate: window must be ≥ 1, got ${opts.window}`);
  const stop = new Set(opts.stop ?? []);
  const context = Array.from(prompt);
  const out: number[] = [];
  if (opts.maxTokens === 0) return out;
  const fitsCache = (length: number) => model.maxLength === null || length <= model.maxLength;
  const decoder = model.decoder && !opts.noCache && fitsCache(context.length) && context.length <= window ? model.decoder() : null;
  try {
    let logits = decoder ? decoder.append(context) : lastLogits(tf, model, context, window);
    for (;;) {
      const token = sampleToken(logits, opts);
      out.push(token);
      context.push(token);
      if (stop.has(token) || out.length >= opts.maxTokens || opts.shouldStop?.(out)) break;
      logits = decoder && fitsCache(context.length) && context.length <= window ? decoder.append([token]) : lastLogits(tf, model, context, window);
    }
  } finally {
    decoder?.dispose();
  }
  return out;
}

/** Logits after the last token, recomputed from the last `window` tokens of `context`. */
function lastLogits(tf: Tf, model: SequenceModel, context: number[], window: number): Float32Array {
  const used = context.length > window ? context.slice(context.length - window) : context;
  const logits = tf.tidy(() => {
    const all = model.logits(tf.tensor2d(Int32Array.from(used), [1, used.length], 'int32'));
    return tf.reshape(tf.slice(all, [0, used.length - 1, 0], [1, 1, model.vocabSize]), [model.vocabSize]);
  });
  const values = Float32Array.from(logits.dataSync() as Float32Array);
  logits.dispose();
  return values;
}

export interface BatchGenerateOptions extends Omit<GenerateOptions, 'rng' | 'window' | 'noCache' | 'shouldStop'> {
  /** Sequences decoded together (default 128); more rows run in successive chunks. */
  maxBatch?: number;
  /** Checked after every token of row `row` with its ids so far; true ends that row. */
  shouldStop?: (row: number, generated: readonly number[]) => boolean;
}

/**
 * Continuations of several prompts at once through the model's batchDecoder (a KV cache shared by
 * the batch). Rows are sorted by prompt length and cut into chunks of maxBatch; in a chunk the
 * shortest prompt length is fed in one call, then every row advances one token per step — a row
 * still inside its prompt is fed its next prompt token, a finished row a filler (its output is no
 * longer read). Row r samples with rngs[r], so its output is what generate() gives for that prompt
 * and generator, up to float rounding of batched products. Models without batchDecoder fall back to
 * generate() row by row. A model with a hard maxLength ends rows that reach it.
 */
export function generateBatch(tf: Tf, model: SequenceModel, prompts: readonly ArrayLike<number>[], opts: BatchGenerateOptions, rngs: readonly (Rng | undefined)[] = []): number[][] {
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 0) throw new RangeError(`generateBatch: maxTokens must be a non-negative integer, got ${opts.maxTokens}`);
  const sampling = (opts.temperature ?? 0) > 0;
  prompts.forEach((p, r) => {
    if (p.length < 1) throw new RangeError(`generateBatch: prompt ${r} is empty`);
    for (let i = 0; i < p.length; i++) {
      if (!Number.isInteger(p[i]) || p[i] < 0 || p[i] >= model.vocabSize) throw new RangeError(`generateBatch: prompt ${r} token ${p[i]} at index ${i} is outside the vocabulary 0..${model.vocabSize - 1}`);
    }
    if (sampling && !rngs[r]) throw new RangeError(`generateBatch: sampling with temperature > 0 needs an rng for row ${r}`);
  });
  if (!model.batchDecoder) {
    return prompts.map((p, r) => generate(tf, model, p, { ...opts, rng: rngs[r], shouldStop: opts.shouldStop ? (g) => opts.shouldStop!(r, g) : undefined }));
  }
  const maxBatch = opts.maxBatch ?? 128;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`generateBatch: maxBatch must be a positive integer, got ${opts.maxBatch}`);
  const stop = new Set(opts.stop ?? []);
  const out: number[][] = prompts.map(() => []);
  if (opts.maxTokens === 0) return out;
  const order = prompts.map((_, r) => r).sort((a, b) => prompts[a].length - prompts[b].length || a - b);
  for (let start = 0; start < order.length; start += maxBatch) {
    const rows = order.slice(start, start + maxBatch);
    const B = rows.length;
    const shortest = prompts[rows[0]].length;
    const done = new Array<boolean>(B).fill(false);
    let remaining = B;
    const decoder = model.batchDecoder(B);
    try {
      const first = new Int32Array(B * shortest);
      rows.forEach((r, b) => first.set(Array.from(prompts[r]).slice(0, shortest), b * shortest));
      let logits = decoder.append(first, 1 * shortest);
      let position = shortest;
      const next = new Int32Array(B);
      while (remaining > 0) {
        for (let b = 0; b < B; b++) {
          const r = rows[b];
          const prompt = prompts[r];
          if (done[b]) {
            next[b] = 0;
            continue;
          }
          if (position < prompt.length) {
            next[b] = prompt[position];
            continue;
          }
          const token = sampleToken(logits.subarray(b * model.vocabSize, (b + 1) * model.vocabSize), { temperature: opts.temperature, topK: opts.topK, topP: opts.topP, rng: rngs[r] });
          const generated = out[r];
          generated.push(token);
          next[b] = token;
          if (stop.has(token) || generated.length >= opts.maxTokens || opts.shouldStop?.(r, generated)) {
            done[b] = true;
            remaining--;
          }
        }
        if (remaining === 0) break;
        if (model.maxLength !== null && position + 1 > model.maxLength) break;
        logits = decoder.append(next, 1);
        position++;
      }
    } finally {
      decoder.dispose();
    }
  }
  return out;
}
