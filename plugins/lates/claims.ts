// The paper's directional claims (and the spec's acceptance checks) over a run of the calibration suite.
// What holds by construction is not a claim: LATES's calibration NLL ≤ TS's (the fit starts at the TS
// solution and only descends; spec acceptance 1) and TS keeping accuracy (T > 0 keeps the argmax; spec
// acceptance 5) are invariant tests in test/calibration.test.ts and test/plugin.test.ts.
import type { Claim, ClaimVerdict, LeaderboardView, ResultRow } from '../../harness/api/index.ts';
import { signTest, wilcoxonSignedRank } from './paired-tests.ts';

const P = 'lates';
const TASKS = [`${P}/calibration`, `${P}/calibration-mc`];
const m = (id: string) => `${P}/${id}`;

/** An (architecture × shift) cell of a task; seeds are its repetitions. */
interface UnitKey { cell: string; seed: number; shifted: boolean }

function keyOf(row: ResultRow): UnitKey {
  const params = JSON.parse(row.params) as { arch: string; shift: string; trainSize?: number };
  const cell = `${row.task.replace(`${P}/`, '')} ${params.arch}${params.trainSize ? ` n=${params.trainSize}` : ''} ${params.shift}`;
  return { cell, seed: row.seed, shifted: params.shift !== 'clean' };
}

/** metric value per unit (cell, seed) for one method. */
function valuesOf(view: LeaderboardView, method: string, metric: string, tasks = TASKS): Map<string, { key: UnitKey; value: number }> {
  const out = new Map<string, { key: UnitKey; value: number }>();
  for (const row of view.rows) {
    if (!tasks.includes(row.task) || row.method !== method || row.metric !== metric || row.value === null) continue;
    const key = keyOf(row);
    out.set(`${key.cell} #${key.seed}`, { key, value: row.value });
  }
  return out;
}

interface Pair { key: UnitKey; a: number; b: number }

function pairs(view: LeaderboardView, a: string, b: string, metric: string, tasks = TASKS): Pair[] {
  const va = valuesOf(view, a, metric, tasks);
  const vb = valuesOf(view, b, metric, tasks);
  return [...va].filter(([k]) => vb.has(k)).map(([k, x]) => ({ key: x.key, a: x.value, b: vb.get(k)!.value }));
}

/** Per-cell means over seeds of a − b. */
function cellMeans(ps: Pair[]): Map<string, number> {
  const acc = new Map<string, { s: number; n: number }>();
  for (const p of ps) {
    const e = acc.get(p.key.cell) ?? { s: 0, n: 0 };
    e.s += p.a - p.b;
    e.n++;
    acc.set(p.key.cell, e);
  }
  return new Map([...acc].map(([c, e]) => [c, e.s / e.n]));
}

const fmtP = (p: number) => (p < 1e-3 ? p.toExponential(1) : p.toFixed(3));

/** Paired statistics of a − b over units: sign test and Wilcoxon (oriented so that lower is better). */
function pairedSummary(ps: Pair[], who = 'LATES'): string {
  const d = ps.map((p) => p.a - p.b);
  const s = signTest(d);
  const w = wilcoxonSignedRank(d);
  return `per (arch × shift × seed): ${who} better in ${s.below}/${d.length} (ties ${s.ties}), win rate ${(s.below / Math.max(1, s.n)).toFixed(3)} of non-tied, two-sided sign test p = ${fmtP(s.p)}, Wilcoxon signed-rank p = ${fmtP(w.p)}`;
}

function majorityClaim(metric: string, a: string, b: string, better: 'lower' | 'higher', label: string): Claim {
  return {
    check(view): ClaimVerdict {
      const ps = pairs(view, m(a), m(b), metric);
      if (ps.length === 0) return { status: 'not-checked', why: `no paired ${a} / ${b} rows for ${metric} in this run` };
      const means = cellMeans(ps);
      const ok = [...means.values()].filter((d) => (better === 'lower' ? d <= 0 : d >= 0)).length;
      const oriented = better === 'lower' ? ps : ps.map((p) => ({ ...p, a: -p.a, b: -p.b }));
      return {
        status: ok > means.size / 2 ? 'holds' : 'fails',
        measured: `${label} in ${ok}/${means.size} (arch × shift) cells (means over seeds); ${pairedSummary(oriented)}`,
        why: `needs a strict majority of (architecture × shift) cells; the paired tests are reported, not thresholded`,
      };
    },
  };
}

export const claims: Record<string, Claim> = {
  'lates-ece-le-ts-most': majorityClaim('ece-15', 'lates', 'temperature-scaling', 'lower', 'LATES ECE ≤ TS ECE'),
  'lates-acc-ge-last-layer-most': majorityClaim('acc', 'lates', 'uncalibrated', 'higher', 'LATES accuracy ≥ last-layer accuracy'),
  'lates-auroc-ge-ts-most': majorityClaim('auroc-misclassification', 'lates', 'temperature-scaling', 'higher', 'LATES misclassification AUROC ≥ TS misclassification AUROC'),
  'lates-mc-dropout-best-under-shift': {
    check(view): ClaimVerdict {
      const methods = ['uncalibrated', 'temperature-scaling', 'lates', 'lates-free', 'mc-dropout', 'lates-mc-dropout'].map(m);
      const parts: string[] = [];
      let ok = true;
      for (const metric of ['nll', 'ece-15']) {
        // mean over seeds per shifted cell, per method
        const table = new Map<string, Map<string, number[]>>();
        for (const method of methods) {
          for (const { key, value } of valuesOf(view, method, metric, [`${P}/calibration-mc`]).values()) {
            if (!key.shifted) continue;
            const row = table.get(key.cell) ?? new Map<string, number[]>();
            row.set(method, [...(row.get(method) ?? []), value]);
            table.set(key.cell, row);
          }
        }
        if (table.size === 0) return { status: 'not-checked', why: 'no shifted calibration-mc rows in this run' };
        let best = 0;
        for (const row of table.values()) {
          const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
          const target = row.get(m('lates-mc-dropout'));
          if (target && [...row].every(([, xs]) => mean(target) <= mean(xs))) best++;
        }
        ok &&= best > table.size / 2;
        parts.push(`${metric}: LATES + MC dropout lowest in ${best}/${table.size} shifted cells`);
      }
      const ps = pairs(view, m('lates-mc-dropout'), m('mc-dropout'), 'nll', [`${P}/calibration-mc`]).filter((p) => p.key.shifted);
      if (ps.length) parts.push(`shifted NLL vs MC dropout alone, ${pairedSummary(ps, 'LATES + MC dropout')}`);
      return {
        status: ok ? 'holds' : 'fails',
        measured: parts.join('; '),
        why: 'needs LATES + MC dropout to have the lowest mean NLL and the lowest mean ECE among all six methods in a strict majority of the shifted cells of the dropout network',
      };
    },
  },
};
