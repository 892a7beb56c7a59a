// A dense layer and a softmax cross-entropy whose gradients avoid transposed matMuls. On the tfjs
// wasm backend a matMul with transposeA/transposeB runs ≈ 15× slower than a plain one, and the
// autodiff gradient of matMul uses exactly those; here the backward pass transposes explicitly and
// multiplies plainly, and bias + ReLU are fused into the forward matMul.
import type * as TF from '@tensorflow/tfjs';

type Tf = typeof TF;

/** y = act(x·kernel + bias), x: n × in, kernel: in × out, bias: [out]. With `inputGrad: false` no
 * gradient flows to x (the first layer on data: saves a matMul and a transpose). */
export function denseOp(tf: Tf, x: TF.Tensor2D, kernel: TF.Tensor, bias: TF.Tensor, activation: 'relu' | 'none', opts?: { inputGrad?: boolean }): TF.Tensor2D {
  const relu = activation === 'relu';
  const forwardValue = (input: TF.Tensor2D, k: TF.Tensor, b: TF.Tensor) =>
    tf.fused.matMul({ a: input, b: k as TF.Tensor2D, bias: b, activation: relu ? 'relu' : 'linear' });
  // ReLU's derivative masks the incoming gradient where the output is 0.
  const preGrad = (dy: TF.Tensor, y: TF.Tensor) => (relu ? tf.mul(dy, tf.step(y)) : dy);
  if (opts?.inputGrad === false) {
    const op = tf.customGrad(((k: TF.Tensor, b: TF.Tensor, save: (t: TF.Tensor[]) => void) => {
      const y = forwardValue(x, k, b);
      // Saved, not just closed over: the engine disposes the forward pass's intermediates.
      save([x, y]);
      return {
        value: y,
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
          const g = preGrad(dy, saved[1]);
          return [tf.matMul(tf.transpose(saved[0]), g as TF.Tensor2D), tf.sum(g, 0)];
        },
      };
    }) as never) as (k: TF.Tensor, b: TF.Tensor) => TF.Tensor2D;
    return op(kernel, bias);
  }
  const op = tf.customGrad(((input: TF.Tensor2D, k: TF.Tensor, b: TF.Tensor, save: (t: TF.Tensor[]) => void) => {
    const y = forwardValue(input, k, b);
    save([input, k, y]);
    return {
      value: y,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [xs, ks, ys] = saved;
        const g = preGrad(dy, ys) as TF.Tensor2D;
        return [tf.matMul(g, tf.transpose(ks) as TF.Tensor2D), tf.matMul(tf.transpose(xs) as TF.Tensor2D, g), tf.sum(g, 0)];
      },
    };
  }) as never) as (x: TF.Tensor2D, k: TF.Tensor, b: TF.Tensor) => TF.Tensor2D;
  return op(x, kernel, bias);
}

/** Mean softmax cross-entropy of logits (n × c) against one-hot targets (n × c, no gradient), with
 * the closed-form gradient (softmax − onehot)/n instead of autodiff through logSumExp. */
export function softmaxCrossEntropy(tf: Tf, logits: TF.Tensor2D, onehot: TF.Tensor2D): TF.Scalar {
  const op = tf.customGrad(((z: TF.Tensor2D, save: (t: TF.Tensor[]) => void) => {
    const logp = tf.logSoftmax(z);
    const loss = tf.neg(tf.div(tf.sum(tf.mul(logp, onehot)), z.shape[0]));
    save([logp]);
    return {
      value: loss,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [tf.mul(tf.sub(tf.exp(saved[0]), onehot), tf.div(dy, z.shape[0]))],
    };
  }) as never) as (z: TF.Tensor2D) => TF.Scalar;
  return op(logits);
}

/** Gather indices for the transposed im2col matrix of a 'same' convolution: entry
 * [(a·k + b)·C + c, (i·Ho + p)·Wo + q] points into the flattened input (n·H·W·C values) at the
 * pixel the filter tap (a, b) sees, or at index n·H·W·C (an appended zero) in the padding. */
const patchIndexCache = new Map<string, TF.Tensor>();

