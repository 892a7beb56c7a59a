// Progress of a run on stderr: a live bar on a terminal, one plain line per finished unit otherwise
// (Slurm and Kubernetes logs), each with the elapsed time and an ETA weighted by what units like the
// remaining ones cost before (cost-model.ts).
import cliProgress from 'cli-progress';
import { canonicalJson } from '../plan/canonical.ts';
import type { Unit } from '../plan/expand.ts';
import { type CostModel, formatDuration, remainingSeconds } from './cost-model.ts';

export interface Progress {
  start(unit: Unit): void;
  update(unit: Unit, fraction: number, note?: string): void;
  done(unit: Unit, status: string, wallMs: number, reason: string): void;
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  jobs: number;
  costs: CostModel;
  /** Defaults to whether stderr is a terminal. */
  tty?: boolean;
  now?: () => number;
}

function label(unit: Unit): string {
  const params = canonicalJson(unit.taskParams);
  return `${unit.methodName} ${params.length > 60 ? `${params.slice(0, 57)}…` : params} seed ${unit.seed}`;
}

export function createProgress(todo: readonly Unit[], log: (line: string) => void, options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const began = now();
  const total = todo.length;
  const pending = new Set(todo);
  const running = new Map<Unit, number>();
  let finished = 0;
  let finishedCostMs = 0;
  const eta = () => {
    // The estimated work left, in unit-seconds, turned into wall seconds at the rate this run has been
    // getting through work so far (parallel slots, process starts and gaps included).
    const work = remainingSeconds(options.costs, [...pending], running, 1, now());
    if (work === undefined) return '–';
    const elapsed = (now() - began) / 1000;
    const rate = finishedCostMs > 0 && elapsed > 0 ? elapsed / (finishedCostMs / 1000) : 1 / Math.max(1, options.jobs);
    return formatDuration(work * rate);
  };
  const track = {
    start(unit: Unit) {
      pending.delete(unit);
      running.set(unit, now());
    },
    done(unit: Unit, wallMs: number) {
      // What the unit cost the run: from its start to its outcome (prepare, score and the process
      // included), not only the method's run() that wall_ms measures.
      const started = running.get(unit);
      pending.delete(unit);
      running.delete(unit);
      const cost = started === undefined ? wallMs : now() - started;
      options.costs.observe(unit, cost);
      finishedCostMs += cost;
      finished++;
    },
  };
  if (!(options.tty ?? process.stderr.isTTY) || total === 0) {
    return {
      start: (unit) => track.start(unit),
      update: () => {},
      done: (unit, status, wallMs, reason) => {
        track.done(unit, wallMs);
        log(
          `[${finished}/${total}] ${status.padEnd(7)} ${label(unit)} ${formatMs(wallMs)}${reason ? ` — ${reason}` : ''}` +
            ` | elapsed ${formatDuration((now() - began) / 1000)}, eta ${finished === total ? '0:00' : eta()}`,
        );
      },
      log,
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} units | {elapsed} elapsed, {eta} left | {unit}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const fields = (unit: string) => ({ unit, eta: eta(), elapsed: formatDuration((now() - began) / 1000) });
  bar.start(total, 0, fields(''));
  return {
    start: (unit) => {
      track.start(unit);
      bar.update(fields(label(unit)));
    },
    update: (unit, fraction, note) => bar.update(fields(`${label(unit)} ${Math.round(fraction * 100)}%${note ? ` ${note}` : ''}`)),
    done: (unit, status, wallMs, reason) => {
      track.done(unit, wallMs);
      if (status !== 'ok' && status !== 'skipped') log(`\n${status}: ${label(unit)} — ${reason}`);
      bar.update(finished, fields(label(unit)));
    },
    log: (line) => process.stderr.write(`\n${line}\n`),
    stop: () => bar.stop(),
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
