// Differentiable ops over a Graph: each emits its forward ONNX nodes and records how its gradient
// is computed (standard ONNX operators only). Shapes are static; broadcasting follows numpy rules
// and the gradient of a broadcast operand is summed back to its shape.
import { sizeOf, type Graph, type Value } from './graph.ts';

// ---- shape helpers
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Sums dy over the axes along which `shape` was broadcast to dy's shape. */
export function sumTo(g: Graph, dy: Value, shape: readonly number[]): Value {
  if (dy.shape.join() === shape.join()) return dy;
  const lead = dy.shape.length - shape.length;
  const axes: number[] = [];
  dy.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const kept = dy.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const summed = axes.length ? g.node('ReduceSum', [dy, g.ints(axes)], { keepdims: 1 }, kept, dy.dtype) : dy;
  return summed.shape.join() === shape.join() ? summed : g.node('Reshape', [summed, g.ints([...shape])], {}, shape, dy.dtype);
}

// ---- element-wise arithmetic
type Binary = 'Add' | 'Sub' | 'Mul' | 'Div';

function binary(g: Graph, op: Binary, a: Value, b: Value): Value {
  const y = g.node(op, [a, b], {}, broadcastShape(a.shape, b.shape), a.dtype);
  return g.record(y, [a, b], (dy, needs) => {
    switch (op) {
      case 'Add':
        return [needs[0] ? sumTo(g, dy, a.shape) : null, needs[1] ? sumTo(g, dy, b.shape) : null];
      case 'Sub':
        return [needs[0] ? sumTo(g, dy, a.shape) : null, needs[1] ? sumTo(g, neg(g, dy), b.shape) : null];
      case 'Mul':
        return [needs[0] ? sumTo(g, mul(g, dy, b), a.shape) : null, needs[1] ? sumTo(g, mul(g, dy, a), b.shape) : null];
      case 'Div':
        // d(a/b)/db = −y/b
        return [needs[0] ? sumTo(g, div(g, dy, b), a.shape) : null, needs[1] ? sumTo(g, neg(g, div(g, mul(g, dy, y), b)), b.shape) : null];
    }
  });
}

export const add = (g: Graph, a: Value, b: Value) => binary(g, 'Add', a, b);
export const sub = (g: Graph, a: Value, b: Value) => binary(g, 'Sub', a, b);
export const mul = (g: Graph, a: Value, b: Value) => binary(g, 'Mul', a, b);
export const div = (g: Graph, a: Value, b: Value) => binary(g, 'Div', a, b);
/** x · c for a constant c. */
export const scale = (g: Graph, x: Value, c: number) => mul(g, x, g.scalar(c, x.dtype));
export const neg = (g: Graph, x: Value) => scale(g, x, -1);

// ---- element-wise functions
function unary(g: Graph, op: string, x: Value, grad: (dy: Value, y: Value) => Value): Value {
  const y = g.node(op, [x], {}, x.shape, x.dtype);
  return g.record(y, [x], (dy) => [grad(dy, y)]);
}

export const relu = (g: Graph, x: Value) => unary(g, 'Relu', x, (dy, y) => g.node('Where', [g.node('Greater', [y, g.scalar(0, y.dtype)], {}, y.shape, 'bool'), dy, g.scalar(0, y.dtype)], {}, y.shape, y.dtype));
export const exp = (g: Graph, x: Value) => unary(g, 'Exp', x, (dy, y) => mul(g, dy, y));
export const log = (g: Graph, x: Value) => unary(g, 'Log', x, (dy) => div(g, dy, x));
export const tanh = (g: Graph, x: Value) => unary(g, 'Tanh', x, (dy, y) => mul(g, dy, sub(g, g.scalar(1, y.dtype), mul(g, y, y))));
export const sigmoid = (g: Graph, x: Value) => unary(g, 'Sigmoid', x, (dy, y) => mul(g, dy, mul(g, y, sub(g, g.scalar(1, y.dtype), y))));
export const sin = (g: Graph, x: Value) => unary(g, 'Sin', x, (dy) => mul(g, dy, g.node('Cos', [x], {}, x.shape, x.dtype)));
export const cos = (g: Graph, x: Value) => unary(g, 'Cos', x, (dy) => neg(g, mul(g, dy, g.node('Sin', [x], {}, x.shape, x.dtype))));

