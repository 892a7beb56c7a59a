// Kernels worth timing, each checked against an independent reference before it is timed.
import type { Kernel, KernelSize, Rng } from '../../harness/api/index.ts';
import { aggregate } from '../../harness/results/leaderboard.ts';
import type { ResultRow } from '../../harness/api/index.ts';
import { fitEstimator, predictLoss, predictLossGridScan, type EstimatorName, type ScalingFit } from './estimators.ts';
import { winFractions } from './metrics.ts';
import { nnls } from './nnls.ts';

// ---- fits: a correct fitter recovers a noise-free curve of its own family

interface SyntheticCurve {
  fitX: Float64Array;
  fitY: Float64Array;
  testX: Float64Array;
  testY: Float64Array;
}

/** Loss curves of each estimator's own form, with parameters drawn around typical fitted values. */
const families: Record<EstimatorName, (rng: Rng) => (x: number) => number> = {
  M1: (rng) => {
    const beta = 2 + rng.next();
    const c = -0.2 - 0.2 * rng.next();
    return (x) => beta * x ** c;
  },
  M2: (rng) => {
    const floor = 0.05 + 0.1 * rng.next();
    const beta = 4 + 2 * rng.next();
    const c = -0.25 - 0.1 * rng.next();
    return (x) => floor + beta * x ** c;
  },
  M3: (rng) => {
    const beta = 1.5 + rng.next();
    const gamma = 1e-7 * (1 + rng.next());
    const c = 0.2 + 0.1 * rng.next();
    return (x) => beta * (1 / x + gamma) ** c;
  },
  M4: (rng) => {
    const floor = 0.05 + 0.1 * rng.next();
    const beta = 20 + 20 * rng.next();
    const c = -0.3;
    const alpha = 0.5;
    // the M4 loss solves (e − ε∞) = βx^c (1 − e)^α with ε0 = 1; the left minus right side increases in e
    return (x) => {
      const f = beta * x ** c;
      let lo = floor;
      let hi = 1;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (mid - floor - f * (1 - mid) ** alpha > 0) hi = mid;
        else lo = mid;
      }
      return lo;
    };
  },
};

/** Largest relative error of the extrapolated points each estimator must reach on its own family. */
const FIT_TOLERANCE: Record<EstimatorName, number> = { M1: 1e-9, M2: 1e-6, M3: 5e-2, M4: 1e-3 };

function fitKernel(name: EstimatorName): Kernel<SyntheticCurve, Float64Array> {
  return {
    sizes: [{ points: 12 }, { points: 48 }],
    setup(size, rng) {
      const loss = families[name](rng);
      const n = size.points;
      const x = Float64Array.from({ length: n + n / 2 }, (_, i) => 1e6 * 2 ** ((8 * i) / n));
      const y = Float64Array.from(x, loss);
      return { fitX: x.slice(0, n), fitY: y.slice(0, n), testX: x.slice(n), testY: y.slice(n) };
    },
    run: (curve) => predictLoss(fitEstimator(name, curve.fitX, curve.fitY, { m4: { err0: 1, upBound: 1 } }), curve.testX),
    reference: (curve) => curve.testY,
    check(actual, expected) {
      const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v / expected[i] - 1)));
      return worst <= FIT_TOLERANCE[name] ? null : `extrapolated loss off by ${worst.toExponential(2)} (relative), tolerance ${FIT_TOLERANCE[name]}`;
    },
    items: () => 1,
  };
}

// ---- the M4 prediction: binary search over the grid must pick the grid point a full scan picks

const m4Predict: Kernel<{ fit: ScalingFit; x: Float64Array }, Float64Array> = {
  sizes: [{ points: 16 }, { points: 256 }],
  setup(size, rng) {
    const fit: ScalingFit = { estimator: 'M4', beta: 5 + 50 * rng.next(), c: -0.2 - 0.3 * rng.next(), epsInf: 0.05, eps0: 1, alpha: 0.2 + rng.next(), gamma: NaN, iterations: 0 };
    return { fit, x: Float64Array.from({ length: size.points }, (_, i) => 1e5 * 2 ** (i / 4)) };
  },
  run: ({ fit, x }) => predictLoss(fit, x),
  reference: ({ fit, x }) => predictLossGridScan(fit, x),
  check: (actual, expected) => (actual.every((v, i) => v === expected[i]) ? null : 'binary search and full scan chose different grid points'),
  items: (size) => size.points,
};

