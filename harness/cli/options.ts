// Option parsers shared by several commands.
import { InvalidArgumentError, Option } from 'commander';
import { cpus } from 'node:os';
import { MAX_TIMEOUT_SECONDS } from '../api/suite.ts';
import type { BudgetName } from '../api/types.ts';
import { BACKEND_CHOICES } from '../backends/tensors.ts';

export const budgetOption = () =>
  new Option('--budget <budget>', 'size of the run').choices(['smoke', 'standard', 'full'] satisfies BudgetName[]).default('smoke');

export const backendOption = () => new Option('--backend <backend>', 'tensor backend').choices([...BACKEND_CHOICES]).default('auto');

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseSeeds(value: string): number[] {
  const seeds = value.split(',').map((s) => s.trim());
  if (!seeds.length || seeds.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError('expected comma-separated non-negative integers, e.g. 0,1,2');
  return seeds.map(Number);
}

export function parsePositiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || !(n > 0)) throw new InvalidArgumentError(`expected a finite positive number, got "${value}"`);
  return n;
}

/** A per-unit timeout in seconds: a finite positive number whose milliseconds fit a timer. */
export function parseTimeoutSeconds(value: string): number {
  const n = Number(value.trim());
  if (!value.trim() || !Number.isFinite(n) || !(n > 0) || n > MAX_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`expected a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS} (about 24 days), got "${value}"`);
  }
  return n;
}

/** `--memory-limit MB`: a whole number of megabytes, at least 64 (a Node process needs about 40). */
export function parseMemoryLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 64 || Number(value) > 1_048_576) throw new InvalidArgumentError('expected a whole number of megabytes between 64 and 1048576');
  return Number(value);
}

export function defaultJobs(): number {
  return Math.max(1, cpus().length);
}

/** Turns the first Ctrl-C into an abort (the command finishes its files); a second one kills as usual. */
export function interruptOnSigint(note: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write(`\ninterrupted: ${note}\n`);
    process.off('SIGINT', onSigint);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
