// Prints the README's result tables from a run of the `calibration` suite:
//   node --import tsx plugins/lates/scripts/report.ts results/runs/calibration/<run>/rows.csv
// Means over seeds per (network, shift) cell; the paper has no tables to set beside them (directions only).
import { readRows } from '../../../harness/results/csv.ts';
import type { ResultRow } from '../../../harness/api/index.ts';
import { signTest, wilcoxonSignedRank } from '../paired-tests.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: report.ts <rows.csv>');
  process.exit(2);
}
const rows = (await readRows(file)).filter((r: ResultRow) => r.status === 'ok' && r.value !== null);

interface Key { net: string; shift: string; seed: number; method: string }
const keyOf = (r: ResultRow): Key => {
  const p = JSON.parse(r.params) as { arch: string; shift: string; trainSize?: number };
  return { net: `${p.arch}${p.trainSize && p.trainSize !== 7000 ? ` (n=${p.trainSize})` : ''}`, shift: p.shift, seed: r.seed, method: r.method.replace('lates/', '') };
};
const table = new Map<string, number>();
const nets = new Set<string>();
const shifts = new Set<string>();
const seeds = new Set<number>();
for (const r of rows) {
  const k = keyOf(r);
  nets.add(k.net);
  shifts.add(k.shift);
  seeds.add(k.seed);
  table.set(`${k.net}|${k.shift}|${k.seed}|${k.method}|${r.metric}`, r.value!);
}
const get = (net: string, shift: string, seed: number, method: string, metric: string) => table.get(`${net}|${shift}|${seed}|${method}|${metric}`);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const cellMean = (net: string, shift: string, method: string, metric: string) => {
  const xs = [...seeds].map((s) => get(net, shift, s, method, metric)).filter((x): x is number => x !== undefined);
  return xs.length ? mean(xs) : undefined;
};
const fmt = (x: number | undefined, digits: number) => (x === undefined ? '–' : x.toFixed(digits));

const METHODS = ['uncalibrated', 'temperature-scaling', 'lates', 'lates-free', 'mc-dropout', 'lates-mc-dropout'];
const SHORT: Record<string, string> = { uncalibrated: 'uncal', 'temperature-scaling': 'TS', lates: 'LATES', 'lates-free': 'LATES-free', 'mc-dropout': 'MC', 'lates-mc-dropout': 'LATES+MC' };

for (const [metric, digits, label] of [['acc', 4, 'accuracy'], ['nll', 3, 'NLL (nats)'], ['ece-15', 2, 'ECE ×100 (15 bins)'], ['auroc-shift', 3, 'shift-detection AUROC']] as const) {
  console.log(`\n### Test ${label}, mean over ${seeds.size} seeds\n`);
  for (const net of [...nets].sort()) {
    const present = METHODS.filter((m) => [...shifts].some((s) => cellMean(net, s, m, metric) !== undefined));
    if (!present.length) continue;
    console.log(`| ${net} | ${present.map((m) => SHORT[m]).join(' | ')} |`);
    console.log(`|---|${present.map(() => '---').join('|')}|`);
    for (const shift of [...shifts]) {
      if (cellMean(net, shift, present[0], metric) === undefined) continue;
      console.log(`| ${shift} | ${present.map((m) => fmt(cellMean(net, shift, m, metric), digits)).join(' | ')} |`);
    }
    console.log('');
  }
}

console.log('\n### LATES − TS, paired over (network × shift × seed) units\n');
console.log('| metric | LATES better | sign-test p | Wilcoxon p | mean LATES − TS |');
console.log('|---|---|---|---|---|');
for (const [metric, goal] of [['calib-nll', 'min'], ['nll', 'min'], ['ece-15', 'min'], ['acc', 'max'], ['auroc-misclassification', 'max'], ['auroc-shift', 'max']] as const) {
  const d: number[] = [];
  for (const net of nets) for (const shift of shifts) for (const seed of seeds) {
    const a = get(net, shift, seed, 'lates', metric);
    const b = get(net, shift, seed, 'temperature-scaling', metric);
    if (a !== undefined && b !== undefined) d.push(a - b);
  }
  if (!d.length) continue;
  const oriented = goal === 'min' ? d : d.map((x) => -x);
  const s = signTest(oriented);
  console.log(`| ${metric} | ${s.below}/${d.length} (ties ${s.ties}) | ${s.p.toExponential(1)} | ${wilcoxonSignedRank(oriented).p.toExponential(1)} | ${mean(d).toExponential(2)} |`);
}

console.log('\n### LATES (w ≥ 0) weight profile: mean w_ℓ over seeds (clean cells; w is fitted once per network × seed)\n');
for (const net of [...nets].sort()) {
  const ws = [1, 2, 3, 4, 5].map((l) => cellMean(net, 'clean', 'lates', `w-layer-${l}`)).filter((x): x is number => x !== undefined);
  const share = cellMean(net, 'clean', 'lates', 'nonlast-vote-share');
  const T = cellMean(net, 'clean', 'temperature-scaling', 'temperature');
  console.log(`- ${net}: w = (${ws.map((w) => w.toFixed(3)).join(', ')}); share of the combined logits from layers before the last ${fmt(share, 2)}; TS temperature ${fmt(T, 3)}`);
}

// Invariants (true by construction, tested in test/; shown here on the run's own numbers)
console.log('\n### Invariants on this run\n');
for (const variant of ['lates', 'lates-free']) {
  let worst = -Infinity;
  let n = 0;
  for (const net of nets) for (const shift of shifts) for (const seed of seeds) {
    const a = get(net, shift, seed, variant, 'calib-nll');
    const b = get(net, shift, seed, 'temperature-scaling', 'calib-nll');
    if (a === undefined || b === undefined) continue;
    worst = Math.max(worst, a - b);
    n++;
  }
  if (n) console.log(`- ${variant}: largest (LATES − TS) calibration NLL over ${n} units: ${worst.toExponential(2)} (must be ≤ 1e-6)`);
}
let same = 0;
let pairs = 0;
for (const net of nets) for (const shift of shifts) for (const seed of seeds) {
  const a = get(net, shift, seed, 'temperature-scaling', 'acc');
  const b = get(net, shift, seed, 'uncalibrated', 'acc');
  if (a === undefined || b === undefined) continue;
  pairs++;
  if (a === b) same++;
}
console.log(`- TS accuracy identical to the uncalibrated network's on ${same}/${pairs} units`);
