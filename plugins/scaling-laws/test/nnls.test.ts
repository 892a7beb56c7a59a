import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NnlsEnumerator, QrLeastSquares, leastSquares, nnls } from '../nnls.ts';
import { mulberry32 } from '../toy.ts';

function randn(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function rss(cols: Float64Array[], b: ArrayLike<number>, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    let r = -y[i];
    for (let j = 0; j < cols.length; j++) r += cols[j][i] * b[j];
    s += r * r;
  }
  return s;
}

/** Normal equations solved by Cramer's rule / Gaussian elimination (k ≤ 3), an independent check. */
function normalEquations(cols: Float64Array[], y: Float64Array): number[] {
  const k = cols.length;
  const G = Array.from({ length: k }, (_, a) => Array.from({ length: k + 1 }, (_, b) => {
    let s = 0;
    const other = b < k ? cols[b] : y;
    for (let i = 0; i < y.length; i++) s += cols[a][i] * other[i];
    return s;
  }));
  for (let p = 0; p < k; p++) {
    let piv = p;
    for (let r = p + 1; r < k; r++) if (Math.abs(G[r][p]) > Math.abs(G[piv][p])) piv = r;
    [G[p], G[piv]] = [G[piv], G[p]];
    for (let r = 0; r < k; r++) {
      if (r === p) continue;
      const f = G[r][p] / G[p][p];
      for (let c = p; c <= k; c++) G[r][c] -= f * G[p][c];
    }
  }
  return G.map((row, p) => row[k] / row[p]);
}

test('least squares matches the normal equations and recovers an exact fit', () => {
  const rng = mulberry32(7);
  for (let trial = 0; trial < 50; trial++) {
    const n = 5 + Math.floor(rng() * 40);
    const k = 1 + Math.floor(rng() * 3);
    const cols = Array.from({ length: k }, () => Float64Array.from({ length: n }, () => randn(rng)));
    const y = Float64Array.from({ length: n }, () => randn(rng));
    const b = leastSquares(cols, y);
    const ref = normalEquations(cols, y);
    for (let j = 0; j < k; j++) assert.ok(Math.abs(b[j] - ref[j]) < 1e-9 * (1 + Math.abs(ref[j])), `coef ${j}: ${b[j]} vs ${ref[j]}`);
    const qr = new QrLeastSquares(cols);
    const out = new Float64Array(k);
    const r = qr.solve(y, out);
    assert.ok(Math.abs(r - rss(cols, out, y)) < 1e-9 * (1 + r));
  }
  // exact: y = 2 + 3 t
  const t = Float64Array.from([1, 2, 3, 4, 5]);
  const ones = new Float64Array(5).fill(1);
  const b = leastSquares([ones, t], t.map((v) => 2 + 3 * v));
  assert.ok(Math.abs(b[0] - 2) < 1e-12 && Math.abs(b[1] - 3) < 1e-12);
});

test('rank-deficient design gives NaN rather than garbage', () => {
  const a = Float64Array.from([1, 2, 3]);
  const b = leastSquares([a, a.map((v) => 2 * v)], Float64Array.from([1, 1, 1]));
  assert.ok(Number.isNaN(b[0]) && Number.isNaN(b[1]));
});

test('3-variable NNLS: hand cases', () => {
  const c0 = Float64Array.from([1, 0, 0, 1]);
  const c1 = Float64Array.from([0, 1, 0, 1]);
  const c2 = Float64Array.from([0, 0, 1, 1]);
  // y in the cone: exact, all positive
  let r = nnls([c0, c1, c2], Float64Array.from([1, 2, 3, 6]));
  assert.deepEqual(Array.from(r.coef, (v) => Math.round(v * 1e12) / 1e12), [1, 2, 3]);
  assert.ok(r.rss < 1e-20);
  // y = −(everything): the best non-negative answer is 0
  r = nnls([c0, c1, c2], Float64Array.from([-1, -2, -3, -6]));
  assert.deepEqual(Array.from(r.coef), [0, 0, 0]);
  assert.equal(r.rss, 1 + 4 + 9 + 36);
  // one negative direction: y = (1, −1, 2, 2) → b1 clamps to 0
  r = nnls([c0, c1, c2], Float64Array.from([1, -1, 2, 2]));
  assert.equal(r.coef[1], 0);
  assert.ok(r.coef[0] > 0 && r.coef[2] > 0);
  // free first coefficient may go negative
  r = nnls([c0, c1, c2], Float64Array.from([-1, 2, 3, 4]), { free: [0] });
  assert.ok(r.coef[0] < 0);
});

test('3-variable NNLS agrees with brute force (KKT + dense search) on random problems', () => {
  const rng = mulberry32(11);
  for (let trial = 0; trial < 200; trial++) {
    const n = 4 + Math.floor(rng() * 20);
    const cols = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => randn(rng)));
    const y = Float64Array.from({ length: n }, () => randn(rng) * 2);
    const solver = new NnlsEnumerator(cols);
    const b = new Float64Array(3);
    const best = solver.solve(y, b);
    assert.ok(b.every((v) => v >= 0));
    assert.ok(Math.abs(best - rss(cols, b, y)) < 1e-9 * (1 + best));
    // KKT: gradient Aᵀ(Ab − y) is ≥ 0, and = 0 on the support
    for (let j = 0; j < 3; j++) {
      let g = 0;
      for (let i = 0; i < n; i++) {
        let r = -y[i];
        for (let l = 0; l < 3; l++) r += cols[l][i] * b[l];
        g += cols[j][i] * r;
      }
      if (b[j] > 0) assert.ok(Math.abs(g) < 1e-8, `grad ${g} on support`);
      else assert.ok(g > -1e-8, `grad ${g} off support`);
    }
    // brute force: no point of a coarse non-negative grid around b (and of a global grid) is better
    for (let s = 0; s < 300; s++) {
      const cand = [0, 1, 2].map((j) => Math.max(0, (s < 150 ? b[j] : 0) + (rng() - 0.3) * (s < 150 ? 0.1 : 5)));
      assert.ok(rss(cols, cand, y) >= best - 1e-9, 'found a better feasible point');
    }
  }
});
