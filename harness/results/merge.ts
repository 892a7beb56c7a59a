// Combining the run folders of a sharded run into one, with the checks that make the result equal
// to a single-machine run of the same plan: same suite, version and plan; no unit twice; none missing.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BudgetName, Json, ResultRow } from '../api/types.ts';
import { UserError } from '../errors.ts';
import type { Registry } from '../plan/registry.ts';
import type { JournalEntry } from '../run/journal.ts';
import { evaluateClaims, type ClaimRow } from './claims.ts';
import { aggregate, leaderboardView, type Leaderboard } from './leaderboard.ts';
import { unitRowsChecksum, writeRunOutputs } from './outputs.ts';
import { readRunFolder } from './run-folder.ts';

export interface MergeResult {
  outDir: string;
  board: Leaderboard;
  claims: ClaimRow[];
  units: number;
  inputs: number;
}

/** Checks a suite's claims on merged rows; the CLI passes one that runs each claim isolated in a child process. */
export type ClaimChecker = (board: Leaderboard, rows: ResultRow[], budget: BudgetName, outDir: string) => Promise<ClaimRow[]>;

/** In this process, without isolation (tests and library use). */
export const inProcessClaims = (registry: Registry): ClaimChecker => (board, rows, budget) => evaluateClaims(registry, leaderboardView(board, rows, budget));

export async function mergeRuns(registry: Registry, dirs: string[], out: string, checkClaims: ClaimChecker = inProcessClaims(registry)): Promise<MergeResult> {
  if (!dirs.length) throw new UserError('merge: give the run folders to combine');
  const runs = await Promise.all(dirs.map((d) => readRunFolder(d)));
  const [first] = runs;
  const planKeys = first.manifest.units.map((u) => u.key);
  const problems: string[] = [];
  for (const run of runs.slice(1)) {
    const m = run.manifest;
    if (m.suite.id !== first.manifest.suite.id || m.suite.version !== first.manifest.suite.version) {
      problems.push(`${run.dir}: suite ${m.suite.id} v${m.suite.version}, but ${first.dir} is ${first.manifest.suite.id} v${first.manifest.suite.version}`);
    } else if (m.budget !== first.manifest.budget) {
      problems.push(`${run.dir}: budget ${m.budget}, but ${first.dir} used ${first.manifest.budget}`);
    } else if (m.units.length !== planKeys.length || m.units.some((u, i) => u.key !== planKeys[i])) {
      problems.push(`${run.dir}: planned units differ from ${first.dir} (other seeds, params, plugin code or versions)`);
    }
  }
  if (problems.length) throw new UserError('merge: these run folders are not shards of one plan', problems);

  const owner = new Map<string, string>();
  const overlaps: string[] = [];
  for (const run of runs) {
    for (const key of new Set(run.rows.map((r) => r.unit_key))) {
      if (owner.has(key)) overlaps.push(`unit ${key.slice(0, 12)} is in both ${owner.get(key)} and ${run.dir}`);
      else owner.set(key, run.dir);
    }
  }
  if (overlaps.length) throw new UserError(`merge: ${overlaps.length} unit(s) appear in more than one input`, overlaps.slice(0, 20));
  const missing = first.manifest.units.filter((u) => !owner.has(u.key));
  if (missing.length) {
    throw new UserError(
      `merge: ${missing.length} of ${planKeys.length} planned units are in none of the inputs (a shard missing or unfinished?)`,
      missing.slice(0, 20).map((u) => `${u.task}  ${u.method}  ${JSON.stringify(u.params)}  seed ${u.seed}  (${u.key.slice(0, 12)})`),
    );
  }

  const byKey = new Map<string, ResultRow[]>();
  for (const run of runs) for (const row of run.rows) byKey.set(row.unit_key, [...(byKey.get(row.unit_key) ?? []), row]);
  const records = new Map<string, Json[]>();
  for (const run of runs) for (const [key, value] of run.records) records.set(key, value);
  const entries: JournalEntry[] = planKeys.map((key) => ({ key, rows: byKey.get(key)!, records: records.get(key) }));
  const rows = entries.flatMap((e) => e.rows);
  const board = aggregate(rows, first.manifest.leaderboard);
  const outDir = resolve(out);
  mkdirSync(outDir, { recursive: true });
  const manifest = {
    ...first.manifest,
    shard: null,
    merged_from: runs.map((r) => ({ dir: r.dir, shard: r.manifest.shard, units: new Set(r.rows.map((x) => x.unit_key)).size })),
    units: first.manifest.units.map((u) => ({ ...u, status: byKey.get(u.key)![0].status, rows_sha256: unitRowsChecksum(byKey.get(u.key)!) })),
  };
  // The merged files are written before any claim is checked, then again with claims.csv.
  await writeRunOutputs(outDir, { rows, entries, board, claims: [], manifest: manifest as unknown as Json });
  const claims = await checkClaims(board, rows, first.manifest.budget, outDir);
  await writeRunOutputs(outDir, { rows, entries, board, claims, manifest: manifest as unknown as Json });
  return { outDir, board, claims, units: planKeys.length, inputs: runs.length };
}
