// Causal multi-head attention as one differentiable op whose inner products all run as plain 2-D
// matMuls, one (sequence, head) block at a time. On the tfjs wasm backend a batched matMul ([B·H,
// L, dh] · [B·H, dh, L]) falls off the fast XNNPACK path and runs 4–10× slower per FLOP than the
// same work as 2-D products, and slicing a tensor copies the whole input once per slice; so the
// head blocks are cut out in JS from one read of q/k/v, RoPE is applied there too (rotation is a
// cheap O(L·d) loop), and the gradient is written by hand (standard softmax-attention backward).
import { batchMatMul } from './linear.ts';
import { applyRope, ropeTables } from './positional.ts';
import type { Tf, TF } from './tf.ts';

export interface AttentionShape {
  /** Sequences in the batch. */
  batch: number;
  heads: number;
  /** Queries per sequence: positions total−queries..total−1. */
  queries: number;
  /** Keys/values per sequence: positions 0..total−1. */
  total: number;
  /** Rotate queries and keys by their absolute positions (RoPE, rotate-half layout, base 10000). */
  rope: boolean;
  /**
   * Additive score bias, row-major [groups, queries, total] with groups = 1 (shared by the heads)
   * or heads (ALiBi): the causal mask and any positional bias (see attentionBias). null = none
   * (only valid when every key is visible to every query).
   */
  bias: { data: Float32Array; groups: number } | null;
  /**
   * 'blocks': one 2-D product per (sequence, head) with the JS gather described above (fast for long
   * sequences); 'batched': stock batched matMuls over [batch·heads, …] with a transposes-free
   * gradient (fewer kernel launches, better for many short sequences); 'auto' (default) picks
   * 'blocks' when total ≥ BLOCKS_MIN_LENGTH.
   */
  implementation?: AttentionImplementation;
}

export type AttentionImplementation = 'auto' | 'blocks' | 'batched';

/** Sequence length from which 'auto' computes attention block by block (the measured crossover lies
 * between 48 and 128 tokens; see README.md). */
export const BLOCKS_MIN_LENGTH = 128;

type Save = (tensors: TF.Tensor[]) => void;
type GradFn = Parameters<Tf['customGrad']>[0];

// RoPE cos/sin tables per head size, grown on demand: [position, dh/2] row-major.
const ropeCache = new Map<number, { positions: number; cos: Float32Array; sin: Float32Array }>();
function ropeTablesUpTo(positions: number, dh: number) {
  let entry = ropeCache.get(dh);
  if (!entry || entry.positions < positions) {
    const grown = Math.max(positions, 2 * (entry?.positions ?? 0), 1024);
    entry = { positions: grown, ...ropeTables(grown, dh) };
    ropeCache.set(dh, entry);
  }
  return entry;
}

/** Rotates rows of a [rows, dh] block in place (row r is at position firstPos + r) by +θ or −θ. */
function rotate(x: Float32Array, rows: number, dh: number, firstPos: number, sign: 1 | -1): void {
  const half = dh / 2;
  const { cos, sin } = ropeTablesUpTo(firstPos + rows, dh);
  for (let r = 0; r < rows; r++) {
    const base = r * dh;
    const table = (firstPos + r) * half;
    for (let j = 0; j < half; j++) {
      const c = cos[table + j];
      const s = sign * sin[table + j];
      const a = x[base + j];
      const b = x[base + j + half];
      x[base + j] = a * c - b * s;
      x[base + j + half] = a * s + b * c;
    }
  }
}

/** Copies head h of sequence b out of a [batch·rows, d] matrix into [rows, dh] (or its transpose). */
function extract(src: Float32Array, b: number, h: number, rows: number, d: number, dh: number, transposed: boolean): Float32Array {
  const out = new Float32Array(rows * dh);
  const offset = b * rows * d + h * dh;
  for (let r = 0; r < rows; r++) {
    const from = offset + r * d;
    if (transposed) for (let j = 0; j < dh; j++) out[j * rows + r] = src[from + j];
    else for (let j = 0; j < dh; j++) out[r * dh + j] = src[from + j];
  }
  return out;
}

/** Adds a [rows, dh] block back into head h of sequence b of a [batch·rows, d] matrix. */
function deposit(dst: Float32Array, block: Float32Array, b: number, h: number, rows: number, d: number, dh: number): void {
  const offset = b * rows * d + h * dh;
  for (let r = 0; r < rows; r++) {
    const to = offset + r * d;
    for (let j = 0; j < dh; j++) dst[to + j] += block[r * dh + j];
  }
}

