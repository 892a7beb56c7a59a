// E3 "grokking-lite" (§4, Figs. 6–10): x / y mod p, a tiny pre-LN Transformer with softmax
// self-attention vs the same network with input-independent simplex attention (Eq. 4 style:
// one learned row-stochastic W = softmax(Θ) per head and layer). tfjs, AdamW by hand.
import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../harness/api/index.ts';

export type Tf = typeof TF;
export type AttentionKind = 'softmax' | 'simplex';

/** Sequence layout [x, ÷, y, =]; x, y ∈ 0..p−1, ÷ = p, = = p + 1; the answer is read at "=". */
export const SEQ_LEN = 4;

export interface GrokConfig {
  p: number;
  d: number;
  heads: number;
  layers: number;
  mlp: number;
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  batch: number;
}

export const DEFAULT_GROK: Omit<GrokConfig, 'p'> = { d: 64, heads: 4, layers: 2, mlp: 256, lr: 1e-3, weightDecay: 1, beta1: 0.9, beta2: 0.98, batch: 256 };

export interface GrokData {
  p: number;
  /** Row-major [count × SEQ_LEN] token ids. */
  trainX: Int32Array;
  trainY: Int32Array;
  testX: Int32Array;
  testY: Int32Array;
}

export function modInverse(y: number, p: number): number {
  for (let z = 1; z < p; z++) if ((y * z) % p === 1) return z;
  throw new Error(`${y} has no inverse mod ${p}`);
}

/** Every (x, y) with y ≠ 0, label x·y⁻¹ mod p; a `trainFrac` split drawn by shuffling with `rng`. */
export function modularDivision(p: number, trainFrac: number, rng: Rng): GrokData {
  const all: Array<[number, number, number]> = [];
  for (let x = 0; x < p; x++) for (let y = 1; y < p; y++) all.push([x, y, (x * modInverse(y, p)) % p]);
  rng.shuffle(all);
  const nTrain = Math.round(trainFrac * all.length);
  const pack = (eqs: Array<[number, number, number]>) => {
    const X = new Int32Array(eqs.length * SEQ_LEN);
    const Y = new Int32Array(eqs.length);
    eqs.forEach(([x, y, z], i) => {
      X.set([x, p, y, p + 1], i * SEQ_LEN);
      Y[i] = z;
    });
    return { X, Y };
  };
  const tr = pack(all.slice(0, nTrain));
  const te = pack(all.slice(nTrain));
  return { p, trainX: tr.X, trainY: tr.Y, testX: te.X, testY: te.Y };
}

export interface GrokModel {
  tf: Tf;
  cfg: GrokConfig;
  kind: AttentionKind;
  vars: Record<string, TF.Variable>;
  /** Variables that get decoupled weight decay (weight matrices and embeddings). */
  decayed: TF.Variable[];
}

/** Weights from `rng` (never tfjs's own generators): N(0, 1/fan_in) for matrices, N(0, 1) for embeddings. */
export function initModel(tf: Tf, rng: Rng, kind: AttentionKind, cfg: GrokConfig): GrokModel {
  const vars: Record<string, TF.Variable> = {};
  const decayed: TF.Variable[] = [];
  const normal = (name: string, shape: number[], std: number, decay = true) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = std * rng.normal();
    vars[name] = tf.variable(tf.tensor(a, shape), true);
    if (decay) decayed.push(vars[name]);
  };
  const constant = (name: string, shape: number[], value: number) => {
    vars[name] = tf.variable(tf.fill(shape, value), true);
  };
  const { d, heads, layers, mlp, p } = cfg;
  normal('tok', [p + 2, d], 1);
  normal('pos', [SEQ_LEN, d], 1);
  for (let l = 0; l < layers; l++) {
    constant(`ln1g${l}`, [d], 1);
    constant(`ln1b${l}`, [d], 0);
    if (kind === 'softmax') {
      normal(`wq${l}`, [d, d], 1 / Math.sqrt(d));
      normal(`wk${l}`, [d, d], 1 / Math.sqrt(d));
    } else {
      // Θ = 0: every W starts uniform (row-stochastic); not weight-decayed (it is a logit, not a weight)
      constant(`theta${l}`, [heads, SEQ_LEN, SEQ_LEN], 0);
    }
    normal(`wv${l}`, [d, d], 1 / Math.sqrt(d));
    normal(`wo${l}`, [d, d], 1 / Math.sqrt(d));
    constant(`bo${l}`, [d], 0);
    constant(`ln2g${l}`, [d], 1);
    constant(`ln2b${l}`, [d], 0);
    normal(`w1${l}`, [d, mlp], 1 / Math.sqrt(d));
    constant(`b1${l}`, [mlp], 0);
    normal(`w2${l}`, [mlp, d], 1 / Math.sqrt(mlp));
    constant(`b2${l}`, [d], 0);
  }
  constant('lnfg', [d], 1);
  constant('lnfb', [d], 0);
  normal('wu', [d, p], 1 / Math.sqrt(d));
  return { tf, cfg, kind, vars, decayed };
}

