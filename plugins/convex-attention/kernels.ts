// Kernels, each checked against an independent reference before it is timed.
import type { Kernel, Rng } from '../../harness/api/index.ts';
import { blockSoftThreshold, fista, fistaStep, kktAt, powerIteration, type FistaState } from './convex.ts';
import { gramStats } from './nonconvex.ts';
import { teacherProblem, type TeacherProblem } from './problem.ts';
import { projectSimplex, projectSimplexBisection } from './simplex.ts';

const maxAbsDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const maxAbs = (a: Float64Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

function closeArrays(tol: number) {
  return (actual: Float64Array, expected: Float64Array): string | null => {
    if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
    const err = maxAbsDiff(actual, expected) / Math.max(1, maxAbs(expected));
    return err <= tol ? null : `max difference ${err.toExponential(2)} (scaled), tolerance ${tol}`;
  };
}

const problemOf = (size: Record<string, number>, rng: Rng) =>
  teacherProblem(rng, { N: size.N, n: size.n, d: size.d, active: Math.min(2, size.n), noise: 0.1 });

// ---- block soft-thresholding
interface ProxInput { V: Float64Array; t: number; n: number; d: number }
const prox: Kernel<ProxInput, Float64Array> = {
  sizes: [{ n: 8, d: 6 }, { n: 64, d: 64 }],
  setup(size, rng) {
    const V = Float64Array.from({ length: size.n * size.d }, () => rng.normal());
    return { V, t: Math.sqrt(size.d), n: size.n, d: size.d }; // ~half the rows are thresholded to zero
  },
  run: ({ V, t, n, d }) => blockSoftThreshold(V, t, n, d),
  // reference: the prox as a projection identity, out = v − Π_{‖·‖≤t}(v) (Moreau decomposition)
  reference({ V, t, n, d }) {
    const out = new Float64Array(V.length);
    for (let k = 0; k < n; k++) {
      const row = Array.from(V.subarray(k * d, (k + 1) * d));
      const norm = Math.hypot(...row);
      const shrink = norm <= t ? 1 : t / norm;
      row.forEach((x, c) => (out[k * d + c] = x - shrink * x));
    }
    return out;
  },
  check: closeArrays(1e-14),
  items: (size) => size.n * size.d,
};

// ---- one FISTA iteration
interface StepInput { p: TeacherProblem; beta: number; L: number; state: FistaState }
interface StepOutput { Z: Float64Array; Y: Float64Array; t: number }
const fistaIteration: Kernel<StepInput, StepOutput> = {
  sizes: [{ N: 300, n: 8, d: 6 }, { N: 3000, n: 16, d: 16 }],
  setup(size, rng) {
    const p = problemOf(size, rng);
    const nd = p.n * p.d;
    const Z = Float64Array.from({ length: nd }, () => 0.1 * rng.normal());
    const Y = Float64Array.from(Z, (z) => z + 0.01 * rng.normal());
    return { p, beta: 5, L: powerIteration(p).lambda, state: { Z, Y, t: 3 } };
  },
  run({ p, beta, L, state }) {
    const nd = p.n * p.d;
    const s = { Z: Float64Array.from(state.Z), Y: Float64Array.from(state.Y), t: state.t };
    fistaStep(p, beta, L, s, new Float64Array(nd), new Float64Array(nd), new Float64Array(p.N));
    return s;
  },
  // reference: the gradient from explicit Gram statistics (H y − b), the prox as v − Π_ball(v)
  reference({ p, beta, L, state }) {
    const nd = p.n * p.d;
    const { H, b } = gramStats(p);
    const V = new Float64Array(nd);
    for (let r = 0; r < nd; r++) {
      let g = -b[r];
      for (let q = 0; q < nd; q++) g += H[r * nd + q] * state.Y[q];
      V[r] = state.Y[r] - g / L;
    }
    const Z = prox.reference({ V, t: beta / L, n: p.n, d: p.d }) as Float64Array;
    const t = (1 + Math.sqrt(1 + 4 * state.t ** 2)) / 2;
    const Y = Float64Array.from(Z, (z, j) => z + ((state.t - 1) / t) * (z - state.Z[j]));
    return { Z, Y, t };
  },
  check(actual, expected) {
    return closeArrays(1e-10)(actual.Z, expected.Z) ?? closeArrays(1e-10)(actual.Y, expected.Y) ?? (Math.abs(actual.t - expected.t) < 1e-12 ? null : 't differs');
  },
  items: (size) => size.N * size.n * size.d,
};

// ---- power iteration for the Lipschitz constant
/** Largest eigenvalue of a symmetric matrix by cyclic Jacobi rotations (the independent reference). */
export function jacobiLambdaMax(M: Float64Array, m: number): number {
  const A = Float64Array.from(M);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) off += A[i * m + j] ** 2;
    if (off < 1e-26 * m * m) break;
    for (let p = 0; p < m; p++)
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * m + q] - A[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p];
          const akq = A[k * m + q];
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k];
          const aqk = A[q * m + k];
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
      }
  }
  let best = -Infinity;
  for (let i = 0; i < m; i++) best = Math.max(best, A[i * m + i]);
  return best;
}

