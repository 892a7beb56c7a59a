// A pool of worker threads, one unit per worker at a time, with per-unit timeouts. A unit that hangs or
// crashes its worker becomes an outcome; the worker is replaced and the pool goes on.
import { Worker } from 'node:worker_threads';
import type { BudgetName } from '../api/types.ts';
import { canonicalJson } from '../plan/canonical.ts';
import type { Unit } from '../plan/expand.ts';
import type { FromWorker, UnitOutcome, WorkerSetup } from './protocol.ts';

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

export interface PoolEvents {
  onStart(unit: Unit): void;
  onProgress(unit: Unit, fraction: number, note?: string): void;
  onLog(unit: Unit, level: string, message: string): void;
  onDone(unit: Unit, outcome: UnitOutcome): void;
}

export async function runPool(
  units: Unit[],
  options: { jobs: number; budget: BudgetName; setup: WorkerSetup; signal: AbortSignal },
  events: PoolEvents,
): Promise<void> {
  // Units of one task instance go to the same worker, one after another, so the instance's
  // (deterministic) prepare runs once and its result is reused.
  const queue = groupByInstance(units);
  const live = new Set<Worker>();
  const slot = async () => {
    let worker: Worker | undefined;
    try {
      while (queue.length && !options.signal.aborted) {
        const group = queue.shift()!; // taken before awaiting, so no two slots take the same one
        for (const unit of group) {
          if (options.signal.aborted) break;
          try {
            worker ??= await startWorker(options.setup, live);
          } catch (error) {
            if (options.signal.aborted) break;
            events.onDone(unit, { status: 'error', reason: `worker failed to start: ${(error as Error).message}`, wallMs: 0, backend: '', backendVersion: '' });
            continue;
          }
          events.onStart(unit);
          const { outcome, workerLost } = await runOne(worker, unit, options, events);
          if (workerLost) {
            live.delete(worker);
            await worker.terminate();
            worker = undefined;
          }
          if (options.signal.aborted && outcome.status !== 'ok') break; // interrupted, not failed
          events.onDone(unit, outcome);
        }
      }
    } finally {
      if (worker) {
        live.delete(worker);
        await worker.terminate();
      }
    }
  };
  const abort = () => {
    for (const worker of live) void worker.terminate();
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

function startWorker(setup: WorkerSetup, live: Set<Worker>): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY, { workerData: setup });
    live.add(worker);
    const onMessage = (message: FromWorker) => {
      if (message.type !== 'ready') return;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(worker);
    };
    const onError = (error: Error) => {
      live.delete(worker);
      reject(error);
    };
    // terminate() during start-up (an interrupt) ends the worker without an 'error' event.
    const onExit = (code: number) => onError(new Error(`worker exited with code ${code} before it was ready`));
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

function runOne(
  worker: Worker,
  unit: Unit,
  options: { budget: BudgetName; signal: AbortSignal },
  events: PoolEvents,
): Promise<{ outcome: UnitOutcome; workerLost: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const lost = (status: 'error' | 'timeout', reason: string) =>
      finish({ outcome: { status, reason, wallMs: performance.now() - started, backend: '', backendVersion: '' }, workerLost: true });
    const onMessage = (message: FromWorker) => {
      if (message.type === 'progress' && message.key === unit.key) events.onProgress(unit, message.fraction, message.note);
      else if (message.type === 'log' && message.key === unit.key) events.onLog(unit, message.level, message.message);
      else if (message.type === 'done' && message.key === unit.key) finish({ outcome: message.outcome, workerLost: false });
    };
    const onError = (error: Error) => lost('error', `worker crashed: ${error.message}`);
    const onExit = (code: number) => lost('error', options.signal.aborted ? 'interrupted' : `worker exited with code ${code}`);
    const onAbort = () => lost('error', 'interrupted');
    const timer = setTimeout(() => lost('timeout', `exceeded the unit timeout of ${unit.timeoutMs / 1000} s`), unit.timeoutMs);
    let done = false;
    const finish = (result: { outcome: UnitOutcome; workerLost: boolean }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      options.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    options.signal.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ type: 'unit', unit, budget: options.budget });
  });
}
