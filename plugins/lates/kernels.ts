// Kernels, each checked against an independent reference before it is timed.
import type { Kernel, Rng } from '../../harness/api/index.ts';
import { auroc, expectedCalibrationError, ECE_BINS } from './calibration-metrics.ts';
import { fitLates, fitLatesReference, fitTemperature, fitTemperatureGolden, meanNll, type LayerLogits } from './fit.ts';

/** Reference ECE: sort the confidences once and sweep the 15 right-inclusive bins in order. */
export function eceBySortedSweep(conf: ArrayLike<number>, correct: ArrayLike<number>, bins = ECE_BINS): number {
  const order = Array.from({ length: conf.length }, (_, i) => i).sort((a, b) => conf[a] - conf[b]);
  let k = 0;
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const hi = (b + 1) / bins;
    let count = 0;
    let gap = 0;
    while (k < order.length && (conf[order[k]] <= hi || b === bins - 1)) {
      gap += correct[order[k]] - conf[order[k]];
      count++;
      k++;
    }
    if (count > 0) total += Math.abs(gap);
  }
  return (100 * total) / conf.length;
}

/** Reference AUROC: every (positive, negative) pair, ties counted ½. O(n²). */
export function aurocPairs(score: ArrayLike<number>, positive: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < score.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < score.length; j++) {
      if (positive[j]) continue;
      pairs++;
      wins += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Synthetic per-layer logits: a shared class signal whose strength grows with depth (none in the first layer), the last
 * layer overconfident (scaled ×3), so that TS wants T > 1 and earlier layers carry some extra signal. */
export function syntheticLayers(rng: Rng, size: { n: number; classes: number; layers: number }): LayerLogits {
  const { n, classes: C, layers: L } = size;
  const labels = new Uint8Array(n);
  const shared = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(C);
    for (let c = 0; c < C; c++) shared[i * C + c] = (c === labels[i] ? 1.2 : 0) + 0.8 * rng.normal();
  }
  const layers = Array.from({ length: L }, (_, l) => {
    const z = new Float64Array(n * C);
    const strength = L === 1 ? 1 : l / (L - 1); // layer 1 is pure noise: its weight may hit the bound w ≥ 0
    const scale = l === L - 1 ? 3 : 1;
    for (let k = 0; k < n * C; k++) z[k] = scale * (strength * shared[k] + 0.7 * rng.normal());
    return z;
  });
  return { layers, labels, classes: C };
}

const relClose = (tol: number) => (a: number, b: number) => (Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)) ? null : `${a} vs ${b} (relative tolerance ${tol})`);

// ---- ECE
interface EceInput { conf: Float64Array; correct: Uint8Array }
const ece: Kernel<EceInput, number> = {
  sizes: [{ n: 1500 }, { n: 10000 }],
  setup(size, rng) {
    // some confidences exactly on bin edges, where the right-inclusive convention matters
    const conf = Float64Array.from({ length: size.n }, (_, i) => (i % 37 === 0 ? (1 + rng.int(15)) / 15 : 0.1 + 0.9 * rng.next()));
    return { conf, correct: Uint8Array.from(conf, (c) => (rng.next() < c * c ? 1 : 0)) };
  },
  run: ({ conf, correct }) => expectedCalibrationError(conf, correct),
  reference: ({ conf, correct }) => eceBySortedSweep(conf, correct),
  check: relClose(1e-10),
  items: (size) => size.n,
};

// ---- AUROC
interface AurocInput { score: Float64Array; positive: Uint8Array }
const aurocKernel: Kernel<AurocInput, number> = {
  sizes: [{ n: 1500 }, { n: 3000 }],
  setup(size, rng) {
    // confidences rounded to 3 decimals: many ties, as with saturated softmax outputs
    const score = Float64Array.from({ length: size.n }, () => Math.round(1000 * (0.5 + 0.5 * rng.next() ** 0.3)) / 1000);
    return { score, positive: Uint8Array.from(score, (s) => (rng.next() < s ? 1 : 0)) };
  },
  run: ({ score, positive }) => auroc(score, positive)!,
  reference: ({ score, positive }) => aurocPairs(score, positive),
  check: relClose(1e-12),
  items: (size) => size.n,
};

// ---- TS fit
interface TsInput { z: Float64Array; y: Uint8Array; classes: number }
const tsFit: Kernel<TsInput, number> = {
  sizes: [{ n: 1500, classes: 10 }, { n: 10000, classes: 10 }],
  setup(size, rng) {
    const data = syntheticLayers(rng, { n: size.n, classes: size.classes, layers: 1 });
    return { z: data.layers[0] as Float64Array, y: data.labels as Uint8Array, classes: size.classes };
  },
  run({ z, y, classes }) {
    const fit = fitTemperature(z, y, classes);
    if (!fit.converged) throw new Error(`TS Newton stopped with |grad| = ${fit.gradNorm}`);
    return fit.temperature;
  },
  reference: ({ z, y, classes }) => fitTemperatureGolden(z, y, classes),
  check: relClose(1e-6),
};

// ---- LATES fit
interface LatesInput { data: LayerLogits; init: number[] }
const latesFit: Kernel<LatesInput, number> = {
  sizes: [{ n: 1500, classes: 10, layers: 5 }],
  setup(size, rng) {
    const data = syntheticLayers(rng, { n: size.n, classes: size.classes, layers: size.layers });
    const T = fitTemperature(data.layers[size.layers - 1], data.labels, size.classes).temperature;
    return { data, init: Array.from({ length: size.layers }, (_, l) => (l === size.layers - 1 ? 1 / T : 0)) };
  },
  run({ data, init }) {
    const fit = fitLates(data, { nonneg: true, init });
    if (!fit.converged) throw new Error(`LATES Newton stopped with projected |grad| = ${fit.gradNorm}`);
    return fit.nll;
  },
  // BFGS without second derivatives (over supports for w ≥ 0), compared on the objective
  reference: ({ data, init }) => meanNll(data, fitLatesReference(data, { nonneg: true, init })),
  check: relClose(1e-9),
};

export const kernels = { ece, auroc: aurocKernel, 'ts-fit': tsFit, 'lates-fit': latesFit };
