/**
 * The motivating toy of arXiv 2209.06640 (Fig. 2): logistic regression on x ~ Uniform(S^{d−1}),
 * d = 100, labels sign(⟨w*, x⟩) flipped with probability δ = 0.2 (Bayes risk δ), trained on
 * n = 2^4 … 2^15 examples. Its learning curve shows saturation → transition → power law.
 *
 * Everything is driven by a caller-supplied uniform generator `rng()` ∈ [0, 1), so the same
 * generator state gives the same curve.
 *
 * Choices (ours; the paper does not specify them):
 * - Training sets are nested prefixes of one stream of 2^15 examples (one draw per seed).
 * - Solver: ℓ2-regularised logistic regression without intercept (the problem is symmetric
 *   about the origin), minimising mean log-loss + (λ/2)‖w‖² with λ = 1e-4, by Newton's method
 *   with backtracking line search, warm-started from the previous size. Newton because d = 100
 *   makes the d×d Hessian cheap and it converges to machine precision in a handful of steps, so
 *   the curve carries no optimisation noise; the small ℓ2 term is needed because the data are
 *   separable for n < d (the unregularised MLE does not exist there), and it barely moves the
 *   direction of ŵ for large n (the 0-1 error depends on the direction only).
 * - Test error: by default the exact population error of ŵ, which for x uniform on the sphere
 *   is δ + (1 − 2δ)·θ/π with θ the angle between ŵ and w*. `testError: 'heldout'` instead uses
 *   an empirical error on a fresh held-out sample (default 20,000 points, drawn from the same
 *   rng after the training stream), which adds ≈ ±0.003 of sampling noise.
 */

export type Rng = () => number;

export type LearningCurve = { x: number[]; y: number[] };

export type ToyOptions = {
  d?: number; // 100
  delta?: number; // 0.2 label-flip probability
  minLog2?: number; // 4
  maxLog2?: number; // 15
  /** Grid points per doubling of n (1 → n = 2^4, 2^5, …). */
  pointsPerOctave?: number;
  lambda?: number; // 1e-4
  testError?: 'exact' | 'heldout';
  heldoutSize?: number; // 20_000
};

/** Small deterministic uniform generator (mulberry32) for seeding the toy. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussianFactory(rng: Rng): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u1 = 1 - rng(); // (0, 1]
    const u2 = rng();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** Fills `out` (length d) with a uniform point on S^{d−1}. */
function sphere(gauss: () => number, out: Float64Array, offset: number, d: number): void {
  let nn = 0;
  for (let j = 0; j < d; j++) {
    const g = gauss();
    out[offset + j] = g;
    nn += g * g;
  }
  const inv = 1 / Math.sqrt(nn);
  for (let j = 0; j < d; j++) out[offset + j] *= inv;
}

/**
 * Newton's method for min_w (1/n) Σ log(1 + exp(−y_i ⟨w, x_i⟩)) + (λ/2)‖w‖², rows of X
 * (row-major n×d), labels ±1; `w` is the warm start and is updated in place.
 *
 * Forming the Hessian costs n·d²/2 multiply-adds against n·d for a gradient, so a factorised
 * Hessian is reused (the chord method: steps H₀⁻¹g with H₀ from an earlier iterate) for as long as
 * each step at least halves the gradient norm, and re-formed otherwise. `hessian` carries the
 * Cholesky factor between calls (a warm start from the previous, slightly smaller training set is
 * close to the new optimum); pass a fresh `{ factor: null }` to start without one. It stops on
 * the exact gradient, ‖g‖ < 1e-10, or when the predicted decrease gᵀH₀⁻¹g falls below 1e-14 (the
 * rounding noise of a mean of n terms of order 1; H₀ within a factor ≈ 2 of the Hessian, since its
 * steps halve the gradient).
 */
