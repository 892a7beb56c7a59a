/**
 * Small dense least-squares kernels (Float64) used by the scaling-law estimators.
 *
 * Matrices are passed column by column (`cols[j][i]` = A[i, j]) because every design
 * matrix in this plugin has n rows and at most three columns.
 *
 * - `QrLeastSquares`: Householder QR of a fixed n×k matrix, reusable for many right-hand
 *   sides (the estimators refit the same design matrix thousands of times).
 * - `NnlsEnumerator`: non-negative least squares for a fixed small matrix by enumerating
 *   all 2^k active sets. The NNLS optimum is the unconstrained LS solution restricted to its
 *   support, so the feasible (all coefficients ≥ 0) subset solution with the smallest
 *   residual is the global optimum. Matches `scipy.optimize.nnls` (used by scikit-learn's
 *   `LinearRegression(positive=True)`) whenever A has full column rank.
 */

/** Relative tolerance under which a diagonal entry of R counts as zero (rank deficiency). */
const RANK_TOL = 1e-12;

/** Householder QR of a fixed n×k matrix (k ≤ n). Solves min ‖A b − y‖ for any y. */
export class QrLeastSquares {
  readonly n: number;
  readonly k: number;
  /** true when A has (numerically) full column rank; otherwise `solve` returns NaNs. */
  readonly fullRank: boolean;
  private readonly v: Float64Array[]; // Householder vectors, v[j] has length n (entries < j are 0)
  private readonly vnorm2: Float64Array; // ‖v_j‖²
  private readonly r: Float64Array; // R, row-major k×k upper triangle
  private readonly work: Float64Array;

  constructor(cols: ReadonlyArray<ArrayLike<number>>) {
    const k = cols.length;
    if (k === 0) throw new Error('QrLeastSquares: need at least one column');
    const n = cols[0].length;
    for (const c of cols) if (c.length !== n) throw new Error('QrLeastSquares: ragged columns');
    if (n < k) throw new Error(`QrLeastSquares: ${n} rows < ${k} columns`);
    this.n = n;
    this.k = k;
    const a = cols.map((c) => Float64Array.from(c));
    this.v = [];
    this.vnorm2 = new Float64Array(k);
    this.r = new Float64Array(k * k);
    this.work = new Float64Array(n);
    let maxDiag = 0;
    let fullRank = true;
    for (let j = 0; j < k; j++) {
      const aj = a[j];
      let norm2 = 0;
      for (let i = j; i < n; i++) norm2 += aj[i] * aj[i];
      const norm = Math.sqrt(norm2);
      const v = new Float64Array(n);
      const alpha = aj[j] > 0 ? -norm : norm;
      for (let i = j; i < n; i++) v[i] = aj[i];
      v[j] -= alpha;
      let vn2 = 0;
      for (let i = j; i < n; i++) vn2 += v[i] * v[i];
      this.v.push(v);
      this.vnorm2[j] = vn2;
      // apply H_j to the remaining columns
      for (let l = j; l < k; l++) {
        const al = a[l];
        if (vn2 > 0) {
          let dot = 0;
          for (let i = j; i < n; i++) dot += v[i] * al[i];
          const s = (2 * dot) / vn2;
          for (let i = j; i < n; i++) al[i] -= s * v[i];
        }
        this.r[j * k + l] = al[j];
      }
      const d = Math.abs(this.r[j * k + j]);
      maxDiag = Math.max(maxDiag, d);
      if (!(d > RANK_TOL * Math.max(maxDiag, 1e-300))) fullRank = false;
    }
    this.fullRank = fullRank;
  }

  /**
   * Least-squares coefficients for right-hand side y, written into `out` (length k).
   * Returns the residual sum of squares ‖A b − y‖².
   */
  solve(y: ArrayLike<number>, out: Float64Array): number {
    const { n, k, work } = this;
    if (y.length !== n) throw new Error('QrLeastSquares.solve: length mismatch');
    if (!this.fullRank) {
      out.fill(NaN, 0, k);
      return NaN;
    }
    for (let i = 0; i < n; i++) work[i] = y[i];
    for (let j = 0; j < k; j++) {
      const v = this.v[j];
      const vn2 = this.vnorm2[j];
      if (vn2 === 0) continue;
      let dot = 0;
      for (let i = j; i < n; i++) dot += v[i] * work[i];
      const s = (2 * dot) / vn2;
      for (let i = j; i < n; i++) work[i] -= s * v[i];
    }
    // back substitution R b = (Qᵀy)[0..k)
    for (let j = k - 1; j >= 0; j--) {
      let s = work[j];
      for (let l = j + 1; l < k; l++) s -= this.r[j * k + l] * out[l];
      out[j] = s / this.r[j * k + j];
    }
    let rss = 0;
    for (let i = k; i < n; i++) rss += work[i] * work[i];
    return rss;
  }
}

