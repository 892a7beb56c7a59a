// Metrics, fits and paired tests of the lates plugin, against hand calculations, brute force and scipy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, type Rng } from '../../../harness/api/index.ts';
import { auroc, eceBin, expectedCalibrationError, negativeLogLikelihood, shiftDetectionAuroc, softmaxRows } from '../calibration-metrics.ts';
import { applyTemperature, combineLayers, fitLates, fitLatesMc, fitLatesReference, fitTemperature, fitTemperatureGolden, mcNllDerivatives, meanNll, nllDerivatives, type LayerLogits } from '../fit.ts';
import { binomialCdfHalf, signTest, wilcoxonSignedRank } from '../paired-tests.ts';
import { aurocPairs, eceBySortedSweep, syntheticLayers } from '../kernels.ts';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

test('ECE uses 15 right-inclusive bins: a confidence equal to an edge counts in the bin below it', () => {
  assert.equal(eceBin(2 / 15), 1);
  assert.equal(eceBin(0.6), 8); // 0.6 is the double 9/15
  assert.equal(eceBin(0.61), 9);
  assert.equal(eceBin(1), 14);
  // by hand: bins {2/15 ✓}, {0.14 ✗}, {0.5 ✓, 0.5 ✗}, {0.6 ✗}, {0.61 ✓}, {0.9 ✓}
  // Σ |acc − conf| per bin = 13/15 + 0.14 + 0 + 0.6 + 0.39 + 0.1, over N = 7, ×100
  // (left-inclusive bins would pool 2/15 with 0.14 and 0.6 with 0.61 and give 100·(0.726667 + 0.21 + 0.1)/7)
  const conf = [2 / 15, 0.14, 0.5, 0.5, 0.6, 0.61, 0.9];
  const correct = [1, 0, 1, 0, 0, 1, 1];
  close(expectedCalibrationError(conf, correct), (100 * (13 / 15 + 0.14 + 0.6 + 0.39 + 0.1)) / 7, 1e-12, 'ECE');
  close(eceBySortedSweep(conf, correct), (100 * (13 / 15 + 0.14 + 0.6 + 0.39 + 0.1)) / 7, 1e-12, 'reference ECE');
});

test('ECE agrees with an independent sort-and-sweep binning on random confidences', () => {
  const rng = createRng(7);
  const conf = Float64Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? Math.ceil(rng.next() * 15) / 15 : 0.1 + 0.9 * rng.next()));
  const correct = Uint8Array.from(conf, (c) => (rng.next() < c ? 1 : 0));
  close(expectedCalibrationError(conf, correct), eceBySortedSweep(conf, correct), 1e-10);
});

test('AUROC with ties: hand example and O(n²) pair counting', () => {
  // pairs (pos, neg): 0.9>0.8, 0.9>0.3, 0.8=0.8 (½), 0.8>0.3 → 3.5 / 4
  assert.equal(auroc([0.9, 0.8, 0.8, 0.3], [1, 1, 0, 0]), 0.875);
  assert.equal(auroc([0.5, 0.5], [1, 1]), null);
  const rng = createRng(3);
  const score = Float64Array.from({ length: 600 }, () => rng.int(7));
  const positive = Uint8Array.from(score, (s) => (rng.next() < 0.2 + 0.1 * s ? 1 : 0));
  close(auroc(score, positive)!, aurocPairs(score, positive), 1e-12);
  // shift detection: shifted inputs less confident → AUROC 1
  assert.equal(shiftDetectionAuroc([0.99, 0.98], [0.6, 0.7, 0.5]), 1);
});

/** Overconfident synthetic logits: the truth plus noise, scaled up. */
function overconfident(rng: Rng, n: number, C: number, scale: number): { z: Float64Array; y: Uint8Array } {
  const z = new Float64Array(n * C);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(C);
    for (let c = 0; c < C; c++) z[i * C + c] = scale * ((c === y[i] ? 1.5 : 0) + rng.normal());
  }
  return { z, y };
}

test('TS: Newton on log T reaches |dF/dlog T| < 1e-8 and the golden-section optimum', () => {
  const { z, y } = overconfident(createRng(11), 1500, 10, 4);
  const fit = fitTemperature(z, y, 10);
  assert.ok(fit.converged && fit.gradNorm < 1e-8, `grad ${fit.gradNorm}`);
  assert.ok(fit.iterations < 30);
  const golden = fitTemperatureGolden(z, y, 10);
  close(fit.temperature, golden, 1e-6 * golden, 'T');
  assert.ok(fit.temperature > 2, 'overconfident logits need T > 1');
  // the NLL at T is below the NLL at nearby temperatures
  const F = (T: number) => negativeLogLikelihood(softmaxRows(applyTemperature(z, T), 10), y, 10);
  assert.ok(F(fit.temperature) <= F(fit.temperature * 1.01) && F(fit.temperature) <= F(fit.temperature * 0.99));
});