export function fitLogisticNewton(
  X: Float64Array,
  labels: Int8Array,
  n: number,
  d: number,
  lambda: number,
  w: Float64Array,
  hessian: { factor: Float64Array | null } = { factor: null },
): { hessians: number; steps: number } {
  const g = new Float64Array(d);
  const step = new Float64Array(d);
  const wTry = new Float64Array(d);
  const weight = new Float64Array(n);
  const objective = (ww: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let m = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) m += ww[j] * X[o + j];
      m *= labels[i];
      s += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
    }
    let r = 0;
    for (let j = 0; j < d; j++) r += ww[j] * ww[j];
    return s / n + 0.5 * lambda * r;
  };
  /** Gradient at w into g (and the Hessian weights σ(1 − σ) into `weight`); returns ‖g‖. */
  const gradient = (): number => {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let m = 0;
      for (let j = 0; j < d; j++) m += w[j] * X[o + j];
      const yi = labels[i];
      const z = yi * m;
      const s = z > 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z)); // σ(−z)
      weight[i] = s * (1 - s);
      const gc = -yi * s;
      for (let j = 0; j < d; j++) g[j] += gc * X[o + j];
    }
    let gnorm = 0;
    for (let j = 0; j < d; j++) {
      g[j] = g[j] / n + lambda * w[j];
      gnorm += g[j] * g[j];
    }
    return Math.sqrt(gnorm);
  };
  let f = objective(w);
  let gnorm = gradient();
  let hessians = 0;
  let steps = 0;
  let fresh = false; // the factor was formed at the current iterate
  for (let iter = 0; iter < 200 && gnorm >= 1e-10; iter++) {
    if (!hessian.factor) {
      hessian.factor = choleskyFactorLower(hessianLower(X, weight, n, d, lambda), d);
      hessians++;
      fresh = true;
    }
    choleskySolveFactored(hessian.factor, g, step, d); // step = H₀⁻¹ g
    const dec = g.reduce((s, gj, j) => s + gj * step[j], 0);
    if (!(dec > 1e-14)) break;
    let t = 1;
    let fNew = Infinity;
    for (let ls = 0; ls < 50; ls++) {
      for (let j = 0; j < d; j++) wTry[j] = w[j] - t * step[j];
      fNew = objective(wTry);
      if (fNew <= f) break;
      t *= 0.5;
    }
    if (!(fNew <= f)) {
      if (fresh) break;
      hessian.factor = null;
      continue;
    }
    w.set(wTry);
    f = fNew;
    steps++;
    const before = gnorm;
    gnorm = gradient();
    fresh = false;
    // a step that does not halve the gradient: the factor is too far from the current Hessian
    if (gnorm > 0.5 * before && gnorm >= 1e-10) hessian.factor = null;
  }
  return { hessians, steps };
}

/** Lower triangle of (1/n) Xᵀ diag(weight) X + λI (row-major d×d), four samples per pass. */
function hessianLower(X: Float64Array, weight: Float64Array, n: number, d: number, lambda: number): Float64Array {
  const H = new Float64Array(d * d);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    const w0 = weight[i];
    const w1 = weight[i + 1];
    const w2 = weight[i + 2];
    const w3 = weight[i + 3];
    for (let j = 0; j < d; j++) {
      const a0 = w0 * X[o0 + j];
      const a1 = w1 * X[o1 + j];
      const a2 = w2 * X[o2 + j];
      const a3 = w3 * X[o3 + j];
      const row = j * d;
      for (let l = 0; l <= j; l++) H[row + l] += a0 * X[o0 + l] + a1 * X[o1 + l] + a2 * X[o2 + l] + a3 * X[o3 + l];
    }
  }
  for (; i < n; i++) {
    const o = i * d;
    const wi = weight[i];
    for (let j = 0; j < d; j++) {
      const a = wi * X[o + j];
      const row = j * d;
      for (let l = 0; l <= j; l++) H[row + l] += a * X[o + l];
    }
  }
  for (let j = 0; j < d; j++) {
    for (let l = 0; l <= j; l++) H[j * d + l] /= n;
    H[j * d + j] += lambda;
  }
  return H;
}

/** Cholesky factor L (lower triangle, in place) of an SPD matrix given by its lower triangle. */
function choleskyFactorLower(A: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let v = A[j * d + j];
    for (let k = 0; k < j; k++) v -= A[j * d + k] * A[j * d + k];
    if (!(v > 0)) throw new Error('fitLogisticNewton: Hessian not positive definite');
    const ljj = Math.sqrt(v);
    A[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let u = A[i * d + j];
      for (let k = 0; k < j; k++) u -= A[i * d + k] * A[j * d + k];
      A[i * d + j] = u / ljj;
    }
  }
  return A;
}

/** Solves L Lᵀ s = b given the factor L from choleskyFactorLower. */
function choleskySolveFactored(Lf: Float64Array, b: Float64Array, s: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    let u = b[i];
    for (let k = 0; k < i; k++) u -= Lf[i * d + k] * s[k];
    s[i] = u / Lf[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let u = s[i];
    for (let k = i + 1; k < d; k++) u -= Lf[k * d + i] * s[k];
    s[i] = u / Lf[i * d + i];
  }
}

