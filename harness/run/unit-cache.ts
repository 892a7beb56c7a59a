// Results of completed units by content key, shared across runs: an unchanged unit is never recomputed.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../results/csv.ts';
import type { JournalEntry } from './journal.ts';

export class UnitCache {
  constructor(private readonly dir: string) {}

  private path(key: string) {
    return join(this.dir, 'units', key.slice(0, 2), `${key}.json`);
  }

  has(key: string): boolean {
    return existsSync(this.path(key));
  }

  get(key: string): JournalEntry | undefined {
    const path = this.path(key);
    if (!existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as JournalEntry;
    } catch {
      return undefined;
    }
  }

  put(entry: JournalEntry): void {
    const path = this.path(entry.key);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileAtomic(path, JSON.stringify(entry));
  }
}
