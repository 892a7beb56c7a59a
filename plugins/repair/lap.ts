// Linear assignment on dense square Float64Array matrices: the shortest-augmenting-path solver used for
// neuron alignment (the Jonker–Volgenant family, as in scipy's linear_sum_assignment), a brute-force
// solver for tiny n, and an ε-scaling auction solver written independently as a cross-check.

/** An assignment of rows to columns: `rowToCol[i]` is the column given to row i. */
export interface Assignment {
  rowToCol: Int32Array;
  /** Σ_i C[i, rowToCol[i]] of the matrix as given (maximized or minimized as asked). */
  objective: number;
}

export interface LapOptions {
  /** Maximize Σ C[i, π(i)] instead of minimizing it. */
  maximize?: boolean;
}

function checkSquare(C: Float64Array, n: number) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`linear assignment: n must be a non-negative integer, got ${n}`);
  if (C.length !== n * n) throw new RangeError(`linear assignment: expected an n×n matrix (${n * n} entries), got ${C.length}`);
  for (let k = 0; k < C.length; k++) {
    if (!Number.isFinite(C[k])) throw new RangeError(`linear assignment: entry ${k} is ${C[k]}; every cost must be finite`);
  }
}

export function assignmentObjective(C: Float64Array, n: number, rowToCol: Int32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += C[i * n + rowToCol[i]];
  return s;
}

/**
 * Optimal assignment by successive shortest augmenting paths with row/column potentials: each row is
 * added by a Dijkstra search over reduced costs (non-negative thanks to the potentials), then the path
 * is flipped. O(n³) worst case; no initial column reduction is needed for correctness.
 */
export function solveLinearAssignment(C: Float64Array, n: number, options: LapOptions = {}): Assignment {
  checkSquare(C, n);
  const sign = options.maximize ? -1 : 1;
  // potentials of rows (u) and columns (v); reduced cost c[i,j] − u[i] − v[j] ≥ 0 on every edge
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  const colOfRow = new Int32Array(n).fill(-1);
  const rowOfCol = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const prevRow = new Int32Array(n);
  const remaining = new Int32Array(n);
  const rowSeen = new Uint8Array(n);
  const colDone = new Uint8Array(n);

  for (let start = 0; start < n; start++) {
    dist.fill(Infinity);
    rowSeen.fill(0);
    colDone.fill(0);
    let left = n;
    for (let j = 0; j < n; j++) remaining[j] = n - 1 - j;
    let reach = 0; // distance of the last settled column
    let i = start;
    let sink = -1;
    while (sink < 0) {
      rowSeen[i] = 1;
      const base = i * n;
      const ui = u[i];
      let best = -1;
      let bestDist = Infinity;
      for (let k = 0; k < left; k++) {
        const j = remaining[k];
        const d = reach + sign * C[base + j] - ui - v[j];
        if (d < dist[j]) {
          dist[j] = d;
          prevRow[j] = i;
        }
        // ties prefer a free column: the path ends sooner
        if (dist[j] < bestDist || (dist[j] === bestDist && rowOfCol[j] < 0)) {
          bestDist = dist[j];
          best = k;
        }
      }
      reach = bestDist;
      const j = remaining[best];
      colDone[j] = 1;
      remaining[best] = remaining[--left];
      if (rowOfCol[j] < 0) sink = j;
      else i = rowOfCol[j];
    }
    // potentials: keep reduced costs non-negative and tight along the new matching
    u[start] += reach;
    for (let r = 0; r < n; r++) if (rowSeen[r] && r !== start) u[r] += reach - dist[colOfRow[r]];
    for (let j = 0; j < n; j++) if (colDone[j]) v[j] -= reach - dist[j];
    // flip the path from the sink back to the start row
    let j = sink;
    for (;;) {
      const r = prevRow[j];
      rowOfCol[j] = r;
      const previous = colOfRow[r];
      colOfRow[r] = j;
      if (r === start) break;
      j = previous;
    }
  }
  return { rowToCol: colOfRow, objective: assignmentObjective(C, n, colOfRow) };
}

/** Every permutation (Heap's algorithm): the ground truth for n ≤ 8 (8! = 40,320). */
export function bruteForceAssignment(C: Float64Array, n: number, options: LapOptions = {}): Assignment {
  checkSquare(C, n);
  if (n > 9) throw new RangeError(`brute-force assignment is for n ≤ 9, got ${n}`);
  const sign = options.maximize ? -1 : 1;
  const perm = Int32Array.from({ length: n }, (_, k) => k);
  let best = perm.slice();
  let bestCost = sign * assignmentObjective(C, n, perm);
  const counter = new Int32Array(n);
  let k = 1;
  while (k < n) {
    if (counter[k] < k) {
      const a = k % 2 === 0 ? 0 : counter[k];
      [perm[a], perm[k]] = [perm[k], perm[a]];
      const cost = sign * assignmentObjective(C, n, perm);
      if (cost < bestCost) {
        bestCost = cost;
        best = perm.slice();
      }
      counter[k]++;
      k = 1;
    } else {
      counter[k] = 0;
      k++;
    }
  }
  return { rowToCol: best, objective: assignmentObjective(C, n, best) };
}

/**
 * Bertsekas' forward auction with ε-scaling (a different algorithm from the solver above: prices rise by
 * bidding, no shortest paths). It ends ε-optimal: within n·ε of the optimum, so the final ε is set far
 * below the spread of the costs; `epsilonFinal` is returned for the caller's tolerance.
 */
export function auctionAssignment(C: Float64Array, n: number, options: LapOptions & { epsilonFinal?: number } = {}): Assignment & { epsilonFinal: number } {
  checkSquare(C, n);
  const sign = options.maximize ? 1 : -1; // the auction maximizes benefit
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of C) {
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  const spread = Math.max(hi - lo, 1e-300);
  const epsilonFinal = options.epsilonFinal ?? (spread * 1e-10) / Math.max(n, 1);
  const price = new Float64Array(n);
  const objOf = new Int32Array(n); // object (column) held by each person (row)
  const ownerOf = new Int32Array(n);
  let eps = spread / 4;
  for (;;) {
    objOf.fill(-1);
    ownerOf.fill(-1);
    const queue: number[] = Array.from({ length: n }, (_, k) => n - 1 - k);
    while (queue.length) {
      const person = queue.pop()!;
      const base = person * n;
      let bestJ = -1;
      let best = -Infinity;
      let second = -Infinity;
      for (let j = 0; j < n; j++) {
        const value = sign * C[base + j] - price[j];
        if (value > best) {
          second = best;
          best = value;
          bestJ = j;
        } else if (value > second) second = value;
      }
      // with one object the bid increment is unbounded; any positive step keeps ε-complementary slackness
      const increment = n > 1 ? best - second + eps : eps;
      price[bestJ] += increment;
      const previous = ownerOf[bestJ];
      if (previous >= 0) {
        objOf[previous] = -1;
        queue.push(previous);
      }
      ownerOf[bestJ] = person;
      objOf[person] = bestJ;
    }
    if (eps <= epsilonFinal) break;
    eps = Math.max(eps / 5, epsilonFinal);
  }
  return { rowToCol: objOf, objective: assignmentObjective(C, n, objOf), epsilonFinal };
}

/** True when `rowToCol` is a permutation of 0..n−1. */
export function isPermutation(rowToCol: Int32Array, n: number): boolean {
  if (rowToCol.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const j of rowToCol) {
    if (j < 0 || j >= n || seen[j]) return false;
    seen[j] = 1;
  }
  return true;
}