// x·W with the backward pass written with explicit transposes: on wasm, matMul with
// transposeA/transposeB is ≈ 9× slower than tf.transpose followed by a plain matMul.
const denseCache = new WeakMap<Tf, (x: TF.Tensor2D, w: TF.Tensor2D) => TF.Tensor2D>();
export function denseOf(tf: Tf) {
  let f = denseCache.get(tf);
  if (!f) {
    const g = tf.customGrad(((x: TF.Tensor2D, w: TF.Tensor2D, save: (t: TF.Tensor[]) => void) => {
      save([x, w]);
      return {
        value: tf.matMul(x, w),
        gradFunc: (dy: TF.Tensor2D, saved: TF.Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1] as TF.Tensor2D)), tf.matMul(tf.transpose(saved[0] as TF.Tensor2D), dy)],
      };
    }) as unknown as Parameters<Tf['customGrad']>[0]);
    f = (x, w) => g(x, w) as TF.Tensor2D;
    denseCache.set(tf, f);
  }
  return f;
}

/** The simplex attention matrices W = softmax(Θ) (row-wise), [heads, T, T], for layer l. */
export function simplexAttention(m: GrokModel, l: number): TF.Tensor3D {
  return m.tf.softmax(m.vars[`theta${l}`] as TF.Tensor3D) as TF.Tensor3D;
}

/** Logits [B, p] at the "=" position for token ids [B, T]. Full (non-causal) attention over the 4 tokens. */
export function forward(m: GrokModel, tokens: TF.Tensor2D): TF.Tensor2D {
  const { tf, vars: v, cfg } = m;
  const dense = denseOf(tf);
  const B = tokens.shape[0];
  const T = SEQ_LEN;
  const { d, heads: H } = cfg;
  const dh = d / H;
  const ln = (x: TF.Tensor2D, g: TF.Tensor, b: TF.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as TF.Tensor2D;
  };
  // residual stream as [B·T, d]
  // embedding as one-hot · E (the gather gradient, UnsortedSegmentSum, is not registered on wasm)
  const emb = dense(tf.oneHot(tf.reshape(tokens, [-1]) as TF.Tensor1D, cfg.p + 2) as TF.Tensor2D, v.tok as TF.Tensor2D);
  let h = tf.reshape(tf.add(tf.reshape(emb, [B, T, d]), v.pos), [B * T, d]) as TF.Tensor2D;
  // the last layer is computed at the "=" position only (its other positions feed nothing)
  let rows = T;
  for (let l = 0; l < cfg.layers; l++) {
    const lastOnly = l === cfg.layers - 1;
    const a = ln(h, v[`ln1g${l}`], v[`ln1b${l}`]);
    const val = tf.reshape(dense(a, v[`wv${l}`] as TF.Tensor2D), [B, T, H, dh]);
    const Tq = lastOnly ? 1 : T;
    let o: TF.Tensor; // [B, Tq, H, dh]
    if (m.kind === 'softmax') {
      let aq = a;
      if (lastOnly) aq = tf.reshape(tf.slice(tf.reshape(a, [B, T, d]), [0, T - 1, 0], [B, 1, d]), [B, d]) as TF.Tensor2D;
      const q = tf.transpose(tf.reshape(dense(aq, v[`wq${l}`] as TF.Tensor2D), [B, Tq, H, dh]), [0, 2, 1, 3]);
      const kT = tf.transpose(tf.reshape(dense(a, v[`wk${l}`] as TF.Tensor2D), [B, T, H, dh]), [0, 2, 3, 1]);
      const att = tf.softmax(tf.mul(tf.matMul(q as TF.Tensor4D, kT as TF.Tensor4D), 1 / Math.sqrt(dh)));
      o = tf.transpose(tf.matMul(att as TF.Tensor4D, tf.transpose(val, [0, 2, 1, 3]) as TF.Tensor4D), [0, 2, 1, 3]);
    } else {
      // one input-independent row-stochastic W per head: o[b, t, j] = Σ_s W_j[t, s] val[b, s, j]
      let W = simplexAttention(m, l);
      if (lastOnly) W = tf.slice(W, [0, T - 1, 0], [H, 1, T]);
      const vh = tf.reshape(tf.transpose(val, [2, 1, 0, 3]), [H, T, B * dh]) as TF.Tensor3D;
      o = tf.transpose(tf.reshape(tf.matMul(W, vh), [H, Tq, B, dh]), [2, 1, 0, 3]);
    }
    if (lastOnly && rows !== 1) {
      h = tf.reshape(tf.slice(tf.reshape(h, [B, T, d]), [0, T - 1, 0], [B, 1, d]), [B, d]) as TF.Tensor2D;
      rows = 1;
    }
    h = tf.add(h, tf.add(dense(tf.reshape(o, [B * Tq, d]) as TF.Tensor2D, v[`wo${l}`] as TF.Tensor2D), v[`bo${l}`])) as TF.Tensor2D;
    const mm = ln(h, v[`ln2g${l}`], v[`ln2b${l}`]);
    const hid = tf.relu(tf.add(dense(mm, v[`w1${l}`] as TF.Tensor2D), v[`b1${l}`])) as TF.Tensor2D;
    h = tf.add(h, tf.add(dense(hid, v[`w2${l}`] as TF.Tensor2D), v[`b2${l}`])) as TF.Tensor2D;
  }
  const last = h;
  return dense(ln(last, v.lnfg, v.lnfb), v.wu as TF.Tensor2D);
}

