// Reading a finished run folder back: manifest.json, rows.csv and records.jsonl.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BudgetName, Json, ResultRow } from '../api/types.ts';
import { UserError } from '../errors.ts';
import { readRows } from './csv.ts';
import type { LeaderboardConfig } from './leaderboard.ts';
import { runManifestProblems } from './manifest-check.ts';

export interface PlannedUnit {
  key: string;
  task: string;
  method: string;
  params: Json;
  seed: number;
}

export interface RunManifest {
  suite: { id: string; version: number };
  budget: BudgetName;
  leaderboard: LeaderboardConfig;
  shard: { index: number; count: number } | null;
  units: PlannedUnit[];
  [key: string]: unknown;
}

export interface RunFolder {
  dir: string;
  manifest: RunManifest;
  rows: ResultRow[];
  /** Per-instance records by unit key. */
  records: Map<string, Json[]>;
}

export async function readRunFolder(runDir: string): Promise<RunFolder> {
  const dir = resolve(runDir);
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new UserError(`${dir}: not a run folder (no manifest.json)`);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    throw new UserError(`${manifestFile}: not valid JSON: ${(error as Error).message}`);
  }
  // Read only once its shape is known (checksums are validate's business: older folders lack them).
  const problems = runManifestProblems(manifest, manifestFile).filter((p) => !p.endsWith('missing required field "checksums"'));
  if (problems.length) throw new UserError(`${manifestFile}: not a run manifest of the expected shape`, problems);
  const rows = await readRows(join(dir, 'rows.csv'));
  const records = new Map<string, Json[]>();
  const recordsFile = join(dir, 'records.jsonl');
  if (existsSync(recordsFile)) {
    for (const [i, line] of readFileSync(recordsFile, 'utf8').split('\n').entries()) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { unit_key: string; records: Json[] };
        records.set(entry.unit_key, entry.records);
      } catch {
        throw new UserError(`${recordsFile}: line ${i + 1}: not valid JSON`);
      }
    }
  }
  return { dir, manifest, rows, records };
}
