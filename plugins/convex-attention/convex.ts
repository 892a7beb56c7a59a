// The convex program (Theorem 1 / Eq. 9), token-grouped group lasso, with the loss convention
//   P(Z) = ½ Σ_i (⟨Z, X_i⟩ − y_i)² + β Σ_k ‖z_k‖₂          (z_k = row k of Z, one group per token)
// solved by FISTA with block soft-thresholding; KKT certificate; Prop. 1 mapping back to heads.
import type { Problem } from './problem.ts';

/** Predictions ⟨Z, X_i⟩ into `out`. */
export function predict(p: Problem, Z: Float64Array, out: Float64Array = new Float64Array(p.N)): Float64Array {
  const nd = p.n * p.d;
  const { X } = p;
  for (let i = 0; i < p.N; i++) {
    let s = 0;
    const base = i * nd;
    for (let j = 0; j < nd; j++) s += X[base + j] * Z[j];
    out[i] = s;
  }
  return out;
}

/** Gradient G = Σ_i (⟨Z, X_i⟩ − y_i) X_i of the data term ½Σ(·)², into G; returns the data term. */
export function dataGradient(p: Problem, Z: Float64Array, G: Float64Array, scratch: Float64Array = new Float64Array(p.N)): number {
  const nd = p.n * p.d;
  const { X, y } = p;
  predict(p, Z, scratch);
  G.fill(0);
  let loss = 0;
  for (let i = 0; i < p.N; i++) {
    const r = scratch[i] - y[i];
    loss += r * r;
    const base = i * nd;
    for (let j = 0; j < nd; j++) G[j] += r * X[base + j];
  }
  return 0.5 * loss;
}

/** Σ_k ‖z_k‖₂. */
export function groupNorm(Z: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += Z[k * d + c] ** 2;
    total += Math.sqrt(s);
  }
  return total;
}

/** Eq. (9) objective with the ½Σ(·)² loss convention. */
export function convexObjective(p: Problem, Z: Float64Array, beta: number): number {
  const r = predict(p, Z);
  let loss = 0;
  for (let i = 0; i < p.N; i++) loss += (r[i] - p.y[i]) ** 2;
  return 0.5 * loss + beta * groupNorm(Z, p.n, p.d);
}

/** Block soft-thresholding, the prox of t·Σ_k‖·_k‖: out_k = max(0, 1 − t/‖v_k‖)·v_k. `out` may alias `V`. */
export function blockSoftThreshold(V: Float64Array, t: number, n: number, d: number, out: Float64Array = new Float64Array(V.length)): Float64Array {
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += V[k * d + c] ** 2;
    const norm = Math.sqrt(s);
    const scale = norm > t ? 1 - t / norm : 0;
    for (let c = 0; c < d; c++) out[k * d + c] = scale * V[k * d + c];
  }
  return out;
}

/** H·v with H = Σ_i vec(X_i)vec(X_i)ᵀ, never formed. */
export function gramTimes(p: Problem, v: Float64Array, out: Float64Array = new Float64Array(v.length)): Float64Array {
  const nd = p.n * p.d;
  const { X } = p;
  out.fill(0);
  for (let i = 0; i < p.N; i++) {
    const base = i * nd;
    let s = 0;
    for (let j = 0; j < nd; j++) s += X[base + j] * v[j];
    for (let j = 0; j < nd; j++) out[j] += s * X[base + j];
  }
  return out;
}

/**
 * λ_max(Σ_i vec(X_i)vec(X_i)ᵀ) by power iteration from the all-ones vector (deterministic), until
 * the Rayleigh quotient changes by < tol (relative). The estimate is a lower bound, so FISTA uses
 * it times (1 + 1e-9).
 */
export function powerIteration(p: Problem, tol = 1e-12, maxIter = 10_000): { lambda: number; iters: number } {
  const nd = p.n * p.d;
  let v = new Float64Array(nd).fill(1 / Math.sqrt(nd));
  let w = new Float64Array(nd);
  let lambda = 0;
  for (let it = 1; it <= maxIter; it++) {
    gramTimes(p, v, w);
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < nd; j++) {
      dot += v[j] * w[j];
      norm += w[j] * w[j];
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < nd; j++) w[j] /= norm;
    [v, w] = [w, v];
    if (Math.abs(dot - lambda) <= tol * Math.abs(dot)) return { lambda: dot, iters: it };
    lambda = dot;
  }
  return { lambda, iters: maxIter };
}

/**
 * KKT residual of Eq. (9) at Z given G = ∇(data term)(Z): max over rows of (‖g_k‖ − β)₊ for zero
 * rows and ‖g_k + β z_k/‖z_k‖‖ for non-zero rows. Zero iff Z is optimal.
 */
export function kktResidual(G: Float64Array, Z: Float64Array, beta: number, n: number, d: number): number {
  let worst = 0;
  for (let k = 0; k < n; k++) {
    let zz = 0;
    for (let c = 0; c < d; c++) zz += Z[k * d + c] ** 2;
    let r: number;
    if (zz === 0) {
      let gg = 0;
      for (let c = 0; c < d; c++) gg += G[k * d + c] ** 2;
      r = Math.max(0, Math.sqrt(gg) - beta);
    } else {
      const zn = Math.sqrt(zz);
      let s = 0;
      for (let c = 0; c < d; c++) s += (G[k * d + c] + (beta * Z[k * d + c]) / zn) ** 2;
      r = Math.sqrt(s);
    }
    if (r > worst) worst = r;
  }
  return worst;
}

/** KKT residual of Z for problem p, computing the gradient. */
export function kktAt(p: Problem, Z: Float64Array, beta: number): number {
  const G = new Float64Array(p.n * p.d);
  dataGradient(p, Z, G);
  return kktResidual(G, Z, beta, p.n, p.d);
}