// GELU, tanh form as in harness/nn/lm/layers.ts: x·σ(K(x + A·x³)), K = 2√(2/π).
const GELU_K = 1.5957691216057308;
const GELU_A = 0.044715;

/** GELU (tanh approximation), one recorded step with its closed-form derivative. */
export function gelu(g: Graph, x: Value): Value {
  const t = x.dtype;
  const square = g.node('Mul', [x, x], {}, x.shape, t);
  const u = g.node('Mul', [x, g.node('Add', [g.node('Mul', [square, g.scalar(GELU_K * GELU_A, t)], {}, x.shape, t), g.scalar(GELU_K, t)], {}, x.shape, t)], {}, x.shape, t);
  const s = g.node('Sigmoid', [u], {}, x.shape, t);
  const y = g.node('Mul', [x, s], {}, x.shape, t);
  return g.record(y, [x], (dy) => {
    // d/dx x·σ(u) = σ + x·σ(1 − σ)·K(1 + 3A·x²)
    const du = g.node('Add', [g.node('Mul', [square, g.scalar(3 * GELU_K * GELU_A, t)], {}, x.shape, t), g.scalar(GELU_K, t)], {}, x.shape, t);
    const ds = g.node('Mul', [s, g.node('Sub', [g.scalar(1, t), s], {}, x.shape, t)], {}, x.shape, t);
    const inner = g.node('Add', [s, g.node('Mul', [g.node('Mul', [x, ds], {}, x.shape, t), du], {}, x.shape, t)], {}, x.shape, t);
    return [g.node('Mul', [dy, inner], {}, x.shape, t)];
  });
}

// ---- shape ops
export function reshape(g: Graph, x: Value, shape: readonly number[]): Value {
  if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`reshape [${x.shape}] → [${shape}]: sizes differ`);
  if (shape.join() === x.shape.join()) return x;
  const y = g.node('Reshape', [x, g.ints([...shape])], {}, shape, x.dtype);
  return g.record(y, [x], (dy) => [reshape(g, dy, x.shape)]);
}

export function transpose(g: Graph, x: Value, perm: readonly number[]): Value {
  const y = g.node('Transpose', [x], { perm: [...perm] }, perm.map((p) => x.shape[p]), x.dtype);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return g.record(y, [x], (dy) => [transpose(g, dy, inverse)]);
}

/** Swaps the last two axes. */
export function swapLast(g: Graph, x: Value): Value {
  const r = x.shape.length;
  return transpose(g, x, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
}

// ---- reductions
export function reduceSum(g: Graph, x: Value, axes: readonly number[], keepdims: boolean): Value {
  const norm = axes.map((a) => (a < 0 ? a + x.shape.length : a));
  const kept = x.shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const shape = keepdims ? kept : x.shape.filter((_, i) => !norm.includes(i));
  const y = g.node('ReduceSum', [x, g.ints(norm)], { keepdims: keepdims ? 1 : 0 }, shape, x.dtype);
  return g.record(y, [x], (dy) => [g.node('Expand', [keepdims ? dy : reshape(g, dy, kept), g.ints([...x.shape])], {}, x.shape, x.dtype)]);
}

export function reduceMean(g: Graph, x: Value, axes: readonly number[], keepdims: boolean): Value {
  const count = axes.reduce((n, a) => n * x.shape[a < 0 ? a + x.shape.length : a], 1);
  return scale(g, reduceSum(g, x, axes, keepdims), 1 / count);
}

// ---- linear algebra
/** x [n, k] · w [k, m] (+ b [m]) as one Gemm; the gradients are Gemms with transposed operands. */
export function dense(g: Graph, x: Value, w: Value, b?: Value): Value {
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) throw new Error(`dense: x [${x.shape}] · w [${w.shape}]`);
  const [n, m] = [x.shape[0], w.shape[1]];
  const y = g.node('Gemm', b ? [x, w, b] : [x, w], {}, [n, m], x.dtype);
  return g.record(y, b ? [x, w, b] : [x, w], (dy, needs) => [
    needs[0] ? g.node('Gemm', [dy, w], { transB: 1 }, x.shape, x.dtype) : null,
    needs[1] ? g.node('Gemm', [x, dy], { transA: 1 }, w.shape, x.dtype) : null,
    b && needs[2] ? g.node('ReduceSum', [dy, g.ints([0])], { keepdims: 0 }, [m], x.dtype) : null,
  ]);
}

