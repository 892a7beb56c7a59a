// Cumulative NLL and the power-law fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulativeNll, fitPowerLaw, reportPositions } from '../nll.ts';
import { fitPowerLawByProjection } from '../kernels.ts';
import { createRng } from '../../../harness/api/index.ts';

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

test('the per-position NLL nll-in-T is the mean over positions T/2+1 … T, recovered from the cumulative curve', async () => {
  const { cumulativeNllTask } = await import('../tasks.ts');
  // Hand calculation: 128 tokens at 2 nats, then 128 at 1 nat, then 256 at 0.5 nat.
  const nll = new Float64Array(512);
  nll.fill(2, 0, 128);
  nll.fill(1, 128, 256);
  nll.fill(0.5, 256, 512);
  const curve = cumulativeNll([nll], [128, 256, 512]);
  const records = curve.positions.map((position, i) => ({ position, cumNll: curve.values[i] }));
  const metrics = cumulativeNllTask.scoreRecords!(records, {});
  assert.equal(metrics['cum-nll-at-256'], 1.5);
  assert.equal(metrics['nll-in-256'], 1);
  assert.equal(metrics['nll-in-512'], 0.5);
});

test('code-held-out documents come only from source files after the training split of the code corpus', async () => {
  const { heldOutSourceFiles, longDocument } = await import('../corpora.ts');
  const { loadCodeCorpus } = await import('../../../datasets/code-corpus.ts');
  const held = heldOutSourceFiles();
  assert.ok(held.length > 10);
  const heldBytes = held.reduce((n, f) => n + Buffer.byteLength(f), 0);
  const corpus = loadCodeCorpus();
  // The held-out files fit in the valid + test parts (the last 10 % of the bundle).
  assert.ok(heldBytes <= corpus.valid.length + corpus.test.length, `${heldBytes} > ${corpus.valid.length + corpus.test.length}`);
  // Each held-out file's text appears in the bundle after the training split's end.
  const tail = Buffer.from(corpus.test.buffer, corpus.train.length).toString('utf8');
  for (const f of held) assert.ok(tail.includes(f.slice(0, 200)), f.slice(0, 60));
  const doc = longDocument('code-held-out', createRng(3), 50_000);
  assert.ok(held.some((f) => doc.startsWith(f.slice(0, 200))));
});
