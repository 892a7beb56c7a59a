// The run journal: one JSON line per completed unit, appended with a single write. A line cut short by a
// crash is dropped on the next open, so a unit is either wholly recorded or not at all.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { Json, ResultRow } from '../api/types.ts';

export interface JournalEntry {
  key: string;
  rows: ResultRow[];
  records?: Json[];
  /** Set when the rows were reused from the unit cache instead of computed in this run. */
  cachedFrom?: string;
}

export class Journal {
  readonly entries = new Map<string, JournalEntry>();
  private fd: number;

  constructor(readonly path: string) {
    if (existsSync(path)) this.recover();
    this.fd = openSync(path, 'a');
  }

  private recover() {
    const text = readFileSync(this.path, 'utf8');
    let goodLength = 0;
    let offset = 0;
    for (const line of text.split('\n')) {
      const end = offset + Buffer.byteLength(line) + 1;
      if (end > Buffer.byteLength(text)) break; // no newline: a write cut short
      try {
        const entry = JSON.parse(line) as JournalEntry;
        this.entries.set(entry.key, entry);
        goodLength = end;
      } catch {
        break;
      }
      offset = end;
    }
    if (goodLength !== Buffer.byteLength(text)) truncateSync(this.path, goodLength);
  }

  append(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
    this.entries.set(entry.key, entry);
  }

  close(): void {
    closeSync(this.fd);
  }
}
