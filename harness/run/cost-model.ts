// How long a unit will take, for the ETA: from what units like it cost before. A suite mixes units
// that cost milliseconds with units that cost minutes, and the cheap ones tend to finish first, so
// "finished units × mean time" is far too optimistic. Each estimate comes from the closest match:
// the same task, method and params (another seed) → the same task and method → the same task → any
// unit, first among this run's finished units, then in the costs remembered from earlier runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../plan/canonical.ts';
import type { Unit } from '../plan/expand.ts';
import { writeFileAtomic } from '../results/csv.ts';

const HISTORY_FILE = 'unit-costs.json';
/** Remembered costs kept per cache (the most recent ones). */
const HISTORY_LIMIT = 20000;

type Means = Map<string, { sum: number; n: number }>;

function levels(unit: Pick<Unit, 'task' | 'methodName' | 'taskParams' | 'methodParams' | 'budget'>): string[] {
  const params = canonicalJson({ ...unit.taskParams, ...unit.methodParams });
  return [
    `${unit.budget}\0${unit.task}\0${unit.methodName}\0${params}`,
    `${unit.budget}\0${unit.task}\0${unit.methodName}`,
    `${unit.budget}\0${unit.task}`,
    '',
  ];
}

export class CostModel {
  private readonly observed: Means = new Map();
  private readonly history: Means = new Map();
  /** Exact-key costs of earlier runs, written back with this run's at the end. */
  private readonly remembered: Map<string, number>;

  constructor(remembered: Record<string, number> = {}) {
    this.remembered = new Map(Object.entries(remembered).filter(([, ms]) => Number.isFinite(ms) && ms >= 0));
    for (const [exact, ms] of this.remembered) {
      const [budget, task, method] = exact.split('\0');
      for (const key of [exact, `${budget}\0${task}\0${method}`, `${budget}\0${task}`, '']) add(this.history, key, ms);
    }
  }

  /** Costs remembered in `cacheDir` (none when the file is missing or unreadable: it is only an estimate). */
  static load(cacheDir: string): CostModel {
    const file = join(cacheDir, HISTORY_FILE);
    try {
      return new CostModel(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {});
    } catch {
      return new CostModel();
    }
  }

  observe(unit: Unit, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const keys = levels(unit);
    for (const key of keys) add(this.observed, key, ms);
    this.remembered.delete(keys[0]); // re-inserted last: the newest survive the limit
    this.remembered.set(keys[0], ms);
  }

  /** Expected milliseconds, or undefined when nothing is known yet. */
  estimate(unit: Unit): number | undefined {
    const keys = levels(unit);
    // A closer match from earlier runs beats a coarser one from this run.
    for (const key of keys) {
      const now = this.observed.get(key);
      if (now) return now.sum / now.n;
      const before = this.history.get(key);
      if (before && key !== '') return before.sum / before.n;
    }
    const before = this.history.get('');
    return before ? before.sum / before.n : undefined;
  }

  save(cacheDir: string): void {
    try {
      const entries = [...this.remembered].slice(-HISTORY_LIMIT).map(([k, ms]) => [k, Math.round(ms)]);
      writeFileAtomic(join(cacheDir, HISTORY_FILE), `${JSON.stringify(Object.fromEntries(entries))}\n`);
    } catch {
      // An estimate that cannot be remembered costs only a worse ETA next time.
    }
  }
}

function add(means: Means, key: string, ms: number): void {
  const m = means.get(key) ?? { sum: 0, n: 0 };
  m.sum += ms;
  m.n++;
  means.set(key, m);
}

/** Seconds left: the estimated cost of the units not finished (running ones less their elapsed time)
 * shared over the parallel slots; undefined while nothing is known. */
export function remainingSeconds(
  model: CostModel,
  pending: readonly Unit[],
  running: ReadonlyMap<Unit, number>,
  jobs: number,
  now: number,
): number | undefined {
  let total = 0;
  for (const unit of pending) {
    const ms = model.estimate(unit);
    if (ms === undefined) return undefined;
    total += ms;
  }
  for (const [unit, started] of running) {
    const ms = model.estimate(unit);
    if (ms === undefined) return undefined;
    total += Math.max(0, ms - (now - started));
  }
  const slots = Math.max(1, Math.min(jobs, pending.length + running.size));
  return total / slots / 1000;
}

/** `1:05`, `12:00:07`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
