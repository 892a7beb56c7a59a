// What `harness publish` reads: run folders (rows.csv + manifest.json + claims.csv) or bare rows.csv
// files, grouped into one leaderboard per suite version. Versions of a suite are never ranked together.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { BudgetName, ResultRow } from '../api/types.ts';
import { UserError } from '../errors.ts';
import { canonicalJson } from '../plan/canonical.ts';
import { HARNESS_ROOT, type Registry } from '../plan/registry.ts';
import { loadSuite, readSuiteFile } from '../plan/suite.ts';
import { CLAIM_COLUMNS, type ClaimRow } from '../results/claims.ts';
import { parseCsv, readRows } from '../results/csv.ts';
import { aggregate, type Leaderboard, type LeaderboardConfig } from '../results/leaderboard.ts';
import { leaderboardConfig } from '../run/runner.ts';

/** The part of a run folder's manifest.json that publishing reads. */
export interface RunManifest {
  suite: { id: string; version: number; file: string; sha256: string };
  budget?: BudgetName;
  leaderboard?: LeaderboardConfig;
  command?: string[];
  finished_at?: string;
  shard?: { index: number; count: number } | null;
}

export interface RunInput {
  /** Unique, file-name safe name of the run on the site (its folder's name). */
  label: string;
  /** Folder holding rows.csv (and, for a run folder, manifest.json, claims.csv, records.jsonl). */
  dir: string;
  rowsFile: string;
  rows: ResultRow[];
  manifest?: RunManifest;
  claims: ClaimRow[];
  /** Sibling files that exist: leaderboard.csv, claims.csv, records.jsonl. */
  siblings: { leaderboard?: string; claims?: string; records?: string };
}

export interface SuitePage {
  suite: string;
  version: number;
  /** File-name safe, unique per suite version: `<id>-v<version>`. */
  slug: string;
  title?: string;
  description?: string;
  /** Suite file and its sha256, as recorded by the runs (or the installed file for bare rows). */
  file?: string;
  sha256?: string;
  config: LeaderboardConfig;
  runs: RunInput[];
  rows: ResultRow[];
  board: Leaderboard;
  claims: Array<ClaimRow & { run: string }>;
}

export function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'x';
}

/** The newest run folder of each suite under results/runs/ (folder names are timestamps). */
export function latestRunFolders(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  const folders: string[] = [];
  for (const suite of readdirSync(runsDir).sort()) {
    const suiteDir = join(runsDir, suite);
    if (!statSync(suiteDir).isDirectory()) continue;
    const runs = readdirSync(suiteDir).filter((name) => existsSync(join(suiteDir, name, 'rows.csv'))).sort();
    if (runs.length) folders.push(join(suiteDir, runs[runs.length - 1]));
  }
  return folders;
}

export async function readRunInputs(paths: string[]): Promise<RunInput[]> {
  const runs: RunInput[] = [];
  const labels = new Set<string>();
  for (const path of paths) {
    const abs = resolve(path);
    if (!existsSync(abs)) throw new UserError(`${path}: no such file or folder`);
    const isDir = statSync(abs).isDirectory();
    const dir = isDir ? abs : dirname(abs);
    // A reference leaderboard folder (results/leaderboards/<suite>) keeps its rows compressed.
    const rowsFile = isDir ? (existsSync(join(abs, 'rows.csv')) || !existsSync(join(abs, 'rows.csv.gz')) ? join(abs, 'rows.csv') : join(abs, 'rows.csv.gz')) : abs;
    if (!existsSync(rowsFile)) throw new UserError(`${path}: not a run folder: no rows.csv in it`, ['pass a run folder (rows.csv + manifest.json), a reference leaderboard folder (rows.csv.gz + provenance.json) or a rows.csv file']);
    if (runs.some((r) => r.rowsFile === rowsFile)) throw new UserError(`${path}: given twice`);
    const rows = await readRows(rowsFile);
    // A reference leaderboard folder's provenance.json records the suite and leaderboard settings as a manifest does.
    const manifestFile = [join(dir, 'manifest.json'), join(dir, 'provenance.json')].find((f) => existsSync(f)) ?? join(dir, 'manifest.json');
    const sibling = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : undefined);
    // Sibling files describe the rows only when the rows are the run folder's own rows.csv.
    const own = basename(rowsFile) === 'rows.csv' || basename(rowsFile) === 'rows.csv.gz';
    const manifest = own && existsSync(manifestFile) ? readManifest(manifestFile) : undefined;
    const siblings = own ? { leaderboard: sibling('leaderboard.csv'), claims: sibling('claims.csv'), records: sibling('records.jsonl') } : {};
    let label = fileSafe(basename(dir));
    for (let i = 2; labels.has(label); i++) label = `${fileSafe(basename(dir))}-${i}`;
    labels.add(label);
    runs.push({ label, dir, rowsFile, rows, manifest, claims: siblings.claims ? await readClaims(siblings.claims) : [], siblings });
  }
  return runs;
}