function rotated(block: Float32Array, rows: number, dh: number, firstPos: number, rope: boolean, sign: 1 | -1): Float32Array {
  if (rope) rotate(block, rows, dh, firstPos, sign);
  return block;
}

function scaleInPlace(x: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] *= factor;
  return x;
}

const cache = new WeakMap<Tf, (q: TF.Tensor2D, k: TF.Tensor2D, v: TF.Tensor2D, shape: AttentionShape) => TF.Tensor2D>();

/**
 * softmax(Q·Kᵀ/√dh + bias)·V per head. q: [batch·queries, d]; k, v: [batch·total, d] (heads are
 * contiguous column blocks of width dh = d/heads). Returns [batch·queries, d]; differentiable in
 * q, k and v.
 */
export function causalAttention(tf: Tf, q: TF.Tensor2D, k: TF.Tensor2D, v: TF.Tensor2D, shape: AttentionShape): TF.Tensor2D {
  const implementation = shape.implementation ?? 'auto';
  if (implementation === 'batched' || (implementation === 'auto' && shape.total < BLOCKS_MIN_LENGTH)) return batchedAttention(tf, q, k, v, shape);
  let op = cache.get(tf);
  if (!op) {
    op = buildOp(tf);
    cache.set(tf, op);
  }
  return op(q, k, v, shape);
}

function buildOp(tf: Tf) {
  return (q: TF.Tensor2D, k: TF.Tensor2D, v: TF.Tensor2D, shape: AttentionShape): TF.Tensor2D => {
    const { batch: B, heads: H, queries: n, total: T, rope, bias } = shape;
    const d = q.shape[1];
    const dh = d / H;
    const scale = 1 / Math.sqrt(dh);
    const offset = T - n;
    if (q.shape[0] !== B * n || k.shape[0] !== B * T || v.shape[0] !== B * T || k.shape[1] !== d || v.shape[1] !== d) {
      throw new RangeError(`causalAttention: shapes q [${q.shape}], k [${k.shape}], v [${v.shape}] do not match batch ${B}, queries ${n}, total ${T}`);
    }
    const op = tf.customGrad(((qt: TF.Tensor2D, kt: TF.Tensor2D, vt: TF.Tensor2D, save: Save) => {
      const qData = qt.dataSync() as Float32Array;
      const kData = kt.dataSync() as Float32Array;
      const vData = vt.dataSync() as Float32Array;
      const biasTensors = bias ? Array.from({ length: bias.groups }, (_, g) => tf.tensor2d(bias.data.subarray(g * n * T, (g + 1) * n * T), [n, T])) : [];
      const out = new Float32Array(B * n * d);
      const probs: TF.Tensor2D[] = [];
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < H; h++) {
          const qb = scaleInPlace(rotated(extract(qData, b, h, n, d, dh, false), n, dh, offset, rope, 1), scale);
          const kb = rotated(extract(kData, b, h, T, d, dh, false), T, dh, 0, rope, 1);
          const kbT = transposeBlock(kb, T, dh);
          const vb = extract(vData, b, h, T, d, dh, false);
          const [p, o] = tf.tidy(() => {
            let scores = tf.matMul(tf.tensor2d(qb, [n, dh]), tf.tensor2d(kbT, [dh, T]));
            if (bias) scores = tf.add(scores, biasTensors[bias.groups === 1 ? 0 : h]);
            const p = tf.softmax(scores) as TF.Tensor2D;
            return [p, tf.matMul(p, tf.tensor2d(vb, [T, dh]))];
          });
          deposit(out, o.dataSync() as Float32Array, b, h, n, d, dh);
          o.dispose();
          probs.push(p);
        }
      }
      tf.dispose(biasTensors);
      save([qt, kt, vt, ...probs]);
      return {
        value: tf.tensor2d(out, [B * n, d]),
        gradFunc: (dy: TF.Tensor2D, saved: TF.Tensor[]) => {
          const [qs, ks, vs] = saved;
          const savedProbs = saved.slice(3) as TF.Tensor2D[];
          const qD = qs.dataSync() as Float32Array;
          const kD = ks.dataSync() as Float32Array;
          const vD = vs.dataSync() as Float32Array;
          const dyD = dy.dataSync() as Float32Array;
          const dq = new Float32Array(B * n * d);
          const dk = new Float32Array(B * T * d);
          const dv = new Float32Array(B * T * d);
          for (let b = 0; b < B; b++) {
            for (let h = 0; h < H; h++) {
              const p = savedProbs[b * H + h];
              const qbT = transposeBlock(scaleInPlace(rotated(extract(qD, b, h, n, d, dh, false), n, dh, offset, rope, 1), scale), n, dh);
              const kb = rotated(extract(kD, b, h, T, d, dh, false), T, dh, 0, rope, 1);
              const vbT = extract(vD, b, h, T, d, dh, true);
              const dob = extract(dyD, b, h, n, d, dh, false);
              const dobT = transposeBlock(dob, n, dh);
              // Transposed products (dVᵀ = dOᵀ·P, dKᵀ = Qᵀ·dS) avoid transposing the [n, T] matrices.
              const [dqb, dkbT, dvbT] = tf.tidy(() => {
                const dP = tf.matMul(tf.tensor2d(dob, [n, dh]), tf.tensor2d(vbT, [dh, T]));
                const dVT = tf.matMul(tf.tensor2d(dobT, [dh, n]), p);
                const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(p, dP), 1, true))) as TF.Tensor2D;
                const dQ = tf.matMul(dS, tf.tensor2d(kb, [T, dh]));
                const dKT = tf.matMul(tf.tensor2d(qbT, [dh, n]), dS);
                return [dQ, dKT, dVT];
              });
              // Undo the scale and the rotation (the transpose of a rotation is the inverse rotation).
              deposit(dq, rotated(scaleInPlace(Float32Array.from(dqb.dataSync() as Float32Array), scale), n, dh, offset, rope, -1), b, h, n, d, dh);
              deposit(dk, rotated(transposeBlock(dkbT.dataSync() as Float32Array, dh, T), T, dh, 0, rope, -1), b, h, T, d, dh);
              deposit(dv, transposeBlock(dvbT.dataSync() as Float32Array, dh, T), b, h, T, d, dh);
              tf.dispose([dqb, dkbT, dvbT]);
            }
          }
          return [tf.tensor2d(dq, [B * n, d]), tf.tensor2d(dk, [B * T, d]), tf.tensor2d(dv, [B * T, d])];
        },
      };
    }) as unknown as GradFn);
    return op(q, k, v) as TF.Tensor2D;
  };
}

