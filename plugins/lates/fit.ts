// Temperature scaling and LATES fits on calibration logits (spec "Fit pseudo-code"), in Float64.
// Both minimize the mean NLL F(w) = mean_i [logsumexp(s_i) − s_{i,y_i}] of s = Σ_ℓ w_ℓ Z_ℓ, which is
// convex in w. TS is the special case w = e_L/T. The solvers run until the (projected) gradient norm
// is below 1e-8 rather than for a fixed iteration budget (the failure behind gpleiss issues #28/#34),
// and keep the best iterate.

/** Per-layer logits on one data split: `layers[ℓ]` is N × C (row-major); the last layer is the model's own. */
export interface LayerLogits {
  layers: ArrayLike<number>[];
  labels: ArrayLike<number>;
  classes: number;
}

export const GRAD_TOL = 1e-8;
const MAX_ITER = 200;
const ARMIJO = 1e-4;
const RIDGE = 1e-9;

/** Near the optimum the predicted decrease (~‖g‖²) falls below the rounding error of a mean over
 * N terms, so Armijo alone would stall; a step that halves the gradient norm is then accepted if F
 * rises by no more than this (far below the 1e-6 of the nested-model check). */
const roundingSlack = (f: number) => 1e-12 * Math.max(1, Math.abs(f));

/** s = Σ_ℓ w_ℓ Z_ℓ. Layers with w_ℓ = 0 are skipped, so w = e_L·β gives exactly z_L·β. */
export function combineLayers(layers: ArrayLike<number>[], w: ArrayLike<number>): Float64Array {
  if (layers.length !== w.length) throw new RangeError(`combineLayers: ${layers.length} layers but ${w.length} weights`);
  const out = new Float64Array(layers[0].length);
  for (let l = 0; l < layers.length; l++) {
    if (w[l] === 0) continue;
    const z = layers[l];
    for (let k = 0; k < out.length; k++) out[k] += w[l] * z[k];
  }
  return out;
}

