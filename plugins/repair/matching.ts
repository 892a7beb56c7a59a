// Neuron alignment of network B to network A: activation matching (one assignment per layer on the
// correlation matrix) and weight matching (Git Re-Basin coordinate descent over the layers).
import type { Rng } from '../../harness/api/index.ts';
import type { Weights } from '../../harness/nn/index.ts';
import { solveLinearAssignment } from './lap.ts';
import { denseLayers, permuteHiddenUnits } from './mlp.ts';

export interface Alignment {
  /** perms[ℓ][i]: the unit of B matched to unit i of A in hidden layer ℓ (permuteHiddenUnits order). */
  perms: Int32Array[];
  /** Time spent in the assignment solver (ms). */
  lapMs: number;
}

/** One maximum-weight assignment per layer on C_ℓ = corr(A's units, B's units). Permuting B never changes
 * B's activations at other layers, only their order, so all layers can be solved from one pass. */
export function alignByActivations(correlations: readonly Float64Array[]): Alignment {
  let lapMs = 0;
  const perms = correlations.map((C) => {
    const h = Math.round(Math.sqrt(C.length));
    const t0 = performance.now();
    const { rowToCol } = solveLinearAssignment(C, h, { maximize: true });
    lapMs += performance.now() - t0;
    return rowToCol;
  });
  return { perms, lapMs };
}

/** Mean over layers of the mean matched correlation (1/h)·Σ_i C_ℓ[i, π_ℓ(i)]. */
export function matchedCorrelation(correlations: readonly Float64Array[], perms: readonly Int32Array[]): number {
  let total = 0;
  correlations.forEach((C, l) => {
    const h = perms[l].length;
    let s = 0;
    for (let i = 0; i < h; i++) s += C[i * h + perms[l][i]];
    total += s / h;
  });
  return total / correlations.length;
}

/**
 * Weight matching: maximize Σ_ℓ ⟨W_ℓ^A, P_ℓ W_ℓ^B P_{ℓ−1}ᵀ⟩ + ⟨b_ℓ^A, P_ℓ b_ℓ^B⟩ by coordinate descent,
 * one assignment per hidden layer with its neighbours' permutations fixed, layers visited in a seeded
 * random order, until a sweep improves nothing (it cannot cycle: each step never lowers the objective).
 */
export function alignByWeights(a: Weights, b: Weights, rng: Rng, opts: { maxSweeps?: number } = {}): Alignment & { sweeps: number; objective: number } {
  const { hidden, classifier } = denseLayers(a);
  const L = hidden.length;
  const perms: Int32Array[] = hidden.map((l) => Int32Array.from({ length: l.units }, (_, i) => i));
  const maxSweeps = opts.maxSweeps ?? 100;
  let lapMs = 0;
  let sweeps = 0;
  const cost = (l: number): Float64Array => {
    const layer = hidden[l];
    const h = layer.units;
    const C = new Float64Array(h * h);
    // incoming weights: Σ_r K_A[r, i]·K_B[π_{ℓ−1}(r), j]
    const KA = a.tensors[layer.kernelName].data;
    const KB = b.tensors[layer.kernelName].data;
    const prev = l > 0 ? perms[l - 1] : null;
    for (let r = 0; r < layer.fanIn; r++) {
      const rb = prev ? prev[r] : r;
      for (let i = 0; i < h; i++) {
        const x = KA[r * h + i];
        if (x === 0) continue;
        const base = i * h;
        const rowB = rb * h;
        for (let j = 0; j < h; j++) C[base + j] += x * KB[rowB + j];
      }
    }
    const bA = a.tensors[layer.biasName].data;
    const bB = b.tensors[layer.biasName].data;
    for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) C[i * h + j] += bA[i] * bB[j];
    // outgoing weights: Σ_m K'_A[i, m]·K'_B[j, π_{ℓ+1}(m)] (the classifier's outputs are not permuted)
    const next = l + 1 < L ? hidden[l + 1] : classifier;
    const NA = a.tensors[next.kernelName].data;
    const NB = b.tensors[next.kernelName].data;
    const nextPerm = l + 1 < L ? perms[l + 1] : null;
    const m = next.units;
    const permutedRow = new Float64Array(m);
    for (let j = 0; j < h; j++) {
      for (let c = 0; c < m; c++) permutedRow[c] = NB[j * m + (nextPerm ? nextPerm[c] : c)];
      for (let i = 0; i < h; i++) {
        let s = 0;
        for (let c = 0; c < m; c++) s += NA[i * m + c] * permutedRow[c];
        C[i * h + j] += s;
      }
    }
    return C;
  };
  const gain = (C: Float64Array, p: Int32Array) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) s += C[i * p.length + p[i]];
    return s;
  };
  let objective = 0;
  for (; sweeps < maxSweeps; ) {
    sweeps++;
    let improved = false;
    const order = rng.shuffle(Array.from({ length: L }, (_, l) => l));
    for (const l of order) {
      const C = cost(l);
      const h = hidden[l].units;
      const t0 = performance.now();
      const { rowToCol } = solveLinearAssignment(C, h, { maximize: true });
      lapMs += performance.now() - t0;
      const before = gain(C, perms[l]);
      const after = gain(C, rowToCol);
      if (after > before + 1e-9 * Math.max(1, Math.abs(before))) {
        perms[l] = rowToCol;
        improved = true;
      }
    }
    if (!improved) break;
  }
  // Σ over all tensors of ⟨θ_A, π(θ_B)⟩: the quantity the sweeps increase
  const permuted = permuteHiddenUnits(b, perms);
  for (const name of a.names) {
    const x = a.tensors[name].data;
    const y = permuted.tensors[name].data;
    for (let k = 0; k < x.length; k++) objective += x[k] * y[k];
  }
  return { perms, lapMs, sweeps, objective };
}