function readManifest(file: string): RunManifest {
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as RunManifest;
  } catch (error) {
    throw new UserError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof manifest?.suite?.id !== 'string' || typeof manifest.suite.version !== 'number') {
    throw new UserError(`${file}: not a run manifest: no suite id and version`);
  }
  return manifest;
}

async function readClaims(file: string): Promise<ClaimRow[]> {
  const { headers, records } = await parseCsv(readFileSync(file, 'utf8'), file);
  const missing = CLAIM_COLUMNS.filter((c) => !headers.includes(c));
  if (missing.length) throw new UserError(`${file}: not a claims.csv: missing columns ${missing.join(', ')}`);
  return records as unknown as ClaimRow[];
}

/**
 * One page per suite version. The leaderboard config comes from the runs' manifests, else from the
 * installed suite (`registry()` is only called then), whose version must match the rows'.
 */
export function groupBySuiteVersion(runs: RunInput[], registry: () => Registry): SuitePage[] {
  const byKey = new Map<string, { suite: string; version: number; runs: RunInput[]; rows: ResultRow[] }>();
  for (const run of runs) {
    for (const row of run.rows) {
      const key = `${row.suite}\0${row.suite_version}`;
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { suite: row.suite, version: row.suite_version, runs: [], rows: [] }));
      if (!entry.runs.includes(run)) entry.runs.push(run);
      entry.rows.push(row);
    }
  }
  const pages: SuitePage[] = [];
  for (const { suite, version, runs: pageRuns, rows } of [...byKey.values()].sort((a, b) => a.suite.localeCompare(b.suite) || a.version - b.version)) {
    refuseDuplicateUnits(suite, version, pageRuns);
    const definition = suiteDefinition(suite, version, pageRuns, registry);
    const board = aggregate(rows, definition.config);
    const claims = pageRuns.flatMap((run) => run.claims.filter((c) => c.suite === suite).map((c) => ({ ...c, run: run.label })));
    pages.push({ suite, version, slug: `${fileSafe(suite)}-v${version}`, ...definition, runs: pageRuns, rows, board, claims });
  }
  return pages;
}

function refuseDuplicateUnits(suite: string, version: number, runs: RunInput[]) {
  const owner = new Map<string, string>();
  for (const run of runs) {
    for (const row of run.rows) {
      if (row.suite !== suite || row.suite_version !== version) continue;
      const key = `${row.unit_key}\0${row.metric}`;
      const first = owner.get(key);
      if (first !== undefined && first !== run.rowsFile) {
        throw new UserError(`suite "${suite}" v${version}: unit ${row.unit_key.slice(0, 12)} appears in ${first} and in ${run.rowsFile}`, [
          'publish each run or shard once (rerunning the same plan gives the same units; pick one run, or `harness merge` shards first)',
        ]);
      }
      if (first !== undefined) throw new UserError(`${run.rowsFile}: unit ${row.unit_key.slice(0, 12)} has metric "${row.metric}" twice`);
      owner.set(key, run.rowsFile);
    }
  }
}

function suiteDefinition(suite: string, version: number, runs: RunInput[], registry: () => Registry) {
  const manifests = runs.map((r) => r.manifest).filter((m): m is RunManifest => m?.suite.id === suite && m.suite.version === version);
  const configs = manifests.map((m) => m.leaderboard).filter((c): c is LeaderboardConfig => !!c);
  if (configs.length) {
    if (new Set(configs.map((c) => canonicalJson(c))).size > 1) {
      throw new UserError(`suite "${suite}" v${version}: the runs record different leaderboard settings for the same suite version`, [
        ...runs.filter((r) => r.manifest?.leaderboard).map((r) => `${r.dir}/manifest.json: ${JSON.stringify(r.manifest!.leaderboard)}`),
      ]);
    }
    const recorded = manifests[0].suite;
    // Reference leaderboards record the suite file relative to the repository.
    const file = isAbsolute(recorded.file) ? recorded.file : join(HARNESS_ROOT, recorded.file);
    const text = existsSync(file) ? suiteText(file, version) : {};
    return { config: configs[0], file: recorded.file, sha256: recorded.sha256, ...text };
  }
  // Bare rows.csv: the installed suite defines the primary metric and the groups.
  const resolved = loadSuite(registry(), suite);
  if (resolved.suite.version !== version) {
    throw new UserError(`rows of suite "${suite}" v${version} (${runs.map((r) => r.rowsFile).join(', ')}) have no manifest.json, and the installed suite is v${resolved.suite.version}`, [
      'publish the run folder (with its manifest.json) instead of the bare rows.csv',
    ]);
  }
  return { config: leaderboardConfig(resolved), file: resolved.file, title: resolved.suite.title, description: resolved.suite.description };
}

/** Title and description of the suite file, when it still has the published version. */
function suiteText(file: string, version: number): { title?: string; description?: string } {
  try {
    const suite = readSuiteFile(file);
    return suite.version === version ? { title: suite.title, description: suite.description } : {};
  } catch {
    return {};
  }
}
