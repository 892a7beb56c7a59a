// A causal, pre-LayerNorm Transformer language model for tfjs with a selectable positional scheme.
// Block: x += Attn(LN(x)); x += FFN(LN(x)), FFN = W2·GELU(W1·x); final LN, then an output
// projection. Embeddings are UNTIED by default (a separate [d, vocab] output matrix, as in the
// PyTorch reference of STACK.md, ≈ 0.86M parameters at d=128/4 layers/FFN 512/vocab 256);
// `tiedEmbeddings: true` reuses the token embedding. Every matmul runs untransposed (explicit
// tf.transpose + matMul, also in the backward pass): wasm's transposed matMul is ~15× slower.
import type { Rng } from '../../api/index.ts';
import { causalAttention, type AttentionImplementation } from './attention.ts';
import { gelu, layerNorm } from './layers.ts';
import { linear } from './linear.ts';
import { alibiSlopes, attentionBias, sinusoidalTable, POSITIONAL_VARIANTS, type Positional } from './positional.ts';
import { assertLength, countParams, type BatchDecoder, type IncrementalDecoder, type SequenceModel } from './sequence-model.ts';
import type { Tf, TF } from './tf.ts';

export interface TransformerConfig {
  vocabSize: number;
  dModel: number;
  heads: number;
  layers: number;
  /** Hidden width of the feed-forward block. */
  ffn: number;
  positional: Positional;
  /** Size of the learned position table (the hard limit for `learned`); for the other schemes just the training window, recorded for reference. */
  maxLength: number;
  /** Share the token embedding with the output projection (default false). */
  tiedEmbeddings?: boolean;
  /** How attention is computed (see causalAttention; default 'auto'); results agree to float error. */
  attention?: AttentionImplementation;
}

export type TransformerLM = SequenceModel & { readonly config: TransformerConfig };

interface LayerWeights {
  ln1g: TF.Variable; ln1b: TF.Variable;
  wq: TF.Variable; bq: TF.Variable;
  wk: TF.Variable; bk: TF.Variable;
  wv: TF.Variable; bv: TF.Variable;
  wo: TF.Variable; bo: TF.Variable;
  ln2g: TF.Variable; ln2b: TF.Variable;
  w1: TF.Variable; b1: TF.Variable;
  w2: TF.Variable; b2: TF.Variable;
}

interface KV {
  /** Keys and values (before RoPE) of positions 0..T−1 of B sequences: [B·T, d], each sequence's rows contiguous. */
  k: TF.Tensor2D;
  v: TF.Tensor2D;
}

let instances = 0;

function checkConfig(config: TransformerConfig): void {
  const positive = ['vocabSize', 'dModel', 'heads', 'layers', 'ffn', 'maxLength'] as const;
  for (const key of positive) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`transformerLM: ${key} must be a positive integer, got ${value}`);
  }
  if (config.dModel % config.heads !== 0) throw new RangeError(`transformerLM: dModel ${config.dModel} is not divisible by heads ${config.heads}`);
  if (!POSITIONAL_VARIANTS.includes(config.positional)) {
    throw new RangeError(`transformerLM: positional must be one of ${POSITIONAL_VARIANTS.join(', ')}, got ${JSON.stringify(config.positional)}`);
  }
  if (config.positional === 'rope' && (config.dModel / config.heads) % 2 !== 0) throw new RangeError('transformerLM: RoPE needs an even head dimension (dModel / heads)');
}

/**
 * Builds the model with weights drawn from `rng`: embeddings and projections N(0, 0.02), the
 * residual-output projections (attention out, FFN out) N(0, 0.02/√(2·layers)) (GPT-2), biases 0,
 * LayerNorm gains 1. maxLength is `config.maxLength` for `learned` and null for the other schemes.
 * GELU is the tanh approximation. No dropout (`training` is accepted and ignored).
 * Has a KV-cache decoder() (one sequence) and batchDecoder(B) (B sequences in lockstep) for every positional scheme.
 */
