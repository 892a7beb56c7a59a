// The files of a run folder, each written atomically: rows.csv, records.jsonl, leaderboard.csv/.md,
// leaderboard-long.csv,
// claims.csv, manifest.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import type { Json, ResultRow } from '../api/types.ts';
import type { JournalEntry } from '../run/journal.ts';
import { CLAIM_COLUMNS, type ClaimRow } from './claims.ts';
import { writeCsv, writeFileAtomic, writeRows } from './csv.ts';
import { leaderboardColumns, leaderboardLongColumns, leaderboardLongRecords, leaderboardMarkdown, leaderboardRecords, type Leaderboard } from './leaderboard.ts';

/** The long (tidy) leaderboard beside the wide leaderboard.csv: one row per task × group × method × metric. */
export const LONG_LEADERBOARD = 'leaderboard-long.csv';

export async function writeLeaderboard(dir: string, board: Leaderboard, claims?: ClaimRow[]): Promise<void> {
  await writeCsv(join(dir, 'leaderboard.csv'), leaderboardColumns(board), leaderboardRecords(board));
  await writeCsv(join(dir, LONG_LEADERBOARD), leaderboardLongColumns(board), leaderboardLongRecords(board));
  writeFileAtomic(join(dir, 'leaderboard.md'), leaderboardMarkdown(board) + (claims ? claimsMarkdown(claims) : ''));
  if (claims) await writeCsv(join(dir, 'claims.csv'), CLAIM_COLUMNS, claims as unknown as Record<string, string>[]);
}

export async function writeRunOutputs(
  dir: string,
  run: { rows: ResultRow[]; entries: JournalEntry[]; board: Leaderboard; claims: ClaimRow[]; manifest: Json },
): Promise<void> {
  await writeRows(join(dir, 'rows.csv'), run.rows);
  const records = run.entries
    .filter((e) => e.records?.length)
    .map((e) => JSON.stringify({ unit_key: e.key, method: e.rows[0].method, params: JSON.parse(e.rows[0].params), seed: e.rows[0].seed, records: e.records }));
  writeFileAtomic(join(dir, 'records.jsonl'), records.length ? `${records.join('\n')}\n` : '');
  await writeLeaderboard(dir, run.board, run.claims);
  // Written last: the checksums of the files above, so `harness validate` can detect an edit.
  const checksums = Object.fromEntries(CHECKED_FILES.map((name) => [name, sha256(readFileSync(join(dir, name)))]));
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify({ ...(run.manifest as object), checksums }, null, 2)}\n`);
}

/** Files of a run folder whose sha256 the manifest records. */
export const CHECKED_FILES = ['rows.csv', 'records.jsonl', 'leaderboard.csv', 'claims.csv'] as const;

/** Checksum of one unit's rows, recorded per unit in the manifest so an edit can be traced to its unit. */
export function unitRowsChecksum(rows: readonly ResultRow[]): string {
  return sha256(canonicalJson(rows));
}

export function claimsMarkdown(claims: ClaimRow[]): string {
  if (!claims.length) return '';
  const lines = ['', '## Claims', '', '| claim | paper | measured | status | why |', '|---|---|---|---|---|'];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
  for (const c of claims) lines.push(`| ${cell(c.statement)} | ${cell(c.paper)} | ${cell(c.measured || '–')} | **${c.status}** | ${cell(c.why)} |`);
  return `${lines.join('\n')}\n`;
}
