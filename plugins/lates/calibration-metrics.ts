// Calibration and selective-prediction metrics on N × C probability matrices, in Float64.
// Conventions (spec "Metric definitions"): ECE with 15 equal-width bins (b/15, (b+1)/15], right-inclusive
// as in gpleiss `_ECELoss`, reported ×100; NLL = mean −ln p_{i,y_i}; AUROC by Mann–Whitney with ties = ½.

/** Numerically safe log of a probability (an exact 0 would give −∞ and an infinite mean). */
const LOG_FLOOR = 1e-300;

/** Row-wise softmax of N × C logits into a new Float64Array. */
export function softmaxRows(logits: ArrayLike<number>, classes: number): Float64Array {
  const n = logits.length / classes;
  const out = new Float64Array(logits.length);
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[o + c] = Math.exp(logits[o + c] - max);
    for (let c = 0; c < classes; c++) out[o + c] /= sum;
  }
  return out;
}

/** log Σ_c exp(row_c) for one row starting at `offset`. */
export function logSumExp(row: ArrayLike<number>, offset: number, classes: number): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, row[offset + c]);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(row[offset + c] - max);
  return max + Math.log(sum);
}

/** Per-example confidence (max probability), prediction (argmax, lowest index on ties) and correctness. */
export interface Predictions {
  conf: Float64Array;
  pred: Int32Array;
  correct: Uint8Array;
}

export function predictions(probs: Float64Array, labels: ArrayLike<number>, classes: number): Predictions {
  const n = labels.length;
  checkShape(probs, n, classes);
  const conf = new Float64Array(n);
  const pred = new Int32Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    pred[i] = best;
    conf[i] = probs[i * classes + best];
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return { conf, pred, correct };
}

export function accuracy(p: Predictions): number {
  let k = 0;
  for (const c of p.correct) k += c;
  return k / p.correct.length;
}

export function negativeLogLikelihood(probs: Float64Array, labels: ArrayLike<number>, classes: number): number {
  checkShape(probs, labels.length, classes);
  let s = 0;
  for (let i = 0; i < labels.length; i++) s -= Math.log(Math.max(LOG_FLOOR, probs[i * classes + labels[i]]));
  return s / labels.length;
}

/** Mean over examples of Σ_c (p_ic − 1[c = y_i])² (range [0, 2]). */
export function brierScore(probs: Float64Array, labels: ArrayLike<number>, classes: number): number {
  checkShape(probs, labels.length, classes);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let c = 0; c < classes; c++) s += (probs[i * classes + c] - (c === labels[i] ? 1 : 0)) ** 2;
  }
  return s / labels.length;
}

export const ECE_BINS = 15;

/** Bin of a confidence in (0, 1]: b with b/B < conf ≤ (b+1)/B. Confidence 0 cannot occur for a max
 * probability over ≥ 1 class, but is put in bin 0 rather than dropped. */
export function eceBin(conf: number, bins = ECE_BINS): number {
  // the edges are compared as the doubles b/B, so a confidence equal to an edge's double lands in
  // the bin below it whatever rounding conf·B would have done
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
  while (b > 0 && conf <= b / bins) b--;
  while (b < bins - 1 && conf > (b + 1) / bins) b++;
  return b;
}

/** Expected calibration error ×100: Σ_b (|B_b|/N)·|acc(B_b) − conf(B_b)| over 15 right-inclusive bins. */
export function expectedCalibrationError(conf: ArrayLike<number>, correct: ArrayLike<number>, bins = ECE_BINS): number {
  const n = conf.length;
  if (n === 0) throw new RangeError('expectedCalibrationError: no examples');
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = eceBin(conf[i], bins);
    count[b]++;
    confSum[b] += conf[i];
    hits[b] += correct[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(hits[b] - confSum[b]) / n;
  return 100 * ece;
}

/** Per-bin statistics for a reliability diagram (empty bins included with count 0). */
export function reliabilityBins(conf: ArrayLike<number>, correct: ArrayLike<number>, bins = ECE_BINS): { lo: number; hi: number; count: number; acc: number; conf: number }[] {
  const out = Array.from({ length: bins }, (_, b) => ({ lo: b / bins, hi: (b + 1) / bins, count: 0, acc: 0, conf: 0 }));
  for (let i = 0; i < conf.length; i++) {
    const r = out[eceBin(conf[i], bins)];
    r.count++;
    r.acc += correct[i];
    r.conf += conf[i];
  }
  for (const r of out) if (r.count > 0) { r.acc /= r.count; r.conf /= r.count; }
  return out;
}

/** AUROC of `score` for separating positives from negatives: P(s⁺ > s⁻) + ½ P(s⁺ = s⁻), by ranks
 * (Mann–Whitney U with mid-ranks for ties), O(N log N). Returns null when either class is empty. */
export function auroc(score: ArrayLike<number>, positive: ArrayLike<number>): number | null {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const midRank = (i + j + 2) / 2; // ranks are 1-based
    for (let k = i; k <= j; k++) if (positive[order[k]]) { rankSumPos += midRank; nPos++; }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** AUROC of the confidence for telling correct (positive) from wrong predictions. */
export function misclassificationAuroc(p: Predictions): number | null {
  return auroc(p.conf, p.correct);
}

/** AUROC of (1 − max-prob) for telling shifted (positive) from clean test inputs. */
export function shiftDetectionAuroc(cleanConf: ArrayLike<number>, shiftedConf: ArrayLike<number>): number | null {
  const score = new Float64Array(cleanConf.length + shiftedConf.length);
  const positive = new Uint8Array(score.length);
  for (let i = 0; i < cleanConf.length; i++) score[i] = -cleanConf[i];
  for (let i = 0; i < shiftedConf.length; i++) {
    score[cleanConf.length + i] = -shiftedConf[i];
    positive[cleanConf.length + i] = 1;
  }
  return auroc(score, positive);
}

function checkShape(probs: ArrayLike<number>, n: number, classes: number) {
  if (probs.length !== n * classes) throw new RangeError(`expected ${n} × ${classes} probabilities, got ${probs.length} values`);
}
