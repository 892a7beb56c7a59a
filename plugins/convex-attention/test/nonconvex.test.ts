// The non-convex model: hand-written gradients, the Gram shortcut, the simplex projection, determinism.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { convexObjective, fista, headsObjective, headsToZ, groupNorm } from '../convex.ts';
import { gramStats, objectiveAndGradient, randomStart, toHeads, trainAdam } from '../nonconvex.ts';
import { teacherProblem } from '../problem.ts';
import { projectSimplex } from '../simplex.ts';

const p = teacherProblem(createRng(9), { N: 30, n: 4, d: 3, active: 2, noise: 0.1 });

test('objective via Gram statistics equals the direct objective; gradients match central differences', () => {
  const st = gramStats(p);
  const beta = 0.7;
  const raw = randomStart(createRng(2), 3, p.n, p.d);
  const grad = { theta: new Float64Array(3 * p.n), V: new Float64Array(3 * p.d), o: new Float64Array(3) };
  const work = { A: new Float64Array(3 * p.n), Z: new Float64Array(p.n * p.d), G: new Float64Array(p.n * p.d), ga: new Float64Array(p.n) };
  const f = objectiveAndGradient(st, raw, beta, grad, work);
  const direct = () => headsObjective(p, toHeads(raw, p.n), beta);
  assert.ok(Math.abs(f - direct()) < 1e-9 * Math.abs(f));
  for (const [name, x, g] of [['theta', raw.theta, grad.theta], ['V', raw.V, grad.V], ['o', raw.o, grad.o]] as const) {
    for (let i = 0; i < x.length; i++) {
      const h = 1e-5;
      const x0 = x[i];
      x[i] = x0 + h;
      const up = direct();
      x[i] = x0 - h;
      const down = direct();
      x[i] = x0;
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - g[i]) <= 1e-6 * Math.max(1, Math.abs(fd)), `${name}[${i}]: analytic ${g[i]} vs numeric ${fd}`);
    }
  }
});

test('any heads are feasible for Eq. (9): the non-convex objective is ≥ the convex objective at Z = Σ o_j a_j v_jᵀ', () => {
  const rng = createRng(4);
  for (let t = 0; t < 50; t++) {
    const heads = toHeads(randomStart(rng, 1 + rng.int(6), p.n, p.d), p.n);
    const beta = 0.1 + rng.next();
    const Z = headsToZ(heads, p.n, p.d);
    assert.ok(headsObjective(p, heads, beta) >= convexObjective(p, Z, beta) - 1e-12);
    assert.ok(groupNorm(Z, p.n, p.d) >= 0);
  }
});

test('Adam with h = 2n reaches the convex optimum on a tiny instance; h = 1 does not at small β', () => {
  const beta = 0.05;
  const st = gramStats(p);
  const opt = convexObjective(p, fista(p, beta).Z, beta);
  const long = toHeads(trainAdam(st, randomStart(createRng(1), 2 * p.n, p.n, p.d), beta, { steps: 20000 }), p.n);
  const gap = (headsObjective(p, long, beta) - opt) / opt;
  assert.ok(gap >= -1e-9 && gap < 1e-2, `gap ${gap}`);
  const one = toHeads(trainAdam(st, randomStart(createRng(1), 1, p.n, p.d), beta, { steps: 5000 }), p.n);
  assert.ok((headsObjective(p, one, beta) - opt) / opt > 1e-2);
});

test('training is deterministic for a given seed', () => {
  const st = gramStats(p);
  const a = trainAdam(st, randomStart(createRng(3), 4, p.n, p.d), 0.1, { steps: 200 });
  const b = trainAdam(st, randomStart(createRng(3), 4, p.n, p.d), 0.1, { steps: 200 });
  assert.deepEqual([...a.theta, ...a.V, ...a.o], [...b.theta, ...b.V, ...b.o]);
  const c = teacherProblem(createRng(12));
  const d = teacherProblem(createRng(12));
  assert.deepEqual(c.X, d.X);
  assert.deepEqual(c.y, d.y);
  assert.deepEqual(c.support, d.support);
});

test('simplex projection equals a brute-force search over supports', () => {
  const rng = createRng(8);
  for (let t = 0; t < 300; t++) {
    const n = 1 + rng.int(6);
    const v = Float64Array.from({ length: n }, () => 2 * rng.normal());
    const w = projectSimplex(v);
    // brute force: for each non-empty support T, w_T = v_T − (Σ v_T − 1)/|T|; keep feasible candidates, pick the closest
    let best: Float64Array | null = null;
    let bestDist = Infinity;
    for (let mask = 1; mask < 1 << n; mask++) {
      const idx = [...Array(n).keys()].filter((i) => mask & (1 << i));
      const tau = (idx.reduce((s, i) => s + v[i], 0) - 1) / idx.length;
      const cand = new Float64Array(n);
      idx.forEach((i) => (cand[i] = v[i] - tau));
      if (cand.some((x) => x < -1e-15)) continue;
      const dist = cand.reduce((s, x, i) => s + (x - v[i]) ** 2, 0);
      if (dist < bestDist) [best, bestDist] = [cand, dist];
    }
    assert.ok(Math.abs(w.reduce((s, x) => s + x, 0) - 1) < 1e-12 && w.every((x) => x >= 0));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(w[i] - best![i]) < 1e-12, `v=${v} w=${w} best=${best}`);
  }
});
