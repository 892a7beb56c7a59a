// A pool of unit child processes, one unit per child at a time, with a per-unit timeout and a memory
// limit on each child's resident set. A unit that hangs, exceeds the limit or ends its process becomes an
// outcome; the child is replaced and the pool goes on. What a unit prints goes to its own log file.
import type { BudgetName } from '../api/types.ts';
import { canonicalJson } from '../plan/canonical.ts';
import type { Unit } from '../plan/expand.ts';
import { UnitChild, type ChildCommand } from './child-process.ts';
import type { FromWorker, UnitOutcome } from './protocol.ts';
import { BoundedLog, unitLogFile } from './unit-log.ts';

export interface PoolEvents {
  onStart(unit: Unit): void;
  onProgress(unit: Unit, fraction: number, note?: string): void;
  onLog(unit: Unit, level: string, message: string): void;
  onDone(unit: Unit, outcome: UnitOutcome): void;
}

export interface PoolOptions {
  jobs: number;
  budget: BudgetName;
  signal: AbortSignal;
  /** How to start a child (see sandbox.ts `childCommand`). */
  command: ChildCommand;
  memoryLimitMb: number;
  /** Where each unit's output is written, as `<unit key>.log`. */
  logDir: string;
  /** Why a unit cannot run in these children at all (e.g. it needs the network under --sandbox). */
  refuse?: (unit: Unit) => string | undefined;
}

/** setTimeout's longest delay; a longer timeout means "never" in practice. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function runPool(units: Unit[], options: PoolOptions, events: PoolEvents): Promise<void> {
  // Units of one task instance go to the same child, one after another, so the instance's
  // (deterministic) prepare runs once and its result is reused.
  const queue = groupByInstance(units);
  const live = new Set<UnitChild>();
  let seq = 0;
  const slot = async () => {
    let child: UnitChild | undefined;
    try {
      while (queue.length && !options.signal.aborted) {
        const group = queue.shift()!; // taken before awaiting, so no two slots take the same one
        for (const unit of group) {
          if (options.signal.aborted) break;
          const refused = options.refuse?.(unit);
          if (refused) {
            events.onDone(unit, { status: 'error', reason: refused, wallMs: 0, backend: '', backendVersion: '' });
            continue;
          }
          try {
            if (!child) {
              child = await UnitChild.start(options.command, { memoryLimitMb: options.memoryLimitMb });
              live.add(child);
            }
          } catch (error) {
            if (options.signal.aborted) break;
            events.onDone(unit, { status: 'error', reason: `the unit process failed to start: ${(error as Error).message}`, wallMs: 0, backend: '', backendVersion: '' });
            continue;
          }
          events.onStart(unit);
          const log = new BoundedLog(unitLogFile(options.logDir, unit.key));
          const started = performance.now();
          const result = await child.run({ type: 'unit', unit, budget: options.budget, seq: ++seq }, log, {
            timeoutMs: Math.min(unit.timeoutMs, MAX_TIMER_MS),
            timeoutReason: `exceeded the unit timeout of ${unit.timeoutMs / 1000} s`,
            signal: options.signal,
            isAnswer: (m) => m.type === 'done' && m.key === unit.key,
            onMessage: (m: FromWorker) => {
              if (m.type === 'progress' && m.key === unit.key) events.onProgress(unit, m.fraction, m.note);
              else if (m.type === 'log' && m.key === unit.key) {
                log.write(`[harness ${m.level}] ${m.message}\n`);
                events.onLog(unit, m.level, m.message);
              }
            },
          });
          let outcome: UnitOutcome;
          if ('answer' in result) {
            outcome = (result.answer as Extract<FromWorker, { type: 'done' }>).outcome;
          } else {
            outcome = { status: result.lost === 'timeout' ? 'timeout' : 'error', reason: result.reason, wallMs: performance.now() - started, backend: '', backendVersion: '' };
            live.delete(child);
            await child.stop();
            child = undefined;
          }
          if (options.signal.aborted && outcome.status !== 'ok') break; // interrupted, not failed
          events.onDone(unit, outcome);
        }
      }
    } finally {
      if (child) {
        live.delete(child);
        await child.stop();
      }
    }
  };
  const abort = () => {
    for (const child of live) child.kill();
  };
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, queue.length)) }, slot));
  } finally {
    options.signal.removeEventListener('abort', abort);
  }
}

function groupByInstance(units: Unit[]): Unit[][] {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    const key = canonicalJson([unit.task, unit.taskParams, unit.taskSeed]);
    groups.set(key, [...(groups.get(key) ?? []), unit]);
  }
  return [...groups.values()];
}
