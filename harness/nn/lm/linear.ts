// Dense products whose forward AND backward passes use only untransposed matMul (explicit
// tf.transpose first): on the wasm backend matMul with transposeA/B is ~15× slower, and the stock
// gradient of matMul uses exactly those transposed forms.
import type { Tf, TF } from './tf.ts';

type Ops = {
  linear: (x: TF.Tensor2D, w: TF.Tensor2D) => TF.Tensor2D;
  linearBias: (x: TF.Tensor2D, w: TF.Tensor2D, b: TF.Tensor1D) => TF.Tensor2D;
  batchMatMul: (a: TF.Tensor3D, b: TF.Tensor3D) => TF.Tensor3D;
};
const cache = new WeakMap<Tf, Ops>();

type Save = (tensors: TF.Tensor[]) => void;
type GradFn = Parameters<Tf['customGrad']>[0];

function opsOf(tf: Tf): Ops {
  let ops = cache.get(tf);
  if (ops) return ops;
  const t2 = (m: TF.Tensor) => tf.transpose(m as TF.Tensor2D);
  // xᵀ·dy for x [N, in], dy [N, out]: transpose whichever of the two tall matrices is narrower
  // (xᵀ·dy directly, or (dyᵀ·x)ᵀ with only a small [out, in] transpose at the end).
  const weightGrad = (x: TF.Tensor2D, dy: TF.Tensor2D) => (x.shape[1] <= dy.shape[1] ? tf.matMul(t2(x), dy) : t2(tf.matMul(t2(dy), x)));
  const t3 = (m: TF.Tensor) => tf.transpose(m as TF.Tensor3D, [0, 2, 1]);
  const linearOp = tf.customGrad(((x: TF.Tensor2D, w: TF.Tensor2D, save: Save) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: TF.Tensor2D, [xs, ws]: TF.Tensor[]) => [tf.matMul(dy, t2(ws)), weightGrad(xs as TF.Tensor2D, dy)],
    };
  }) as unknown as GradFn);
  const linearBiasOp = tf.customGrad(((x: TF.Tensor2D, w: TF.Tensor2D, b: TF.Tensor1D, save: Save) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: TF.Tensor2D, [xs, ws]: TF.Tensor[]) => [tf.matMul(dy, t2(ws)), weightGrad(xs as TF.Tensor2D, dy), columnSums(tf, dy)],
    };
  }) as unknown as GradFn);
  const bmmOp = tf.customGrad(((a: TF.Tensor3D, b: TF.Tensor3D, save: Save) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: TF.Tensor3D, [as, bs]: TF.Tensor[]) => [tf.matMul(dy, t3(bs)), tf.matMul(t3(as), dy)],
    };
  }) as unknown as GradFn);
  ops = {
    linear: (x, w) => linearOp(x, w) as TF.Tensor2D,
    linearBias: (x, w, b) => linearBiasOp(x, w, b) as TF.Tensor2D,
    batchMatMul: (a, b) => bmmOp(a, b) as TF.Tensor3D,
  };
  cache.set(tf, ops);
  return ops;
}

/** x [N, in] · w [in, out] (+ b [out]) → [N, out], differentiable in every argument. */
export function linear(tf: Tf, x: TF.Tensor2D, w: TF.Tensor2D, b?: TF.Tensor1D): TF.Tensor2D {
  return b ? opsOf(tf).linearBias(x, w, b) : opsOf(tf).linear(x, w);
}

/** Batched a [B, M, K] · b [B, K, N] → [B, M, N], differentiable in both (used for Q·Kᵀ and P·V). */
export function batchMatMul(tf: Tf, a: TF.Tensor3D, b: TF.Tensor3D): TF.Tensor3D {
  return opsOf(tf).batchMatMul(a, b);
}

/** Σ over rows of a [N, k] matrix as a ones-vector product (wasm reduces the last axis fast, other axes slowly). */
export function columnSums(tf: Tf, x: TF.Tensor2D): TF.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]) as TF.Tensor1D;
}