/** NLL, gradient and Hessian of F at w (Hessian = mean_i Cov_{p_i}[z_i], the pseudo-code's H). */
export function nllDerivatives(data: LayerLogits, w: ArrayLike<number>, wantHessian = true): { f: number; g: Float64Array; H: Float64Array } {
  const { layers, labels, classes: C } = data;
  const L = layers.length;
  const n = labels.length;
  const g = new Float64Array(L);
  const H = new Float64Array(L * L);
  const s = new Float64Array(C);
  const p = new Float64Array(C);
  const m = new Float64Array(L);
  let f = 0;
  for (let i = 0; i < n; i++) {
    const o = i * C;
    s.fill(0);
    for (let l = 0; l < L; l++) {
      if (w[l] === 0) continue;
      const z = layers[l];
      for (let c = 0; c < C; c++) s[c] += w[l] * z[o + c];
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, s[c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += p[c] = Math.exp(s[c] - max);
    for (let c = 0; c < C; c++) p[c] /= sum;
    const y = labels[i];
    f += max + Math.log(sum) - s[y];
    for (let l = 0; l < L; l++) {
      const z = layers[l];
      let dot = 0;
      for (let c = 0; c < C; c++) dot += p[c] * z[o + c];
      m[l] = dot;
      g[l] += dot - z[o + y];
    }
    if (!wantHessian) continue;
    for (let a = 0; a < L; a++) {
      const za = layers[a];
      for (let b = a; b < L; b++) {
        const zb = layers[b];
        let e = 0;
        for (let c = 0; c < C; c++) e += p[c] * za[o + c] * zb[o + c];
        H[a * L + b] += e - m[a] * m[b];
      }
    }
  }
  for (let l = 0; l < L; l++) g[l] /= n;
  for (let a = 0; a < L; a++) {
    for (let b = a; b < L; b++) H[b * L + a] = H[a * L + b] /= n;
  }
  return { f: f / n, g, H };
}

export function meanNll(data: LayerLogits, w: ArrayLike<number>): number {
  return nllDerivatives(data, w, false).f;
}

// ---- temperature scaling: 1-D Newton on u = log T

export interface TemperatureFit {
  temperature: number;
  /** Calibration NLL at the fitted temperature. */
  nll: number;
  /** |dF/d log T| at the returned temperature. */
  gradNorm: number;
  iterations: number;
  converged: boolean;
}

/** F, dF/du and d²F/du² at u = log T, from the derivatives in β = 1/T = e^(−u). */
function tsDerivatives(z: ArrayLike<number>, labels: ArrayLike<number>, classes: number, u: number) {
  const beta = Math.exp(-u);
  const { f, g, H } = nllDerivatives({ layers: [z], labels, classes }, [beta]);
  return { f, du: -beta * g[0], d2u: beta * beta * H[0] + beta * g[0] };
}

export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, options: { init?: number; tol?: number; maxIter?: number } = {}): TemperatureFit {
  const tol = options.tol ?? GRAD_TOL;
  const maxIter = options.maxIter ?? MAX_ITER;
  let u = Math.log(options.init ?? 1.5);
  let cur = tsDerivatives(logits, labels, classes, u);
  let iterations = 0;
  while (Math.abs(cur.du) >= tol && iterations < maxIter) {
    iterations++;
    // Newton where F is locally convex in u, otherwise a unit step in log T downhill
    let step = cur.d2u > 0 ? -cur.du / cur.d2u : -Math.sign(cur.du);
    step = Math.max(-5, Math.min(5, step));
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      const next = tsDerivatives(logits, labels, classes, u + step);
      if (next.f <= cur.f + ARMIJO * step * cur.du || (next.f <= cur.f + roundingSlack(cur.f) && Math.abs(next.du) <= 0.5 * Math.abs(cur.du))) {
        u += step;
        cur = next;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break; // no representable decrease left: the best iterate is the current one
  }
  return { temperature: Math.exp(u), nll: cur.f, gradNorm: Math.abs(cur.du), iterations, converged: Math.abs(cur.du) < tol };
}

/** Reference TS fit: golden-section search on u = log T over [log lo, log hi] (no derivatives). */
export function fitTemperatureGolden(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, lo = 0.02, hi = 50, tol = 1e-10): number {
  const F = (u: number) => meanNll({ layers: [logits], labels, classes }, [Math.exp(-u)]);
  const r = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(lo);
  let b = Math.log(hi);
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = F(c);
  let fd = F(d);
  while (b - a > tol) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - r * (b - a); fc = F(c); }
    else { a = c; c = d; fc = fd; d = a + r * (b - a); fd = F(d); }
  }
  return Math.exp((a + b) / 2);
}

/** Applies a temperature the way LATES applies w = e_L/T: logits × (1/T). */
export function applyTemperature(logits: ArrayLike<number>, temperature: number): Float64Array {
  const beta = 1 / temperature;
  return Float64Array.from(logits as ArrayLike<number>, (z) => z * beta);
}

// ---- LATES: Newton on w ∈ R^L, projected onto w ≥ 0 or free

export interface LatesFit {
  w: Float64Array;
  nll: number;
  /** Norm of the (projected, for w ≥ 0) gradient at the returned w. */
  gradNorm: number;
  iterations: number;
  converged: boolean;
}