/** Unconstrained least squares min ‖A b − y‖ (A given by columns). NaNs when rank-deficient. */
export function leastSquares(cols: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>): Float64Array {
  const qr = new QrLeastSquares(cols);
  const out = new Float64Array(cols.length);
  qr.solve(y, out);
  return out;
}

/**
 * Non-negative least squares min ‖A b − y‖ s.t. b ≥ 0 for a fixed matrix with few columns
 * (k ≤ 10), by enumerating the 2^k supports. Factorisations are computed once.
 */
export class NnlsEnumerator {
  readonly n: number;
  readonly k: number;
  private readonly subsets: { idx: number[]; qr: QrLeastSquares | null; coef: Float64Array }[];
  private readonly cols: Float64Array[];
  private readonly resid: Float64Array;

  /** Indices of unconstrained coefficients (always in the support, any sign). */
  private readonly freeMask: number;

  constructor(cols: ReadonlyArray<ArrayLike<number>>, options: { free?: readonly number[] } = {}) {
    const k = cols.length;
    if (k === 0 || k > 10) throw new Error(`NnlsEnumerator: need 1..10 columns, got ${k}`);
    const n = cols[0].length;
    this.n = n;
    this.k = k;
    this.cols = cols.map((c) => Float64Array.from(c));
    this.cols.forEach((c, j) => {
      if (c.length !== n) throw new Error('NnlsEnumerator: ragged columns');
      for (let i = 0; i < n; i++) if (!Number.isFinite(c[i])) throw new Error(`NnlsEnumerator: non-finite entry ${c[i]} in column ${j}, row ${i}`);
    });
    this.resid = new Float64Array(n);
    this.subsets = [];
    let freeMask = 0;
    for (const j of options.free ?? []) {
      if (!(Number.isInteger(j) && j >= 0 && j < k)) throw new Error(`NnlsEnumerator: bad free index ${j}`);
      freeMask |= 1 << j;
    }
    this.freeMask = freeMask;
    for (let mask = 1; mask < 1 << k; mask++) {
      if ((mask & freeMask) !== freeMask) continue;
      const idx: number[] = [];
      for (let j = 0; j < k; j++) if (mask & (1 << j)) idx.push(j);
      if (idx.length > n) continue;
      const qr = new QrLeastSquares(idx.map((j) => this.cols[j]));
      this.subsets.push({ idx, qr: qr.fullRank ? qr : null, coef: new Float64Array(idx.length) });
    }
  }

  /** Writes the NNLS solution into `out` (length k) and returns the residual sum of squares. */
  solve(y: ArrayLike<number>, out: Float64Array): number {
    const { n, k, resid } = this;
    if (y.length !== n) throw new Error('NnlsEnumerator.solve: length mismatch');
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i])) {
        out.fill(NaN, 0, k);
        return NaN;
      }
    }
    // empty support: b = 0 (only allowed when nothing is free)
    let best = Infinity;
    if (this.freeMask === 0) {
      best = 0;
      for (let i = 0; i < n; i++) best += y[i] * y[i];
    }
    out.fill(this.freeMask === 0 ? 0 : NaN, 0, k);
    let bestSubset = -1;
    for (let s = 0; s < this.subsets.length; s++) {
      const sub = this.subsets[s];
      if (sub.qr === null) continue;
      sub.qr.solve(y, sub.coef);
      let feasible = true;
      for (let t = 0; t < sub.coef.length; t++) {
        if ((this.freeMask & (1 << sub.idx[t])) !== 0) continue;
        if (!(sub.coef[t] >= 0)) {
          feasible = false;
          break;
        }
      }
      if (!feasible) continue;
      // residual evaluated directly (more accurate than the QR tail when comparing supports)
      for (let i = 0; i < n; i++) resid[i] = -y[i];
      for (let t = 0; t < sub.idx.length; t++) {
        const col = this.cols[sub.idx[t]];
        const b = sub.coef[t];
        for (let i = 0; i < n; i++) resid[i] += b * col[i];
      }
      let rss = 0;
      for (let i = 0; i < n; i++) rss += resid[i] * resid[i];
      if (rss < best) {
        best = rss;
        bestSubset = s;
      }
    }
    if (bestSubset >= 0) {
      out.fill(0, 0, k);
      const sub = this.subsets[bestSubset];
      for (let t = 0; t < sub.idx.length; t++) out[sub.idx[t]] = sub.coef[t];
    }
    return best;
  }
}

/** One-shot NNLS (A by columns). */
export function nnls(
  cols: ReadonlyArray<ArrayLike<number>>,
  y: ArrayLike<number>,
  options: { free?: readonly number[] } = {},
): { coef: Float64Array; rss: number } {
  const solver = new NnlsEnumerator(cols, options);
  const coef = new Float64Array(cols.length);
  const rss = solver.solve(y, coef);
  return { coef, rss };
}
