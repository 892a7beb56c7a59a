// Methods: each turns a cell's per-layer logits into probabilities on the calibration, test and shifted
// splits. All fits use the calibration split only.
import type { Method } from '../../harness/api/index.ts';
import { softmaxRows } from './calibration-metrics.ts';
import { applyTemperature, combineLayers, fitLates, fitLatesMc, fitTemperature, type LayerLogits, type LatesFit } from './fit.ts';
import type { CalibratedOutput, CalibrationCell } from './tasks.ts';

const TASKS = ['calibration', 'calibration-mc'];

const lastLayer = (d: LayerLogits) => Float64Array.from(d.layers[d.layers.length - 1]);
const unit = (L: number, value: number) => Float64Array.from({ length: L }, (_, l) => (l === L - 1 ? value : 0));

/** Probabilities from a per-split logits transform. */
function outputOf(cell: CalibrationCell, toLogits: (d: LayerLogits) => Float64Array): CalibratedOutput['probs'] {
  const p = (d: LayerLogits) => softmaxRows(toLogits(d), cell.classes);
  return { calib: p(cell.calib), test: p(cell.test), shifted: cell.shifted && p(cell.shifted) };
}

/** Mean over MC-dropout passes of softmax of the transformed per-layer logits. */
function mcOutputOf(cell: CalibrationCell, toLogits: (layers: Float32Array[]) => ArrayLike<number>): CalibratedOutput['probs'] {
  if (!cell.mc) throw new Error('MC dropout needs the calibration-mc task (a network with dropout)');
  const average = (passes: Float32Array[][]) => {
    const mean = new Float64Array(passes[0][0].length);
    for (const layers of passes) {
      const p = softmaxRows(toLogits(layers), cell.classes);
      for (let k = 0; k < mean.length; k++) mean[k] += p[k] / passes.length;
    }
    return mean;
  };
  return { calib: average(cell.mc.calib), test: average(cell.mc.test), shifted: cell.mc.shifted && average(cell.mc.shifted) };
}

function fitLatesOnCell(cell: CalibrationCell, nonneg: boolean): { fit: LatesFit; ms: number } {
  const t0 = performance.now();
  const ts = fitTemperature(lastLayer(cell.calib), cell.calib.labels, cell.classes);
  // start at the TS solution e_L/T, so the fit can only lower the calibration NLL
  const fit = fitLates(cell.calib, { nonneg, init: unit(cell.layerCount, 1 / ts.temperature) });
  return { fit, ms: performance.now() - t0 };
}

const uncalibrated: Method<CalibrationCell, CalibratedOutput> = {
  task: TASKS,
  run: (_ctx, cell) => ({ probs: outputOf(cell, lastLayer), weights: unit(cell.layerCount, 1), temperature: null, fit: null }),
};

const temperatureScaling: Method<CalibrationCell, CalibratedOutput> = {
  task: TASKS,
  run(_ctx, cell) {
    const t0 = performance.now();
    const ts = fitTemperature(lastLayer(cell.calib), cell.calib.labels, cell.classes);
    const ms = performance.now() - t0;
    return {
      probs: outputOf(cell, (d) => applyTemperature(lastLayer(d), ts.temperature)),
      weights: unit(cell.layerCount, 1 / ts.temperature),
      temperature: ts.temperature,
      fit: { ms, iterations: ts.iterations, gradNorm: ts.gradNorm, converged: ts.converged },
    };
  },
};

function lates(nonneg: boolean): Method<CalibrationCell, CalibratedOutput> {
  return {
    task: TASKS,
    run(_ctx, cell) {
      const { fit, ms } = fitLatesOnCell(cell, nonneg);
      return {
        probs: outputOf(cell, (d) => combineLayers(d.layers, fit.w)),
        weights: fit.w,
        temperature: null,
        fit: { ms, iterations: fit.iterations, gradNorm: fit.gradNorm, converged: fit.converged },
      };
    },
  };
}

const mcDropout: Method<CalibrationCell, CalibratedOutput> = {
  task: 'calibration-mc',
  run: (_ctx, cell) => ({ probs: mcOutputOf(cell, (layers) => layers[layers.length - 1]), weights: unit(cell.layerCount, 1), temperature: null, fit: null }),
};

const latesMcDropout: Method<CalibrationCell, CalibratedOutput> = {
  task: 'calibration-mc',
  run(_ctx, cell) {
    if (!cell.mc) throw new Error('LATES + MC dropout needs the calibration-mc task (a network with dropout)');
    // The predictor averages softmax(Σ_ℓ w_ℓ z^t_ℓ) over the MC passes t, so w minimizes the calibration
    // NLL of that average over the calibration split's passes (spec, Method: LATES + MC dropout).
    // Not convex: it descends from the deterministic LATES fit (itself started at TS).
    const t0 = performance.now();
    const start = fitLatesOnCell(cell, true).fit;
    const passes = cell.mc.calib.map((layers) => ({ layers, labels: cell.calib.labels, classes: cell.classes }));
    const fit = fitLatesMc(passes, { nonneg: true, init: start.w });
    const ms = performance.now() - t0;
    return {
      probs: mcOutputOf(cell, (layers) => combineLayers(layers, fit.w)),
      weights: fit.w,
      temperature: null,
      fit: { ms, iterations: fit.iterations, gradNorm: fit.gradNorm, converged: fit.converged },
    };
  },
};

export const methods = {
  uncalibrated,
  'temperature-scaling': temperatureScaling,
  lates: lates(true),
  'lates-free': lates(false),
  'mc-dropout': mcDropout,
  'lates-mc-dropout': latesMcDropout,
};