export function transformerLM(tf: Tf, config: TransformerConfig, rng: Rng): TransformerLM {
  checkConfig(config);
  const cfg: TransformerConfig = { ...config, tiedEmbeddings: config.tiedEmbeddings ?? false };
  const { vocabSize: V, dModel: d, heads: H, layers: nLayers, ffn, positional } = cfg;
  const dh = d / H;
  const tag = `transformer${++instances}`;
  const variables: TF.Variable[] = [];
  const make = (name: string, shape: number[], init: (i: number) => number) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = init(i);
    const initial = tf.tensor(values, shape);
    const variable = tf.variable(initial, true, `${tag}/${name}`);
    initial.dispose();
    variables.push(variable);
    return variable;
  };
  const normal = (std: number) => () => rng.normal() * std;
  const zeros = () => 0;
  const ones = () => 1;
  const residualStd = 0.02 / Math.sqrt(2 * nLayers);

  const tokEmb = make('tok_emb', [V, d], normal(0.02));
  const posEmb = positional === 'learned' ? make('pos_emb', [cfg.maxLength, d], normal(0.02)) : null;
  const layers: LayerWeights[] = [];
  for (let l = 0; l < nLayers; l++) {
    layers.push({
      ln1g: make(`h${l}.ln1.g`, [d], ones),
      ln1b: make(`h${l}.ln1.b`, [d], zeros),
      wq: make(`h${l}.attn.wq`, [d, d], normal(0.02)),
      bq: make(`h${l}.attn.bq`, [d], zeros),
      wk: make(`h${l}.attn.wk`, [d, d], normal(0.02)),
      bk: make(`h${l}.attn.bk`, [d], zeros),
      wv: make(`h${l}.attn.wv`, [d, d], normal(0.02)),
      bv: make(`h${l}.attn.bv`, [d], zeros),
      wo: make(`h${l}.attn.wo`, [d, d], normal(residualStd)),
      bo: make(`h${l}.attn.bo`, [d], zeros),
      ln2g: make(`h${l}.ln2.g`, [d], ones),
      ln2b: make(`h${l}.ln2.b`, [d], zeros),
      w1: make(`h${l}.ffn.w1`, [d, ffn], normal(0.02)),
      b1: make(`h${l}.ffn.b1`, [ffn], zeros),
      w2: make(`h${l}.ffn.w2`, [ffn, d], normal(residualStd)),
      b2: make(`h${l}.ffn.b2`, [d], zeros),
    });
  }
  const lnfg = make('ln_f.g', [d], ones);
  const lnfb = make('ln_f.b', [d], zeros);
  const wout = cfg.tiedEmbeddings ? null : make('out.w', [d, V], normal(0.02));
  const bout = make('out.b', [V], zeros);

  const slopes = positional === 'alibi' ? alibiSlopes(H) : null;
  const maxLength = positional === 'learned' ? cfg.maxLength : null;
  const kind = `transformer-${positional}`;

  // Position-dependent constants are built in JS once per (length, offset) and uploaded per call.
  const biasCache = new Map<string, ReturnType<typeof attentionBias>>();
  const biasFor = (n: number, total: number) => {
    const key = `${n}:${total}`;
    if (!biasCache.has(key)) {
      if (biasCache.size > 64) biasCache.clear();
      biasCache.set(key, attentionBias(n, total, slopes));
    }
    return biasCache.get(key)!;
  };
  const tableCache = new Map<string, Float32Array>();
  const sinusoidalFor = (n: number, offset: number): Float32Array => {
    const key = `${n}:${offset}`;
    let table = tableCache.get(key);
    if (!table) {
      if (tableCache.size > 64) tableCache.clear();
      table = sinusoidalTable(n, d, offset);
      tableCache.set(key, table);
    }
    return table;
  };
  const asMatrix = (v: TF.Variable) => v as TF.Tensor as TF.Tensor2D;
  const asVector = (v: TF.Variable) => v as TF.Tensor as TF.Tensor1D;

  /**
   * ids [B, n] at positions offset..offset+n−1, with the keys/values of positions 0..offset−1
   * (`past`, batch 1 only) or null when offset = 0. Returns logits [B·n, V] (or [B, V] for the
   * last position only) and the keys/values of positions 0..offset+n−1. Call inside tf.tidy.
   */
  const run = (ids: TF.Tensor2D, past: KV[] | null, lastOnly: boolean): { logits: TF.Tensor2D; present: KV[] } => {
    const [B, n] = ids.shape;
    if (past && past[0].k.shape[0] % B !== 0) throw new RangeError(`${kind}: cached keys of ${past[0].k.shape[0]} rows do not split into a batch of ${B}`);
    const offset = past ? past[0].k.shape[0] / B : 0;
    const total = offset + n;
    if (posEmb && total > cfg.maxLength) assertLength({ kind, maxLength: cfg.maxLength }, total);
    // Embedding lookup as one-hot · table: its gradient is a plain matMul (tfjs's gather gradient
    // needs UnsortedSegmentSum, which the wasm backend lacks).
    const oneHot = tf.cast(tf.oneHot(tf.reshape(ids, [B * n]), V), 'float32') as TF.Tensor2D;
    let x = linear(tf, oneHot, asMatrix(tokEmb));
    if (posEmb || positional === 'sinusoidal') {
      const table = posEmb ? tf.slice(posEmb, [offset, 0], [n, d]) : tf.tensor2d(sinusoidalFor(n, offset), [n, d]);
      x = tf.reshape(tf.add(tf.reshape(x, [B, n, d]), table), [B * n, d]) as TF.Tensor2D;
    }
    const biasSpec = biasFor(n, total);
    const bias = biasSpec ? { data: biasSpec.data, groups: biasSpec.shape[0] } : null;
    const present: KV[] = [];
    for (let l = 0; l < nLayers; l++) {
      const w = layers[l];
      const h = layerNorm(tf, x, asVector(w.ln1g), asVector(w.ln1b));
      const q = linear(tf, h, asMatrix(w.wq), asVector(w.bq));
      let k = linear(tf, h, asMatrix(w.wk), asVector(w.bk));
      let v = linear(tf, h, asMatrix(w.wv), asVector(w.bv));
      if (past && B === 1) {
        k = tf.concat([past[l].k, k], 0);
        v = tf.concat([past[l].v, v], 0);
      } else if (past) {
        // [B·offset, d] and [B·n, d] → [B·total, d], each sequence's rows contiguous
        const join = (a: TF.Tensor2D, b: TF.Tensor2D) => tf.reshape(tf.concat([tf.reshape(a, [B, offset, d]), tf.reshape(b, [B, n, d])], 1), [B * total, d]) as TF.Tensor2D;
        k = join(past[l].k, k);
        v = join(past[l].v, v);
      }
      present.push({ k, v });
      const attended = causalAttention(tf, q, k, v, { batch: B, heads: H, queries: n, total, rope: positional === 'rope', bias, implementation: cfg.attention });
      x = tf.add(x, linear(tf, attended, asMatrix(w.wo), asVector(w.bo))) as TF.Tensor2D;
      const h2 = layerNorm(tf, x, asVector(w.ln2g), asVector(w.ln2b));
      const hidden = gelu(tf, linear(tf, h2, asMatrix(w.w1), asVector(w.b1)));
      x = tf.add(x, linear(tf, hidden, asMatrix(w.w2), asVector(w.b2))) as TF.Tensor2D;
    }
    if (lastOnly) x = tf.reshape(tf.slice(tf.reshape(x, [B, n, d]), [0, n - 1, 0], [B, 1, d]), [B, d]) as TF.Tensor2D;
    const out = wout ? asMatrix(wout) : (tf.transpose(asMatrix(tokEmb)) as TF.Tensor2D);
    const logits = linear(tf, layerNorm(tf, x, asVector(lnfg), asVector(lnfb)), out, asVector(bout));
    return { logits, present };
  };

  const checkIds = (ids: TF.Tensor): void => {
    if (ids.rank !== 2) throw new RangeError(`${kind}: ids must be a [batch, length] tensor, got shape [${ids.shape.join(', ')}]`);
    if (ids.dtype !== 'int32') throw new RangeError(`${kind}: ids must be int32, got ${ids.dtype}`);
  };

  const model: TransformerLM = {
    kind,
    vocabSize: V,
    maxLength,
    variables,
    config: cfg,
    paramCount: () => countParams(variables),
    logits(ids) {
      checkIds(ids);
      const [B, n] = ids.shape;
      assertLength(model, n);
      return tf.tidy(() => tf.reshape(run(ids, null, false).logits, [B, n, V]) as TF.Tensor3D);
    },
    decoder(): IncrementalDecoder {
      let cache: KV[] | null = null;
      let position = 0;
      return {
        get position() {
          return position;
        },
        append(ids) {
          if (ids.length < 1) throw new RangeError(`${kind} decoder: append() needs at least one token`);
          assertLength(model, position + ids.length);
          const previous = cache;
          const [logits, ...flat] = tf.tidy(() => {
            const result = run(tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32'), previous, true);
            return [result.logits, ...result.present.flatMap((kv) => [kv.k, kv.v])];
          });
          const present: KV[] = [];
          for (let l = 0; l < nLayers; l++) present.push({ k: flat[2 * l] as TF.Tensor2D, v: flat[2 * l + 1] as TF.Tensor2D });
          if (previous) for (const kv of previous) tf.dispose([kv.k, kv.v]);
          cache = present;
          position += ids.length;
          const values = logits.dataSync() as Float32Array;
          logits.dispose();
          return Float32Array.from(values);
        },
        dispose() {
          if (cache) for (const kv of cache) tf.dispose([kv.k, kv.v]);
          cache = null;
        },
      };
    },
    batchDecoder(batch: number): BatchDecoder {
      if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`${kind} batchDecoder: batch must be a positive integer, got ${batch}`);
      let cache: KV[] | null = null;
      let position = 0;
      return {
        batch,
        get position() {
          return position;
        },
        append(ids, n) {
          if (!Number.isInteger(n) || n < 1 || ids.length !== batch * n) throw new RangeError(`${kind} batchDecoder: append() needs batch × n = ${batch} × ${n} ids, got ${ids.length}`);
          assertLength(model, position + n);
          const previous = cache;
          const [logits, ...flat] = tf.tidy(() => {
            const result = run(tf.tensor2d(Int32Array.from(ids), [batch, n], 'int32'), previous, true);
            return [result.logits, ...result.present.flatMap((kv) => [kv.k, kv.v])];
          });
          const present: KV[] = [];
          for (let l = 0; l < nLayers; l++) present.push({ k: flat[2 * l] as TF.Tensor2D, v: flat[2 * l + 1] as TF.Tensor2D });
          if (previous) for (const kv of previous) tf.dispose([kv.k, kv.v]);
          cache = present;
          position += n;
          const values = Float32Array.from(logits.dataSync() as Float32Array);
          logits.dispose();
          return values;
        },
        dispose() {
          if (cache) for (const kv of cache) tf.dispose([kv.k, kv.v]);
          cache = null;
        },
      };
    },
    dispose() {
      tf.dispose(variables);
    },
  };
  return model;
}
