// Cumulative average NLL by position and its power-law fit L(T) = α·T^β + γ (Gemini 1.5 §5.2.1.1, Fig. 7).

/** The positions T = 2^k (k ≥ 7) at which C(T) is reported, up to `maxLength`. */
export function reportPositions(maxLength: number, minLog2 = 7): number[] {
  const out: number[] = [];
  for (let t = 2 ** minLog2; t <= maxLength; t *= 2) out.push(t);
  return out;
}

/**
 * C(T) = mean over documents with T_s ≥ T of C_s(T) = (1/T)·Σ_{t≤T} ℓ_s(t), where ℓ_s(t) = −ln p of the
 * t-th predicted token of document s. One pass of prefix sums per document. Positions no document
 * reaches are dropped; `docs[i]` counts the documents averaged at positions[i].
 */
export function cumulativeNll(nlls: ArrayLike<number>[], positions: number[]): { positions: number[]; values: number[]; docs: number[] } {
  const sums = positions.map(() => 0);
  const counts = positions.map(() => 0);
  for (const doc of nlls) {
    let acc = 0;
    let next = 0;
    for (let t = 1; t <= doc.length && next < positions.length; t++) {
      acc += doc[t - 1];
      while (next < positions.length && positions[next] === t) {
        sums[next] += acc / t;
        counts[next]++;
        next++;
      }
    }
  }
  const keep = positions.map((_, i) => i).filter((i) => counts[i] > 0);
  return { positions: keep.map((i) => positions[i]), values: keep.map((i) => sums[i] / counts[i]), docs: keep.map((i) => counts[i]) };
}

export interface PowerLawFit {
  alpha: number;
  beta: number;
  gamma: number;
  /** 1 − SSE/SST in linear space. */
  r2: number;
  sse: number;
  /** Levenberg–Marquardt iterations taken after the γ grid. */
  iterations: number;
}

export const powerLaw = (fit: Pick<PowerLawFit, 'alpha' | 'beta' | 'gamma'>, t: number) => fit.alpha * t ** fit.beta + fit.gamma;

function sseOf(x: number[], y: number[], alpha: number, beta: number, gamma: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (y[i] - alpha * x[i] ** beta - gamma) ** 2;
  return s;
}

/** Least-squares line through (u, v): v ≈ a + b·u. */
function line(u: number[], v: number[]): { a: number; b: number } {
  const n = u.length;
  const mu = u.reduce((s, x) => s + x, 0) / n;
  const mv = v.reduce((s, x) => s + x, 0) / n;
  let suv = 0;
  let suu = 0;
  for (let i = 0; i < n; i++) {
    suv += (u[i] - mu) * (v[i] - mv);
    suu += (u[i] - mu) ** 2;
  }
  const b = suu > 0 ? suv / suu : 0;
  return { a: mv - b * mu, b };
}

/** Solves the 3×3 system A·x = r by Gaussian elimination with partial pivoting; null when singular. */
function solve3(A: number[][], r: number[]): number[] | null {
  const m = A.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let i = c + 1; i < 3; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
    if (Math.abs(m[p][c]) < 1e-300) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let i = c + 1; i < 3; i++) {
      const f = m[i][c] / m[c][c];
      for (let j = c; j < 4; j++) m[i][j] -= f * m[c][j];
    }
  }
  const x = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = m[i][3];
    for (let j = i + 1; j < 3; j++) s -= m[i][j] * x[j];
    x[i] = s / m[i][i];
  }
  return x;
}

/**
 * Fits C(T) ≈ α·T^β + γ with β < 0 and 0 ≤ γ < min C (spec): a grid of `gridSize` γ values over
 * [0, min C), each with a linear regression of log(C − γ) on log T, starts a Levenberg–Marquardt
 * refinement of (log α, β, γ) on the linear-space squared error, with γ kept in its interval.
 */
export function fitPowerLaw(x: number[], y: number[], opts: { gridSize?: number; maxIterations?: number } = {}): PowerLawFit {
  if (x.length !== y.length || x.length < 3) throw new RangeError(`a power-law fit needs ≥ 3 points, got ${x.length}`);
  if (x.some((t) => !(t > 0))) throw new RangeError('power-law fit: positions must be > 0');
  const gridSize = opts.gridSize ?? 200;
  const minY = Math.min(...y);
  const gammaMax = minY > 0 ? minY * (1 - 1e-9) : 0;
  const logX = x.map(Math.log);
  let best = { alpha: 1, beta: -0.5, gamma: 0, sse: Infinity };
  for (let g = 0; g < gridSize; g++) {
    const gamma = (gammaMax * g) / gridSize;
    const { a, b } = line(logX, y.map((v) => Math.log(Math.max(v - gamma, 1e-300))));
    const beta = Math.min(b, -1e-9);
    const alpha = Math.exp(a);
    const sse = sseOf(x, y, alpha, beta, gamma);
    if (sse < best.sse) best = { alpha, beta, gamma, sse };
  }
  // Levenberg–Marquardt on θ = (log α, β, γ)
  let [la, beta, gamma] = [Math.log(best.alpha), best.beta, best.gamma];
  let sse = best.sse;
  let lambda = 1e-3;
  let iterations = 0;
  const maxIterations = opts.maxIterations ?? 200;
  for (; iterations < maxIterations; iterations++) {
    const JtJ = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const Jtr = [0, 0, 0];
    const alpha = Math.exp(la);
    for (let i = 0; i < x.length; i++) {
      const p = alpha * x[i] ** beta;
      const r = y[i] - p - gamma;
      const J = [p, p * logX[i], 1];
      for (let a = 0; a < 3; a++) {
        Jtr[a] += J[a] * r;
        for (let b = 0; b < 3; b++) JtJ[a][b] += J[a] * J[b];
      }
    }
    let improved = false;
    while (lambda < 1e12) {
      const A = JtJ.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + 1e-300 : v)));
      const step = solve3(A, Jtr);
      if (step) {
        const nla = la + step[0];
        const nbeta = Math.min(beta + step[1], -1e-9);
        const ngamma = Math.min(Math.max(gamma + step[2], 0), gammaMax);
        const nsse = sseOf(x, y, Math.exp(nla), nbeta, ngamma);
        if (nsse < sse) {
          const gain = (sse - nsse) / Math.max(sse, 1e-300);
          [la, beta, gamma, sse] = [nla, nbeta, ngamma, nsse];
          lambda = Math.max(lambda / 10, 1e-12);
          improved = true;
          if (gain < 1e-12) iterations = maxIterations;
          break;
        }
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const sst = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { alpha: Math.exp(la), beta, gamma, sse, r2: sst > 0 ? 1 - sse / sst : 1, iterations: Math.min(iterations, maxIterations) };
}
