// The submission checker: is a run folder complete, untouched and reproducible as a plan?
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BudgetName, ResultRow } from '../api/types.ts';
import { UserError } from '../errors.ts';
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import { expandPlan, type PlannedModel } from '../plan/expand.ts';
import type { Registry } from '../plan/registry.ts';
import { loadSuite, type ResolvedSuite } from '../plan/suite.ts';
import { selectionFromJson } from '../plan/select.ts';
import { readRows } from './csv.ts';
import { CHECKED_FILES, unitRowsChecksum } from './outputs.ts';
import type { LeaderboardConfig } from './leaderboard.ts';
import { derivedFieldProblems, runManifestProblems } from './manifest-check.ts';

interface ManifestUnit {
  key: string;
  task: string;
  method: string;
  params: unknown;
  seed: number;
  status: string;
  rows_sha256?: string | null;
}

interface RunManifest {
  suite: { id: string; version: number; file: string };
  budget: BudgetName;
  seeds: number[];
  /** The --seeds given to the run, if any (per-task seeds of the suite apply otherwise). */
  seeds_override?: number[] | null;
  /** `--task` / `--method` patterns the run was made with. */
  selection?: unknown;
  shard?: { index: number; count: number } | null;
  /** The run's language models with the identities their unit keys were computed from. */
  models?: PlannedModel[];
  units: ManifestUnit[];
  checksums?: Record<string, string>;
  leaderboard: Record<string, unknown>;
}

const PROVENANCE: (keyof ResultRow)[] = ['harness_version', 'git_sha', 'node_version', 'cpu', 'os', 'started_at', 'plugin_version'];

/** Every problem of a run folder, each naming the file and what was expected; empty when it passes. */
export interface RunFolderCheckOptions {
  /** The leaderboard configuration `run` derives from a suite (the manifest's copy is compared with it). */
  leaderboardConfig?: (resolved: ResolvedSuite) => LeaderboardConfig;
}

export async function runFolderProblems(registry: Registry, dir: string, options: RunFolderCheckOptions = {}): Promise<string[]> {
  const manifestFile = join(dir, 'manifest.json');
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    return [`${manifestFile}: ${existsSync(manifestFile) ? `not valid JSON: ${(error as Error).message}` : 'missing: not a run folder'}`];
  }
  // Its shape first: no field is read before it is known to be there with its type.
  const shape = runManifestProblems(manifest, manifestFile);
  if (shape.length) return shape;
  const problems: string[] = [];

  // 1. Files are those the run wrote.
  if (!manifest.checksums) problems.push(`${manifestFile}: /checksums: missing; the run folder cannot be checked for edits`);
  for (const name of CHECKED_FILES) {
    const path = join(dir, name);
    if (!existsSync(path)) {
      problems.push(`${path}: missing`);
      continue;
    }
    const recorded = manifest.checksums?.[name];
    const actual = sha256(readFileSync(path));
    if (recorded && recorded !== actual) problems.push(`${path}: sha256 ${actual} differs from ${recorded} recorded in manifest.json: the file was changed after the run`);
  }

  // 2. Rows parse against the schema.
  let rows: ResultRow[];
  try {
    rows = await readRows(join(dir, 'rows.csv'));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return [...problems, error.message, ...error.details];
  }

  // 3. Each unit's rows are the ones recorded (names the edited unit), no unit twice.
  const byUnit = new Map<string, ResultRow[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    const id = `${row.unit_key}\0${row.metric}`;
    if (seen.has(id)) problems.push(`${dir}/rows.csv: unit ${row.unit_key.slice(0, 12)} has metric "${row.metric}" twice`);
    seen.add(id);
    byUnit.set(row.unit_key, [...(byUnit.get(row.unit_key) ?? []), row]);
  }
  const planned = new Map(manifest.units.map((u) => [u.key, u]));
  for (const [key, unitRows] of byUnit) {
    const unit = planned.get(key);
    const label = `${unitRows[0].method} ${unitRows[0].params} seed ${unitRows[0].seed}`;
    if (!unit) problems.push(`${dir}/rows.csv: unit ${key.slice(0, 12)} (${label}) is not in the manifest's plan`);
    else if (unit.rows_sha256 && unit.rows_sha256 !== unitRowsChecksum(unitRows)) {
      problems.push(`${dir}/rows.csv: the rows of ${label} (unit ${key.slice(0, 12)}) differ from their checksum in manifest.json: a value was edited`);
    }
  }
  const expected = manifest.units.filter((u) => u.status !== 'other-shard' && u.status !== 'pending');
  const absent = expected.filter((u) => !byUnit.has(u.key));
  if (absent.length) problems.push(`${dir}/rows.csv: ${absent.length} unit(s) the manifest records as run have no rows (e.g. ${absent[0].method} ${canonicalJson(absent[0].params)} seed ${absent[0].seed})`);
  const pending = manifest.units.filter((u) => u.status === 'pending');
  if (pending.length) problems.push(`${manifestFile}: ${pending.length} planned unit(s) never ran: the run is incomplete (rerun it with the same --out)`);

  // A run in which nothing succeeded is no result, however intact its files.
  const failed = rows.filter((row) => row.status === 'error' || row.status === 'timeout');
  if (failed.length && !rows.some((row) => row.status === 'ok')) {
    problems.push(`${dir}/rows.csv: no unit succeeded: ${failed.length} row(s) error or timeout (e.g. ${failed[0].method}: ${failed[0].reason})`);
  }

  // 4. Provenance is complete and the tree was clean.
  const incomplete = PROVENANCE.filter((column) => rows.some((row) => row[column] === ''));
  if (incomplete.length) problems.push(`${dir}/rows.csv: provenance incomplete: empty ${incomplete.join(', ')} in some rows`);
  if (rows.some((row) => row.git_dirty === true)) problems.push(`${dir}/rows.csv: produced from a git tree with uncommitted changes (git_dirty = true)`);
  if (rows.some((row) => row.git_dirty === '')) problems.push(`${dir}/rows.csv: produced outside a git checkout (git_dirty empty): the code cannot be identified`);

  // 5. The suite version is known here and the unit keys can be recomputed from it.
  try {
    const resolved = loadSuite(registry, existsSync(manifest.suite.file) ? manifest.suite.file : manifest.suite.id);
    if (resolved.suite.version !== manifest.suite.version) {
      problems.push(`${manifestFile}: /suite/version: ${manifest.suite.version}, but the installed suite "${manifest.suite.id}" is version ${resolved.suite.version}`);
    } else {
      // Model identities are taken as recorded (an endpoint may be gone); the rest is recomputed.
      const plan = await expandPlan(registry, resolved, { budget: manifest.budget, seeds: manifest.seeds_override ?? undefined, models: manifest.models ?? [], selection: selectionFromJson(manifest.selection, manifestFile) });
      const keys = new Set(plan.units.map((u) => u.key));
      const foreign = [...byUnit.keys()].filter((k) => !keys.has(k));
      if (foreign.length) {
        problems.push(
          `${dir}/rows.csv: ${foreign.length} unit key(s) cannot be recomputed from suite "${manifest.suite.id}" v${manifest.suite.version} with the installed plugins (different plugin code, versions or datasets?)`,
        );
      }
      // Every field that can be derived is recomputed, not trusted.
      problems.push(...(await derivedFieldProblems({ manifest, manifestFile, dir, registry, resolved, plan, rowKeys: [...byUnit.keys()], expectedLeaderboard: options.leaderboardConfig?.(resolved) })));
    }
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    problems.push(`${manifestFile}: /suite: ${error.message}`);
  }
  return problems;
}
