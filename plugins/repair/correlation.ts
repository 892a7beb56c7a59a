// Streamed Pearson correlation between the units of two networks' layers, in Float64: the matrix that
// activation matching maximizes. Rows are unit i of network A, columns unit j of network B.

/** Denominator guard of the official notebooks: C = cov / (σ_a σ_bᵀ + 1e-4), so dead units get C ≈ 0. */
export const CORRELATION_EPS = 1e-4;

/** Accumulates Σa, Σb, Σa², Σb² and Σ a bᵀ over batches of rows (one pass, any batch sizes). */
export class CorrelationAccumulator {
  readonly sumA: Float64Array;
  readonly sumB: Float64Array;
  readonly sqA: Float64Array;
  readonly sqB: Float64Array;
  /** Σ a bᵀ, hA × hB row-major. */
  readonly cross: Float64Array;
  count = 0;

  constructor(readonly hA: number, readonly hB: number) {
    this.sumA = new Float64Array(hA);
    this.sumB = new Float64Array(hB);
    this.sqA = new Float64Array(hA);
    this.sqB = new Float64Array(hB);
    this.cross = new Float64Array(hA * hB);
  }

  /** Adds n rows: `a` is n × hA and `b` is n × hB, row-major. */
  add(a: ArrayLike<number>, b: ArrayLike<number>, n: number): void {
    const { hA, hB, sumA, sumB, sqA, sqB, cross } = this;
    if (a.length !== n * hA || b.length !== n * hB) throw new RangeError(`correlation: expected ${n}×${hA} and ${n}×${hB} rows, got ${a.length} and ${b.length} values`);
    const rowB = new Float64Array(hB);
    for (let r = 0; r < n; r++) {
      const offA = r * hA;
      const offB = r * hB;
      for (let j = 0; j < hB; j++) {
        const v = b[offB + j];
        rowB[j] = v;
        sumB[j] += v;
        sqB[j] += v * v;
      }
      for (let i = 0; i < hA; i++) {
        const u = a[offA + i];
        if (u === 0) continue; // post-ReLU rows are about half zeros
        sumA[i] += u;
        sqA[i] += u * u;
        const base = i * hB;
        for (let j = 0; j < hB; j++) cross[base + j] += u * rowB[j];
      }
    }
    this.count += n;
  }

  /** Population means and standard deviations of A's and B's units. */
  moments(): { meanA: Float64Array; meanB: Float64Array; stdA: Float64Array; stdB: Float64Array } {
    if (this.count === 0) throw new Error('correlation: no rows were added');
    const n = this.count;
    const meanA = this.sumA.map((s) => s / n);
    const meanB = this.sumB.map((s) => s / n);
    const stdA = this.sqA.map((s, i) => Math.sqrt(Math.max(0, s / n - meanA[i] ** 2)));
    const stdB = this.sqB.map((s, j) => Math.sqrt(Math.max(0, s / n - meanB[j] ** 2)));
    return { meanA, meanB, stdA, stdB };
  }

  /** C[i, j] = (E[a_i b_j] − μ_i μ_j) / (σ_i σ_j + eps). */
  correlation(eps = CORRELATION_EPS): Float64Array {
    const { meanA, meanB, stdA, stdB } = this.moments();
    const n = this.count;
    const C = new Float64Array(this.hA * this.hB);
    for (let i = 0; i < this.hA; i++) {
      for (let j = 0; j < this.hB; j++) {
        const k = i * this.hB + j;
        C[k] = (this.cross[k] / n - meanA[i] * meanB[j]) / (stdA[i] * stdB[j] + eps);
      }
    }
    return C;
  }
}

/** The same matrix by the textbook two-pass formula (means first, then centred products): the
 * independent reference for tests and the kernel check. */
export function correlationTwoPass(a: ArrayLike<number>, b: ArrayLike<number>, n: number, hA: number, hB: number, eps = CORRELATION_EPS): Float64Array {
  const meanA = new Float64Array(hA);
  const meanB = new Float64Array(hB);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < hA; i++) meanA[i] += a[r * hA + i] / n;
    for (let j = 0; j < hB; j++) meanB[j] += b[r * hB + j] / n;
  }
  const varA = new Float64Array(hA);
  const varB = new Float64Array(hB);
  const cov = new Float64Array(hA * hB);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < hA; i++) {
      const da = a[r * hA + i] - meanA[i];
      varA[i] += (da * da) / n;
      for (let j = 0; j < hB; j++) cov[i * hB + j] += (da * (b[r * hB + j] - meanB[j])) / n;
    }
    for (let j = 0; j < hB; j++) varB[j] += (b[r * hB + j] - meanB[j]) ** 2 / n;
  }
  return cov.map((c, k) => c / (Math.sqrt(varA[Math.floor(k / hB)]) * Math.sqrt(varB[k % hB]) + eps));
}
