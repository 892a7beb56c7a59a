// Evaluation of the plugins' claims about a suite on a run's leaderboard.
import type { BudgetName, ClaimVerdict, LeaderboardView } from '../api/types.ts';
import { loadPlugin, type Registry } from '../plan/registry.ts';

export interface ClaimRow {
  claim: string;
  plugin: string;
  suite: string;
  statement: string;
  paper: string;
  measured: string;
  status: ClaimVerdict['status'];
  why: string;
}

export const CLAIM_COLUMNS = ['claim', 'plugin', 'suite', 'statement', 'paper', 'measured', 'status', 'why'] as const;

const budgetOrder: BudgetName[] = ['smoke', 'standard', 'full'];

export async function evaluateClaims(registry: Registry, view: LeaderboardView): Promise<ClaimRow[]> {
  const rows: ClaimRow[] = [];
  for (const record of registry.plugins.values()) {
    const declared = (record.manifest.claims ?? []).filter((c) => c.suite === view.suite);
    if (!declared.length) continue;
    for (const claim of declared) {
      const base = { claim: `${record.manifest.id}/${claim.id}`, plugin: record.manifest.id, suite: claim.suite, statement: claim.statement, paper: claim.paper };
      const needs = claim.budget ?? 'smoke';
      if (budgetOrder.indexOf(view.budget) < budgetOrder.indexOf(needs)) {
        rows.push({ ...base, measured: '', status: 'not-checked', why: `needs budget "${needs}"; this run used "${view.budget}"` });
        continue;
      }
      if (record.notInstalled) {
        rows.push({ ...base, measured: '', status: 'not-checked', why: `plugin not installed: ${record.notInstalled}` });
        continue;
      }
      try {
        const plugin = await loadPlugin(record);
        const verdict = plugin.claims![claim.id].check(view);
        rows.push({ ...base, measured: verdict.measured ?? '', status: verdict.status, why: verdict.why });
      } catch (error) {
        rows.push({ ...base, measured: '', status: 'not-checked', why: `the check could not run: ${(error as Error).message}` });
      }
    }
  }
  return rows;
}
