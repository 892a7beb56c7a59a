// The convex solver against independent computations; the KKT certificate; Prop. 1; kernels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, type Kernel } from '../../../harness/api/index.ts';
import {
  activeTokens, blockSoftThreshold, convexObjective, dataGradient, fista, headsObjective, headsToZ, kktAt, mapToHeads, powerIteration,
} from '../convex.ts';
import { kernels, jacobiLambdaMax } from '../kernels.ts';
import { gramStats } from '../nonconvex.ts';
import { teacherProblem, type Problem } from '../problem.ts';

const tiny = () => teacherProblem(createRng(7), { N: 40, n: 4, d: 3, active: 2, noise: 0.1 });

test('FISTA matches the closed form when a single token is active (n = 1: ridge-like shrinkage)', () => {
  // With one group, min ½‖Xz − y‖² + β‖z‖ has the solution z = (H + (β/‖z‖) I)⁻¹ b: solve the scalar
  // fixed point in s = ‖z‖ by bisection on s ↦ ‖(H + β/s I)⁻¹ b‖ − s, with H diagonalised by Jacobi.
  const p = teacherProblem(createRng(3), { N: 50, n: 1, d: 3, active: 1, noise: 0.2 });
  const beta = 5;
  const { H, b } = gramStats(p);
  const solve = (lambda: number) => {
    // 3×3 solve by Cramer's rule
    const m = Array.from(H);
    for (let i = 0; i < 3; i++) m[i * 3 + i] += lambda;
    const det = (a: number[]) => a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
    const D = det(m);
    return [0, 1, 2].map((c) => det(m.map((x, idx) => (idx % 3 === c ? b[Math.floor(idx / 3)] : x))) / D);
  };
  let lo = 1e-9;
  let hi = 10;
  for (let it = 0; it < 200; it++) {
    const s = (lo + hi) / 2;
    if (Math.hypot(...solve(beta / s)) > s) lo = s;
    else hi = s;
  }
  const closed = solve(beta / ((lo + hi) / 2));
  const r = fista(p, beta);
  assert.ok(r.converged);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(r.Z[c] - closed[c]) < 1e-9, `${r.Z[c]} vs ${closed[c]}`);
});

test('FISTA agrees with a long plain proximal-gradient run (ISTA) on a tiny instance', () => {
  const p = tiny();
  for (const beta of [0.5, 5, 20]) {
    const r = fista(p, beta);
    const L = jacobiLambdaMax(gramStats(p).H, p.n * p.d);
    let Z: Float64Array = new Float64Array(p.n * p.d);
    const G = new Float64Array(Z.length);
    for (let it = 0; it < 20000; it++) {
      dataGradient(p, Z, G);
      Z = blockSoftThreshold(Z.map((z, j) => z - G[j] / L), beta / L, p.n, p.d);
    }
    assert.deepEqual(activeTokens(r.Z, p.n, p.d), activeTokens(Z, p.n, p.d));
    assert.ok(Math.abs(convexObjective(p, r.Z, beta) - convexObjective(p, Z, beta)) < 1e-9);
    for (let j = 0; j < Z.length; j++) assert.ok(Math.abs(r.Z[j] - Z[j]) < 1e-7);
  }
});

test('the KKT certificate: < 1e-8 at the solution, positive elsewhere, and no perturbation lowers the objective', () => {
  const p = tiny();
  const beta = 8;
  const r = fista(p, beta);
  assert.ok(r.kkt < 1e-8 && kktAt(p, r.Z, beta) < 1e-8);
  assert.ok(activeTokens(r.Z, p.n, p.d).length < p.n, 'some rows are zero at this β');
  const opt = convexObjective(p, r.Z, beta);
  const rng = createRng(11);
  for (let t = 0; t < 200; t++) {
    const Z = Float64Array.from(r.Z, (z) => z + 1e-3 * rng.normal());
    assert.ok(convexObjective(p, Z, beta) >= opt - 1e-12);
    assert.ok(kktAt(p, Z, beta) > 1e-6);
  }
});

test('Prop. 1: the mapped heads reproduce Z, the predictions and the objective exactly', () => {
  const p = teacherProblem(createRng(1));
  for (const beta of [0.01, 10, 100]) {
    const { Z } = fista(p, beta);
    const heads = mapToHeads(Z, p.n, p.d);
    assert.equal(heads.h, activeTokens(Z, p.n, p.d).length);
    const back = headsToZ(heads, p.n, p.d);
    for (let j = 0; j < Z.length; j++) assert.ok(Math.abs(back[j] - Z[j]) < 1e-14);
    assert.ok(Math.abs(headsObjective(p, heads, beta) - convexObjective(p, Z, beta)) < 1e-9);
  }
});

test('power iteration finds λ_max of Σ vec(X_i)vec(X_i)ᵀ (vs Jacobi)', () => {
  const p: Problem = tiny();
  const lam = powerIteration(p).lambda;
  const ref = jacobiLambdaMax(gramStats(p).H, p.n * p.d);
  assert.ok(Math.abs(lam / ref - 1) < 1e-9, `${lam} vs ${ref}`);
});

test('every kernel passes its own check against its reference', async () => {
  for (const [id, k] of Object.entries(kernels) as [string, Kernel<unknown, unknown>][]) {
    for (const size of k.sizes) {
      const input = await k.setup(size, createRng(5).fork(id));
      const problem = k.check(await k.run(input), await k.reference(input));
      assert.equal(problem, null, `${id} ${JSON.stringify(size)}: ${problem}`);
    }
  }
});