test('TS never changes the argmax (accuracy is invariant)', () => {
  const { z, y } = overconfident(createRng(12), 500, 10, 3);
  const T = fitTemperature(z, y, 10).temperature;
  const argmax = (p: Float64Array) => Array.from({ length: 500 }, (_, i) => { let b = 0; for (let c = 1; c < 10; c++) if (p[i * 10 + c] > p[i * 10 + b]) b = c; return b; });
  assert.deepEqual(argmax(softmaxRows(applyTemperature(z, T), 10)), argmax(softmaxRows(z, 10)));
});

test('LATES restricted to w = e_L/T reproduces TS outputs exactly', () => {
  const data = syntheticLayers(createRng(5), { n: 800, classes: 10, layers: 4 });
  const zL = data.layers[3];
  const T = fitTemperature(zL, data.labels, 10).temperature;
  const viaLates = softmaxRows(combineLayers(data.layers, [0, 0, 0, 1 / T]), 10);
  const viaTs = softmaxRows(applyTemperature(zL, T), 10);
  assert.deepEqual(viaLates, viaTs);
});

test('the Hessian of the fit is the derivative of its gradient (finite differences)', () => {
  const data = syntheticLayers(createRng(8), { n: 300, classes: 5, layers: 3 });
  const w = [0.3, 0.1, 0.7];
  const { g, H } = nllDerivatives(data, w);
  const h = 1e-5;
  for (let a = 0; a < 3; a++) {
    const up = [...w]; up[a] += h;
    const dn = [...w]; dn[a] -= h;
    close(g[a], (meanNll(data, up) - meanNll(data, dn)) / (2 * h), 1e-7, `g${a}`);
    const gu = nllDerivatives(data, up).g;
    const gd = nllDerivatives(data, dn).g;
    for (let b = 0; b < 3; b++) close(H[b * 3 + a], (gu[b] - gd[b]) / (2 * h), 1e-6, `H${b}${a}`);
  }
});

test('LATES: calibration NLL ≤ TS NLL, gradient norm < 1e-8, and the optimum of a BFGS reference (no Hessian)', () => {
  for (const seed of [1, 2]) {
    const data: LayerLogits = syntheticLayers(createRng(seed), { n: 1500, classes: 10, layers: 5 });
    const ts = fitTemperature(data.layers[4], data.labels, 10);
    const init = [0, 0, 0, 0, 1 / ts.temperature];
    for (const nonneg of [true, false]) {
      const fit = fitLates(data, { nonneg, init });
      assert.ok(fit.converged, `seed ${seed} nonneg ${nonneg}: grad ${fit.gradNorm}`);
      assert.ok(fit.nll <= ts.nll + 1e-12, `seed ${seed}: LATES ${fit.nll} > TS ${ts.nll}`);
      if (nonneg) assert.ok(fit.w.every((x) => x >= 0));
      const ref = fitLatesReference(data, { nonneg, init });
      close(fit.nll, meanNll(data, ref), 1e-9, `seed ${seed} nonneg ${nonneg} NLL vs BFGS reference`);
    }
  }
});

/** MC-dropout-like passes: one shared set of layer logits, each pass perturbed by its own noise. */
function mcPasses(rng: Rng, passes: number, size: { n: number; classes: number; layers: number }): LayerLogits[] {
  const base = syntheticLayers(rng, size);
  return Array.from({ length: passes }, () => ({
    ...base,
    layers: base.layers.map((z) => Float64Array.from(z, (v) => v + 0.8 * rng.normal())),
  }));
}

/** −mean_i ln mean_t softmax(Σ_ℓ w_ℓ Z^t_ℓ)_{i,y_i}, written from the definition (average the probabilities, then the log). */
function mcNllPlain(passes: LayerLogits[], w: number[]): number {
  const { labels, classes: C } = passes[0];
  const mean = new Float64Array(labels.length * C);
  for (const pass of passes) {
    const p = softmaxRows(combineLayers(pass.layers, w), C);
    for (let k = 0; k < mean.length; k++) mean[k] += p[k] / passes.length;
  }
  return negativeLogLikelihood(mean, labels, C);
}

