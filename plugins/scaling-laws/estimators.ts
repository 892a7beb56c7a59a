/**
 * The four learning-curve estimators M1–M4 of arXiv 2209.06640 ("Revisiting Neural Scaling
 * Laws in Language and Vision"), ported to Float64 TypeScript so that they behave like the
 * released reference code (google-research/google-research, `revisiting_neural_scaling_laws/
 * methods/`, Apache-2.0). This is an independent implementation of the same procedure:
 *
 *   M1  ε_x = β x^c
 *   M2  ε_x − ε∞ = β x^c
 *   M3  ε_x = β (1/x + γ)^c          (c stored ≥ 0, as in the reference)
 *   M4  (ε_x − ε∞) / (ε0 − ε_x)^α = β x^c
 *
 * Objective ("square-log loss"): ½‖log g(y) − log f(x)‖ with f = βx^c (M3: β(1/x+γ)^c) and
 * g the left-hand side. Alternating minimisation: closed-form least squares for the linear
 * parameters, then projected gradient descent (first `gradIters` outer iterations, `epochs`
 * steps of size `lr`) or projected diagonal-Newton steps (100 steps of size 0.1) on ε∞ / ε0;
 * M3 instead chooses γ by a grid search. Bounds: max(0, lo−1e-3) ≤ ε∞ ≤ min(y) − 1e-3,
 * max(y) + 1e-3 ≤ ε0 ≤ up + 1e-3 (when an upper bound is given).
 *
 * Reference behaviours kept on purpose (defaults), with the corrected variant behind an option:
 * - M4's least squares is fully non-negative on (log β, −c, α), so it forces log β ≥ 0, i.e.
 *   β ≥ 1. Corrected variant: `freeLogBeta: true` leaves log β unconstrained.
 * - M4's design column log(ε0 − y) is built once from the *initial* ε0 and never refreshed,
 *   although ε0 is then updated by GD/Newton. Corrected variant: `refreshErr0Column: true`.
 * - M2's Newton step divides by the (diagonal) Hessian without a guard; M4 skips a coordinate
 *   whose |Hessian| ≤ 1e-5. Kept as is.
 * - M3: when the regression slope is negative the reference sets c to the Python int 0, and
 *   the γ grid then divides by zero (ZeroDivisionError). With c = 0 the objective does not
 *   depend on γ, so we simply keep γ (what float semantics would give). Never hit on the data.
 * - M4 prediction: argmin over a 10,000-point grid on [0, b] of |w − f(b − w)^α|, b = ε0 − ε∞;
 *   `predictLossBisection` gives the exact root instead (non-default).
 */

import { NnlsEnumerator } from './nnls.ts';
import type { Domain } from './curves.ts';

export type EstimatorName = 'M1' | 'M2' | 'M3' | 'M4';

export const ESTIMATORS: readonly EstimatorName[] = ['M1', 'M2', 'M3', 'M4'];

/**
 * Fitted parameters. A parameter that does not appear in an estimator's functional form is
 * NaN: M1 has (β, c); M2 (β, c, ε∞); M3 (β, c, γ); M4 (β, c, ε∞, ε0, α).
 */
export type ScalingFit = {
  estimator: EstimatorName;
  beta: number;
  c: number;
  epsInf: number;
  eps0: number;
  alpha: number;
  gamma: number;
  /** Outer (alternating) iterations run. */
  iterations: number;
};

/** Schedule of the alternating minimisation (reference defaults). */
export type FitSchedule = {
  maxIterations?: number; // 10_000
  lr?: number; // 1e-8, gradient-descent step on ε∞ / ε0
  epochs?: number; // 1000 GD steps per outer iteration
  gradIters?: number; // 100 outer iterations of GD before switching to Newton
  stop?: number; // 1e-10 on |Δβ|
};

export type M1Options = { c?: number };

export type M2Options = FitSchedule & {
  /** Initial ε∞; default (null) = min(y) − 1e-3. */
  errInf?: number | null;
  /** Lower bound on the loss (default 0). */
  loBound?: number;
  c?: number;
};

export type M3Options = {
  maxIterations?: number;
  stop?: number;
  c?: number;
  gamma?: number;
  updateGamma?: boolean;
};

