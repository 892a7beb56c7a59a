// CSV in and out with fixed headers (never inferred), atomic writes, and typed row parsing.
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { writeToString } from '@fast-csv/format';
import { parseString } from '@fast-csv/parse';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ROW_COLUMNS, ROW_SCHEMA_VERSION } from '../api/rows.ts';
import type { ResultRow } from '../api/types.ts';
import { schemaProblems } from '../api/validate.ts';
import { UserError } from '../errors.ts';

export type Cell = string | number | boolean | null | undefined;

export interface CsvWriteOptions {
  /** Prefix text cells that a spreadsheet would run as a formula (=, +, -, @) with a quote. */
  neutralizeFormulas?: boolean;
}

export function neutralizeFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export async function csvText(columns: readonly string[], records: readonly Record<string, Cell>[], options: CsvWriteOptions = {}): Promise<string> {
  const rows = records.map((record) =>
    columns.map((column) => {
      const value = record[column];
      if (value === null || value === undefined) return '';
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
      const text = String(value);
      return options.neutralizeFormulas && typeof value === 'string' ? neutralizeFormula(text) : text;
    }),
  );
  const body = await writeToString(rows, { headers: [...columns], alwaysWriteHeaders: true, includeEndRowDelimiter: true });
  return body;
}

/** Writes through a temporary file and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, content: string): void {
  // Unique per thread and call: worker threads share the pid and may write the same cache entry at once.
  const tmp = `${path}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export async function writeCsv(path: string, columns: readonly string[], records: readonly Record<string, Cell>[], options: CsvWriteOptions = {}): Promise<void> {
  writeFileAtomic(path, await csvText(columns, records, options));
}

export async function parseCsv(text: string, file: string): Promise<{ headers: string[]; records: Record<string, string>[] }> {
  return new Promise((resolvePromise, reject) => {
    const records: Record<string, string>[] = [];
    let headers: string[] = [];
    parseString(text, { headers: true, strictColumnHandling: true })
      .on('headers', (h: string[]) => (headers = h))
      .on('data-invalid', (_row: unknown, rowNumber: number) =>
        reject(new UserError(`${file}: line ${rowNumber + 1}: expected ${headers.length} columns`)),
      )
      .on('data', (record: Record<string, string>) => records.push(record))
      .on('error', (error: Error) => reject(new UserError(`${file}: not valid CSV: ${error.message}`)))
      .on('end', () => resolvePromise({ headers, records }));
  });
}

export function rowsToRecords(rows: readonly ResultRow[]): Record<string, Cell>[] {
  return rows as unknown as Record<string, Cell>[];
}

export async function writeRows(path: string, rows: readonly ResultRow[]): Promise<void> {
  await writeCsv(path, ROW_COLUMNS, rowsToRecords(rows));
}

const integerColumns = new Set(['schema_version', 'suite_version', 'task_version', 'seed']);

/** Reads a rows.csv (or a gzip-compressed rows.csv.gz) back into typed rows; every problem names the file, the line and the column. */
export async function readRows(file: string): Promise<ResultRow[]> {
  let text: string;
  try {
    const bytes = readFileSync(file);
    text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { headers, records } = await parseCsv(text, file);
  const missing = ROW_COLUMNS.filter((c) => !headers.includes(c));
  if (missing.length) throw new UserError(`${file}: not a rows.csv: missing columns ${missing.join(', ')}`);
  const problems: string[] = [];
  const rows = records.map((record, i) => {
    const row: Record<string, unknown> = {};
    for (const column of ROW_COLUMNS) {
      const raw = record[column];
      if (integerColumns.has(column)) row[column] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
      else if (column === 'value') row[column] = raw === '' ? null : Number(raw);
      else if (column === 'wall_ms') row[column] = raw === '' ? NaN : Number(raw);
      else if (column === 'git_dirty') row[column] = raw === 'true' ? true : raw === 'false' ? false : raw;
      else row[column] = raw;
    }
    if (row.value !== null && Number.isNaN(row.value)) row.value = record.value;
    problems.push(...schemaProblems('row', row, file, `line ${i + 2}`));
    return row as unknown as ResultRow;
  });
  if (rows.length && rows[0].schema_version !== ROW_SCHEMA_VERSION && !problems.length) {
    problems.push(`${file}: schema_version ${rows[0].schema_version}, expected ${ROW_SCHEMA_VERSION}`);
  }
  if (problems.length) {
    throw new UserError(`${file}: ${problems.length} problem(s) in rows`, problems.slice(0, 50).concat(problems.length > 50 ? [`… and ${problems.length - 50} more`] : []));
  }
  return rows;
}