function transposeBlock(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/** The same attention with stock batched ops: heads as a batch axis, RoPE as tensor ops. */
function batchedAttention(tf: Tf, q: TF.Tensor2D, k: TF.Tensor2D, v: TF.Tensor2D, shape: AttentionShape): TF.Tensor2D {
  const { batch: B, heads: H, queries: n, total: T, rope, bias } = shape;
  const d = q.shape[1];
  const dh = d / H;
  const heads = (x: TF.Tensor2D, rows: number) => tf.reshape(tf.transpose(tf.reshape(x, [B, rows, H, dh]), [0, 2, 1, 3]), [B * H, rows, dh]) as TF.Tensor3D;
  let qh = heads(tf.mul(q, 1 / Math.sqrt(dh)) as TF.Tensor2D, n);
  let kh = heads(k, T);
  if (rope) {
    const { cos, sin } = ropeTablesUpTo(T, dh);
    const half = dh / 2;
    const c = tf.tensor2d(cos.subarray(0, T * half), [T, half]);
    const s = tf.tensor2d(sin.subarray(0, T * half), [T, half]);
    kh = applyRope(tf, kh, c, s);
    qh = n === T ? applyRope(tf, qh, c, s) : applyRope(tf, qh, tf.tensor2d(cos.subarray((T - n) * half, T * half), [n, half]), tf.tensor2d(sin.subarray((T - n) * half, T * half), [n, half]));
  }
  let scores = batchMatMul(tf, qh, tf.transpose(kh, [0, 2, 1]));
  if (bias) scores = tf.reshape(tf.add(tf.reshape(scores, [B, H, n, T]), tf.tensor3d(bias.data, [bias.groups, n, T])), [B * H, n, T]) as TF.Tensor3D;
  const out = batchMatMul(tf, tf.softmax(scores) as TF.Tensor3D, heads(v, T));
  return tf.reshape(tf.transpose(tf.reshape(out, [B, H, n, dh]), [0, 2, 1, 3]), [B * n, d]) as TF.Tensor2D;
}