export interface FistaState {
  Z: Float64Array;
  Y: Float64Array;
  t: number;
}

/** One FISTA iteration with step 1/L (updates state in place; G and Vscratch are scratch, length n·d). */
export function fistaStep(p: Problem, beta: number, L: number, s: FistaState, G: Float64Array, V: Float64Array, scratch: Float64Array): void {
  const nd = p.n * p.d;
  dataGradient(p, s.Y, G, scratch);
  for (let j = 0; j < nd; j++) V[j] = s.Y[j] - G[j] / L;
  blockSoftThreshold(V, beta / L, p.n, p.d, V);
  const tNext = (1 + Math.sqrt(1 + 4 * s.t * s.t)) / 2;
  const momentum = (s.t - 1) / tNext;
  for (let j = 0; j < nd; j++) {
    s.Y[j] = V[j] + momentum * (V[j] - s.Z[j]);
    s.Z[j] = V[j];
  }
  s.t = tNext;
}

export interface FistaResult {
  Z: Float64Array;
  iters: number;
  kkt: number;
  lipschitz: number;
  converged: boolean;
}

export interface FistaOptions {
  tol?: number;
  maxIter?: number;
  /** Warm start (e.g. along a β path). */
  Z0?: Float64Array;
  /** λ_max of the Gram matrix, when already known. */
  lipschitz?: number;
  /** Check the KKT residual every this many iterations. */
  checkEvery?: number;
}

/** FISTA on Eq. (9) until the KKT residual is < tol (default 1e-8). */
export function fista(p: Problem, beta: number, opts: FistaOptions = {}): FistaResult {
  const { tol = 1e-8, maxIter = 1_000_000, checkEvery = 10 } = opts;
  const nd = p.n * p.d;
  const L = (opts.lipschitz ?? powerIteration(p).lambda) * (1 + 1e-9);
  const s: FistaState = { Z: opts.Z0 ? Float64Array.from(opts.Z0) : new Float64Array(nd), Y: new Float64Array(nd), t: 1 };
  s.Y.set(s.Z);
  const G = new Float64Array(nd);
  const V = new Float64Array(nd);
  const scratch = new Float64Array(p.N);
  let kkt = Infinity;
  let iters = 0;
  const check = () => {
    dataGradient(p, s.Z, G, scratch);
    kkt = kktResidual(G, s.Z, beta, p.n, p.d);
    return kkt < tol;
  };
  if (check()) return { Z: s.Z, iters, kkt, lipschitz: L, converged: true };
  while (iters < maxIter) {
    fistaStep(p, beta, L, s, G, V, scratch);
    iters++;
    if (iters % checkEvery === 0 && check()) return { Z: s.Z, iters, kkt, lipschitz: L, converged: true };
  }
  check();
  return { Z: s.Z, iters, kkt, lipschitz: L, converged: kkt < tol };
}

/** Rows with ‖z_k‖ > 0. */
export function activeTokens(Z: Float64Array, n: number, d: number): number[] {
  const active: number[] = [];
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += Z[k * d + c] ** 2;
    if (s > 0) active.push(k);
  }
  return active;
}

/** Attention heads (a_j ∈ Δ_n, v_j ∈ R^d, o_j ∈ R) stored as A (h×n), V (h×d), o (h). */
export interface Heads {
  h: number;
  A: Float64Array;
  V: Float64Array;
  o: Float64Array;
}

/** Prop. 1: one head per non-zero row k: a = e_k, v = z_k/√‖z_k‖, o = √‖z_k‖. */
export function mapToHeads(Z: Float64Array, n: number, d: number): Heads {
  const active = activeTokens(Z, n, d);
  const h = active.length;
  const A = new Float64Array(h * n);
  const V = new Float64Array(h * d);
  const o = new Float64Array(h);
  active.forEach((k, j) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += Z[k * d + c] ** 2;
    const root = Math.sqrt(Math.sqrt(s));
    A[j * n + k] = 1;
    for (let c = 0; c < d; c++) V[j * d + c] = Z[k * d + c] / root;
    o[j] = root;
  });
  return { h, A, V, o };
}

/**
 * Eq. (8) objective of explicit heads, evaluated directly on the data (no Gram shortcut):
 * ½ Σ_i (Σ_j o_j a_jᵀ X_i v_j − y_i)² + (β/2) Σ_j (‖v_j‖² + o_j²).
 */
export function headsObjective(p: Problem, heads: Heads, beta: number): number {
  const { n, d, N, X, y } = p;
  const { h, A, V, o } = heads;
  let loss = 0;
  for (let i = 0; i < N; i++) {
    let f = 0;
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const a = A[j * n + k];
        if (a === 0) continue;
        let xv = 0;
        const base = (i * n + k) * d;
        for (let c = 0; c < d; c++) xv += X[base + c] * V[j * d + c];
        s += a * xv;
      }
      f += o[j] * s;
    }
    loss += (f - y[i]) ** 2;
  }
  let penalty = 0;
  for (let j = 0; j < h; j++) {
    for (let c = 0; c < d; c++) penalty += V[j * d + c] ** 2;
    penalty += o[j] ** 2;
  }
  return 0.5 * loss + 0.5 * beta * penalty;
}

/** The Z that heads realise: Z = Σ_j o_j a_j v_jᵀ (so the prediction is ⟨Z, X_i⟩). */
export function headsToZ(heads: Heads, n: number, d: number): Float64Array {
  const Z = new Float64Array(n * d);
  for (let j = 0; j < heads.h; j++)
    for (let k = 0; k < n; k++) {
      const w = heads.o[j] * heads.A[j * n + k];
      for (let c = 0; c < d; c++) Z[k * d + c] += w * heads.V[j * d + c];
    }
  return Z;
}
