// Euclidean projection onto the probability simplex Δ_n (sort-based; Duchi et al. 2008, Fig. 1).

/** argmin_{w ∈ Δ_n} ‖w − v‖₂: sort descending, ρ = max{j : u_j − (Σ_{r≤j} u_r − 1)/j > 0}, w = (v − τ)₊. */
export function projectSimplex(v: Float64Array, out: Float64Array = new Float64Array(v.length)): Float64Array {
  const u = Float64Array.from(v).sort().reverse();
  let cumsum = 0;
  let tau = 0;
  for (let j = 0; j < u.length; j++) {
    cumsum += u[j];
    const t = (cumsum - 1) / (j + 1);
    if (u[j] - t > 0) tau = t;
  }
  for (let i = 0; i < v.length; i++) out[i] = Math.max(0, v[i] - tau);
  return out;
}

/**
 * Independent reference: the projection is (v − τ)₊ for the τ with Σ(v − τ)₊ = 1; that sum is
 * continuous and decreasing in τ, so bisect on it (to machine precision) instead of sorting.
 */
export function projectSimplexBisection(v: Float64Array): Float64Array {
  let lo = Math.min(...v) - 1;
  let hi = Math.max(...v);
  const mass = (tau: number) => v.reduce((s, x) => s + Math.max(0, x - tau), 0);
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (mass(mid) > 1) lo = mid;
    else hi = mid;
  }
  const tau = (lo + hi) / 2;
  return Float64Array.from(v, (x) => Math.max(0, x - tau));
}
