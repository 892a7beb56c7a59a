// Cumulative NLL and the power-law fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulativeNll, fitPowerLaw, reportPositions } from '../nll.ts';
import { fitPowerLawByProjection } from '../kernels.ts';

test('cumulative NLL by hand: C(T) averages the per-document prefix means of documents that reach T', () => {
  // doc a = [1, 2, 3, 4], doc b = [3, 1]: C(1) = (1 + 3)/2 = 2; C(2) = (1.5 + 2)/2 = 1.75; C(4) = 10/4 (a only); C(8): nobody
  const c = cumulativeNll([[1, 2, 3, 4], [3, 1]], [1, 2, 4, 8]);
  assert.deepEqual(c.positions, [1, 2, 4]);
  assert.deepEqual(c.values, [2, 1.75, 2.5]);
  assert.deepEqual(c.docs, [2, 2, 1]);
  assert.deepEqual(reportPositions(1000), [128, 256, 512]);
});

test('the power-law fit recovers known α, β, γ from exact synthetic data', () => {
  for (const [alpha, beta, gamma] of [[12, -0.4, 2.5], [3, -0.15, 0.8], [40, -0.7, 1.2]]) {
    const x = reportPositions(2 ** 20);
    const y = x.map((t) => alpha * t ** beta + gamma);
    const fit = fitPowerLaw(x, y);
    assert.ok(Math.abs(fit.alpha - alpha) / alpha < 1e-4, `α ${fit.alpha} vs ${alpha}`);
    assert.ok(Math.abs(fit.beta - beta) < 1e-5, `β ${fit.beta} vs ${beta}`);
    assert.ok(Math.abs(fit.gamma - gamma) < 1e-4, `γ ${fit.gamma} vs ${gamma}`);
    assert.ok(fit.r2 > 1 - 1e-9);
  }
});

test('with noise, the fit is as good as an independent variable-projection fit and R² is in linear space', () => {
  const x = reportPositions(2 ** 20);
  const noise = [0.01, -0.02, 0.015, 0, -0.01, 0.02, -0.015, 0.005, 0.01, -0.005, 0, 0.01, -0.01, 0.005];
  const y = x.map((t, i) => 8 * t ** -0.3 + 2 + noise[i]);
  const fit = fitPowerLaw(x, y);
  const ref = fitPowerLawByProjection(x, y);
  assert.ok(fit.sse <= ref.sse * (1 + 1e-6), `LM SSE ${fit.sse} vs projection ${ref.sse}`);
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const sst = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  assert.ok(Math.abs(fit.r2 - (1 - fit.sse / sst)) < 1e-12);
  assert.ok(fit.beta < 0 && fit.gamma >= 0 && fit.gamma < Math.min(...y));
});
