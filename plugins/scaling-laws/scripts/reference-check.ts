/**
 * Fits M1–M4 (notebook settings) to all 92 released curves in one process and prints, per
 * domain, mean RMSE, win fractions and fit time; with `--golden FILE` (JSON written by a run of
 * the reference Python code) also the per-curve relative RMSE differences.
 *
 *   node --import tsx plugins/scaling-laws/scripts/reference-check.ts [--golden FILE] [--domain LM] [--json OUT] [--workers N]
 *
 * With --workers N the curves are fitted by N worker threads (each curve independently).
 * Non-default variants: --m4-variant refresh|free|refresh,free (corrected M4 fits, see
 * estimators.ts) and --predict bisection (exact M4 root instead of the 10,000-point grid).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { join } from 'node:path';
import { HARNESS_ROOT } from '../../../harness/plan/registry.ts';
import { loadBenchmarkCurves, DOMAINS, type Curve, type Domain } from '../curves.ts';
import { ESTIMATORS, fitEstimator, m4OptionsForDomain, predictLoss, predictLossBisection, type EstimatorName, type ScalingFit } from '../estimators.ts';
import { extrapolationError, winFractions } from '../metrics.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dataDir = join(process.env.HARNESS_DATA_DIR ?? join(HARNESS_ROOT, 'data'), 'scaling-laws');
const goldenFile = opt('--golden');
const onlyDomain = opt('--domain');
const m4Variant = (opt('--m4-variant') ?? '').split(',');
type GoldenEntry = { rmse: number; rmse_dedup: number; se_dedup: number; beta: number; c: number; err_inf: number; err_0: number; alpha: number; gamma: number; iterations: number; seconds: number };
const golden: Record<string, Record<EstimatorName, GoldenEntry>> | undefined = goldenFile ? JSON.parse(readFileSync(goldenFile, 'utf8')) : undefined;

type Row = Record<EstimatorName, { rmse: number; se: number; ms: number; fit: ScalingFit }>;

function runCurve(curve: Curve): Row {
  const row = {} as Row;
  for (const m of ESTIMATORS) {
    const s = performance.now();
    const fit = fitEstimator(m, curve.fitX, curve.fitY, {
      m4: { ...m4OptionsForDomain(curve.domain), refreshErr0Column: m4Variant.includes('refresh'), freeLogBeta: m4Variant.includes('free') },
    });
    const pred = opt('--predict') === 'bisection' ? predictLossBisection(fit, curve.testX) : predictLoss(fit, curve.testX);
    const ms = performance.now() - s;
    const { rmse, se } = extrapolationError(pred, curve.testY);
    row[m] = { rmse, se, ms, fit };
  }
  return row;
}

if (!isMainThread) {
  const all = loadBenchmarkCurves(dataDir);
  parentPort!.on('message', (id: string | null) => {
    if (id === null) process.exit(0);
    parentPort!.postMessage({ id, row: runCurve(all.find((c) => c.id === id)!) });
  });
  parentPort!.postMessage({ id: null, row: null });
} else {
  await main();
}

async function main(): Promise<void> {
const t0 = performance.now();
const curves = loadBenchmarkCurves(dataDir).filter((c) => !onlyDomain || onlyDomain.split(',').includes(c.domain));
const results: Record<string, Row> = {};
const workers = Number(opt('--workers') ?? 1);
if (workers <= 1) {
  for (const curve of curves) results[curve.id] = runCurve(curve);
} else {
  // slowest first (LM, then IC by number of fit points)
  const queue = [...curves].sort((a, b) => (b.domain === 'LM' ? 1e9 : b.fitX.length) - (a.domain === 'LM' ? 1e9 : a.fitX.length)).map((c) => c.id);
  await Promise.all(
    Array.from({ length: workers }, () =>
      new Promise<void>((resolve, reject) => {
        // bootstrap: register tsx's loader inside the worker, then load this module
        const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
        const w = new Worker(boot, { eval: true, argv: args });
        w.on('message', (msg: { id: string | null; row: Row | null }) => {
          if (msg.id !== null) results[msg.id] = msg.row!;
          const next = queue.shift();
          w.postMessage(next ?? null);
          if (next === undefined) resolve();
        });
        w.on('error', reject);
      }),
    ),
  );
}
const total = performance.now() - t0;
const fitMs: Record<string, Record<EstimatorName, number>> = {};
for (const curve of curves) for (const m of ESTIMATORS) (fitMs[curve.domain] ??= { M1: 0, M2: 0, M3: 0, M4: 0 })[m] += results[curve.id][m].ms;

const f = (v: number, d = 4): string => (Number.isNaN(v) ? 'NaN' : v.toFixed(d));
for (const d of DOMAINS as readonly Domain[]) {
  const ids = curves.filter((c) => c.domain === d).map((c) => c.id);
  if (ids.length === 0) continue;
  const table: Record<string, Record<string, number>> = {};
  for (const id of ids) table[id] = Object.fromEntries(ESTIMATORS.map((m) => [m, results[id][m].rmse]));
  const wf = winFractions(table);
  const mean = ESTIMATORS.map((m) => ids.reduce((s, id) => s + results[id][m].rmse, 0) / ids.length);
  console.log(`${d} (${ids.length} curves)  win ${ESTIMATORS.map((m) => f(wf[m], 3)).join(' / ')}  mean RMSE ${mean.map((v) => f(v, 4)).join(' / ')}  fit ms ${ESTIMATORS.map((m) => fitMs[d][m].toFixed(0)).join(' / ')}`);
  if (golden) {
    const gt: Record<string, Record<string, number>> = {};
    for (const id of ids) if (golden[id]) gt[id] = Object.fromEntries(ESTIMATORS.map((m) => [m, golden[id][m].rmse]));
    const gw = winFractions(gt);
    const gmean = ESTIMATORS.map((m) => Object.keys(gt).reduce((s, id) => s + gt[id][m], 0) / Object.keys(gt).length);
    console.log(`   reference (${Object.keys(gt).length})  win ${ESTIMATORS.map((m) => f(gw[m], 3)).join(' / ')}  mean RMSE ${gmean.map((v) => f(v, 4)).join(' / ')}`);
    for (const m of ESTIMATORS) {
      let worst = 0;
      let worstId = '';
      let nBad = 0;
      for (const id of ids) {
        const g = golden[id]?.[m];
        if (!g) continue;
        const ours = results[id][m].rmse;
        const rel = Math.abs(ours - g.rmse) / Math.max(Math.abs(g.rmse), 1e-300);
        const ok = rel <= (m === 'M4' ? 0.05 : 0.01) || Math.abs(ours - g.rmse) <= 1e-4;
        if (!ok) nBad++;
        if (rel > worst) {
          worst = rel;
          worstId = id;
        }
      }
      console.log(`   ${m}: worst rel diff ${worst.toExponential(2)} (${worstId}) outside tolerance: ${nBad}`);
    }
  }
}
console.log(`total ${(total / 1000).toFixed(2)} s for ${curves.length} curves x 4 estimators`);
const jsonOut = opt('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
}
