// The run journal: one JSON line per completed unit, appended with a single write. A line cut short by a
// crash (the last one, without its newline) is dropped when `run` opens the journal, so a unit is either
// wholly recorded or not at all. A bad line elsewhere is skipped and reported, never taken with what follows.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { Json, ResultRow } from '../api/types.ts';

export interface JournalEntry {
  key: string;
  rows: ResultRow[];
  records?: Json[];
  /** Set when the rows were reused from the unit cache instead of computed in this run. */
  cachedFrom?: string;
}

export interface JournalOptions {
  /** Open for reading only (`plan`, `validate`…): the file is never written, not even to drop a cut-short line. */
  readOnly?: boolean;
  /** Told about each line skipped (default: a line on stderr). */
  warn?: (message: string) => void;
}

/** The journal line of an entry, or why it cannot be one (a BigInt, a cycle, a throwing toJSON in its records). */
export function journalLine(entry: JournalEntry): { line: string } | { problem: string } {
  try {
    const text = JSON.stringify(entry);
    if (typeof text !== 'string') return { problem: 'the entry does not serialise to JSON' };
    return { line: `${text}\n` };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

export class Journal {
  readonly entries = new Map<string, JournalEntry>();
  /** Lines skipped when the journal was read, with their 1-based line numbers. */
  readonly skipped: Array<{ line: number; reason: string }> = [];
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly options: JournalOptions = {},
  ) {
    if (existsSync(path)) this.recover();
    if (!options.readOnly) this.fd = openSync(path, 'a');
  }

  private recover() {
    const bytes = readFileSync(this.path);
    const text = bytes.toString('utf8');
    const warn = this.options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
    const lines = text.split('\n');
    // The part after the last newline is a write cut short (or nothing when the file ends with a newline).
    const tail = lines.pop() ?? '';
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (!entry || typeof entry.key !== 'string' || !Array.isArray(entry.rows)) throw new Error('not a journal entry (no key and rows)');
        this.entries.set(entry.key, entry);
      } catch (error) {
        this.skipped.push({ line: i + 1, reason: (error as Error).message });
        warn(`${this.path}: line ${i + 1} skipped: ${(error as Error).message}; its unit will be run again`);
      }
    });
    if (tail && !this.options.readOnly) {
      // Only the final, newline-less line can be a write cut short; `run` drops it before appending.
      truncateSync(this.path, bytes.length - Buffer.byteLength(tail));
    }
  }

  /** Appends an entry (serialised first: an entry that cannot be serialised throws before anything is written). */
  append(entry: JournalEntry): void {
    if (this.fd === undefined) throw new Error(`${this.path}: journal opened read-only`);
    const serialised = journalLine(entry);
    if ('problem' in serialised) throw new Error(`journal entry of unit ${entry.key.slice(0, 12)} cannot be serialised: ${serialised.problem}`);
    writeSync(this.fd, serialised.line);
    fsyncSync(this.fd);
    this.entries.set(entry.key, entry);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
