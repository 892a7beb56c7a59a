// Positional schemes for the causal Transformer. Only `learned` has a table and so a hard maximum
// length; the others are defined for any position.
//   learned     absolute table [maxLength, d] added to the token embeddings (N(0, 0.02) init)
//   sinusoidal  fixed sin/cos absolute encoding (Vaswani et al. 2017) added to the embeddings
//   rope        rotary embedding of queries and keys per head (Su et al. 2021), base 10000,
//               rotating pairs (i, i + dHead/2) ("rotate-half" layout)
//   alibi       no embedding; a per-head linear bias −m_h·(i − j) on the attention scores
//               (Press et al. 2022), slopes m_h = 2^(−8h/H), h = 1..H
//   none        no positional information at all (NoPE); causal masking alone breaks symmetry
import type { Tf, TF } from './tf.ts';

export type Positional = 'learned' | 'sinusoidal' | 'rope' | 'alibi' | 'none';
export const POSITIONAL_VARIANTS: readonly Positional[] = ['learned', 'sinusoidal', 'rope', 'alibi', 'none'];

/** Sinusoidal table [length, d] (row-major) for positions offset..offset+length−1: even columns
 * sin(p / 10000^(2i/d)), odd columns cos(p / 10000^(2i/d)). */
export function sinusoidalTable(length: number, d: number, offset = 0): Float32Array {
  const table = new Float32Array(length * d);
  for (let t = 0; t < length; t++) {
    const p = offset + t;
    for (let i = 0; i < d; i += 2) {
      const angle = p / Math.pow(10000, i / d);
      table[t * d + i] = Math.sin(angle);
      if (i + 1 < d) table[t * d + i + 1] = Math.cos(angle);
    }
  }
  return table;
}

/** cos and sin tables [length, dHead/2] for RoPE at positions offset..offset+length−1; pair i
 * rotates by p·base^(−2i/dHead). */
export function ropeTables(length: number, dHead: number, offset = 0, base = 10000): { cos: Float32Array; sin: Float32Array } {
  if (dHead % 2 !== 0) throw new RangeError(`RoPE needs an even head dimension, got ${dHead}`);
  const half = dHead / 2;
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = (offset + t) * Math.pow(base, (-2 * i) / dHead);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Applies RoPE to x [..., L, dHead] given cos/sin tensors [L, dHead/2] ("rotate-half" layout:
 * (x₁, x₂) ↦ (x₁·cos − x₂·sin, x₁·sin + x₂·cos) with x₁, x₂ the two halves of the last axis). */
export function applyRope<T extends TF.Tensor>(tf: Tf, x: T, cos: TF.Tensor2D, sin: TF.Tensor2D): T {
  const half = x.shape[x.rank - 1] / 2;
  const [x1, x2] = tf.split(x, [half, half], x.rank - 1);
  return tf.concat([tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x1, sin), tf.mul(x2, cos))], x.rank - 1) as T;
}

/** ALiBi slopes for `heads` heads: 2^(−8h/heads), h = 1..heads (the geometric sequence of Press et
 * al. for any head count; for a power of two it is their exact choice). */
export function alibiSlopes(heads: number): Float32Array {
  return Float32Array.from({ length: heads }, (_, h) => Math.pow(2, (-8 * (h + 1)) / heads));
}

/** A large negative score that zeroes a softmax weight without producing NaN. */
export const MASKED = -1e9;

/**
 * Additive attention bias for n queries at positions T−n..T−1 over T keys at positions 0..T−1,
 * row-major [heads or 1, n, T]: MASKED where the key lies in the query's future; with `slopes`
 * (ALiBi) also −m_h·(i − j) on the visible keys. Returns null when nothing would be added
 * (a single query without ALiBi sees every key).
 */
export function attentionBias(n: number, total: number, slopes: Float32Array | null): { data: Float32Array; shape: [number, number, number] } | null {
  const offset = total - n;
  if (!slopes && n === 1) return null;
  const groups = slopes ? slopes.length : 1;
  const data = new Float32Array(groups * n * total);
  for (let g = 0; g < groups; g++) {
    const m = slopes ? slopes[g] : 0;
    for (let i = 0; i < n; i++) {
      const row = (g * n + i) * total;
      const q = offset + i;
      for (let j = 0; j < total; j++) data[row + j] = j > q ? MASKED : -m * (q - j);
    }
  }
  return { data, shape: [groups, n, total] };
}