/** Batched matrix product a [..., n, k] · b [..., k, m] with equal batch axes, or b [k, m] shared. */
export function matmul(g: Graph, a: Value, b: Value): Value {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const k = a.shape[ra - 1];
  if (b.shape[rb - 2] !== k) throw new Error(`matmul: [${a.shape}] · [${b.shape}]`);
  if (rb !== 2 && a.shape.slice(0, -2).join() !== b.shape.slice(0, -2).join()) throw new Error(`matmul: batch axes of [${a.shape}] and [${b.shape}] differ`);
  const shape = [...a.shape.slice(0, -1), b.shape[rb - 1]];
  const y = g.node('MatMul', [a, b], {}, shape, a.dtype);
  return g.record(y, [a, b], (dy, needs) => {
    if (rb === 2) {
      const m = b.shape[1];
      const rows = sizeOf(a.shape) / k;
      const dy2 = reshape(g, dy, [rows, m]);
      return [
        needs[0] ? reshape(g, g.node('Gemm', [dy2, b], { transB: 1 }, [rows, k], a.dtype), a.shape) : null,
        needs[1] ? g.node('Gemm', [reshape(g, a, [rows, k]), dy2], { transA: 1 }, b.shape, a.dtype) : null,
      ];
    }
    return [needs[0] ? matmul(g, dy, swapLast(g, b)) : null, needs[1] ? matmul(g, swapLast(g, a), dy) : null];
  });
}

// ---- normalisation and probabilities
/** LayerNorm over the last axis with gain and bias (ε = 1e-5, as harness/nn/lm/layers.ts): ONNX
 * LayerNormalization forward in float32 (its Mean and InvStdDev outputs are kept for the backward
 * pass), the same statistics from plain ops in float64. */
export function layerNorm(g: Graph, x: Value, gain: Value, bias: Value, epsilon = 1e-5): Value {
  const t = x.dtype;
  const stat = [...x.shape.slice(0, -1), 1];
  const last = [x.shape.length - 1];
  let y: Value;
  let mean: Value;
  let rstd: Value;
  if (t === 'float32') {
    [y, mean, rstd] = g.nodeMulti('LayerNormalization', [x, gain, bias], { axis: -1, epsilon: { f: epsilon }, stash_type: 1 }, [
      { shape: x.shape, dtype: t },
      { shape: stat, dtype: t },
      { shape: stat, dtype: t },
    ]);
  } else {
    // ONNX Runtime has no float64 LayerNormalization kernel: the same statistics from plain ops.
    mean = g.node('ReduceMean', [x], { axes: last, keepdims: 1 }, stat, t);
    const centred = g.node('Sub', [x, mean], {}, x.shape, t);
    const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred], {}, x.shape, t)], { axes: last, keepdims: 1 }, stat, t);
    rstd = g.node('Reciprocal', [g.node('Sqrt', [g.node('Add', [variance, g.scalar(epsilon, t)], {}, stat, t)], {}, stat, t)], {}, stat, t);
    y = g.node('Add', [g.node('Mul', [g.node('Mul', [centred, rstd], {}, x.shape, t), gain], {}, x.shape, t), bias], {}, x.shape, t);
  }
  return g.record(y, [x, gain, bias], (dy, needs) => {
    const xhat = g.node('Mul', [g.node('Sub', [x, mean], {}, x.shape, t), rstd], {}, x.shape, t);
    const dx = () => {
      const dxhat = g.node('Mul', [dy, gain], {}, x.shape, t);
      const m1 = g.node('ReduceMean', [dxhat], { axes: last, keepdims: 1 }, stat, t);
      const m2 = g.node('ReduceMean', [g.node('Mul', [dxhat, xhat], {}, x.shape, t)], { axes: last, keepdims: 1 }, stat, t);
      const inner = g.node('Sub', [g.node('Sub', [dxhat, m1], {}, x.shape, t), g.node('Mul', [xhat, m2], {}, x.shape, t)], {}, x.shape, t);
      return g.node('Mul', [inner, rstd], {}, x.shape, t);
    };
    return [needs[0] ? dx() : null, needs[1] ? sumTo(g, g.node('Mul', [dy, xhat], {}, x.shape, t), gain.shape) : null, needs[2] ? sumTo(g, dy, bias.shape) : null];
  });
}

