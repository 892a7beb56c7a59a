// The causal Transformer LM of harness/nn/lm/transformer.ts as a step model: the same parameter
// names and shapes (pre-LayerNorm blocks, GELU tanh FFN, untied or tied output, every positional
// scheme), loss = Σ weights · next-token cross-entropy (weights 1/(B·L), or mask/Σmask).
// Attention is batched over [B, heads, L, L] with the causal mask (and ALiBi's bias) added as a
// constant; RoPE multiplies by constant cos/sin tables and a constant rotate-half matrix.
import { alibiSlopes, attentionBias, ropeTables, sinusoidalTable } from '../nn/lm/positional.ts';
import type { TransformerConfig } from '../nn/lm/transformer.ts';
import type { StepModel, TensorSpec } from './engine.ts';
import type { Graph, Value } from './graph.ts';
import { add, dense, embedding, gelu, layerNorm, matmul, mul, reshape, scale, softmax, softmaxCrossEntropy, swapLast, transpose } from './ops.ts';

/** Parameter names and shapes in the order transformerLM creates its variables. */
export function transformerParams(cfg: TransformerConfig): TensorSpec[] {
  const { vocabSize: V, dModel: d, ffn, layers } = cfg;
  const specs: TensorSpec[] = [{ name: 'tok_emb', shape: [V, d] }];
  if (cfg.positional === 'learned') specs.push({ name: 'pos_emb', shape: [cfg.maxLength, d] });
  for (let l = 0; l < layers; l++) {
    const p = `h${l}`;
    specs.push(
      { name: `${p}.ln1.g`, shape: [d] }, { name: `${p}.ln1.b`, shape: [d] },
      { name: `${p}.attn.wq`, shape: [d, d] }, { name: `${p}.attn.bq`, shape: [d] },
      { name: `${p}.attn.wk`, shape: [d, d] }, { name: `${p}.attn.bk`, shape: [d] },
      { name: `${p}.attn.wv`, shape: [d, d] }, { name: `${p}.attn.bv`, shape: [d] },
      { name: `${p}.attn.wo`, shape: [d, d] }, { name: `${p}.attn.bo`, shape: [d] },
      { name: `${p}.ln2.g`, shape: [d] }, { name: `${p}.ln2.b`, shape: [d] },
      { name: `${p}.ffn.w1`, shape: [d, ffn] }, { name: `${p}.ffn.b1`, shape: [ffn] },
      { name: `${p}.ffn.w2`, shape: [ffn, d] }, { name: `${p}.ffn.b2`, shape: [d] },
    );
  }
  specs.push({ name: 'ln_f.g', shape: [d] }, { name: 'ln_f.b', shape: [d] });
  if (!cfg.tiedEmbeddings) specs.push({ name: 'out.w', shape: [d, V] });
  specs.push({ name: 'out.b', shape: [V] });
  return specs;
}

/** Rotate-half as a matrix: (x·R)[j] = −x[j + dh/2] for j < dh/2, x[j − dh/2] otherwise. */
function rotateHalfMatrix(dh: number): number[] {
  const half = dh / 2;
  const r = new Array(dh * dh).fill(0);
  for (let j = 0; j < half; j++) {
    r[(j + half) * dh + j] = -1;
    r[j * dh + j + half] = 1;
  }
  return r;
}

/** The step model on batches of B sequences of L tokens: int64 `inputs` [B, L], int64 `targets`
 * [B·L] and `weights` [B·L]. */
export function transformerStepModel(cfg: TransformerConfig, B: number, L: number): StepModel {
  const { vocabSize: V, dModel: d, heads: H, layers } = cfg;
  const dh = d / H;
  if (cfg.positional === 'learned' && L > cfg.maxLength) throw new RangeError(`transformer step model: length ${L} > maxLength ${cfg.maxLength}`);
  return {
    params: transformerParams(cfg),
    batch: [
      { name: 'inputs', shape: [B, L], dtype: 'int64' },
      { name: 'targets', shape: [B * L], dtype: 'int64' },
      { name: 'weights', shape: [B * L], dtype: 'float32' },
    ],
    loss(g: Graph, p: Record<string, Value>, batch: Record<string, Value>) {
      let x = reshape(g, embedding(g, p.tok_emb, batch.inputs), [B * L, d]);
      if (cfg.positional === 'learned' || cfg.positional === 'sinusoidal') {
        const table = cfg.positional === 'learned' ? embedding(g, p.pos_emb, g.constant(Array.from({ length: L }, (_, i) => i), [L], 'int64')) : g.constant(sinusoidalTable(L, d), [L, d]);
        x = reshape(g, add(g, reshape(g, x, [B, L, d]), table), [B * L, d]);
      }
      const bias = attentionBias(L, L, cfg.positional === 'alibi' ? alibiSlopes(H) : null)!;
      const biasValue = g.constant(bias.data, bias.shape);
      let cos: Value | undefined;
      let sin: Value | undefined;
      let rot: Value | undefined;
      if (cfg.positional === 'rope') {
        const tables = ropeTables(L, dh);
        const half = dh / 2;
        const full = (t: Float32Array) => Array.from({ length: L * dh }, (_, k) => t[Math.floor(k / dh) * half + ((k % dh) % half)]);
        cos = g.constant(full(tables.cos), [L, dh]);
        sin = g.constant(full(tables.sin), [L, dh]);
        rot = g.constant(rotateHalfMatrix(dh), [dh, dh]);
      }
      const heads = (t: Value) => transpose(g, reshape(g, t, [B, L, H, dh]), [0, 2, 1, 3]);
      const rope = (t: Value) => (cos && sin && rot ? add(g, mul(g, t, cos), mul(g, matmul(g, t, rot), sin)) : t);
      for (let l = 0; l < layers; l++) {
        const w = (name: string) => p[`h${l}.${name}`];
        const h = layerNorm(g, x, w('ln1.g'), w('ln1.b'));
        const q = rope(heads(scale(g, dense(g, h, w('attn.wq'), w('attn.bq')), 1 / Math.sqrt(dh))));
        const k = rope(heads(dense(g, h, w('attn.wk'), w('attn.bk'))));
        const v = heads(dense(g, h, w('attn.wv'), w('attn.bv')));
        const probs = softmax(g, add(g, matmul(g, q, swapLast(g, k)), biasValue));
        const attended = reshape(g, transpose(g, matmul(g, probs, v), [0, 2, 1, 3]), [B * L, d]);
        x = add(g, x, dense(g, attended, w('attn.wo'), w('attn.bo')));
        const h2 = layerNorm(g, x, w('ln2.g'), w('ln2.b'));
        x = add(g, x, dense(g, gelu(g, dense(g, h2, w('ffn.w1'), w('ffn.b1'))), w('ffn.w2'), w('ffn.b2')));
      }
      const out = cfg.tiedEmbeddings ? transpose(g, p.tok_emb, [1, 0]) : p['out.w'];
      const logits = dense(g, layerNorm(g, x, p['ln_f.g'], p['ln_f.b']), out, p['out.b']);
      return softmaxCrossEntropy(g, logits, batch.targets, batch.weights);
    },
  };
}