// ---- 3-variable NNLS: enumeration of active sets vs projected coordinate descent

interface LeastSquaresProblem {
  cols: Float64Array[];
  y: Float64Array;
}

function coordinateDescentNnls({ cols, y }: LeastSquaresProblem): Float64Array {
  const k = cols.length;
  const gram = cols.map((a) => cols.map((b) => a.reduce((s, v, i) => s + v * b[i], 0)));
  const rhs = cols.map((a) => a.reduce((s, v, i) => s + v * y[i], 0));
  const coef = new Float64Array(k);
  for (let sweep = 0; sweep < 200_000; sweep++) {
    let change = 0;
    for (let j = 0; j < k; j++) {
      let g = rhs[j];
      for (let l = 0; l < k; l++) if (l !== j) g -= gram[j][l] * coef[l];
      const next = Math.max(0, g / gram[j][j]);
      change = Math.max(change, Math.abs(next - coef[j]));
      coef[j] = next;
    }
    if (change < 1e-15) break;
  }
  return coef;
}

const nnls3: Kernel<LeastSquaresProblem, Float64Array> = {
  sizes: [{ rows: 12 }, { rows: 60 }],
  setup(size, rng) {
    const cols = Array.from({ length: 3 }, () => Float64Array.from({ length: size.rows }, () => rng.normal()));
    const truth = [1.5, -0.7, 0.4];
    const y = Float64Array.from({ length: size.rows }, (_, i) => cols.reduce((s, col, j) => s + truth[j] * col[i], 0) + 0.1 * rng.normal());
    return { cols, y };
  },
  run: (problem) => nnls(problem.cols, problem.y).coef,
  reference: coordinateDescentNnls,
  check(actual, expected) {
    const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i])));
    return worst <= 1e-8 ? null : `coefficients differ by ${worst.toExponential(2)}`;
  },
};

// ---- per-domain win fractions: the plugin's rule vs the core leaderboard's wins column

type RmseTable = Map<string, Map<string, number>>;

const winFractionKernel: Kernel<RmseTable, Record<string, number>> = {
  sizes: [{ curves: 92, estimators: 4 }],
  setup(size, rng) {
    const table: RmseTable = new Map();
    for (let c = 0; c < size.curves; c++) {
      const row = new Map<string, number>();
      for (let m = 0; m < size.estimators; m++) row.set(`m${m + 1}`, rng.next() < 0.05 ? NaN : 0.001 + 0.02 * rng.next());
      table.set(`curve-${c}`, row);
    }
    return table;
  },
  run: (table) => winFractions(table, { truncateDecimals: 3, nanAs: 1 }),
  reference(table) {
    const rows: ResultRow[] = [];
    for (const [curve, row] of table) {
      for (const [method, value] of row) {
        rows.push({
          schema_version: 1, suite: 'k', suite_version: 1, task: 'k/k', task_version: 1, method, plugin: 'k', plugin_version: '0.0.0',
          params: JSON.stringify({ curve }), seed: 0, metric: 'rmse', value: Number.isNaN(value) ? null : value, unit: '', goal: 'min',
          status: 'ok', reason: '', wall_ms: 0, backend: '', backend_version: '', harness_version: '', git_sha: '', git_dirty: '',
          node_version: '', cpu: '', os: '', started_at: '', unit_key: '0'.repeat(64),
        });
      }
    }
    const board = aggregate(rows, { suite: 'k', suiteVersion: 1, primary: 'rmse', goal: 'min', groupBy: [], truncateDecimals: 3, missingAs: 1 });
    return Object.fromEntries(board.cells.map((cell) => [cell.method, cell.wins]));
  },
  check(actual, expected) {
    const bad = Object.keys(expected).filter((m) => Math.abs((actual[m] ?? NaN) - expected[m]) > 1e-12);
    return bad.length ? `win fractions differ for ${bad.join(', ')}` : null;
  },
  items: (size: KernelSize) => size.curves,
};

export const kernels = {
  'fit-m1': fitKernel('M1'),
  'fit-m2': fitKernel('M2'),
  'fit-m3': fitKernel('M3'),
  'fit-m4': fitKernel('M4'),
  'm4-predict': m4Predict,
  nnls3,
  'win-fractions': winFractionKernel,
};