test('MC objective: one pass gives the deterministic F; value, gradient and Hessian match the definition (finite differences)', () => {
  const [one] = mcPasses(createRng(21), 1, { n: 200, classes: 5, layers: 3 });
  const w = [0.2, 0.4, 0.6];
  const det = nllDerivatives(one, w);
  const mc1 = mcNllDerivatives([one], w);
  close(mc1.f, det.f, 1e-12, 'f');
  for (let k = 0; k < 3; k++) close(mc1.g[k], det.g[k], 1e-12, `g${k}`);
  for (let k = 0; k < 9; k++) close(mc1.H[k], det.H[k], 1e-12, `H${k}`);

  const passes = mcPasses(createRng(22), 6, { n: 300, classes: 5, layers: 3 });
  const { f, g, H } = mcNllDerivatives(passes, w);
  close(f, mcNllPlain(passes, w), 1e-12, 'f vs definition');
  const h = 1e-5;
  for (let a = 0; a < 3; a++) {
    const up = [...w]; up[a] += h;
    const dn = [...w]; dn[a] -= h;
    close(g[a], (mcNllPlain(passes, up) - mcNllPlain(passes, dn)) / (2 * h), 1e-7, `g${a}`);
    const gu = mcNllDerivatives(passes, up).g;
    const gd = mcNllDerivatives(passes, dn).g;
    for (let b = 0; b < 3; b++) close(H[b * 3 + a], (gu[b] - gd[b]) / (2 * h), 1e-6, `H${b}${a}`);
  }
});

test('LATES for MC dropout: a stationary point of the MC-averaged calibration NLL, at or below the deterministic fit applied to the passes', () => {
  const passes = mcPasses(createRng(23), 8, { n: 1000, classes: 10, layers: 4 });
  // the deterministic fit on the mean logits over passes, as a start and a comparison
  const meanLogits: LayerLogits = { ...passes[0], layers: passes[0].layers.map((_, l) => Float64Array.from(passes[0].layers[l], (_v, k) => passes.reduce((s, p) => s + p.layers[l][k], 0) / passes.length)) };
  const ts = fitTemperature(meanLogits.layers[3], meanLogits.labels, 10);
  const det = fitLates(meanLogits, { nonneg: true, init: [0, 0, 0, 1 / ts.temperature] });
  const fit = fitLatesMc(passes, { nonneg: true, init: det.w });
  assert.ok(fit.converged, `grad ${fit.gradNorm}`);
  assert.ok(fit.w.every((x) => x >= 0));
  close(fit.nll, mcNllPlain(passes, Array.from(fit.w)), 1e-12, 'reported NLL');
  assert.ok(fit.nll <= mcNllPlain(passes, Array.from(det.w)) + 1e-12);
  // KKT by finite differences of the definition: zero slope on free coordinates, none downhill into w ≥ 0
  const h = 1e-6;
  for (let l = 0; l < 4; l++) {
    const up = Array.from(fit.w); up[l] += h;
    const dn = Array.from(fit.w); dn[l] = Math.max(0, dn[l] - h);
    const slope = (mcNllPlain(passes, up) - mcNllPlain(passes, dn)) / (up[l] - dn[l]);
    if (fit.w[l] > 1e-6) close(slope, 0, 1e-6, `slope ${l}`);
    else assert.ok(slope >= -1e-6, `layer ${l} at the bound with slope ${slope}`);
  }
});

test('sign test and Wilcoxon signed-rank match scipy 1.10', () => {
  // scipy.stats.binomtest(2, 12, 0.5).pvalue = 0.03857421875
  const s = signTest([...Array(10).fill(-1), 1, 2, 0]);
  assert.deepEqual([s.n, s.below, s.above, s.ties], [12, 10, 2, 1]);
  close(s.p, 0.03857421875, 1e-15);
  close(binomialCdfHalf(2, 12), 79 / 4096, 1e-15);
  // scipy.stats.wilcoxon(d, mode='exact') → statistic 8.0, p = 0.048828125
  const exact = wilcoxonSignedRank([0.5, -1.2, 2.0, 3.1, -0.3, 4.4, 1.7, 2.2, -0.9, 5.0]);
  assert.ok(exact.exact);
  close(exact.p, 0.048828125, 1e-15);
  // with ties in |d|: scipy.stats.wilcoxon(d, mode='approx', correction=True) → p = 0.017794941458206686
  const approx = wilcoxonSignedRank([1, 1, 2, -2, 3, 3, 3, -1, 4, 5, 2, 1]);
  assert.ok(!approx.exact);
  close(approx.p, 0.017794941458206686, 1e-6);
});
