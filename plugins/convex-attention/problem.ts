// Seeded synthetic teacher data for the scalar-output attention model (spec E1/E2).
import type { Rng } from '../../harness/api/index.ts';

/** N samples X_i ∈ R^{n×d} (row k = token k), stored row-major as X[(i·n + k)·d + c]; targets y_i. */
export interface Problem {
  N: number;
  n: number;
  d: number;
  X: Float64Array;
  y: Float64Array;
}

export interface TeacherProblem extends Problem {
  /** The teacher's active tokens S (sorted). */
  support: number[];
  /** The teacher's Z* (n×d, zero outside S; each active row has unit norm). */
  zStar: Float64Array;
  noise: number;
}

export interface TeacherOptions {
  N: number;
  n: number;
  d: number;
  active: number;
  noise: number;
}

export const DEFAULT_TEACHER: TeacherOptions = { N: 300, n: 8, d: 6, active: 2, noise: 0.1 };

/**
 * X_ikc ~ N(0, 1); S = `active` distinct tokens drawn uniformly; z*_k ~ uniform on the unit sphere
 * for k ∈ S; y_i = Σ_{k∈S} x_ikᵀ z*_k + noise·ε_i, ε_i ~ N(0, 1). Draw order is fixed (X, S, Z*, ε).
 */
export function teacherProblem(rng: Rng, opts: TeacherOptions = DEFAULT_TEACHER): TeacherProblem {
  const { N, n, d, active, noise } = opts;
  const X = new Float64Array(N * n * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const tokens = rng.shuffle(Array.from({ length: n }, (_, k) => k));
  const support = tokens.slice(0, active).sort((a, b) => a - b);
  const zStar = new Float64Array(n * d);
  for (const k of support) {
    let norm = 0;
    for (let c = 0; c < d; c++) norm += (zStar[k * d + c] = rng.normal()) ** 2;
    norm = Math.sqrt(norm);
    for (let c = 0; c < d; c++) zStar[k * d + c] /= norm;
  }
  const y = new Float64Array(N);
  const nd = n * d;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < nd; j++) s += X[i * nd + j] * zStar[j];
    y[i] = s + noise * rng.normal();
  }
  return { N, n, d, X, y, support, zStar, noise };
}
