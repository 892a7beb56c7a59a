// `harness bench [plugin[:kernel]…]`: checks each kernel against its reference, times the ones
// that agree with tinybench (one at a time), prints a table and writes kernels.csv.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { benchKernels } from '../bench/bench-kernels.ts';
import { DEFAULT_MIN_SAMPLES, DEFAULT_MIN_TIME_MS } from '../bench/measure.ts';
import { KERNEL_COLUMNS, type KernelRow } from '../bench/rows.ts';
import { UserError } from '../errors.ts';
import { canonicalJson } from '../plan/canonical.ts';
import { writeCsv } from '../results/csv.ts';
import { formatNumber } from '../results/leaderboard.ts';
import { collect, interruptOnSigint, parsePositiveInt, parsePositiveNumber } from './options.ts';

export const DEFAULT_BENCH_OUT = 'results/bench/kernels.csv';

export interface BenchCommandOptions {
  plugin: string[];
  out: string;
  minTime: number;
  minSamples: number;
}

/** Where the command writes: the terminal in the CLI, a buffer in tests. */
export interface BenchOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const terminal: BenchOutput = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('check every kernel against its reference, then time it (tinybench); write kernels.csv')
    .argument('[kernels...]', '`plugin` (all its kernels) or `plugin:kernel`; default: every installed plugin\'s kernels')
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .option('--out <file>', 'where to write the CSV', DEFAULT_BENCH_OUT)
    .option('--min-time <ms>', 'least time spent timing each kernel × size, in ms', parsePositiveNumber, DEFAULT_MIN_TIME_MS)
    .option('--min-samples <n>', 'least number of timed calls per kernel × size', parsePositiveInt, DEFAULT_MIN_SAMPLES)
    .action(async (selectors: string[], opts: BenchCommandOptions) => {
      const interrupt = interruptOnSigint('writing the kernels timed so far');
      const exitCode = await benchCommand(selectors, opts, terminal, interrupt.signal).finally(interrupt.dispose);
      if (exitCode !== 0) process.exitCode = exitCode;
    });
}

/** The whole command: returns its exit code (0 all timed, 1 some kernel failed its check or errored, 130 interrupted). */
export async function benchCommand(selectors: readonly string[], opts: BenchCommandOptions, output: BenchOutput, signal?: AbortSignal): Promise<number> {
  const out = resolve(opts.out);
  prepareOutFile(out);
  let headerPrinted = false;
  const result = await benchKernels({
    selectors,
    pluginDirs: opts.plugin,
    minTimeMs: opts.minTime,
    minSamples: opts.minSamples,
    signal,
    onStart: (plugin, kernel, size) => output.stderr(`checking and timing ${plugin}:${kernel} ${canonicalJson(size)} …\n`),
    onRow: (row) => {
      if (!headerPrinted) output.stdout(`${tableHeader()}\n`);
      headerPrinted = true;
      output.stdout(`${tableLine(row)}\n`);
    },
  });
  for (const line of result.notInstalled) output.stderr(`not installed, skipped: ${line}\n`);
  if (!result.rows.length && !result.aborted) {
    output.stdout('no kernels to time: no installed plugin declares one\n');
    return 0;
  }
  await writeCsv(out, KERNEL_COLUMNS, result.rows);
  const failed = result.rows.filter((r) => r.status !== 'ok');
  output.stdout(`\n${result.rows.length - failed.length} timed, ${failed.length} not timed; results: ${out}\n`);
  for (const row of failed) output.stdout(`${row.status}: ${row.plugin}:${row.kernel} ${row.size}: ${row.check}\n`);
  if (result.aborted) return 130;
  return failed.length ? 1 : 0;
}

function prepareOutFile(out: string): void {
  try {
    mkdirSync(dirname(out), { recursive: true });
  } catch (error) {
    throw new UserError(`cannot write --out ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

const widths = { kernel: 32, size: 24, status: 13, mean: 11, p99: 11, rme: 8, samples: 8 } as const;

function tableHeader(): string {
  return [
    'kernel'.padEnd(widths.kernel),
    'size'.padEnd(widths.size),
    'status'.padEnd(widths.status),
    'mean ms'.padStart(widths.mean),
    'p99 ms'.padStart(widths.p99),
    '±rme %'.padStart(widths.rme),
    'samples'.padStart(widths.samples),
    '  items/s',
  ].join(' ');
}

function tableLine(row: KernelRow): string {
  const number = (value: number | null) => (value === null ? '–' : formatNumber(value));
  return [
    `${row.plugin}:${row.kernel}`.padEnd(widths.kernel),
    row.size.padEnd(widths.size),
    row.status.padEnd(widths.status),
    number(row.mean_ms).padStart(widths.mean),
    number(row.p99_ms).padStart(widths.p99),
    number(row.rme_pct).padStart(widths.rme),
    (row.samples === null ? '–' : String(row.samples)).padStart(widths.samples),
    `  ${number(row.throughput_per_s)}`,
  ].join(' ') + sideBySideText(row);
}

/** `  | PyTorch 2.1 CPU: 1078/s, ours ×0.14`, or why it is missing; '' when the kernel has none. */
function sideBySideText(row: KernelRow): string {
  if (!row.side_label) return '';
  if (row.side_per_s === null) return `  | ${row.side_label}: unavailable (${row.side_note})`;
  return `  | ${row.side_label}: ${formatNumber(row.side_per_s)}/s, ours ×${formatNumber(row.side_ratio!)}`;
}