/** `count` points uniform on the sphere, labelled sign(⟨w*, x⟩) and flipped with probability δ. */
function drawLabeledPoints(gauss: () => number, rng: Rng, wStar: Float64Array, count: number, delta: number): { X: Float64Array; labels: Int8Array } {
  const d = wStar.length;
  const X = new Float64Array(count * d);
  const labels = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    sphere(gauss, X, i * d, d);
    let m = 0;
    for (let j = 0; j < d; j++) m += wStar[j] * X[i * d + j];
    let label = m >= 0 ? 1 : -1;
    if (rng() < delta) label = -label;
    labels[i] = label;
  }
  return { X, labels };
}

/** The Fig. 2 learning curve: x = training-set sizes, y = test error of the fitted classifier. */
export function logisticToyCurve(rng: Rng, options: ToyOptions = {}): LearningCurve {
  const d = options.d ?? 100;
  const delta = options.delta ?? 0.2;
  const minLog2 = options.minLog2 ?? 4;
  const maxLog2 = options.maxLog2 ?? 15;
  const ppo = options.pointsPerOctave ?? 1;
  const lambda = options.lambda ?? 1e-4;
  const mode = options.testError ?? 'exact';
  const sizes: number[] = [];
  for (let k = minLog2 * ppo; k <= maxLog2 * ppo; k++) {
    const s = Math.round(Math.pow(2, k / ppo));
    if (sizes.length === 0 || s > sizes[sizes.length - 1]) sizes.push(s);
  }
  const nMax = sizes[sizes.length - 1];
  const gauss = gaussianFactory(rng);
  const wStar = new Float64Array(d);
  sphere(gauss, wStar, 0, d);
  const { X, labels } = drawLabeledPoints(gauss, rng, wStar, nMax, delta);
  let Xt: Float64Array | null = null;
  let yt: Int8Array | null = null;
  let nt = 0;
  if (mode === 'heldout') {
    nt = options.heldoutSize ?? 20_000;
    ({ X: Xt, labels: yt } = drawLabeledPoints(gauss, rng, wStar, nt, delta));
  }
  const w = new Float64Array(d);
  const hessian = { factor: null as Float64Array | null };
  const y: number[] = [];
  for (const n of sizes) {
    fitLogisticNewton(X, labels, n, d, lambda, w, hessian);
    if (mode === 'exact') {
      let dot = 0;
      let nw = 0;
      for (let j = 0; j < d; j++) {
        dot += w[j] * wStar[j];
        nw += w[j] * w[j];
      }
      const cos = nw > 0 ? Math.max(-1, Math.min(1, dot / Math.sqrt(nw))) : 0;
      y.push(delta + (1 - 2 * delta) * (Math.acos(cos) / Math.PI));
    } else {
      let wrong = 0;
      for (let i = 0; i < nt; i++) {
        let m = 0;
        for (let j = 0; j < d; j++) m += w[j] * Xt![i * d + j];
        const pred = m >= 0 ? 1 : -1;
        if (pred !== yt![i]) wrong++;
      }
      y.push(wrong / nt);
    }
  }
  return { x: sizes, y };
}

/**
 * Splits a learning curve for the cutoff experiment: fit on τ ≤ x ≤ x_max/2 (the benchmark's
 * extrapolation protocol, with the Fig. 2 cutoff as a lower limit), test on x > x_max/2.
 * `fitMax` overrides x_max/2.
 */
export function splitByCutoff(
  curve: LearningCurve,
  tau: number,
  options: { fitMax?: number } = {},
): { fitX: Float64Array; fitY: Float64Array; testX: Float64Array; testY: Float64Array } {
  const xMax = Math.max(...curve.x);
  const fitMax = options.fitMax ?? xMax / 2;
  const fx: number[] = [];
  const fy: number[] = [];
  const tx: number[] = [];
  const ty: number[] = [];
  curve.x.forEach((x, i) => {
    if (x > fitMax) {
      tx.push(x);
      ty.push(curve.y[i]);
    } else if (x >= tau) {
      fx.push(x);
      fy.push(curve.y[i]);
    }
  });
  return { fitX: Float64Array.from(fx), fitY: Float64Array.from(fy), testX: Float64Array.from(tx), testY: Float64Array.from(ty) };
}
