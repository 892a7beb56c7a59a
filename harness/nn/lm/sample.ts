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
