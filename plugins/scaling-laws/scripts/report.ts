// Prints the README's result tables from a run of the `scaling-laws` suite:
//   node --import tsx plugins/scaling-laws/scripts/report.ts results/runs/scaling-laws/<run>/rows.csv
// Paper values are from arXiv 2209.06640, Table 2 (NMT, LM) and Table 3 (BIG-Bench, ×1e-2).
import { readRows } from '../../../harness/results/csv.ts';
import type { ResultRow } from '../../../harness/api/index.ts';
import { winFractions } from '../metrics.ts';

const ESTIMATORS = ['m1', 'm2', 'm3', 'm4'];

const TABLE_2: Array<[string, string, number[]]> = [
  ['NMT/log_perplexity/6 Enc, 6 Dec', 'NMT 6E/6D', [2.6e-1, 3.9e-2, 8.9e-2, 1.0e-2]],
  ['NMT/log_perplexity/28 Enc, 6 Dec', 'NMT 28E/6D', [1.7e-1, 5.6e-2, 3.3e-2, 1.3e-2]],
  ['NMT/log_perplexity/6 Enc, 28 Dec', 'NMT 6E/28D', [2.3e-1, 5.3e-2, 1.6e-2, 3.0e-2]],
  ['NMT/log_perplexity/Dec-only', 'NMT Decoder-only', [2.5e-1, 3.9e-2, 8.9e-2, 1.0e-2]],
  ['NMT/log_perplexity/TEnc-LSTM', 'NMT TEnc/LSTM', [1.9e-1, 1.3e-2, 6.2e-2, 1.2e-2]],
  ['LM/val_loss/1.68e+07', 'LM 1.68e7', [1.5e-2, 6.0e-4, 2.5e-3, 3.1e-4]],
  ['LM/val_loss/1.34e+08', 'LM 1.34e8', [1.6e-2, 1.7e-3, 6.6e-4, 1.9e-3]],
  ['LM/val_loss/2.62e+08', 'LM 2.62e8', [2.3e-2, 1.9e-3, 5.2e-3, 1.8e-3]],
  ['LM/val_loss/4.53e+08', 'LM 4.53e8', [1.7e-2, 7.4e-4, 6.6e-4, 7.5e-4]],
  ['LM/val_loss/1.07e+09', 'LM 1.07e9', [1.7e-2, 1.7e-3, 4.5e-3, 1.3e-3]],
];

const TABLE_3: Array<[string, string, number[]]> = [
  ['ling', '1-shot', [1.6, 1.6, 1.6, 1.7]], ['ling', '2-shot', [1.7, 1.7, 1.7, 0.92]],
  ['qa', '1-shot', [0.42, 0.44, 0.42, 0.44]], ['qa', '2-shot', [0.44, 0.47, 0.44, 0.49]],
  ['unit', '1-shot', [0.83, 0.81, 0.15, 0.23]], ['unit', '2-shot', [1.1, 1.1, 0.75, 0.29]],
  ['mult', '1-shot', [1.1, 1.1, 1.1, 1.3]], ['mult', '2-shot', [1.6, 1.6, 1.6, 0.62]],
  ['date', '1-shot', [3.2, 3.2, 0.47, 1.5]], ['date', '2-shot', [2.9, 2.9, 0.48, 1.8]],
].map(([task, shot, values]) => [`BB/('${task}', '${shot}')/262M`, `${task} ${shot}`, (values as number[]).map((v) => v * 1e-2)]);

const fmt = (v: number | undefined) => (v === undefined ? '–' : Number.isNaN(v) ? 'NaN' : v.toExponential(1));

function rmseTable(rows: ResultRow[]) {
  const table = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.task !== 'scaling-laws/extrapolate' || r.metric !== 'extrapolation-rmse') continue;
    const method = r.method.replace('scaling-laws/', '');
    if (!ESTIMATORS.includes(method)) continue;
    const { curve } = JSON.parse(r.params) as { curve: string };
    if (!table.has(curve)) table.set(curve, new Map());
    table.get(curve)!.set(method, r.value ?? NaN);
  }
  return table;
}

const rows = await readRows(process.argv[2]);
const table = rmseTable(rows);
const out: string[] = [];
out.push('| domain | curves | win fraction M1 / M2 / M3 / M4 | mean RMSE M1 / M2 / M3 / M4 |', '|---|---|---|---|');
for (const domain of ['IC', 'NMT', 'LM', 'BB']) {
  const curves = new Map([...table].filter(([id]) => id.startsWith(`${domain}/`)));
  const wins = winFractions(curves, { truncateDecimals: 3, nanAs: 1 });
  const means = ESTIMATORS.map((m) => [...curves.values()].reduce((s, row) => s + (row.get(m) ?? NaN), 0) / curves.size);
  out.push(`| ${domain} | ${curves.size} | ${ESTIMATORS.map((m) => (wins[m] ?? 0).toFixed(3)).join(' / ')} | ${means.map((v) => v.toPrecision(3)).join(' / ')} |`);
}
for (const [title, entries] of [['Table 2 (NMT, LM): extrapolation RMSE, paper → ours', TABLE_2], ['Table 3 (BIG-Bench): extrapolation RMSE, paper → ours', TABLE_3]] as const) {
  out.push('', `**${title}**`, '', '| curve | M1 | M2 | M3 | M4 |', '|---|---|---|---|---|');
  for (const [curve, label, paper] of entries) {
    const ours = table.get(curve);
    out.push(`| ${label} | ${ESTIMATORS.map((m, i) => `${fmt(paper[i])} → ${fmt(ours?.get(m))}`).join(' | ')} |`);
  }
}
const toy = rows.filter((r) => r.task === 'scaling-laws/logistic-toy');
if (toy.length) {
  out.push('', '**Logistic toy (Fig. 2): mean over seeds, extrapolation RMSE / M4 and M2 ε̂∞**', '', '| tau | seeds | M1 | M2 | M3 | M4 | ε̂∞ M2 | ε̂∞ M4 | ε0 M4 |', '|---|---|---|---|---|---|---|---|---|');
  const taus = [...new Set(toy.map((r) => JSON.parse(r.params).tau as number))].sort((a, b) => a - b);
  for (const tau of taus) {
    const at = toy.filter((r) => JSON.parse(r.params).tau === tau);
    const mean = (method: string, metric: string) => {
      const v = at.filter((r) => r.method === `scaling-laws/${method}` && r.metric === metric).map((r) => r.value ?? NaN);
      return v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(4) : '–';
    };
    const seeds = new Set(at.map((r) => r.seed)).size;
    out.push(`| ${tau} | ${seeds} | ${ESTIMATORS.map((m) => mean(m, 'extrapolation-rmse')).join(' | ')} | ${mean('m2', 'eps-inf')} | ${mean('m4', 'eps-inf')} | ${mean('m4', 'eps-0')} |`);
  }
}
console.log(out.join('\n'));