/** Projected gradient of the bound-constrained problem: components at the bound that point outward vanish. */
function projectedGradient(w: Float64Array, g: Float64Array, nonneg: boolean): Float64Array {
  return nonneg ? Float64Array.from(g, (gl, l) => (w[l] > 0 ? gl : Math.min(gl, 0))) : Float64Array.from(g);
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

export function fitLates(data: LayerLogits, options: { nonneg: boolean; init: ArrayLike<number>; tol?: number; maxIter?: number }): LatesFit {
  return projectedNewton((w) => nllDerivatives(data, w), data.layers.length, options);
}

/** Calibration NLL of the MC-averaged prediction p̄_i = mean_t softmax(Σ_ℓ w_ℓ Z^t_ℓ)_i over the passes
 * t = 1..T (each pass holds per-layer logits of the same N examples), with its gradient and Hessian.
 * With q_t = p^t_{i,y_i}, r_t = q_t / Σ_t q_t and u^t_ℓ = Z^t_{ℓ,i,y_i} − ⟨p^t_i, Z^t_{ℓ,i}⟩:
 * ∇(−ln p̄_i) = −Σ_t r_t u^t and ∇²(−ln p̄_i) = Σ_t r_t Cov_{p^t_i}[z^t_i] − Cov_r[u]. The second term
 * makes the objective non-convex in general; with one pass it is the convex F of nllDerivatives. */
export function mcNllDerivatives(passes: LayerLogits[], w: ArrayLike<number>, wantHessian = true): { f: number; g: Float64Array; H: Float64Array } {
  const T = passes.length;
  const { labels, classes: C } = passes[0];
  const L = passes[0].layers.length;
  const n = labels.length;
  for (const pass of passes) {
    if (pass.layers.length !== L || pass.labels.length !== n || pass.classes !== C) throw new RangeError('mcNllDerivatives: passes differ in shape');
  }
  const g = new Float64Array(L);
  const H = new Float64Array(L * L);
  const s = new Float64Array(C);
  const p = new Float64Array(C);
  const m = new Float64Array(L);
  const logq = new Float64Array(T);
  const u = new Float64Array(T * L);
  const cov = new Float64Array(T * L * L);
  const r = new Float64Array(T);
  const ubar = new Float64Array(L);
  let f = 0;
  for (let i = 0; i < n; i++) {
    const o = i * C;
    const y = labels[i];
    for (let t = 0; t < T; t++) {
      const layers = passes[t].layers;
      s.fill(0);
      for (let l = 0; l < L; l++) {
        if (w[l] === 0) continue;
        const z = layers[l];
        for (let c = 0; c < C; c++) s[c] += w[l] * z[o + c];
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, s[c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += p[c] = Math.exp(s[c] - max);
      for (let c = 0; c < C; c++) p[c] /= sum;
      logq[t] = s[y] - max - Math.log(sum);
      for (let l = 0; l < L; l++) {
        const z = layers[l];
        let dot = 0;
        for (let c = 0; c < C; c++) dot += p[c] * z[o + c];
        m[l] = dot;
        u[t * L + l] = z[o + y] - dot;
      }
      if (!wantHessian) continue;
      for (let a = 0; a < L; a++) {
        const za = layers[a];
        for (let b = a; b < L; b++) {
          const zb = layers[b];
          let e = 0;
          for (let c = 0; c < C; c++) e += p[c] * za[o + c] * zb[o + c];
          cov[(t * L + a) * L + b] = e - m[a] * m[b];
        }
      }
    }
    // −ln p̄ = −(logsumexp_t ln q_t − ln T); r = softmax_t(ln q_t)
    let top = -Infinity;
    for (let t = 0; t < T; t++) top = Math.max(top, logq[t]);
    let z = 0;
    for (let t = 0; t < T; t++) z += r[t] = Math.exp(logq[t] - top);
    for (let t = 0; t < T; t++) r[t] /= z;
    f -= top + Math.log(z) - Math.log(T);
    ubar.fill(0);
    for (let t = 0; t < T; t++) for (let l = 0; l < L; l++) ubar[l] += r[t] * u[t * L + l];
    for (let l = 0; l < L; l++) g[l] -= ubar[l];
    if (!wantHessian) continue;
    for (let a = 0; a < L; a++) {
      for (let b = a; b < L; b++) {
        let e = ubar[a] * ubar[b];
        for (let t = 0; t < T; t++) e += r[t] * (cov[(t * L + a) * L + b] - u[t * L + a] * u[t * L + b]);
        H[a * L + b] += e;
      }
    }
  }
  for (let l = 0; l < L; l++) g[l] /= n;
  for (let a = 0; a < L; a++) {
    for (let b = a; b < L; b++) H[b * L + a] = H[a * L + b] /= n;
  }
  return { f: f / n, g, H };
}

/** LATES fitted for MC dropout: w minimizing the calibration NLL of the MC-averaged prediction
 * mean_t softmax(Σ_ℓ w_ℓ Z^t_ℓ), the predictor LATES + MC dropout applies (spec, Method: "LATES + MC
 * dropout. Average p over T stochastic forward passes"; LATES: w fitted by minimizing calibration NLL).
 * The objective is not convex: the fit is a projected Newton descent to a stationary point from `init`. */
export function fitLatesMc(passes: LayerLogits[], options: { nonneg: boolean; init: ArrayLike<number>; tol?: number; maxIter?: number }): LatesFit {
  if (passes.length === 0) throw new RangeError('fitLatesMc: no passes');
  return projectedNewton((w) => mcNllDerivatives(passes, w), passes[0].layers.length, options);
}

/** Bertsekas' projected Newton with Armijo backtracking on a smooth objective over w ∈ R^L (w ≥ 0 when
 * `nonneg`), from `init`, until the projected gradient norm is below `tol`; keeps the best iterate. */
function projectedNewton(
  derivatives: (w: Float64Array) => { f: number; g: Float64Array; H: Float64Array },
  L: number,
  options: { nonneg: boolean; init: ArrayLike<number>; tol?: number; maxIter?: number },
): LatesFit {
  const tol = options.tol ?? GRAD_TOL;
  const maxIter = options.maxIter ?? MAX_ITER;
  const nonneg = options.nonneg;
  let w = Float64Array.from(options.init);
  if (w.length !== L) throw new RangeError(`fitLates: init has ${w.length} weights for ${L} layers`);
  if (nonneg) w = w.map((x) => Math.max(0, x));
  let cur = derivatives(w);
  let pg = projectedGradient(w, cur.g, nonneg);
  let iterations = 0;
  while (norm(pg) >= tol && iterations < maxIter) {
    iterations++;
    // Bertsekas' projected Newton: coordinates at (or within ε of) the bound whose gradient pushes
    // outward take a diagonally scaled gradient step; the others take the Newton step on their block.
    const eps = nonneg ? Math.min(1e-6, norm(Float64Array.from(w, (x, l) => x - Math.max(0, x - cur.g[l])))) : 0;
    const held = Array.from({ length: L }, (_, l) => nonneg && w[l] <= eps && cur.g[l] > 0);
    const free = [...Array(L).keys()].filter((l) => !held[l]);
    const d = new Float64Array(L);
    // a non-convex objective (fitLatesMc) can have an indefinite Hessian: the diagonal scale is then |H_ll|
    const diag = (l: number) => Math.max(Math.abs(cur.H[l * L + l]), 1e-12);
    for (let l = 0; l < L; l++) if (held[l]) d[l] = -cur.g[l] / diag(l);
    const newton = solveSymmetric(
      free.map((a) => free.map((b) => cur.H[a * L + b] + (a === b ? RIDGE : 0))),
      free.map((a) => -cur.g[a]),
    );
    if (newton && newton.every(Number.isFinite) && free.reduce((s, a, k) => s + cur.g[a] * newton[k], 0) < 0) {
      free.forEach((a, k) => (d[a] = newton[k]));
    } else {
      free.forEach((a) => (d[a] = -cur.g[a] / diag(a)));
    }
    let alpha = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      const trial = Float64Array.from(w, (x, l) => (nonneg ? Math.max(0, x + alpha * d[l]) : x + alpha * d[l]));
      const next = derivatives(trial);
      let decrease = 0;
      for (let l = 0; l < L; l++) decrease += cur.g[l] * (trial[l] - w[l]);
      const nextPg = projectedGradient(trial, next.g, nonneg);
      if (next.f <= cur.f + ARMIJO * decrease || (next.f <= cur.f + roundingSlack(cur.f) && norm(nextPg) <= 0.5 * norm(pg))) {
        w = trial;
        cur = next;
        pg = nextPg;
        accepted = true;
        break;
      }
      alpha /= 2;
    }
    if (!accepted) break;
  }
  const gradNorm = norm(pg);
  return { w, nll: cur.f, gradNorm, iterations, converged: gradNorm < tol };
}

/** Solves A x = b for a symmetric positive definite A by Cholesky; null when A is not positive definite. */
export function solveSymmetric(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const Lm = A.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= Lm[i][k] * Lm[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        Lm[i][i] = Math.sqrt(s);
      } else {
        Lm[i][j] = s / Lm[j][j];
      }
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= Lm[i][k] * y[k];
    y[i] = s / Lm[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= Lm[k][i] * x[k];
    x[i] = s / Lm[i][i];
  }
  return x;
}

/** NLL and gradient of F written directly from the definition (softmax of the combined logits, then
 * Σ_c (p_ic − 1[c = y_i]) Z_ℓ,ic): an independent check on nllDerivatives. */
function nllAndGradientPlain(data: LayerLogits, w: ArrayLike<number>): { f: number; g: Float64Array } {
  const { layers, labels, classes: C } = data;
  const n = labels.length;
  const s = new Float64Array(n * C);
  layers.forEach((z, l) => { for (let k = 0; k < s.length; k++) s[k] += w[l] * z[k]; });
  const g = new Float64Array(layers.length);
  const e = new Float64Array(C);
  let f = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, s[i * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += e[c] = Math.exp(s[i * C + c] - max);
    f += Math.log(sum) + max - s[i * C + labels[i]];
    for (let l = 0; l < layers.length; l++) {
      const z = layers[l];
      for (let c = 0; c < C; c++) g[l] += (e[c] / sum - (c === labels[i] ? 1 : 0)) * z[i * C + c];
    }
  }
  return { f: f / n, g: g.map((x) => x / n) };
}

/** BFGS (inverse-Hessian updates, Armijo backtracking; no second derivatives) on the coordinates in
 * `support`, the others held at 0. */
function bfgsOnSupport(data: LayerLogits, support: number[], init: ArrayLike<number>, tol: number): { w: Float64Array; f: number; g: Float64Array } {
  const L = data.layers.length;
  const k = support.length;
  const full = (x: number[]) => { const w = new Float64Array(L); support.forEach((l, j) => (w[l] = x[j])); return w; };
  const evalAt = (x: number[]) => { const r = nllAndGradientPlain(data, full(x)); return { f: r.f, g: support.map((l) => r.g[l]), gFull: r.g }; };
  let x = support.map((l) => init[l]);
  let cur = evalAt(x);
  let Hinv: number[][] = support.map((_, a) => support.map((__, b) => (a === b ? 1 : 0)));
  for (let it = 0; it < 300 && Math.hypot(...cur.g) >= tol; it++) {
    const d = Hinv.map((row) => -row.reduce((s, h, b) => s + h * cur.g[b], 0));
    const slope = d.reduce((s, di, j) => s + di * cur.g[j], 0);
    if (slope >= 0) { Hinv = Hinv.map((row, a) => row.map((_, b) => (a === b ? 1 : 0))); continue; }
    let t = 1;
    let next = evalAt(x.map((xi, j) => xi + t * d[j]));
    while (next.f > cur.f + 1e-4 * t * slope && t > 1e-20) { t /= 2; next = evalAt(x.map((xi, j) => xi + t * d[j])); }
    if (t <= 1e-20) break;
    const sv = d.map((di) => t * di);
    const yv = next.g.map((gi, j) => gi - cur.g[j]);
    const sy = sv.reduce((s, si, j) => s + si * yv[j], 0);
    x = x.map((xi, j) => xi + sv[j]);
    cur = next;
    if (sy <= 1e-300) continue;
    // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
    const rho = 1 / sy;
    const Hy = Hinv.map((row) => row.reduce((s, h, b) => s + h * yv[b], 0));
    const yHy = yv.reduce((s, yi, a) => s + yi * Hy[a], 0);
    Hinv = Hinv.map((row, a) => row.map((h, b) => h - rho * (sv[a] * Hy[b] + Hy[a] * sv[b]) + (rho * rho * yHy + rho) * sv[a] * sv[b]));
  }
  return { w: full(x), f: cur.f, g: cur.gFull };
}

/** Reference LATES fit without the joint Hessian. Free: BFGS on all weights. Non-negative: the
 * constrained optimum is the unconstrained optimum on its own support, so BFGS on every support
 * S ⊆ {1..L} and the best of the non-negative solutions (2^L small problems; L ≤ 6). */
export function fitLatesReference(data: LayerLogits, options: { nonneg: boolean; init: ArrayLike<number>; tol?: number }): Float64Array {
  const L = data.layers.length;
  const tol = options.tol ?? 1e-7;
  const all = bfgsOnSupport(data, [...Array(L).keys()], options.init, tol).w;
  // an unconstrained optimum that is already non-negative is the constrained one (convexity)
  if (!options.nonneg || all.every((x) => x >= 0)) return all;
  let best: { w: Float64Array; f: number } | null = null;
  for (let mask = 1; mask < 1 << L; mask++) {
    const support = [...Array(L).keys()].filter((l) => mask & (1 << l));
    const r = bfgsOnSupport(data, support, Float64Array.from({ length: L }, (_, l) => (mask & (1 << l) ? 0.1 : 0)), tol);
    if (support.some((l) => r.w[l] < 0)) continue;
    if (!best || r.f < best.f) best = r;
  }
  return best!.w;
}
