// The non-convex model (Eq. 8) with input-independent simplex attention per head:
//   F(θ, V, o) = ½ Σ_i (Σ_j o_j a_jᵀ X_i v_j − y_i)² + (β/2) Σ_j (‖v_j‖² + o_j²),  a_j = softmax(θ_j),
// trained with Adam and hand-written Float64 gradients. The data term depends on the heads only
// through Z = Σ_j o_j a_j v_jᵀ, so training uses the sufficient statistics H = Σ vec(X_i)vec(X_i)ᵀ,
// b = Σ y_i vec(X_i), c = ½Σ y_i² (exact, not an approximation); final objectives are evaluated
// directly on the data by `headsObjective`.
import type { Rng } from '../../harness/api/index.ts';
import type { Heads } from './convex.ts';
import type { Problem } from './problem.ts';

export interface GramStats {
  n: number;
  d: number;
  H: Float64Array;
  b: Float64Array;
  c: number;
}

export function gramStats(p: Problem): GramStats {
  const nd = p.n * p.d;
  const H = new Float64Array(nd * nd);
  const b = new Float64Array(nd);
  let c = 0;
  for (let i = 0; i < p.N; i++) {
    const base = i * nd;
    for (let r = 0; r < nd; r++) {
      const xr = p.X[base + r];
      b[r] += p.y[i] * xr;
      for (let s = 0; s < nd; s++) H[r * nd + s] += xr * p.X[base + s];
    }
    c += 0.5 * p.y[i] ** 2;
  }
  return { n: p.n, d: p.d, H, b, c };
}

/** Raw parameters: θ (h×n), V (h×d), o (h). */
export interface RawHeads {
  h: number;
  theta: Float64Array;
  V: Float64Array;
  o: Float64Array;
}

export function softmaxRows(theta: Float64Array, h: number, n: number, out: Float64Array = new Float64Array(h * n)): Float64Array {
  for (let j = 0; j < h; j++) {
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, theta[j * n + k]);
    let s = 0;
    for (let k = 0; k < n; k++) s += (out[j * n + k] = Math.exp(theta[j * n + k] - m));
    for (let k = 0; k < n; k++) out[j * n + k] /= s;
  }
  return out;
}

export function toHeads(raw: RawHeads, n: number): Heads {
  return { h: raw.h, A: softmaxRows(raw.theta, raw.h, n), V: Float64Array.from(raw.V), o: Float64Array.from(raw.o) };
}

/**
 * Objective and gradient (gTheta, gV, gO) at raw parameters, via the Gram statistics.
 * With G = H vec(Z) − b (n×d): ∂/∂a_j = o_j G v_j, ∂/∂v_j = o_j Gᵀ a_j + β v_j, ∂/∂o_j = a_jᵀ G v_j + β o_j,
 * ∂/∂θ_j = a_j ⊙ (∂/∂a_j − a_jᵀ ∂/∂a_j).
 */
export function objectiveAndGradient(
  st: GramStats,
  raw: RawHeads,
  beta: number,
  grad: { theta: Float64Array; V: Float64Array; o: Float64Array },
  work: { A: Float64Array; Z: Float64Array; G: Float64Array; ga: Float64Array },
): number {
  const { n, d, H, b } = st;
  const nd = n * d;
  const { h, V, o } = raw;
  const A = softmaxRows(raw.theta, h, n, work.A);
  const { Z, G, ga } = work;
  Z.fill(0);
  for (let j = 0; j < h; j++)
    for (let k = 0; k < n; k++) {
      const w = o[j] * A[j * n + k];
      for (let c = 0; c < d; c++) Z[k * d + c] += w * V[j * d + c];
    }
  let quad = 0;
  let lin = 0;
  for (let r = 0; r < nd; r++) {
    let s = 0;
    for (let q = 0; q < nd; q++) s += H[r * nd + q] * Z[q];
    G[r] = s - b[r];
    quad += Z[r] * s;
    lin += b[r] * Z[r];
  }
  let penalty = 0;
  for (let j = 0; j < h; j++) {
    let aGv = 0;
    for (let k = 0; k < n; k++) {
      let gv = 0;
      for (let c = 0; c < d; c++) gv += G[k * d + c] * V[j * d + c];
      ga[k] = o[j] * gv;
      aGv += A[j * n + k] * gv;
    }
    let mean = 0;
    for (let k = 0; k < n; k++) mean += A[j * n + k] * ga[k];
    for (let k = 0; k < n; k++) grad.theta[j * n + k] = A[j * n + k] * (ga[k] - mean);
    for (let c = 0; c < d; c++) {
      let gta = 0;
      for (let k = 0; k < n; k++) gta += G[k * d + c] * A[j * n + k];
      grad.V[j * d + c] = o[j] * gta + beta * V[j * d + c];
      penalty += V[j * d + c] ** 2;
    }
    grad.o[j] = aGv + beta * o[j];
    penalty += o[j] ** 2;
  }
  return 0.5 * quad - lin + st.c + 0.5 * beta * penalty;
}

/** Random start: θ ~ N(0, 1), v ~ N(0, 1/d), o ~ N(0, 1). */
export function randomStart(rng: Rng, h: number, n: number, d: number): RawHeads {
  const theta = Float64Array.from({ length: h * n }, () => rng.normal());
  const V = Float64Array.from({ length: h * d }, () => rng.normal() / Math.sqrt(d));
  const o = Float64Array.from({ length: h }, () => rng.normal());
  return { h, theta, V, o };
}

export interface AdamOptions {
  steps: number;
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Adam (lr 1e-2, betas 0.9/0.999, eps 1e-8) on all parameters; returns the final raw parameters (mutated in place). */
export function trainAdam(st: GramStats, raw: RawHeads, beta: number, opts: AdamOptions): RawHeads {
  const { steps, lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = opts;
  const { n, d } = st;
  const { h } = raw;
  const params = [raw.theta, raw.V, raw.o];
  const grad = { theta: new Float64Array(h * n), V: new Float64Array(h * d), o: new Float64Array(h) };
  const grads = [grad.theta, grad.V, grad.o];
  const m = params.map((x) => new Float64Array(x.length));
  const v = params.map((x) => new Float64Array(x.length));
  const work = { A: new Float64Array(h * n), Z: new Float64Array(n * d), G: new Float64Array(n * d), ga: new Float64Array(n) };
  let b1t = 1;
  let b2t = 1;
  for (let t = 1; t <= steps; t++) {
    objectiveAndGradient(st, raw, beta, grad, work);
    b1t *= beta1;
    b2t *= beta2;
    for (let g = 0; g < 3; g++) {
      const x = params[g];
      const gr = grads[g];
      const mg = m[g];
      const vg = v[g];
      for (let i = 0; i < x.length; i++) {
        mg[i] = beta1 * mg[i] + (1 - beta1) * gr[i];
        vg[i] = beta2 * vg[i] + (1 - beta2) * gr[i] * gr[i];
        x[i] -= (lr * (mg[i] / (1 - b1t))) / (Math.sqrt(vg[i] / (1 - b2t)) + eps);
      }
    }
  }
  return raw;
}
