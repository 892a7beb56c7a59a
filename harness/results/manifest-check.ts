// manifest.json is not trusted: its shape is schema-checked, and every field that can be derived from
// the suite file, the installed plugins and the rows is recomputed and compared.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runManifestSchema } from '../api/run-manifest.ts';
import type { BudgetName, Json } from '../api/types.ts';
import { validateWithSchema } from '../api/validate.ts';
import { canonicalJson } from '../plan/canonical.ts';
import { expandPlan, type Plan, type PlannedModel } from '../plan/expand.ts';
import type { Registry } from '../plan/registry.ts';
import type { ResolvedSuite } from '../plan/suite.ts';
import { parseCsv } from './csv.ts';
import type { LeaderboardConfig } from './leaderboard.ts';

/** The problems of manifest.json's shape, each with the JSON path; empty when it has the expected shape. */
export function runManifestProblems(value: unknown, file: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${file}: /: expected a JSON object`];
  return validateWithSchema(runManifestSchema, value, file);
}

interface CheckedManifest {
  suite: { id: string; version: number };
  budget: BudgetName;
  seeds: number[];
  seeds_override?: number[] | null;
  models?: PlannedModel[];
  leaderboard: Record<string, unknown>;
  units: Array<{ key: string; task: string; method: string; params: unknown; seed: number; status: string }>;
}

const BUDGETS: BudgetName[] = ['smoke', 'standard', 'full'];

export interface DerivedCheck {
  manifest: CheckedManifest;
  manifestFile: string;
  dir: string;
  registry: Registry;
  resolved: ResolvedSuite;
  /** The plan recomputed for the manifest's budget, seeds and models. */
  plan: Plan;
  /** Unit keys of the rows in rows.csv. */
  rowKeys: string[];
  /** The leaderboard configuration the suite file and the plugins give (what `run` writes). */
  expectedLeaderboard?: LeaderboardConfig;
}

/** Each field of the manifest that disagrees with its recomputation from the suite, plugins and rows. */
export async function derivedFieldProblems(check: DerivedCheck): Promise<string[]> {
  const { manifest, manifestFile, plan, resolved } = check;
  const problems: string[] = [];
  const differs = (path: string, recorded: unknown, expected: unknown, from: string) =>
    problems.push(`${manifestFile}: ${path}: ${JSON.stringify(recorded)}, but ${from} gives ${JSON.stringify(expected)}`);

  if (manifest.suite.id !== resolved.suite.id) differs('/suite/id', manifest.suite.id, resolved.suite.id, `the suite file ${resolved.file}`);

  // The leaderboard configuration (primary metric, goal, groups…) comes from the suite and the plugins.
  if (check.expectedLeaderboard) {
    const expected = check.expectedLeaderboard as unknown as Record<string, unknown>;
    for (const key of new Set([...Object.keys(expected), ...Object.keys(manifest.leaderboard)])) {
      const recorded = manifest.leaderboard[key];
      // Written before the field existed.
      if (recorded === undefined && key === 'scales') continue;
      if (canonicalJson((recorded ?? null) as Json) !== canonicalJson((expected[key] ?? null) as Json)) {
        differs(`/leaderboard/${key}`, recorded ?? null, expected[key] ?? null, `suite "${resolved.suite.id}" with the installed plugins`);
      }
    }
  }

  // The budget: the rows' unit keys say which budget they were computed at (the budget is part of each key).
  const planned = new Set(plan.units.map((u) => u.key));
  const foreign = check.rowKeys.filter((k) => !planned.has(k));
  const skipReasons = foreign.length ? [...new Set(plan.units.filter((u) => u.skip).map((u) => u.skip!))].slice(0, 3) : [];
  if (foreign.length) {
    for (const budget of BUDGETS.filter((b) => b !== manifest.budget)) {
      const other = await expandPlan(check.registry, resolved, { budget, seeds: manifest.seeds_override ?? undefined, models: manifest.models ?? [] });
      const keys = new Set(other.units.map((u) => u.key));
      if (check.rowKeys.every((k) => keys.has(k))) {
        problems.push(`${manifestFile}: /budget: "${manifest.budget}", but the rows' unit keys are those of budget "${budget}": the manifest does not describe the run`);
        break;
      }
    }
    // Why keys cannot be recomputed here: units the plan skips on this machine (a dataset that is not here).
    for (const reason of skipReasons) problems.push(`  the plan here differs because units cannot be expanded: ${reason}${datasetFiles(check.registry, reason)}`);
  }

  // The plan: every unit of the manifest is a unit of the recomputed plan, with the same task, method, params and seed.
  if (!manifest.seeds.every((s, i) => plan.seeds[i] === s) || manifest.seeds.length !== plan.seeds.length) {
    differs('/seeds', manifest.seeds, plan.seeds, `suite "${resolved.suite.id}" at budget "${manifest.budget}"`);
  }
  const byKey = new Map(plan.units.map((u) => [u.key, u]));
  let unknown = 0;
  manifest.units.forEach((unit, i) => {
    const recomputed = byKey.get(unit.key);
    if (!recomputed) {
      if (unknown++ < 3 && !skipReasons.length) problems.push(`${manifestFile}: /units/${i}/key: unit ${unit.key.slice(0, 12)} (${unit.method} ${canonicalJson(unit.params)} seed ${unit.seed}) is not in the plan recomputed from suite "${resolved.suite.id}"`);
      return;
    }
    const expected = { task: recomputed.task, method: recomputed.methodName, params: { ...recomputed.taskParams, ...recomputed.methodParams } as Json, seed: recomputed.seed };
    for (const field of ['task', 'method', 'params', 'seed'] as const) {
      if (canonicalJson(unit[field] as Json) !== canonicalJson(expected[field] as Json)) differs(`/units/${i}/${field}`, unit[field], expected[field], `its key's unit in the recomputed plan`);
    }
  });
  if (unknown > 3 && !skipReasons.length) problems.push(`${manifestFile}: /units: ${unknown} unit(s) in all are not in the recomputed plan`);
  const listed = new Set(manifest.units.map((u) => u.key));
  const unlisted = plan.units.filter((u) => !listed.has(u.key));
  if (unlisted.length && !foreign.length) {
    problems.push(`${manifestFile}: /units: ${unlisted.length} unit(s) of the recomputed plan are not listed (e.g. ${unlisted[0].methodName} ${canonicalJson({ ...unlisted[0].taskParams, ...unlisted[0].methodParams })} seed ${unlisted[0].seed})`);
  }

  problems.push(...(await claimProblems(check)));
  return problems;
}

