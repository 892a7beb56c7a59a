// The CSVs offered for download. A published CSV is opened in spreadsheets by strangers, so every
// text cell that a spreadsheet would run as a formula (= + - @ …) gets a leading quote. Numbers
// (including negative ones, such as a CI's lower bound) are kept exactly as they were written.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CLAIM_COLUMNS, type ClaimRow } from '../results/claims.ts';
import { csvText, neutralizeFormula, parseCsv, type Cell } from '../results/csv.ts';
import { leaderboardColumns, leaderboardLongColumns, leaderboardLongRecords, leaderboardRecords, type Leaderboard } from '../results/leaderboard.ts';

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A CSV file re-written with its text cells neutralized; its numeric cells are left as written. */
export async function neutralizedCopy(file: string): Promise<string> {
  const bytes = readFileSync(file);
  const { headers, records } = await parseCsv((file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'), file);
  const safe = records.map((record) =>
    Object.fromEntries(headers.map((column) => [column, NUMBER.test(record[column]) ? record[column] : neutralizeFormula(record[column])])),
  );
  return csvText(headers, safe);
}

/** The page's own leaderboard (re-aggregated over all its runs), neutralized. */
export async function leaderboardCsv(board: Leaderboard): Promise<string> {
  return csvText(leaderboardColumns(board), leaderboardRecords(board), { neutralizeFormulas: true });
}

/** The page's long (tidy) leaderboard, neutralized. */
export async function leaderboardLongCsv(board: Leaderboard): Promise<string> {
  return csvText(leaderboardLongColumns(board), leaderboardLongRecords(board), { neutralizeFormulas: true });
}

export async function claimsCsv(claims: ReadonlyArray<ClaimRow & { run: string }>): Promise<string> {
  return csvText([...CLAIM_COLUMNS, 'run'], claims as unknown as Record<string, Cell>[], { neutralizeFormulas: true });
}