/** Softmax over the last axis. */
export function softmax(g: Graph, x: Value): Value {
  const t = x.dtype;
  const y = g.node('Softmax', [x], { axis: -1 }, x.shape, t);
  return g.record(y, [x], (dy) => {
    const stat = [...x.shape.slice(0, -1), 1];
    const dot = g.node('ReduceSum', [g.node('Mul', [dy, y], {}, x.shape, t), g.ints([x.shape.length - 1])], { keepdims: 1 }, stat, t);
    return [g.node('Mul', [y, g.node('Sub', [dy, dot], {}, x.shape, t)], {}, x.shape, t)];
  });
}

/** Rows of `table` [V, d] at int64 `ids` (any shape): ids.shape + [d]. Gradient: ScatterND with
 * reduction 'add' into zeros. */
export function embedding(g: Graph, table: Value, ids: Value): Value {
  const [V, d] = table.shape;
  const shape = [...ids.shape, d];
  const y = g.node('Gather', [table, ids], { axis: 0 }, shape, table.dtype);
  return g.record(y, [table], (dy) => {
    const n = sizeOf(ids.shape);
    const index = g.node('Reshape', [ids, g.ints([n, 1])], {}, [n, 1], 'int64');
    const zeros = g.constant(new Array(V * d).fill(0), [V, d], table.dtype);
    return [g.node('ScatterND', [zeros, index, reshape(g, dy, [n, d])], { reduction: 'add' }, [V, d], table.dtype)];
  });
}

/** Σ_i w_i · (−log softmax(z_i)[label_i]) for logits z [N, C], int64 labels [N] and weights w [N]
 * (1/N for the mean; mask/Σmask for a masked mean). One step with the closed-form gradient
 * (softmax − onehot)·w. Returns a scalar. */
export function softmaxCrossEntropy(g: Graph, logits: Value, labels: Value, weights: Value): Value {
  const [N, C] = logits.shape;
  const t = logits.dtype;
  const logp = g.node('LogSoftmax', [logits], { axis: 1 }, [N, C], t);
  const column = g.node('Reshape', [labels, g.ints([N, 1])], {}, [N, 1], 'int64');
  const picked = g.node('GatherElements', [logp, column], { axis: 1 }, [N, 1], t);
  const w2 = g.node('Reshape', [weights, g.ints([N, 1])], {}, [N, 1], t);
  const total = g.node('ReduceSum', [g.node('Mul', [picked, w2], {}, [N, 1], t)], { keepdims: 0 }, [], t);
  const loss = g.node('Neg', [total], {}, [], t);
  return g.record(loss, [logits], (dy) => {
    const classes = g.constant(Array.from({ length: C }, (_, i) => i), [1, C], 'int64');
    const onehot = g.node('Cast', [g.node('Equal', [column, classes], {}, [N, C], 'bool')], { to: t === 'float32' ? 1 : 11 }, [N, C], t);
    const probs = g.node('Exp', [logp], {}, [N, C], t);
    const factor = g.node('Mul', [w2, dy], {}, [N, 1], t);
    return [g.node('Mul', [g.node('Sub', [probs, onehot], {}, [N, C], t), factor], {}, [N, C], t)];
  });
}

