/**
 * Loader for the learning-curve benchmark CSVs of arXiv 2209.06640
 * (`benchmark.vision.csv`, `benchmark.lang.csv`; columns
 * `Domain,Task,Model,Seen Examples,Loss,Training`).
 *
 * Data quirks handled here (see the data folder's SOURCE.md):
 * - rows of a group are not sorted by `Seen Examples` → each split is sorted by x;
 * - every LM group is one block of rows repeated four times → identical (x, loss, training)
 *   rows are dropped (the reference keys its fit points by x, which has the same effect on the
 *   fit set; on the test set the RMSE is unchanged, only a standard error counting n differs);
 * - the `Training` column is authoritative (1 = fit, 0 = extrapolation), never recomputed;
 * - BB task names are stringified tuples such as `('date', '1-shot')`; ids keep them verbatim.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Domain = 'IC' | 'NMT' | 'LM' | 'BB';

export const DOMAINS: readonly Domain[] = ['IC', 'NMT', 'LM', 'BB'];

export type Curve = {
  /** `${domain}/${task}/${model}` (task and model may themselves contain '/', ',' or parentheses). */
  id: string;
  domain: Domain;
  task: string;
  model: string;
  /** Fit split (Training = 1), sorted by x ascending, duplicates removed. */
  fitX: Float64Array;
  fitY: Float64Array;
  /** Extrapolation split (Training = 0), sorted by x ascending, duplicates removed. */
  testX: Float64Array;
  testY: Float64Array;
};

const REQUIRED = ['Domain', 'Task', 'Model', 'Seen Examples', 'Loss', 'Training'] as const;

/**
 * Splits CSV text into records of fields (RFC 4180: quoted fields, "" escapes, CRLF or LF).
 * Returns each record with the 1-based line number on which it starts.
 */
export function parseCsvRecords(text: string, file: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < n && text[i] === '"') {
        // quoted field
        i++;
        let closed = false;
        while (i < n) {
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              closed = true;
              break;
            }
          } else {
            if (ch === '\n') line++;
            field += ch;
            i++;
          }
        }
        if (!closed) throw new Error(`${file}:${startLine}: unterminated quoted field`);
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new Error(`${file}:${line}: unexpected character ${JSON.stringify(text[i])} after closing quote`);
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw new Error(`${file}:${line}: stray quote inside unquoted field`);
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      field = '';
      if (i >= n) {
        endOfRecord = true;
      } else if (text[i] === ',') {
        i++;
      } else {
        // \r\n, \n or lone \r
        if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
        else i++;
        line++;
        endOfRecord = true;
      }
    }
    // skip completely empty lines
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: startLine, fields });
  }
  return out;
}

function parseNumber(s: string, what: string, file: string, line: number): number {
  const t = s.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw new Error(`${file}:${line}: ${what} is not a finite number: ${JSON.stringify(s)}`);
  return v;
}

/**
 * Parses one benchmark CSV into curves grouped by (Domain, Task, Model), in order of first
 * appearance. Throws an Error naming the file and line on malformed input, unknown domains,
 * non-positive x or loss, a Training flag other than 0/1, or a repeated x with a different
 * loss or flag in the same group.
 */
export function parseCurvesCsv(text: string, file: string): Curve[] {
  const records = parseCsvRecords(text, file);
  if (records.length === 0) throw new Error(`${file}: empty CSV`);
  const header = records[0].fields.map((h) => h.trim());
  const col: Record<(typeof REQUIRED)[number], number> = {} as never;
  for (const name of REQUIRED) {
    const j = header.indexOf(name);
    if (j < 0) throw new Error(`${file}:${records[0].line}: missing column ${JSON.stringify(name)} in header`);
    col[name] = j;
  }
  type Row = { x: number; y: number; line: number };
  type Group = { domain: Domain; task: string; model: string; fit: Map<number, Row>; test: Map<number, Row> };
  const groups = new Map<string, Group>();
  for (let r = 1; r < records.length; r++) {
    const { line, fields } = records[r];
    if (fields.length !== header.length) {
      throw new Error(`${file}:${line}: expected ${header.length} fields, got ${fields.length}`);
    }
    const domain = fields[col.Domain].trim();
    if (domain !== 'IC' && domain !== 'NMT' && domain !== 'LM' && domain !== 'BB') {
      throw new Error(`${file}:${line}: unknown Domain ${JSON.stringify(domain)}`);
    }
    const task = fields[col.Task];
    const model = fields[col.Model];
    const x = parseNumber(fields[col['Seen Examples']], 'Seen Examples', file, line);
    const y = parseNumber(fields[col.Loss], 'Loss', file, line);
    const tr = parseNumber(fields[col.Training], 'Training', file, line);
    if (!(x > 0)) throw new Error(`${file}:${line}: Seen Examples must be > 0, got ${x}`);
    if (!(y > 0)) throw new Error(`${file}:${line}: Loss must be > 0, got ${y}`);
    if (tr !== 0 && tr !== 1) throw new Error(`${file}:${line}: Training must be 0 or 1, got ${tr}`);
    const id = `${domain}/${task}/${model}`;
    let g = groups.get(id);
    if (g === undefined) {
      g = { domain, task, model, fit: new Map(), test: new Map() };
      groups.set(id, g);
    }
    const mine = tr === 1 ? g.fit : g.test;
    const other = tr === 1 ? g.test : g.fit;
    const prev = mine.get(x);
    if (prev !== undefined) {
      if (prev.y !== y) {
        throw new Error(`${file}:${line}: ${id}: x=${x} repeats line ${prev.line} with a different loss (${y} vs ${prev.y})`);
      }
      continue; // exact repeat (the LM blocks): drop
    }
    const clash = other.get(x);
    if (clash !== undefined) {
      throw new Error(`${file}:${line}: ${id}: x=${x} appears in both splits (see line ${clash.line})`);
    }
    mine.set(x, { x, y, line });
  }
  const curves: Curve[] = [];
  for (const [id, g] of groups) {
    const fit = [...g.fit.values()].sort((a, b) => a.x - b.x);
    const test = [...g.test.values()].sort((a, b) => a.x - b.x);
    curves.push({
      id,
      domain: g.domain,
      task: g.task,
      model: g.model,
      fitX: Float64Array.from(fit, (p) => p.x),
      fitY: Float64Array.from(fit, (p) => p.y),
      testX: Float64Array.from(test, (p) => p.x),
      testY: Float64Array.from(test, (p) => p.y),
    });
  }
  return curves;
}

/**
 * Reads `benchmark.vision.csv` and `benchmark.lang.csv` from `dir` (the folder
 * `<HARNESS_DATA_DIR>/scaling-laws`) and returns all curves (92 on the released data).
 */
export function loadBenchmarkCurves(dir: string): Curve[] {
  const out: Curve[] = [];
  for (const name of ['benchmark.vision.csv', 'benchmark.lang.csv']) {
    const file = join(dir, name);
    out.push(...parseCurvesCsv(readFileSync(file, 'utf8'), file));
  }
  return out;
}