export type M4Options = FitSchedule & {
  /** Initial ε∞; default (null) = min(y) − 1e-3 (or 0 when updateErrInf is false). */
  errInf?: number | null;
  /** Initial ε0; default 1.0 as in the reference; null = max(y) + 1e-3. */
  err0?: number | null;
  updateErrInf?: boolean; // true
  updateErr0?: boolean; // true
  loBound?: number; // 0
  /** Upper bound on the loss (ε0 ≤ upBound + 1e-3); null = none. */
  upBound?: number | null;
  c?: number;
  /** Corrected variant (not the reference): rebuild the log(ε0 − y) column with the current ε0. */
  refreshErr0Column?: boolean;
  /** Corrected variant (not the reference): do not constrain log β ≥ 0. */
  freeLogBeta?: boolean;
};

const ERR_MARGIN = 1e-3;
const M4_EPS = 1e-5;
const M4_GRID = 10_000;

const DEFAULT_SCHEDULE: Required<FitSchedule> = {
  maxIterations: 10_000,
  lr: 1e-8,
  epochs: 1000,
  gradIters: 100,
  stop: 1e-10,
};

/** Notebook settings of the reference for M4, per domain. */
export function m4OptionsForDomain(domain: Domain): M4Options {
  switch (domain) {
    case 'IC':
      return { errInf: null, err0: 1.0, updateErr0: true, upBound: 1.0 };
    case 'NMT':
    case 'LM':
      return { err0: 1.0, updateErr0: true, upBound: null };
    case 'BB':
      return { err0: 1.001, updateErr0: true, upBound: 1.0 };
    default: {
      const never: never = domain;
      throw new Error(`unknown domain ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// input handling

type Prepared = { x: Float64Array; y: Float64Array; n: number; minErr: number; maxErr: number };

function prepare(xIn: ArrayLike<number>, yIn: ArrayLike<number>, minPoints: number, who: string): Prepared {
  const n = xIn.length;
  if (yIn.length !== n) throw new Error(`${who}: x has ${n} values, y has ${yIn.length}`);
  if (n < minPoints) throw new Error(`${who}: need at least ${minPoints} points, got ${n}`);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => xIn[a] - xIn[b]);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = xIn[order[i]];
    y[i] = yIn[order[i]];
    if (!(x[i] > 0) || !Number.isFinite(x[i])) throw new Error(`${who}: x must be finite and > 0 (got ${x[i]})`);
    if (!(y[i] > 0) || !Number.isFinite(y[i])) throw new Error(`${who}: y must be finite and > 0 (got ${y[i]})`);
    if (i > 0 && x[i] === x[i - 1]) throw new Error(`${who}: repeated x = ${x[i]}`);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (y[i] < lo) lo = y[i];
    if (y[i] > hi) hi = y[i];
  }
  return { x, y, n, minErr: lo - ERR_MARGIN, maxErr: hi + ERR_MARGIN };
}

/**
 * Least squares of t on [1, s] (intercept + slope), via centring (numerically equivalent to a
 * QR solve). Writes [intercept, slope] into out.
 */
function lineFit(s: Float64Array, t: Float64Array, n: number, out: Float64Array): void {
  let ms = 0;
  let mt = 0;
  for (let i = 0; i < n; i++) {
    ms += s[i];
    mt += t[i];
  }
  ms /= n;
  mt /= n;
  let sst = 0;
  let sss = 0;
  for (let i = 0; i < n; i++) {
    const ds = s[i] - ms;
    sss += ds * ds;
    sst += ds * (t[i] - mt);
  }
  const slope = sst / sss;
  out[0] = mt - slope * ms;
  out[1] = slope;
}

// ---------------------------------------------------------------------------------------------
// M1 / M2

/** M1: ε = β x^c, one least-squares fit of log y on [1, log x]. */
export function fitM1(x: ArrayLike<number>, y: ArrayLike<number>, options: M1Options = {}): ScalingFit {
  void options; // c is only an initial value in the reference; M1 solves for it in one step
  const p = prepare(x, y, 2, 'fitM1');
  const logx = new Float64Array(p.n);
  const logy = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) {
    logx[i] = Math.log(p.x[i]);
    logy[i] = Math.log(p.y[i]);
  }
  const coef = new Float64Array(2);
  lineFit(logx, logy, p.n, coef);
  return { estimator: 'M1', beta: Math.exp(coef[0]), c: coef[1], epsInf: NaN, eps0: NaN, alpha: NaN, gamma: NaN, iterations: 1 };
}

/** M2: ε − ε∞ = β x^c by alternating least squares and projected GD / Newton on ε∞. */
export function fitM2(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: M2Options = {}): ScalingFit {
  const { maxIterations, lr, epochs, gradIters, stop } = { ...DEFAULT_SCHEDULE, ...stripUndefined(options) };
  const p = prepare(xIn, yIn, 2, 'fitM2');
  const { x, y, n, minErr } = p;
  const loBound = options.loBound ?? 0;
  if (!(loBound >= 0)) throw new Error('fitM2: loBound must be a non-negative number');
  const lo = Math.max(0, loBound - ERR_MARGIN);
  let einf = options.errInf ?? minErr;
  let c = options.c ?? -0.5;
  let beta = 1.0;

  const logx = new Float64Array(n);
  for (let i = 0; i < n; i++) logx[i] = Math.log(x[i]);
  const labels = new Float64Array(n);
  const logf = new Float64Array(n);
  const coef = new Float64Array(2);

  let oldBeta = beta;
  let k = 0;
  for (k = 0; k < maxIterations; k++) {
    for (let i = 0; i < n; i++) labels[i] = Math.log(y[i] - einf);
    lineFit(logx, labels, n, coef);
    c = coef[1];
    beta = Math.exp(coef[0]);
    for (let i = 0; i < n; i++) logf[i] = Math.log(beta * Math.pow(x[i], c));

    if (k < gradIters) {
      for (let e = 0; e < epochs; e++) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const d = y[i] - einf;
          s += (Math.log(d) - logf[i]) / d;
        }
        const grad = -s / n;
        let next = einf - lr * grad;
        next = Math.max(next, lo);
        next = Math.min(next, minErr);
        // the state alone determines the remaining epochs: a fixed point ends them exactly
        if (next === einf) break;
        einf = next;
      }
    } else {
      for (let e = 0; e < 100; e++) {
        let sg = 0;
        let sh = 0;
        for (let i = 0; i < n; i++) {
          const d = y[i] - einf;
          const r = Math.log(d) - logf[i];
          const id = 1 / d;
          sg += r * id;
          sh += (1 - r) * id * id;
        }
        const grad = -sg / n;
        const hess = sh / n;
        let next = einf - (0.1 * grad) / hess;
        next = Math.max(next, lo);
        next = Math.min(next, minErr);
        if (next === einf) break;
        einf = next;
      }
    }
    const gap = beta - oldBeta;
    oldBeta = beta;
    if (Math.abs(gap) < stop && k > gradIters + 1) break;
  }
  return { estimator: 'M2', beta, c, epsInf: einf, eps0: NaN, alpha: NaN, gamma: NaN, iterations: Math.min(k + 1, maxIterations) };
}

// ---------------------------------------------------------------------------------------------
// M3

/** M3: ε = β (1/x + γ)^c with c ≥ 0; least squares for (β, c), grid search for γ. */
export function fitM3(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: M3Options = {}): ScalingFit {
  const maxIterations = options.maxIterations ?? DEFAULT_SCHEDULE.maxIterations;
  const stop = options.stop ?? DEFAULT_SCHEDULE.stop;
  const updateGamma = options.updateGamma ?? true;
  const p = prepare(xIn, yIn, 2, 'fitM3');
  const { x, y, n } = p;
  let c = options.c ?? -0.5;
  let gamma = options.gamma ?? 0;
  let beta = 1.0;

  const invx = new Float64Array(n);
  const logy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    invx[i] = 1 / x[i];
    logy[i] = Math.log(y[i]);
  }
  const col = new Float64Array(n);
  const coef = new Float64Array(2);

  // ½‖log y − log(β(1/x + γ)^c)‖
  const objective = (g: number, logBeta: number, cc: number): number => {
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const r = logy[i] - (logBeta + cc * Math.log(invx[i] + g));
      ss += r * r;
    }
    return 0.5 * Math.sqrt(ss);
  };

  let oldBeta = beta;
  let k = 0;
  for (k = 0; k < maxIterations; k++) {
    for (let i = 0; i < n; i++) col[i] = Math.log(invx[i] + gamma);
    lineFit(col, logy, n, coef);
    beta = Math.exp(coef[0]);
    c = Math.max(0, coef[1]);

    if (updateGamma && c !== 0) {
      const logBeta = Math.log(beta);
      const invc = 1 / c;
      let bestGamma = gamma;
      let bestLoss = objective(gamma, logBeta, c);
      for (let j = 0; j < n; j++) {
        const g = Math.pow(y[j] / beta, invc) - invx[j];
        if (g >= 0) {
          const loss = objective(g, logBeta, c);
          if (loss < bestLoss) {
            bestLoss = loss;
            bestGamma = g;
          }
        }
      }
      gamma = bestGamma;
    }
    const gap = beta - oldBeta;
    oldBeta = beta;
    if (Math.abs(gap) < stop) break;
  }
  return { estimator: 'M3', beta, c, epsInf: NaN, eps0: NaN, alpha: NaN, gamma, iterations: Math.min(k + 1, maxIterations) };
}

// ---------------------------------------------------------------------------------------------
// M4

/** M4: (ε − ε∞)/(ε0 − ε)^α = β x^c; NNLS for (log β, −c, α), projected GD / Newton on (ε∞, ε0). */
export function fitM4(xIn: ArrayLike<number>, yIn: ArrayLike<number>, options: M4Options = {}): ScalingFit {
  const { maxIterations: maxIt0, lr, epochs, gradIters, stop } = { ...DEFAULT_SCHEDULE, ...stripUndefined(options) };
  const p = prepare(xIn, yIn, 3, 'fitM4');
  const { x, y, n, minErr, maxErr } = p;
  const updateErrInf = options.updateErrInf ?? true;
  const updateErr0 = options.updateErr0 ?? true;
  const loBound = options.loBound ?? 0;
  const upBoundIn = options.upBound ?? null;
  if (!(loBound >= 0)) throw new Error('fitM4: loBound must be a non-negative number');
  if (upBoundIn !== null && !(upBoundIn > loBound)) throw new Error('fitM4: upBound must be larger than loBound');
  const lo = Math.max(0, loBound - ERR_MARGIN);
  const up = upBoundIn === null ? null : upBoundIn + ERR_MARGIN;
  let einf: number = options.errInf ?? (updateErrInf ? minErr : 0);
  let e0: number = options.err0 === undefined ? 1.0 : options.err0 === null ? maxErr : options.err0;
  let c = options.c ?? -0.5;
  let beta = 1.0;
  let alpha = 0;
  // log(ε0 − y) must exist for the design column and stay defined after projection; the
  // reference raises (sklearn rejects NaN input) in these cases, so do we, with a clear message.
  if (!(e0 > p.maxErr - ERR_MARGIN)) {
    throw new Error(`fitM4: initial ε0 = ${e0} must exceed every loss (max ${p.maxErr - ERR_MARGIN}); log(ε0 − y) is undefined`);
  }
  if (up !== null && !(up > p.maxErr - ERR_MARGIN)) {
    throw new Error(`fitM4: upBound + 1e-3 = ${up} must exceed every loss (max ${p.maxErr - ERR_MARGIN})`);
  }
  const refresh = options.refreshErr0Column ?? false;
  const free = options.freeLogBeta ?? false ? [0] : [];

  const ones = new Float64Array(n).fill(1);
  const negLogx = new Float64Array(n);
  for (let i = 0; i < n; i++) negLogx[i] = -Math.log(x[i]);
  const buildColumn = (err0: number): Float64Array => {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = Math.log(err0 - y[i]);
    return col;
  };
  let colErr0 = buildColumn(e0);
  let solver = new NnlsEnumerator([ones, negLogx, colErr0], { free });
  const labels = new Float64Array(n);
  const logf = new Float64Array(n);
  const coef = new Float64Array(3);

  const maxIterations = !updateErrInf && !updateErr0 ? 1 : maxIt0;

  let oldBeta = beta;
  let k = 0;
  for (k = 0; k < maxIterations; k++) {
    if (refresh && k > 0) {
      colErr0 = buildColumn(e0);
      solver = new NnlsEnumerator([ones, negLogx, colErr0], { free });
    }
    for (let i = 0; i < n; i++) labels[i] = Math.log(y[i] - einf);
    solver.solve(labels, coef);
    beta = Math.exp(coef[0]);
    c = -coef[1];
    alpha = coef[2];
    for (let i = 0; i < n; i++) logf[i] = Math.log(beta * Math.pow(x[i], c));
    const useAlpha = alpha !== 0;

    if (k < gradIters) {
      // projected gradient descent on (ε∞, ε0)
      for (let e = 0; e < epochs; e++) {
        let sInf = 0;
        let s0 = 0;
        if (useAlpha) {
          for (let i = 0; i < n; i++) {
            const d = y[i] - einf;
            const q = e0 - y[i];
            const r = Math.log(d) - alpha * Math.log(q) - logf[i];
            sInf += r / d;
            s0 += r / q;
          }
        } else {
          // α = 0: (ε0 − y)^0 = 1 exactly and ε0 has zero gradient
          for (let i = 0; i < n; i++) {
            const d = y[i] - einf;
            sInf += (Math.log(d) - logf[i]) / d;
          }
        }
        let nInf = einf;
        let n0 = e0;
        if (updateErrInf) nInf -= lr * (-sInf / n);
        if (updateErr0) n0 -= lr * (-alpha * (s0 / n));
        // projection (applied to both, as in the reference)
        nInf = Math.max(nInf, lo);
        nInf = Math.min(nInf, minErr);
        n0 = Math.max(n0, maxErr);
        if (up !== null) n0 = Math.min(n0, up);
        // the remaining steps depend only on (ε∞, ε0): a fixed point ends them exactly
        if (nInf === einf && n0 === e0) break;
        einf = nInf;
        e0 = n0;
      }
    } else {
      // projected diagonal-Newton steps on (ε∞, ε0)
      for (let e = 0; e < 100; e++) {
        let sInf = 0;
        let s0 = 0;
        let hInf = 0;
        let h0 = 0;
        if (useAlpha) {
          for (let i = 0; i < n; i++) {
            const d = y[i] - einf;
            const q = e0 - y[i];
            const r = Math.log(d) - alpha * Math.log(q) - logf[i];
            const id = 1 / d;
            const iq = 1 / q;
            sInf += r * id;
            s0 += r * iq;
            hInf += (1 - r) * id * id;
            h0 += (alpha + r) * iq * iq;
          }
        } else {
          for (let i = 0; i < n; i++) {
            const d = y[i] - einf;
            const r = Math.log(d) - logf[i];
            const id = 1 / d;
            sInf += r * id;
            hInf += (1 - r) * id * id;
          }
        }
        const gInf = -sInf / n;
        const g0 = -alpha * (s0 / n);
        const hi = hInf / n;
        const h0m = alpha * (h0 / n);
        let nInf = einf;
        let n0 = e0;
        if (updateErrInf && Math.abs(hi) > M4_EPS) nInf -= (0.1 * gInf) / hi;
        if (updateErr0 && Math.abs(h0m) > M4_EPS) n0 -= (0.1 * g0) / h0m;
        nInf = Math.max(nInf, lo);
        nInf = Math.min(nInf, minErr);
        n0 = Math.max(n0, maxErr);
        if (up !== null) n0 = Math.min(n0, up);
        if (nInf === einf && n0 === e0) break;
        einf = nInf;
        e0 = n0;
      }
    }
    const gap = beta - oldBeta;
    oldBeta = beta;
    if (Math.abs(gap) < stop && k > gradIters + 1) break;
  }
  return { estimator: 'M4', beta, c, epsInf: einf, eps0: e0, alpha, gamma: NaN, iterations: Math.min(k + 1, maxIterations) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  return out;
}

/** Fits the named estimator; `m4` options are used only for M4. */
export function fitEstimator(
  name: EstimatorName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: { m2?: M2Options; m3?: M3Options; m4?: M4Options } = {},
): ScalingFit {
  switch (name) {
    case 'M1':
      return fitM1(x, y);
    case 'M2':
      return fitM2(x, y, options.m2);
    case 'M3':
      return fitM3(x, y, options.m3);
    case 'M4':
      return fitM4(x, y, options.m4);
  }
}

// ---------------------------------------------------------------------------------------------
// prediction

/** w ∈ linspace(0, b, 10000) minimising |w − f(b − w)^α| (first minimiser), by a full scan. */
function m4GridScan(f: number, b: number, alpha: number): number {
  const step = b / (M4_GRID - 1);
  let best = Infinity;
  let bestW = NaN;
  for (let i = 0; i < M4_GRID; i++) {
    const w = i === M4_GRID - 1 ? b : i * step;
    const v = Math.abs(w - f * Math.pow(b - w, alpha));
    if (Number.isNaN(v)) return w; // numpy argmin returns the first NaN
    if (v < best) {
      best = v;
      bestW = w;
    }
  }
  return bestW;
}

/**
 * Same result as `m4GridScan`, in O(log grid): φ(w) = w − f(b − w)^α is increasing in w for
 * f > 0, α > 0, so the grid minimiser of |φ| is one of the two grid points around the sign
 * change (ties → the lower index, as numpy's argmin).
 */
function m4GridSearch(f: number, b: number, alpha: number): number {
  if (!(f > 0) || !Number.isFinite(f) || !(b > 0) || !Number.isFinite(b) || !(alpha > 0) || !Number.isFinite(alpha)) {
    return m4GridScan(f, b, alpha);
  }
  const last = M4_GRID - 1;
  const step = b / last;
  const wAt = (i: number): number => (i === last ? b : i * step);
  const phi = (i: number): number => {
    const w = wAt(i);
    return w - f * Math.pow(b - w, alpha);
  };
  // first index with φ ≥ 0 (φ(last) = b > 0)
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (phi(mid) >= 0) hi = mid;
    else lo = mid + 1;
  }
  if (lo === 0) return wAt(0);
  const a = Math.abs(phi(lo - 1));
  const bb = Math.abs(phi(lo));
  return a <= bb ? wAt(lo - 1) : wAt(lo);
}

function predictOne(fit: ScalingFit, xi: number, m4: 'grid' | 'scan' | 'bisection'): number {
  switch (fit.estimator) {
    case 'M1':
      return fit.beta * Math.pow(xi, fit.c);
    case 'M2':
      return fit.beta * Math.pow(xi, fit.c) + fit.epsInf;
    case 'M3':
      return fit.beta * Math.pow(1 / xi + fit.gamma, fit.c);
    case 'M4': {
      const f = fit.beta * Math.pow(xi, fit.c);
      if (Math.abs(fit.alpha) < M4_EPS) return fit.epsInf + f;
      const b = fit.eps0 - fit.epsInf;
      let w: number;
      if (m4 === 'grid') w = m4GridSearch(f, b, fit.alpha);
      else if (m4 === 'scan') w = m4GridScan(f, b, fit.alpha);
      else w = m4Bisection(f, b, fit.alpha);
      return w + fit.epsInf;
    }
  }
}

/** Exact root of w − f(b − w)^α on [0, b] by bisection to machine precision. */
function m4Bisection(f: number, b: number, alpha: number): number {
  if (!(f > 0) || !(b > 0) || !Number.isFinite(f) || !Number.isFinite(b)) return m4GridScan(f, b, alpha);
  let lo = 0;
  let hi = b;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (mid - f * Math.pow(b - mid, alpha) >= 0) hi = mid;
    else lo = mid;
  }
  const plo = Math.abs(lo - f * Math.pow(b - lo, alpha));
  const phi = Math.abs(hi - f * Math.pow(b - hi, alpha));
  return plo <= phi ? lo : hi;
}

/**
 * Predicted loss at each x (reference behaviour; M4 by the 10,000-point grid on [0, ε0 − ε∞],
 * returning the same grid point as a full scan would).
 */
export function predictLoss(fit: ScalingFit, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = predictOne(fit, x[i], 'grid');
  return out;
}

/** As `predictLoss`, but M4 literally scans all 10,000 grid points (slow; for checks/benchmarks). */
export function predictLossGridScan(fit: ScalingFit, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = predictOne(fit, x[i], 'scan');
  return out;
}

/**
 * Non-default variant: M4 prediction by bisection on the monotone w − f(b − w)^α (exact root
 * instead of the nearest of 10,000 grid points). M1–M3 and M4 with α < 1e-5 are unchanged.
 */
export function predictLossBisection(fit: ScalingFit, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = predictOne(fit, x[i], 'bisection');
  return out;
}