// ---- causal long convolution (DSS/GSS)
/** Sums of the lower diagonals of a [H, L, L]: out[h, l] = Σ_t a[h, t, t − l], l = 0 … L − 1, by
 * skewing: pad L zeros on the left of each row and reread the rows with one more column, which
 * moves row t's entry (t, c) to column L − (t − c); then sum the rows and read columns L … 1. */
function lowerDiagonalSums(g: Graph, a: Value): Value {
  const [H, L] = a.shape;
  const t = a.dtype;
  const padded = g.node('Pad', [a, g.ints([0, 0, L, 0, 0, 0])], {}, [H, L, 2 * L], t);
  const flat = g.node('Pad', [g.node('Reshape', [padded, g.ints([H, 2 * L * L])], {}, [H, 2 * L * L], t), g.ints([0, 0, 0, L])], {}, [H, 2 * L * L + L], t);
  const skewed = g.node('Reshape', [flat, g.ints([H, L, 2 * L + 1])], {}, [H, L, 2 * L + 1], t);
  const sums = g.node('ReduceSum', [skewed, g.ints([1])], { keepdims: 0 }, [H, 2 * L + 1], t);
  return g.node('Slice', [sums, g.ints([L]), g.ints([0]), g.ints([1]), g.ints([-1])], {}, [H, L], t);
}

/** y[b, t, h] = Σ_{l ≤ t} k[h, l]·u[b, t − l, h] for u [B, L, H] and k [H, L], as one batched
 * product per channel with the Toeplitz matrix of k (built by one Gather): O(L²) time and memory
 * per channel (fftCausalConv is the O(L log L) form the models use; this one is its cross-check).
 * Gradients: u-side by the transposed Toeplitz product, k-side by diagonal sums of dY·Uᵀ. */
export function causalConv(g: Graph, u: Value, k: Value): Value {
  const [B, L, H] = u.shape;
  if (k.shape[0] !== H || k.shape[1] !== L) throw new Error(`causalConv: u [${u.shape}] needs k [${H}, ${L}], got [${k.shape}]`);
  const t = u.dtype;
  const index = new Array(L * L);
  for (let r = 0; r < L; r++) for (let s = 0; s < L; s++) index[r * L + s] = r >= s ? r - s : L;
  const kPadded = g.node('Pad', [k, g.ints([0, 0, 0, 1])], {}, [H, L + 1], t);
  const toeplitz = g.node('Gather', [kPadded, g.constant(index, [L, L], 'int64')], { axis: 1 }, [H, L, L], t);
  const uh = g.node('Transpose', [u], { perm: [2, 1, 0] }, [H, L, B], t);
  const yh = g.node('MatMul', [toeplitz, uh], {}, [H, L, B], t);
  const y = g.node('Transpose', [yh], { perm: [2, 1, 0] }, [B, L, H], t);
  return g.record(y, [u, k], (dy, needs) => {
    const dyh = g.node('Transpose', [dy], { perm: [2, 1, 0] }, [H, L, B], t);
    const du = needs[0] ? g.node('Transpose', [g.node('MatMul', [g.node('Transpose', [toeplitz], { perm: [0, 2, 1] }, [H, L, L], t), dyh], {}, [H, L, B], t)], { perm: [2, 1, 0] }, [B, L, H], t) : null;
    const dk = needs[1] ? lowerDiagonalSums(g, g.node('MatMul', [dyh, g.node('Transpose', [uh], { perm: [0, 2, 1] }, [H, B, L], t)], {}, [H, L, L], t)) : null;
    return [du, dk];
  });
}