const power: Kernel<TeacherProblem, number> = {
  sizes: [{ N: 300, n: 8, d: 6 }, { N: 1000, n: 8, d: 12 }],
  setup: (size, rng) => problemOf(size, rng),
  run: (p) => powerIteration(p).lambda,
  reference: (p) => jacobiLambdaMax(gramStats(p).H, p.n * p.d),
  check: (a, e) => (Math.abs(a - e) <= 1e-9 * Math.abs(e) ? null : `λ_max ${a} vs ${e} (relative ${Math.abs(a / e - 1).toExponential(2)})`),
  items: (size) => size.N * size.n * size.d,
};

// ---- KKT residual
interface KktInput { p: TeacherProblem; Z: Float64Array; beta: number }
const kkt: Kernel<KktInput, number> = {
  sizes: [{ N: 300, n: 8, d: 6 }, { N: 3000, n: 16, d: 16 }],
  setup(size, rng) {
    const p = problemOf(size, rng);
    const beta = 0.05 * p.N;
    // a loosely solved point, so the residual is well above rounding and has zero and non-zero rows
    const { Z } = fista(p, beta, { tol: 1e-2 });
    return { p, Z, beta };
  },
  run: ({ p, Z, beta }) => kktAt(p, Z, beta),
  // reference: G from Gram statistics; the residual as dist(−g_k, β·∂‖z_k‖) via projection onto the ball
  reference({ p, Z, beta }) {
    const nd = p.n * p.d;
    const { H, b } = gramStats(p);
    const G = Float64Array.from({ length: nd }, (_, r) => H.subarray(r * nd, (r + 1) * nd).reduce((s, h, q) => s + h * Z[q], -b[r]));
    let worst = 0;
    for (let k = 0; k < p.n; k++) {
      const g = Array.from(G.subarray(k * p.d, (k + 1) * p.d));
      const z = Array.from(Z.subarray(k * p.d, (k + 1) * p.d));
      const zn = Math.hypot(...z);
      let u: number[];
      if (zn === 0) {
        const gn = Math.hypot(...g);
        u = g.map((x) => (-x / beta) / Math.max(1, gn / beta));
      } else u = z.map((x) => x / zn);
      worst = Math.max(worst, Math.hypot(...g.map((x, c) => x + beta * u[c])));
    }
    return worst;
  },
  check: (a, e) => (Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)) ? null : `KKT residual ${a} vs ${e}`),
  items: (size) => size.N * size.n * size.d,
};

// ---- simplex projection
const simplex: Kernel<Float64Array, Float64Array> = {
  sizes: [{ n: 8 }, { n: 64 }, { n: 1024 }],
  setup: (size, rng) => Float64Array.from({ length: size.n }, () => 2 * rng.normal()),
  run: (v) => projectSimplex(v),
  reference: (v) => projectSimplexBisection(v),
  check: closeArrays(1e-12),
  items: (size) => size.n,
};

export const kernels = {
  'block-soft-threshold': prox,
  'fista-iteration': fistaIteration,
  'power-iteration': power,
  'kkt-check': kkt,
  'simplex-projection': simplex,
};
