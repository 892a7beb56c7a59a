// Evaluation of the plugins' claims about a suite on a run's leaderboard. What the manifests alone decide
// (wrong budget, plugin not installed) is decided here; a claim's `check` is plugin code, which the runner
// calls in a child process (harness/run/claims-child.ts) through `evaluateClaim`.
import type { BudgetName, ClaimVerdict, LeaderboardView } from '../api/types.ts';
import { loadPlugin, type PluginRecord, type Registry } from '../plan/registry.ts';

export interface ClaimRow {
  claim: string;
  plugin: string;
  suite: string;
  statement: string;
  paper: string;
  measured: string;
  /** `error`: the check could not give a verdict (it threw, hung, ended its process or ran out of memory). */
  status: ClaimVerdict['status'] | 'error';
  why: string;
}

export const CLAIM_COLUMNS = ['claim', 'plugin', 'suite', 'statement', 'paper', 'measured', 'status', 'why'] as const;

const budgetOrder: BudgetName[] = ['smoke', 'standard', 'full'];

/** One declared claim about the suite: either already decided from the manifests (`row`), or to be
 * checked by running the plugin's code (`pending`). */
export type PlannedClaim = { row: ClaimRow } | { pending: Omit<ClaimRow, 'measured' | 'status' | 'why'>; record: PluginRecord; claimId: string };

/** The units of a claim's plugin (its tasks and methods; every unit when it has none in the plan) that
 * have no result: a claim checked on part of its data could say "holds" on what happened to finish. */
export function unitsMissing(units: ReadonlyArray<{ key: string; task: string; plugin: string }>, present: ReadonlySet<string>): (plugin: string) => string | undefined {
  return (plugin) => {
    const own = units.filter((u) => u.plugin === plugin || u.task.startsWith(`${plugin}/`));
    const mine = own.length ? own : units;
    const missing = mine.filter((u) => !present.has(u.key)).length;
    return missing ? `${missing} of ${mine.length} units missing (an interrupted or partial run): not checked on part of the data` : undefined;
  };
}

export function planClaims(registry: Registry, suite: string, budget: BudgetName, missing?: (plugin: string) => string | undefined): PlannedClaim[] {
  const planned: PlannedClaim[] = [];
  for (const record of registry.plugins.values()) {
    for (const claim of (record.manifest.claims ?? []).filter((c) => c.suite === suite)) {
      const base = { claim: `${record.manifest.id}/${claim.id}`, plugin: record.manifest.id, suite: claim.suite, statement: claim.statement, paper: claim.paper };
      const needs = claim.budget ?? 'smoke';
      if (budgetOrder.indexOf(budget) < budgetOrder.indexOf(needs)) {
        planned.push({ row: { ...base, measured: '', status: 'not-checked', why: `needs budget "${needs}"; this run used "${budget}"` } });
      } else if (record.notInstalled) {
        planned.push({ row: { ...base, measured: '', status: 'not-checked', why: `plugin not installed: ${record.notInstalled}` } });
      } else if (missing?.(record.manifest.id)) {
        planned.push({ row: { ...base, measured: '', status: 'not-checked', why: missing(record.manifest.id)! } });
      } else {
        planned.push({ pending: base, record, claimId: claim.id });
      }
    }
  }
  return planned;
}

/** Runs one claim's check in this process (a child process of the runner, or a test). */
export async function evaluateClaim(record: PluginRecord, claimId: string, view: LeaderboardView): Promise<ClaimVerdict> {
  const plugin = await loadPlugin(record);
  return await plugin.claims![claimId].check(view);
}

/** Every claim about the view's suite, evaluated in this process: for code that already runs plugin
 * code in-process (`harness score`, `merge`, the conformance kit). `harness run` isolates each check. */
export async function evaluateClaims(registry: Registry, view: LeaderboardView): Promise<ClaimRow[]> {
  const rows: ClaimRow[] = [];
  for (const planned of planClaims(registry, view.suite, view.budget)) {
    if ('row' in planned) {
      rows.push(planned.row);
      continue;
    }
    try {
      const verdict = await evaluateClaim(planned.record, planned.claimId, view);
      rows.push({ ...planned.pending, measured: verdict.measured ?? '', status: verdict.status, why: verdict.why });
    } catch (error) {
      rows.push({ ...planned.pending, measured: '', status: 'error', why: `the check threw: ${(error as Error).message}` });
    }
  }
  return rows;
}