/** Spectrum of the rows of x [M, L] zero-padded to n: ONNX DFT → [M, n, 2] (real, imaginary). */
function spectrum(g: Graph, x: Value, n: number): Value {
  const [M, L] = x.shape;
  const t = x.dtype;
  const column = g.node('Reshape', [x, g.ints([M, L, 1])], {}, [M, L, 1], t);
  return g.node('DFT', [column, g.constant([n], [], 'int64')], { axis: 1 }, [M, n, 2], t);
}

/** a ⊙ b (or a ⊙ conj(b)) of complex tensors [..., 2] whose leading shapes broadcast. */
function complexProduct(g: Graph, a: Value, b: Value, conjugateB: boolean): Value {
  const t = a.dtype;
  const part = (v: Value, i: number) => g.node('Slice', [v, g.ints([i]), g.ints([i + 1]), g.ints([-1])], {}, [...v.shape.slice(0, -1), 1], t);
  const [ar, ai, br, bi] = [part(a, 0), part(a, 1), part(b, 0), part(b, 1)];
  const shape = [...broadcastShape(a.shape.slice(0, -1), b.shape.slice(0, -1)), 1];
  const m = (x: Value, y: Value) => g.node('Mul', [x, y], {}, shape, t);
  const re = g.node(conjugateB ? 'Add' : 'Sub', [m(ar, br), m(ai, bi)], {}, shape, t);
  const im = g.node(conjugateB ? 'Sub' : 'Add', [m(ai, br), m(ar, bi)], {}, shape, t);
  return g.node('Concat', [re, im], { axis: -1 }, [...shape.slice(0, -1), 2], t);
}

/** The first L real values of the inverse DFT of X [M, n, 2] → [M, L] (ONNX's inverse DFT divides by n). */
function inverseReal(g: Graph, X: Value, L: number): Value {
  const [M, n] = X.shape;
  const t = X.dtype;
  const signal = g.node('DFT', [X], { axis: 1, inverse: 1 }, [M, n, 2], t);
  const real = g.node('Slice', [signal, g.ints([0, 0]), g.ints([L, 1]), g.ints([1, 2])], {}, [M, L, 1], t);
  return g.node('Reshape', [real, g.ints([M, L])], {}, [M, L], t);
}

/** causalConv through FFTs (ONNX DFT at length 2L, so the circular product is the linear one):
 * O(L log L) time and O(B·H·L) memory per channel instead of the Toeplitz form's O(L²). Gradients
 * are correlations, products with the conjugate spectra: du = IDFT(DY ⊙ conj K), dk = Σ_b IDFT(DY ⊙ conj U).
 * Measured at power-of-two L only (README, "Training on ONNX Runtime"). */
export function fftCausalConv(g: Graph, u: Value, k: Value): Value {
  const [B, L, H] = u.shape;
  if (k.shape[0] !== H || k.shape[1] !== L) throw new Error(`fftCausalConv: u [${u.shape}] needs k [${H}, ${L}], got [${k.shape}]`);
  const t = u.dtype;
  const n = 2 * L;
  const rows = (v: Value) => g.node('Reshape', [g.node('Transpose', [v], { perm: [0, 2, 1] }, [B, H, L], t), g.ints([B * H, L])], {}, [B * H, L], t);
  const back = (v: Value) => g.node('Transpose', [g.node('Reshape', [v, g.ints([B, H, L])], {}, [B, H, L], t)], { perm: [0, 2, 1] }, [B, L, H], t);
  const U = g.node('Reshape', [spectrum(g, rows(u), n), g.ints([B, H, n, 2])], {}, [B, H, n, 2], t);
  const K = spectrum(g, k, n);
  const flat = (v: Value) => g.node('Reshape', [v, g.ints([B * H, n, 2])], {}, [B * H, n, 2], t);
  const y = back(inverseReal(g, flat(complexProduct(g, U, K, false)), L));
  return g.record(y, [u, k], (dy, needs) => {
    const DY = g.node('Reshape', [spectrum(g, rows(dy), n), g.ints([B, H, n, 2])], {}, [B, H, n, 2], t);
    const du = needs[0] ? back(inverseReal(g, flat(complexProduct(g, DY, K, true)), L)) : null;
    const dk = needs[1] ? inverseReal(g, g.node('ReduceSum', [complexProduct(g, DY, U, true), g.ints([0])], { keepdims: 0 }, [H, n, 2], t), L) : null;
    return [du, dk];
  });
}

