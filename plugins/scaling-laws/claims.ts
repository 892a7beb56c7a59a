// The paper's claims, checked on a run of the `scaling-laws` suite.
import type { Claim, ClaimVerdict, LeaderboardView } from '../../harness/api/index.ts';
import type { Domain } from './curves.ts';
import { winFractions } from './metrics.ts';
import { TOY_DELTA } from './tasks.ts';

const PAPER_ESTIMATORS = ['scaling-laws/m1', 'scaling-laws/m2', 'scaling-laws/m3', 'scaling-laws/m4'];
const short = (method: string) => method.replace('scaling-laws/', '').toUpperCase();

/** Per-domain win fractions among M1–M4 by the paper's rule (3 decimals, NaN → 1, ties split). */
export function domainWinFractions(view: LeaderboardView, domain: Domain): { wins: Record<string, number>; curves: number } {
  const table = new Map<string, Map<string, number>>();
  for (const row of view.rows) {
    if (row.task !== 'scaling-laws/extrapolate' || row.metric !== 'extrapolation-rmse' || !PAPER_ESTIMATORS.includes(row.method)) continue;
    const params = JSON.parse(row.params) as { curve: string; domain: string };
    if (params.domain !== domain) continue;
    if (!table.has(params.curve)) table.set(params.curve, new Map());
    table.get(params.curve)!.set(row.method, row.value ?? NaN);
  }
  return { wins: winFractions(table, { truncateDecimals: 3, nanAs: 1 }), curves: table.size };
}

function describe(wins: Record<string, number>): string {
  return PAPER_ESTIMATORS.map((m) => `${short(m)} ${(wins[m] ?? 0).toFixed(3)}`).join(' / ');
}

function winClaim(domain: Domain, verdict: (wins: Record<string, number>) => boolean, rule: string): Claim {
  return {
    check(view): ClaimVerdict {
      const { wins, curves } = domainWinFractions(view, domain);
      if (curves === 0) return { status: 'not-checked', why: `no ${domain} curves in this run (is the dataset installed?)` };
      const measured = `${describe(wins)} over ${curves} ${domain} curves`;
      return { status: verdict(wins) ? 'holds' : 'fails', measured, why: rule };
    },
  };
}

const m4AtLeastOthers = (wins: Record<string, number>) => PAPER_ESTIMATORS.every((m) => (wins['scaling-laws/m4'] ?? 0) >= (wins[m] ?? 0) - 1e-12);

export const claims: Record<string, Claim> = {
  'm4-wins-ic': winClaim('IC', (w) => (w['scaling-laws/m4'] ?? 0) > 0.7, 'M4 win fraction > 0.70'),
  'm4-best-nmt': winClaim('NMT', m4AtLeastOthers, 'M4 win fraction ≥ every other estimator\'s'),
  'm4-best-lm': winClaim('LM', m4AtLeastOthers, 'M4 win fraction ≥ every other estimator\'s'),
  'm3-m4-best-bb': winClaim(
    'BB',
    (w) => {
      const floor = Math.min(w['scaling-laws/m3'] ?? 0, w['scaling-laws/m4'] ?? 0);
      return ['scaling-laws/m1', 'scaling-laws/m2'].every((m) => (w[m] ?? 0) < floor);
    },
    'both M3 and M4 win more often than M1 and M2',
  ),
  'toy-m4-beats-m2': {
    check(view): ClaimVerdict {
      const bySeed = new Map<number, { m2?: number; m4?: number; floor?: number }>();
      for (const row of view.rows) {
        if (row.task !== 'scaling-laws/logistic-toy' || JSON.parse(row.params).tau !== 0) continue;
        const entry = bySeed.get(row.seed) ?? {};
        if (row.method === 'scaling-laws/m2' && row.metric === 'extrapolation-rmse') entry.m2 = row.value ?? NaN;
        if (row.method === 'scaling-laws/m4' && row.metric === 'extrapolation-rmse') entry.m4 = row.value ?? NaN;
        if (row.method === 'scaling-laws/m4' && row.metric === 'eps-inf') entry.floor = row.value ?? NaN;
        bySeed.set(row.seed, entry);
      }
      const seeds = [...bySeed.values()].filter((e) => e.m2 !== undefined && e.m4 !== undefined && e.floor !== undefined);
      if (seeds.length < 10) return { status: 'not-checked', why: `needs 10 seeds of the toy with tau = 0 and both M2 and M4; found ${seeds.length}` };
      const good = seeds.filter((e) => e.m4! < e.m2! && Math.abs(e.floor! - TOY_DELTA) <= 0.02).length;
      const beats = seeds.filter((e) => e.m4! < e.m2!).length;
      const floors = seeds.map((e) => e.floor!.toFixed(3)).join(', ');
      return {
        status: good >= 8 ? 'holds' : 'fails',
        measured: `${good}/${seeds.length} seeds (M4 < M2 in ${beats}; M4 ε̂∞: ${floors})`,
        why: 'count of seeds where M4 RMSE < M2 RMSE and |ε̂∞ − 0.2| ≤ 0.02; needs ≥ 8',
      };
    },
  },
};