function transposedPatchIndex(tf: Tf, n: number, h: number, w: number, c: number, k: number, stride: number): TF.Tensor {
  const key = [n, h, w, c, k, stride].join(',');
  const hit = patchIndexCache.get(key);
  if (hit && !hit.isDisposed) return hit;
  const ho = Math.ceil(h / stride);
  const wo = Math.ceil(w / stride);
  const padTop = Math.floor(Math.max((ho - 1) * stride + k - h, 0) / 2);
  const padLeft = Math.floor(Math.max((wo - 1) * stride + k - w, 0) / 2);
  const cols = n * ho * wo;
  const zero = n * h * w * c;
  const index = new Int32Array(k * k * c * cols);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      for (let ch = 0; ch < c; ch++) {
        const row = ((a * k + b) * c + ch) * cols;
        let col = 0;
        for (let i = 0; i < n; i++) {
          for (let p = 0; p < ho; p++) {
            const r = p * stride + a - padTop;
            for (let q = 0; q < wo; q++, col++) {
              const s = q * stride + b - padLeft;
              index[row + col] = r >= 0 && r < h && s >= 0 && s < w ? ((i * h + r) * w + s) * c + ch : zero;
            }
          }
        }
      }
    }
  }
  if (patchIndexCache.size >= 8) {
    for (const t of patchIndexCache.values()) t.dispose();
    patchIndexCache.clear();
  }
  const tensor = tf.keep(tf.tensor1d(index, 'int32'));
  patchIndexCache.set(key, tensor);
  return tensor;
}

/** y = act(conv2d(x, kernel, stride, 'same') + bias), x: [n, h, w, c], kernel: [k, k, c, f].
 * Forward: tfjs's (XNNPACK) convolution. Backward (wasm has no Conv2DBackpropFilter and a slow
 * Conv2DBackpropInput), for stride 1: both gradients are forward convolutions — the filter gradient
 * convolves the transposed padded input with g, the input gradient convolves g with the flipped,
 * transposed filter. Stride > 1 falls back to im2colᵀ·g (one gather) and conv2dTranspose (slow). */