// ---- convolution and pooling (NCHW, stride 1)
/** y = Conv(x [N, C, H, W], w [F, C, k, k]) + b [F], stride 1, `pads` [top, left, bottom, right].
 * Gradients: dx = ConvTranspose(dy, w) with the same pads; dw = a convolution of the input (channels
 * as batch) with dy (examples as channels); db = Σ dy. (ONNX Runtime has float32 kernels only.) */
export function conv2d(g: Graph, x: Value, w: Value, b: Value, pads: readonly number[]): Value {
  const [N, C, H, W] = x.shape;
  const [F, , k] = w.shape;
  const t = x.dtype;
  const [Ho, Wo] = [H + pads[0] + pads[2] - k + 1, W + pads[1] + pads[3] - k + 1];
  const y = g.node('Conv', [x, w, b], { kernel_shape: [k, k], pads: [...pads] }, [N, F, Ho, Wo], t);
  return g.record(y, [x, w, b], (dy, needs) => {
    const dx = needs[0] ? g.node('ConvTranspose', [dy, w], { kernel_shape: [k, k], pads: [...pads] }, x.shape, t) : null;
    let dw: Value | null = null;
    if (needs[1]) {
      const xs = g.node('Transpose', [x], { perm: [1, 0, 2, 3] }, [C, N, H, W], t);
      const gs = g.node('Transpose', [dy], { perm: [1, 0, 2, 3] }, [F, N, Ho, Wo], t);
      const corr = g.node('Conv', [xs, gs], { kernel_shape: [Ho, Wo], pads: [...pads] }, [C, F, k, k], t);
      dw = g.node('Transpose', [corr], { perm: [1, 0, 2, 3] }, [F, C, k, k], t);
    }
    const db = needs[2] ? g.node('ReduceSum', [dy, g.ints([0, 2, 3])], { keepdims: 0 }, [F], t) : null;
    return [dx, dw, db];
  });
}

/** Max pooling with window = stride = s, no padding (trailing rows/columns dropped). The gradient
 * goes to the positions equal to their window's maximum (as harness/nn/dense.ts maxPoolOp). */
export function maxPool(g: Graph, x: Value, s: number): Value {
  const [N, C, H, W] = x.shape;
  const [Ho, Wo] = [Math.floor(H / s), Math.floor(W / s)];
  const t = x.dtype;
  const y = g.node('MaxPool', [x], { kernel_shape: [s, s], strides: [s, s] }, [N, C, Ho, Wo], t);
  return g.record(y, [x], (dy) => {
    const up = (v: Value) => g.node('Reshape', [g.node('Expand', [g.node('Reshape', [v, g.ints([N, C, Ho, 1, Wo, 1])], {}, [N, C, Ho, 1, Wo, 1], t), g.ints([N, C, Ho, s, Wo, s])], {}, [N, C, Ho, s, Wo, s], t), g.ints([N, C, Ho * s, Wo * s])], {}, [N, C, Ho * s, Wo * s], t);
    const cropped = Ho * s === H && Wo * s === W ? x : g.node('Slice', [x, g.ints([0, 0]), g.ints([Ho * s, Wo * s]), g.ints([2, 3])], {}, [N, C, Ho * s, Wo * s], t);
    const mask = g.node('Cast', [g.node('Equal', [cropped, up(y)], {}, cropped.shape, 'bool')], { to: t === 'float32' ? 1 : 11 }, cropped.shape, t);
    const dx = g.node('Mul', [mask, up(dy)], {}, cropped.shape, t);
    return [Ho * s === H && Wo * s === W ? dx : g.node('Pad', [dx, g.ints([0, 0, 0, 0, 0, 0, H - Ho * s, W - Wo * s])], {}, x.shape, t)];
  });
}
