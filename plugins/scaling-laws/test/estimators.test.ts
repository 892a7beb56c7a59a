import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fitM1,
  fitM2,
  fitM3,
  fitM4,
  m4OptionsForDomain,
  predictLoss,
  predictLossBisection,
  predictLossGridScan,
  type ScalingFit,
} from '../estimators.ts';
import { mulberry32 } from '../toy.ts';

const xs = Float64Array.from([1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3]);

test('M1 recovers an exact power law in one least-squares step', () => {
  const y = xs.map((x) => 3 * Math.pow(x, -0.4));
  const f = fitM1(xs, y);
  assert.ok(Math.abs(f.beta - 3) < 1e-9 && Math.abs(f.c + 0.4) < 1e-12);
  assert.equal(f.iterations, 1);
  assert.ok(Number.isNaN(f.epsInf) && Number.isNaN(f.eps0) && Number.isNaN(f.alpha) && Number.isNaN(f.gamma));
  const p = predictLoss(f, [1e6]);
  assert.ok(Math.abs(p[0] - 3 * Math.pow(1e6, -0.4)) < 1e-12);
});

test('fits accept unsorted input and reject bad input', () => {
  const y = xs.map((x) => 0.1 + 3 * Math.pow(x, -0.4));
  const perm = [3, 1, 7, 0, 5, 2, 6, 4];
  const a = fitM2(xs, y, { maxIterations: 200 });
  const b = fitM2(perm.map((i) => xs[i]), perm.map((i) => y[i]), { maxIterations: 200 });
  assert.deepEqual(a, b);
  assert.throws(() => fitM2([1, 2], [0.5]), /x has 2 values/);
  assert.throws(() => fitM1([1, 1, 2], [0.5, 0.4, 0.3]), /repeated x/);
  assert.throws(() => fitM3([1, 2, 3], [0.5, -0.4, 0.3]), /y must be/);
  assert.throws(() => fitM4([1, 2], [0.5, 0.4]), /at least 3/);
});

test('M2 keeps ε∞ inside [0, min(y) − 1e-3] and fits a shifted power law', () => {
  const y = xs.map((x) => 0.2 + 3 * Math.pow(x, -0.5));
  const f = fitM2(xs, y);
  assert.ok(f.epsInf >= 0 && f.epsInf <= Math.min(...y) - 1e-3);
  assert.ok(Number.isNaN(f.eps0) && Number.isNaN(f.alpha) && Number.isNaN(f.gamma));
  const p = predictLoss(f, [256e3, 512e3]);
  assert.ok(Math.abs(Math.log(p[1]) - Math.log(0.2 + 3 * Math.pow(512e3, -0.5))) < 0.05);
});

test('M3 keeps c ≥ 0 and γ ≥ 0', () => {
  const y = xs.map((x) => 2 * Math.pow(1 / x + 1e-4, 0.3));
  const f = fitM3(xs, y);
  assert.ok(f.c >= 0 && f.gamma >= 0 && Number.isNaN(f.epsInf));
  const p = predictLoss(f, xs);
  for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(Math.log(p[i] / y[i])) < 0.05);
});

test('M4: NNLS quirk β ≥ 1, c ≤ 0, α ≥ 0 and bounds on ε0', () => {
  const y = xs.map((x) => 0.3 + 0.6 / (1 + Math.pow(x / 5e3, 0.7)));
  const f = fitM4(xs, y, m4OptionsForDomain('IC'));
  assert.ok(f.beta >= 1 && f.c <= 0 && f.alpha >= 0, JSON.stringify(f));
  assert.ok(f.eps0 >= Math.max(...y) + 1e-3 - 1e-15 && f.eps0 <= 1.001 + 1e-15);
  assert.ok(Number.isNaN(f.gamma));
  const g = fitM4(xs, y, { ...m4OptionsForDomain('IC'), freeLogBeta: true, refreshErr0Column: true });
  assert.ok(Number.isFinite(g.beta) && g.alpha >= 0);
});

test('m4OptionsForDomain follows the notebook', () => {
  assert.deepEqual(m4OptionsForDomain('IC'), { errInf: null, err0: 1.0, updateErr0: true, upBound: 1.0 });
  assert.deepEqual(m4OptionsForDomain('NMT'), { err0: 1.0, updateErr0: true, upBound: null });
  assert.deepEqual(m4OptionsForDomain('LM'), { err0: 1.0, updateErr0: true, upBound: null });
  assert.deepEqual(m4OptionsForDomain('BB'), { err0: 1.001, updateErr0: true, upBound: 1.0 });
});

test('M4 prediction: monotone grid search = full 10,000-point scan; bisection within one grid step', () => {
  const rng = mulberry32(99);
  for (let t = 0; t < 300; t++) {
    const fit: ScalingFit = {
      estimator: 'M4',
      beta: Math.exp(rng() * 6),
      c: -rng() * 2,
      epsInf: rng() * 0.3,
      eps0: 0.8 + rng() * 0.5,
      alpha: rng() < 0.1 ? rng() * 1e-5 : rng() * 5,
      gamma: NaN,
      iterations: 0,
    };
    const x = Float64Array.from({ length: 5 }, () => Math.exp(rng() * 25));
    const grid = predictLoss(fit, x);
    const scan = predictLossGridScan(fit, x);
    const bis = predictLossBisection(fit, x);
    const step = (fit.eps0 - fit.epsInf) / 9999;
    for (let i = 0; i < x.length; i++) {
      assert.equal(grid[i], scan[i], `grid vs scan for ${JSON.stringify(fit)} at ${x[i]}`);
      assert.ok(Math.abs(bis[i] - grid[i]) <= step * (1 + 1e-9), `bisection ${bis[i]} vs grid ${grid[i]}`);
      if (fit.alpha < 1e-5) assert.equal(grid[i], fit.epsInf + fit.beta * Math.pow(x[i], fit.c));
    }
  }
});

test('M4 rejects an ε0 (or upper bound) that does not exceed every loss, as the reference would fail', () => {
  const y = [0.52, 0.45, 0.4, 0.35];
  const x = [16, 32, 64, 128];
  assert.throws(() => fitM4(x, y, { err0: 0.5, upBound: 0.5 }), /initial ε0 = 0.5 must exceed every loss/);
  assert.throws(() => fitM4(x, y, { err0: 0.6, upBound: 0.51 }), /upBound/);
  const f = fitM4(x, y, { err0: null, upBound: null, maxIterations: 150 });
  assert.ok(Number.isFinite(f.beta) && f.eps0 >= 0.52 + 1e-3 - 1e-15);
});