export function conv2dOp(tf: Tf, x: TF.Tensor4D, kernel: TF.Tensor, bias: TF.Tensor, stride: number, activation: 'relu' | 'none', opts?: { inputGrad?: boolean }): TF.Tensor4D {
  const relu = activation === 'relu';
  const [n, h, w, c] = x.shape;
  const [k, , , f] = kernel.shape as [number, number, number, number];
  const forwardValue = (input: TF.Tensor4D, kk: TF.Tensor) =>
    tf.fused.conv2d({ x: input, filter: kk as TF.Tensor4D, strides: stride, pad: 'same', bias, activation: relu ? 'relu' : 'linear' });
  const gradients = (input: TF.Tensor4D, kk: TF.Tensor, y: TF.Tensor4D, dy: TF.Tensor) => {
    const g = (relu ? tf.mul(dy, tf.step(y)) : dy) as TF.Tensor4D;
    const [, ho, wo] = g.shape;
    const g2 = tf.reshape(g, [n * ho * wo, f]) as TF.Tensor2D;
    let dKernel: TF.Tensor;
    if (stride === 1) {
      // dK[a,b,c,f] = Σ_{i,p,q} xpad[i, p+a, q+b, c]·g[i,p,q,f]: a 'valid' convolution of the padded
      // input (channels as batch, examples as input channels) with g as the filter (≈ 15× faster
      // on wasm than the gathered im2col below).
      const top = Math.floor((k - 1) / 2);
      const padded = tf.pad(input, [[0, 0], [top, k - 1 - top], [top, k - 1 - top], [0, 0]]);
      const asBatch = tf.transpose(padded, [3, 1, 2, 0]) as TF.Tensor4D;
      const asFilter = tf.transpose(g, [1, 2, 0, 3]) as TF.Tensor4D;
      dKernel = tf.transpose(tf.conv2d(asBatch, asFilter, 1, 'valid'), [1, 2, 0, 3]);
    } else {
      const flat = tf.concat([tf.reshape(input, [-1]), tf.zeros([1])]);
      const patchesT = tf.reshape(tf.gather(flat, transposedPatchIndex(tf, n, h, w, c, k, stride)), [k * k * c, n * ho * wo]) as TF.Tensor2D;
      dKernel = tf.reshape(tf.matMul(patchesT, g2), [k, k, c, f]);
    }
    const dBias = tf.sum(g2, 0);
    if (opts?.inputGrad === false) return { dKernel, dBias };
    let dInput: TF.Tensor;
    if (stride === 1) {
      const flipped = tf.transpose(tf.reverse(kk, [0, 1]), [0, 1, 3, 2]) as TF.Tensor4D;
      const padTop = Math.floor((k - 1) / 2);
      const padLeft = padTop;
      dInput = tf.conv2d(g, flipped, 1, [[0, 0], [k - 1 - padTop, padTop], [k - 1 - padLeft, padLeft], [0, 0]]);
    } else {
      dInput = tf.conv2dTranspose(g, kk as TF.Tensor4D, [n, h, w, c], stride, 'same');
    }
    return { dKernel, dBias, dInput };
  };
  if (opts?.inputGrad === false) {
    const op = tf.customGrad(((kk: TF.Tensor, b: TF.Tensor, save: (t: TF.Tensor[]) => void) => {
      const y = forwardValue(x, kk);
      save([x, kk, y]);
      return {
        value: y,
        gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
          const r = gradients(saved[0] as TF.Tensor4D, saved[1], saved[2] as TF.Tensor4D, dy);
          return [r.dKernel, r.dBias];
        },
      };
    }) as never) as (k: TF.Tensor, b: TF.Tensor) => TF.Tensor4D;
    return op(kernel, bias);
  }
  const op = tf.customGrad(((input: TF.Tensor4D, kk: TF.Tensor, b: TF.Tensor, save: (t: TF.Tensor[]) => void) => {
    const y = forwardValue(input, kk);
    save([input, kk, y]);
    return {
      value: y,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const r = gradients(saved[0] as TF.Tensor4D, saved[1], saved[2] as TF.Tensor4D, dy);
        return [r.dInput!, r.dKernel, r.dBias];
      },
    };
  }) as never) as (x: TF.Tensor4D, k: TF.Tensor, b: TF.Tensor) => TF.Tensor4D;
  return op(x, kernel, bias);
}

/** Max pooling with window = stride = `size`, 'valid' padding, x: [n, h, w, c]. The gradient is
 * computed here because tfjs-backend-wasm 4.22's MaxPoolGrad returns wrong values: the incoming
 * gradient goes to the input positions equal to their window's maximum (exact ties share it; after
 * a ReLU the only common tie is an all-zero window, whose gradient the ReLU mask removes anyway). */
export function maxPoolOp(tf: Tf, x: TF.Tensor4D, size: number): TF.Tensor4D {
  const op = tf.customGrad(((input: TF.Tensor4D, save: (t: TF.Tensor[]) => void) => {
    const y = tf.maxPool(input, size, size, 'valid');
    save([input, y]);
    return {
      value: y,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [xs, ys] = saved as [TF.Tensor4D, TF.Tensor4D];
        const [n, h, w, c] = xs.shape;
        const [, ho, wo] = ys.shape;
        const cropped = ho * size === h && wo * size === w ? xs : tf.slice(xs, [0, 0, 0, 0], [n, ho * size, wo * size, c]);
        // Nearest-neighbour upsampling copies each window's max and gradient onto its pixels; it
        // is far faster on wasm than a broadcast over a 6-D view of the windows.
        const up = (t: TF.Tensor) => tf.image.resizeNearestNeighbor(t as TF.Tensor4D, [ho * size, wo * size]);
        const mask = tf.cast(tf.equal(cropped, up(ys)), 'float32');
        const grad = tf.mul(mask, up(dy));
        return [ho * size === h && wo * size === w ? grad : tf.pad(grad, [[0, 0], [0, h - ho * size], [0, w - wo * size], [0, 0]])];
      },
    };
  }) as never) as (x: TF.Tensor4D) => TF.Tensor4D;
  return op(x);
}