export function lossOf(m: GrokModel, X: TF.Tensor2D, Y: TF.Tensor1D): TF.Scalar {
  const { tf } = m;
  return tf.losses.softmaxCrossEntropy(tf.oneHot(Y, m.cfg.p), forward(m, X)) as TF.Scalar;
}

export function accuracy(m: GrokModel, X: TF.Tensor2D, Y: TF.Tensor1D): number {
  const { tf } = m;
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(forward(m, X), 1), Y), 'float32')).dataSync()[0]);
}

export interface EvalPoint {
  step: number;
  trainAcc: number;
  testAcc: number;
  loss: number;
}

export interface TrainResult {
  curve: EvalPoint[];
  stepsRun: number;
  trainMs: number;
}

/** First eval step with accuracy ≥ thr on it and on the next evaluation; null when never. */
export function stepsTo(curve: EvalPoint[], key: 'trainAcc' | 'testAcc', thr = 0.99): number | null {
  for (let i = 0; i + 1 < curve.length; i++) if (curve[i][key] >= thr && curve[i + 1][key] >= thr) return curve[i].step;
  return null;
}

/**
 * AdamW: decoupled weight decay w ← w·(1 − lr·wd) on the decayed variables, then a tfjs Adam step
 * (lr, β1, β2, ε 1e-8) on all of them. Minibatches of `batch` from a per-epoch shuffle by `rng`
 * (the full training set every step when it is smaller). Evaluates every `evalEvery` steps and stops
 * early once both train and test accuracy have been ≥ 99 % on two consecutive evaluations.
 */
export function train(
  m: GrokModel, data: GrokData, rng: Rng,
  opts: { steps: number; evalEvery: number; earlyStop?: boolean; signal?: AbortSignal; progress?: (f: number) => void },
): TrainResult {
  const { tf, cfg } = m;
  const nTrain = data.trainY.length;
  const Xtr = tf.tensor2d(data.trainX, [nTrain, SEQ_LEN], 'int32');
  const Ytr = tf.tensor1d(data.trainY, 'int32');
  const Xte = tf.tensor2d(data.testX, [data.testY.length, SEQ_LEN], 'int32');
  const Yte = tf.tensor1d(data.testY, 'int32');
  const opt = tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, 1e-8);
  const varList = Object.values(m.vars);
  const shrink = 1 - cfg.lr * cfg.weightDecay;
  const fullBatch = nTrain <= cfg.batch;
  let order: number[] = [];
  let cursor = 0;
  const curve: EvalPoint[] = [];
  let lastLoss = NaN;
  const t0 = performance.now();
  let step = 0;
  try {
    for (step = 1; step <= opts.steps; step++) {
      if (opts.signal?.aborted) throw new Error('aborted');
      let xb = Xtr;
      let yb = Ytr;
      if (!fullBatch) {
        if (cursor + cfg.batch > order.length) {
          order = rng.shuffle(Array.from({ length: nTrain }, (_, i) => i));
          cursor = 0;
        }
        const idx = tf.tensor1d(order.slice(cursor, cursor + cfg.batch), 'int32');
        cursor += cfg.batch;
        xb = tf.gather(Xtr, idx);
        yb = tf.gather(Ytr, idx);
        idx.dispose();
      }
      tf.tidy(() => { for (const w of m.decayed) w.assign(tf.mul(w, shrink)); });
      const loss = opt.minimize(() => lossOf(m, xb, yb), true, varList)!;
      if (!fullBatch) { xb.dispose(); yb.dispose(); }
      if (step % opts.evalEvery === 0 || step === opts.steps) {
        lastLoss = loss.dataSync()[0];
        curve.push({ step, trainAcc: accuracy(m, Xtr, Ytr), testAcc: accuracy(m, Xte, Yte), loss: lastLoss });
        opts.progress?.(step / opts.steps);
        if (opts.earlyStop !== false && stepsTo(curve, 'trainAcc') !== null && stepsTo(curve, 'testAcc') !== null) {
          loss.dispose();
          break;
        }
      }
      loss.dispose();
    }
  } finally {
    opt.dispose();
    tf.dispose([Xtr, Ytr, Xte, Yte]);
  }
  return { curve, stepsRun: Math.min(step, opts.steps), trainMs: performance.now() - t0 };
}

/** Mean training loss on the whole training set (for tests). */
export function trainLoss(m: GrokModel, data: GrokData): number {
  const { tf } = m;
  return tf.tidy(() => lossOf(m, tf.tensor2d(data.trainX, [data.trainY.length, SEQ_LEN], 'int32'), tf.tensor1d(data.trainY, 'int32')).dataSync()[0]);
}

export function disposeModel(m: GrokModel): void {
  m.tf.dispose(Object.values(m.vars));
}
