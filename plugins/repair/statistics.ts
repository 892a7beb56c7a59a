// Forward-pass statistics of MLPs over a data set, streamed in chunks so no layer's activations for the
// whole set are held at once: per-unit pre-activation moments, paired moments of two networks, and
// post-ReLU correlation matrices.
import type { ImageSet } from '../../datasets/mnist.ts';
import { activations, type NetSpec, type Tf, type Weights } from '../../harness/nn/index.ts';
import { CorrelationAccumulator } from './correlation.ts';

const CHUNK = 1000;

/** Per-unit population mean and variance of one layer's pre-activations. */
export interface UnitMoments {
  mean: Float64Array;
  variance: Float64Array;
}

/** Moments of unit i of A and unit i of B in one layer, and their covariance (for the closed form). */
export interface PairedMoments {
  a: UnitMoments;
  b: UnitMoments;
  covariance: Float64Array;
}

function chunks(set: ImageSet): ImageSet[] {
  const d = set.x.length / set.n;
  const out: ImageSet[] = [];
  for (let s = 0; s < set.n; s += CHUNK) {
    const m = Math.min(CHUNK, set.n - s);
    out.push({ x: set.x.subarray(s * d, (s + m) * d), y: set.y.subarray(s, s + m), n: m });
  }
  return out;
}

/** Mean and variance of every hidden unit's pre-activation (x·K + b) over `set`. */
export function preactivationMoments(tf: Tf, spec: NetSpec, w: Weights, set: ImageSet): UnitMoments[] {
  let sums: Float64Array[] = [];
  let squares: Float64Array[] = [];
  for (const part of chunks(set)) {
    const { preacts } = activations(tf, spec, w, part);
    if (sums.length === 0) {
      sums = preacts.map((z) => new Float64Array(z.length / part.n));
      squares = preacts.map((z) => new Float64Array(z.length / part.n));
    }
    preacts.forEach((z, l) => {
      const h = sums[l].length;
      for (let r = 0; r < part.n; r++) {
        for (let j = 0; j < h; j++) {
          const v = z[r * h + j];
          sums[l][j] += v;
          squares[l][j] += v * v;
        }
      }
    });
  }
  return sums.map((s, l) => {
    const mean = s.map((x) => x / set.n);
    return { mean, variance: squares[l].map((q, j) => Math.max(0, q / set.n - mean[j] ** 2)) };
  });
}

/** Moments of A's and B's pre-activations and the unit-wise covariance cov(z_A,i, z_B,i). */
export function pairedMoments(tf: Tf, spec: NetSpec, a: Weights, b: Weights, set: ImageSet): PairedMoments[] {
  let acc: Array<{ sa: Float64Array; sb: Float64Array; qa: Float64Array; qb: Float64Array; ab: Float64Array }> = [];
  for (const part of chunks(set)) {
    const za = activations(tf, spec, a, part).preacts;
    const zb = activations(tf, spec, b, part).preacts;
    if (acc.length === 0) {
      acc = za.map((z) => {
        const h = z.length / part.n;
        return { sa: new Float64Array(h), sb: new Float64Array(h), qa: new Float64Array(h), qb: new Float64Array(h), ab: new Float64Array(h) };
      });
    }
    za.forEach((x, l) => {
      const y = zb[l];
      const s = acc[l];
      const h = s.sa.length;
      for (let r = 0; r < part.n; r++) {
        for (let j = 0; j < h; j++) {
          const u = x[r * h + j];
          const v = y[r * h + j];
          s.sa[j] += u;
          s.sb[j] += v;
          s.qa[j] += u * u;
          s.qb[j] += v * v;
          s.ab[j] += u * v;
        }
      }
    });
  }
  const n = set.n;
  return acc.map(({ sa, sb, qa, qb, ab }) => {
    const ma = sa.map((x) => x / n);
    const mb = sb.map((x) => x / n);
    return {
      a: { mean: ma, variance: qa.map((q, j) => Math.max(0, q / n - ma[j] ** 2)) },
      b: { mean: mb, variance: qb.map((q, j) => Math.max(0, q / n - mb[j] ** 2)) },
      covariance: ab.map((p, j) => p / n - ma[j] * mb[j]),
    };
  });
}

/** One pass of A and B over `set`: the post-ReLU correlation matrices C_ℓ[i, j] = corr(A's unit i,
 * B's unit j) of every hidden layer, and the pre-activation moments of each network over the first
 * `momentRows` rows (the calibration rows, a prefix of the training split). */
export function pairStatistics(tf: Tf, spec: NetSpec, a: Weights, b: Weights, set: ImageSet, momentRows: number): { correlations: Float64Array[]; momentsA: UnitMoments[]; momentsB: UnitMoments[] } {
  let acc: CorrelationAccumulator[] = [];
  let sums: Float64Array[][] = [];
  let seen = 0;
  for (const part of chunks(set)) {
    const outA = activations(tf, spec, a, part);
    const outB = activations(tf, spec, b, part);
    if (acc.length === 0) {
      acc = outA.blocks.map((y, l) => new CorrelationAccumulator(y.length / part.n, outB.blocks[l].length / part.n));
      // per network and layer: Σz and Σz² of each unit
      sums = [outA, outB].flatMap((o) => o.preacts.map((z) => [new Float64Array(z.length / part.n), new Float64Array(z.length / part.n)]));
    }
    outA.blocks.forEach((y, l) => acc[l].add(y, outB.blocks[l], part.n));
    const rows = Math.min(part.n, momentRows - seen);
    [outA, outB].forEach((o, k) => o.preacts.forEach((z, l) => {
      const [s, q] = sums[k * o.preacts.length + l];
      const h = s.length;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < h; j++) {
          const v = z[r * h + j];
          s[j] += v;
          q[j] += v * v;
        }
      }
    }));
    seen += rows;
  }
  const L = acc.length;
  const moments = (k: number): UnitMoments[] => Array.from({ length: L }, (_, l) => {
    const [s, q] = sums[k * L + l];
    const mean = s.map((x) => x / seen);
    return { mean, variance: q.map((x, j) => Math.max(0, x / seen - mean[j] ** 2)) };
  });
  return { correlations: acc.map((c) => c.correlation()), momentsA: moments(0), momentsB: moments(1) };
}

/** Post-ReLU correlation matrices of every hidden layer over `set` (see pairStatistics). */
export function hiddenCorrelations(tf: Tf, spec: NetSpec, a: Weights, b: Weights, set: ImageSet): Float64Array[] {
  return pairStatistics(tf, spec, a, b, set, 0).correlations;
}

/** Layer-mean variance ratio Σ_i Var_α(z_i) / Σ_i ½(Var_A(z_i) + Var_B(z_i)) for each hidden layer
 * (sums over units, so near-dead units do not dominate; permutation-invariant). */
export function varianceRatios(interpolated: UnitMoments[], a: UnitMoments[], b: UnitMoments[]): number[] {
  const total = (v: Float64Array) => v.reduce((s, x) => s + x, 0);
  return interpolated.map((m, l) => total(m.variance) / (0.5 * (total(a[l].variance) + total(b[l].variance))));
}
