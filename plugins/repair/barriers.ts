// Barrier definitions of the official repository's figures (midpoint) and of Entezari et al. 2021 (max
// over the α grid), and the relative reduction between two barriers.

export interface Endpoints {
  lossA: number;
  lossB: number;
  accA: number;
  accB: number;
}

/** B_mid(loss) = L(θ_½) − ½(L_A + L_B). */
export const midpointLossBarrier = (lossMid: number, e: Endpoints): number => lossMid - 0.5 * (e.lossA + e.lossB);

/** Accuracy barrier = ½(acc_A + acc_B) − acc(θ_½). */
export const midpointAccuracyBarrier = (accMid: number, e: Endpoints): number => 0.5 * (e.accA + e.accB) - accMid;

/** B_max = max over the grid of L(θ_α) − ((1 − α)L_A + αL_B). */
export function maxLossBarrier(alphas: readonly number[], losses: readonly number[], e: Endpoints): number {
  let worst = -Infinity;
  alphas.forEach((alpha, k) => {
    worst = Math.max(worst, losses[k] - ((1 - alpha) * e.lossA + alpha * e.lossB));
  });
  return worst;
}

/** 1 − B / B_reference: the fraction of the reference barrier removed (negative when B is larger). */
export const relativeReduction = (barrier: number, reference: number): number => 1 - barrier / reference;

/** α_k = k/(points − 1), k = 0…points − 1; `points` odd so that α = ½ is on the grid. */
export function alphaGrid(points: number): number[] {
  if (!Number.isInteger(points) || points < 3 || points % 2 === 0) throw new RangeError(`the α grid needs an odd number of points ≥ 3 (so that α = ½ is on it), got ${points}`);
  return Array.from({ length: points }, (_, k) => k / (points - 1));
}

/** Metric-id suffix of α: hundredths, three digits (`loss-at-005` is α = 0.05; ids allow no dots). */
export const alphaLabel = (alpha: number): string => String(Math.round(100 * alpha)).padStart(3, '0');