const budgetOrder: BudgetName[] = ['smoke', 'standard', 'full'];

/** The files of the dataset a skip reason names, so the message says exactly what is missing. */
function datasetFiles(registry: Registry, reason: string): string {
  const id = /dataset "([^"]+)"/.exec(reason)?.[1];
  if (!id) return '';
  for (const record of registry.plugins.values()) {
    const declaration = record.manifest.datasets?.find((d) => d.id === id);
    if (declaration) return ` (dataset "${id}" of plugin "${record.manifest.id}": ${declaration.files.map((f) => f.path).join(', ')}; the run may have been made with HARNESS_DATA_DIR set)`;
  }
  return '';
}

/** claims.csv lists exactly the plugins' claims about the suite, and those that need a larger budget than
 * the manifest's are not checked (their check itself is plugin code and is not rerun here). */
async function claimProblems(check: DerivedCheck): Promise<string[]> {
  const file = join(check.dir, 'claims.csv');
  if (!existsSync(file)) return [];
  const problems: string[] = [];
  const { records } = await parseCsv(readFileSync(file, 'utf8'), file);
  const declared = [...check.registry.plugins.values()].flatMap((record) =>
    (record.manifest.claims ?? []).filter((c) => c.suite === check.resolved.suite.id).map((c) => ({ id: `${record.manifest.id}/${c.id}`, budget: c.budget ?? 'smoke' })),
  );
  const listed = new Map(records.map((r) => [r.claim, r]));
  for (const claim of declared) {
    const row = listed.get(claim.id);
    if (!row) {
      problems.push(`${file}: claim "${claim.id}" is missing`);
      continue;
    }
    const gated = budgetOrder.indexOf(check.manifest.budget) < budgetOrder.indexOf(claim.budget);
    if (gated && row.status !== 'not-checked') problems.push(`${file}: claim "${claim.id}" needs budget "${claim.budget}" but is "${row.status}" in a run at budget "${check.manifest.budget}"`);
    if (!gated && row.status === 'not-checked' && /^needs budget/.test(row.why ?? '')) {
      problems.push(`${file}: claim "${claim.id}" was not checked for want of budget "${claim.budget}", yet manifest.json says the run used budget "${check.manifest.budget}"`);
    }
  }
  for (const id of listed.keys()) if (!declared.some((c) => c.id === id)) problems.push(`${file}: claim "${id}" is not a claim of the installed plugins about suite "${check.resolved.suite.id}"`);
  return problems;
}
