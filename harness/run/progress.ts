// Progress of a run on stderr: a live bar on a terminal, one plain line per finished unit otherwise.
import cliProgress from 'cli-progress';
import { canonicalJson } from '../plan/canonical.ts';
import type { Unit } from '../plan/expand.ts';

export interface Progress {
  start(unit: Unit): void;
  update(unit: Unit, fraction: number, note?: string): void;
  done(unit: Unit, status: string, wallMs: number, reason: string): void;
  log(line: string): void;
  stop(): void;
}

function label(unit: Unit): string {
  const params = canonicalJson(unit.taskParams);
  return `${unit.methodName} ${params.length > 60 ? `${params.slice(0, 57)}…` : params} seed ${unit.seed}`;
}

export function createProgress(total: number, log: (line: string) => void): Progress {
  let finished = 0;
  if (!process.stderr.isTTY || total === 0) {
    return {
      start: () => {},
      update: () => {},
      done: (unit, status, wallMs, reason) => {
        finished++;
        log(`[${finished}/${total}] ${status.padEnd(7)} ${label(unit)} ${Math.round(wallMs)} ms${reason ? ` — ${reason}` : ''}`);
      },
      log,
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} units | {eta_formatted} left | {unit}', stream: process.stderr, hideCursor: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { unit: '' });
  return {
    start: (unit) => bar.update({ unit: label(unit) }),
    update: (unit, fraction, note) => bar.update({ unit: `${label(unit)} ${Math.round(fraction * 100)}%${note ? ` ${note}` : ''}` }),
    done: (unit, status, _wallMs, reason) => {
      finished++;
      if (status !== 'ok' && status !== 'skipped') log(`\n${status}: ${label(unit)} — ${reason}`);
      bar.update(finished, { unit: label(unit) });
    },
    log: (line) => process.stderr.write(`\n${line}\n`),
    stop: () => bar.stop(),
  };
}
