// User-supplied evaluation files: MATH (JSONL, one {problem, solution, level, type} per line, as the
// Hendrycks et al. release) and GSM8k (JSONL, {question, answer} with "#### <number>"). MATH is not
// vendored (competition problems; its mirror was taken down), so a real run reads the user's copy.
// A malformed line or a missing field is one clear error naming the file and the line.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DatasetMissingError } from '../../harness/api/index.ts';
import { goldAnswer } from './answer.ts';
import { gsm8kGold } from './gsm8k.ts';

export type ProblemFormat = 'math' | 'gsm8k';

/** One evaluation item, whatever its source. */
export interface EvalProblem {
  id: string;
  format: ProblemFormat;
  problem: string;
  /** Normalized gold answer (MATH: Appendix D of the last \boxed{}; GSM8k: after "####"). */
  gold: string;
  subject: string | null;
  level: number | null;
}

export class ProblemFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProblemFileError';
  }
}

/** Where a data file is looked up: an absolute path as is; otherwise $HARNESS_DATA_DIR/minerva/<file>, then <cwd>/<file>. */
export function locateProblemFile(file: string, format: ProblemFormat): string {
  const candidates = isAbsolute(file) ? [file] : [...(process.env.HARNESS_DATA_DIR ? [join(resolve(process.env.HARNESS_DATA_DIR), 'minerva', file)] : []), resolve(file)];
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  const shape = format === 'math' ? 'one JSON object per line with "problem", "solution" (the answer in \\boxed{}), "level" ("Level 1"…"Level 5") and "type" (the subject)' : 'one JSON object per line with "question" and "answer" (ending "#### <number>")';
  throw new DatasetMissingError(
    `${format === 'math' ? 'MATH' : 'GSM8k'} file "${file}" not found (looked in ${candidates.join(', ')}). Put your copy there (${shape}), e.g. ` +
      `$HARNESS_DATA_DIR/minerva/${file}, then run: npx harness run minerva-math --model <spec>`,
  );
}

const levelOf = (v: unknown): number | null => {
  const m = typeof v === 'number' ? [String(v), String(v)] : typeof v === 'string' ? /(\d+)/.exec(v) : null;
  return m ? Number(m[1]) : null;
};

/** Parses a problem file's text; `name` is used in error messages. */
export function parseProblemFile(text: string, format: ProblemFormat, name: string): EvalProblem[] {
  const out: EvalProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${name} line ${i + 1}`;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (error) {
      throw new ProblemFileError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ProblemFileError(`${where}: expected a JSON object, got ${JSON.stringify(doc).slice(0, 40)}`);
    const d = doc as Record<string, unknown>;
    const need = format === 'math' ? ['problem', 'solution', 'level', 'type'] : ['question', 'answer'];
    for (const field of need) {
      if (d[field] === undefined || d[field] === null) throw new ProblemFileError(`${where}: missing field "${field}" (a ${format === 'math' ? 'MATH' : 'GSM8k'} line needs ${need.join(', ')})`);
      if (field !== 'level' && typeof d[field] !== 'string') throw new ProblemFileError(`${where}: field "${field}" must be a string`);
    }
    if (format === 'math') {
      const gold = goldAnswer(d.solution as string);
      if (gold === null) throw new ProblemFileError(`${where}: the solution has no closed \\boxed{…} answer`);
      out.push({ id: `line-${i + 1}`, format, problem: d.problem as string, gold, subject: d.type as string, level: levelOf(d.level) });
    } else {
      const gold = gsm8kGold(d.answer as string);
      if (gold === null) throw new ProblemFileError(`${where}: the answer has no "#### <number>" line`);
      out.push({ id: `line-${i + 1}`, format, problem: d.question as string, gold, subject: null, level: null });
    }
  });
  if (out.length === 0) throw new ProblemFileError(`${name}: no problems (the file is empty)`);
  return out;
}

/** Reads a located file: its problems and sha256 (recorded with the results). */
export function readProblemFile(path: string, format: ProblemFormat): { problems: EvalProblem[]; sha256: string } {
  const bytes = readFileSync(path);
  return { problems: parseProblemFile(bytes.toString('utf8'), format, path), sha256: createHash('sha256').update(bytes).digest('hex') };
}
