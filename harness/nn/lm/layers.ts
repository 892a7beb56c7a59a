// LayerNorm and GELU as single differentiable ops with hand-written gradients: fewer kernels than
// tfjs's automatic differentiation of the composite formulas, and no reductions over the first axis
// (slow on wasm); column sums run as ones-vector products.
import { columnSums } from './linear.ts';
import type { Tf, TF } from './tf.ts';

type Save = (tensors: TF.Tensor[]) => void;
type GradFn = Parameters<Tf['customGrad']>[0];

interface Ops {
  layerNorm: (x: TF.Tensor2D, g: TF.Tensor1D, b: TF.Tensor1D) => TF.Tensor2D;
  gelu: (x: TF.Tensor2D) => TF.Tensor2D;
}
const cache = new WeakMap<Tf, Ops>();

const EPSILON = 1e-5;
// GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))) = x·σ(K(x + A·x³)), K = 2√(2/π).
const K = 1.5957691216057308;
const A = 0.044715;

function opsOf(tf: Tf): Ops {
  let ops = cache.get(tf);
  if (ops) return ops;
  const layerNormOp = tf.customGrad(((x: TF.Tensor2D, g: TF.Tensor1D, b: TF.Tensor1D, save: Save) => {
    const mean = tf.mean(x, 1, true);
    const centred = tf.sub(x, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), 1, true), EPSILON));
    const xhat = tf.mul(centred, rstd) as TF.Tensor2D;
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: TF.Tensor2D, [xh, rs, gs]: TF.Tensor[]) => {
        const dxhat = tf.mul(dy, gs);
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), 1, true))));
        return [dx, columnSums(tf, tf.mul(dy, xh) as TF.Tensor2D), columnSums(tf, dy)];
      },
    };
  }) as unknown as GradFn);
  const geluOp = tf.customGrad(((x: TF.Tensor2D, save: Save) => {
    const square = tf.square(x);
    const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(square, K * A), K)));
    save([x, s, square]);
    return {
      value: tf.mul(x, s),
      gradFunc: (dy: TF.Tensor2D, [xs, ss, sq]: TF.Tensor[]) => {
        // d/dx x·σ(u) = σ + x·σ(1 − σ)·u′, u′ = K(1 + 3A·x²)
        const du = tf.add(tf.mul(sq, 3 * K * A), K);
        return [tf.mul(dy, tf.add(ss, tf.mul(tf.mul(xs, tf.mul(ss, tf.sub(1, ss))), du)))];
      },
    };
  }) as unknown as GradFn);
  ops = {
    layerNorm: (x, g, b) => layerNormOp(x, g, b) as TF.Tensor2D,
    gelu: (x) => geluOp(x) as TF.Tensor2D,
  };
  cache.set(tf, ops);
  return ops;
}

/** Row-wise LayerNorm of x [N, d] with gain g and bias b [d] (ε = 1e-5). */
export function layerNorm(tf: Tf, x: TF.Tensor2D, g: TF.Tensor1D, b: TF.Tensor1D): TF.Tensor2D {
  return opsOf(tf).layerNorm(x, g, b);
}

/** GELU, tanh approximation (as GPT-2). */
export function gelu(tf: Tf, x: TF.Tensor2D): TF.Tensor2D {
  return opsOf(tf).gelu(x);
}
