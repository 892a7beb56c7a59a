// `harness compare <rowsA.csv> <rowsB.csv>`: is run B worse than run A? Paired statistics where the
// runs share instances, unpaired otherwise; exit code 1 when B is worse beyond --threshold, for CI.
import { InvalidArgumentError, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ResultRow } from '../api/types.ts';
import { describePairing, compareRuns, DEFAULT_COMPARE_SEED, type CellComparison, type CompareReport } from '../compare/compare.ts';
import type { PrimaryHint } from '../compare/metric.ts';
import { UserError } from '../errors.ts';
import { readRows } from '../results/csv.ts';
import { formatNumber } from '../results/leaderboard.ts';
import { collect } from './options.ts';

export interface CompareCommandOptions {
  metric?: string;
  threshold: number;
  method: string[];
  seed: number;
  /** Print the report as JSON instead of the table. */
  json?: boolean;
  /** Bootstrap resamples (not a CLI option: the default is enough; tests may lower it to 2000). */
  resamples?: number;
}

/** Where the command writes: the terminal in the CLI, a buffer in tests. */
export interface CompareOutput {
  stdout(text: string): void;
}

const terminal: CompareOutput = { stdout: (text) => process.stdout.write(text) };

/** `output` is for tests; the CLI writes to the terminal. */
export function registerCompare(program: Command, output: CompareOutput = terminal): void {
  program
    .command('compare')
    .description('compare run B against run A on one metric (paired where they share instances); exit 1 when B is worse beyond --threshold')
    .argument('<rowsA>', 'rows.csv of the reference run A')
    .argument('<rowsB>', 'rows.csv of the candidate run B')
    .option('--metric <id>', 'metric to compare (default: the suite\'s primary metric from manifest.json beside the rows, else the first min/max metric)')
    .option('--threshold <t>', 'absolute margin: B fails only when its whole 95 % CI is worse than A by more than this', parseNonNegativeNumber, 0)
    .option('--method <id>', 'compare only this method (repeatable)', collect, [])
    .option('--seed <n>', 'seed of the bootstrap', parseSeed, DEFAULT_COMPARE_SEED)
    .option('--json', 'print the comparison as JSON (the exit code is the same)', false)
    .action(async (fileA: string, fileB: string, opts: CompareCommandOptions) => {
      const exitCode = await compareCommand(fileA, fileB, opts, output);
      if (exitCode !== 0) process.exitCode = exitCode;
    });
}

/** The whole command: returns 0 (B not worse beyond the threshold) or 1 (worse); bad input throws a UserError (exit 2). */
export async function compareCommand(fileA: string, fileB: string, opts: CompareCommandOptions, output: CompareOutput = terminal): Promise<number> {
  const rowsA = await readNonEmptyRows(fileA);
  const rowsB = await readNonEmptyRows(fileB);
  const recorded = recordedLeaderboard(fileA) ?? recordedLeaderboard(fileB);
  const report = compareRuns(rowsA, rowsB, {
    metric: opts.metric,
    primary: recorded?.primary,
    byTask: recorded?.byTask,
    threshold: opts.threshold,
    seed: opts.seed,
    resamples: opts.resamples,
    methods: opts.method,
  });
  if (opts.json) output.stdout(`${JSON.stringify({ a: fileA, b: fileB, ...report }, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  else output.stdout(renderComparison(report, { fileA, fileB, rowsA, rowsB }));
  return report.exitCode;
}

async function readNonEmptyRows(file: string): Promise<ResultRow[]> {
  const rows = await readRows(file);
  if (!rows.length) throw new UserError(`no rows in ${file}`);
  return rows;
}

/** The suite's primary metric recorded in manifest.json beside the rows; a missing or unreadable manifest just gives none. */
export function recordedPrimary(rowsFile: string): PrimaryHint | undefined {
  return recordedLeaderboard(rowsFile)?.primary;
}

/**
 * The suite's primary metric and the tasks' own primaries (`leaderboard.byTask`), recorded in the
 * manifest.json beside the rows (or the provenance.json of a reference leaderboard folder).
 */
export function recordedLeaderboard(rowsFile: string): { primary: PrimaryHint; byTask: Record<string, PrimaryHint> } | undefined {
  const dir = dirname(resolve(rowsFile));
  const manifestFile = [join(dir, 'manifest.json'), join(dir, 'provenance.json')].find((f) => existsSync(f));
  if (!manifestFile) return undefined;
  try {
    type Ranking = { primary?: unknown; goal?: unknown };
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { leaderboard?: Ranking & { byTask?: Record<string, Ranking> } };
    const hint = (r: Ranking | undefined): PrimaryHint | undefined =>
      typeof r?.primary === 'string' ? { metric: r.primary, goal: typeof r.goal === 'string' ? r.goal : undefined } : undefined;
    const primary = hint(manifest.leaderboard);
    if (!primary) return undefined;
    const byTask: Record<string, PrimaryHint> = {};
    for (const [task, ranking] of Object.entries(manifest.leaderboard?.byTask ?? {})) {
      const h = hint(ranking);
      if (h) byTask[task] = h;
    }
    return { primary, byTask };
  } catch {
    return undefined;
  }
}

export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return Number(value);
}

interface RenderContext {
  fileA: string;
  fileB: string;
  rowsA: readonly ResultRow[];
  rowsB: readonly ResultRow[];
}

const VERDICT_TEXT: Record<CellComparison['verdict'], string> = {
  better: 'better',
  worse: 'worse',
  'worse-within-threshold': 'worse, within threshold',
  'no-significant-difference': 'no significant difference',
  'too-few-instances': 'too few instances',
  'not-compared': 'not compared',
};

export function renderComparison(report: CompareReport, context: RenderContext): string {
  const { metric } = report;
  const lines = [
    `A: ${context.fileA} (${suiteLabel(context.rowsA)})`,
    `B: ${context.fileB} (${suiteLabel(context.rowsB)})`,
  ];
  if (suiteLabel(context.rowsA) !== suiteLabel(context.rowsB)) lines.push('note: the runs come from different suites or suite versions; only instances with the same task, method, params and seed are paired');
  lines.push(
    report.byTask
      ? "metric: each task's own primary metric (the suite's leaderboard settings), named per task below"
      : `metric: ${metric.metric} (${metric.goal === 'min' ? 'lower' : 'higher'} is better; ${metric.source === 'option' ? '--metric' : metric.source})`,
    `B − A with a 95 % percentile bootstrap CI (${report.resamples} resamples, seed ${report.seed}); sign test and McNemar exact, two-sided; threshold ${formatNumber(report.threshold)}`,
  );
  const tasks = [...new Set(report.cells.map((c) => c.task))];
  for (const task of tasks) {
    const own = report.byTask?.[task];
    lines.push('', own ? `${task} — ${own.metric} (${own.goal === 'min' ? 'lower' : 'higher'} is better)` : task, `  ${'method'.padEnd(28)}${'pairing'.padEnd(10)}${'n'.padStart(9)}  ${'mean A'.padEnd(11)}${'mean B'.padEnd(11)}${'B − A [95% CI]'.padEnd(34)}${'sign p'.padEnd(11)}${'McNemar p'.padEnd(11)}verdict`);
    for (const cell of report.cells.filter((c) => c.task === task)) {
      lines.push(`  ${cell.method.padEnd(28)}${pairingLabel(cell).padEnd(10)}${sizeLabel(cell).padStart(9)}  ${formatNumber(cell.meanA).padEnd(11)}${formatNumber(cell.meanB).padEnd(11)}${differenceLabel(cell).padEnd(34)}${formatP(cell.sign?.p).padEnd(11)}${formatP(cell.mcnemar?.p).padEnd(11)}${VERDICT_TEXT[cell.verdict]}`);
      lines.push(`    ${describePairing(cell)}`);
    }
  }
  if (report.skipped.length) {
    lines.push('', `not compared (${report.skipped.length} task${report.skipped.length === 1 ? '' : 's'}):`);
    for (const s of report.skipped) lines.push(`  ${s.task}: ${s.why}`);
  }
  lines.push('', summaryLine(report));
  return `${lines.join('\n')}\n`;
}

function suiteLabel(rows: readonly ResultRow[]): string {
  const suites = [...new Set(rows.map((r) => `${r.suite} v${r.suite_version}`))];
  return `suite ${suites.join(', ')}`;
}

function pairingLabel(cell: CellComparison): string {
  return cell.pairing === 'only-in-A' || cell.pairing === 'only-in-B' ? '–' : cell.pairing;
}

function sizeLabel(cell: CellComparison): string {
  return cell.pairing === 'paired' ? String(cell.common) : `${cell.nA} vs ${cell.nB}`;
}

function differenceLabel(cell: CellComparison): string {
  const d = cell.difference;
  if (!Number.isFinite(d.estimate)) return '–';
  if (!Number.isFinite(d.lo)) return formatNumber(d.estimate);
  return `${formatNumber(d.estimate)} [${formatNumber(d.lo)}, ${formatNumber(d.hi)}]`;
}

function formatP(p: number | undefined): string {
  if (p === undefined) return '–';
  return p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(3)));
}

function summaryLine(report: CompareReport): string {
  const compared = report.cells.filter((c) => c.verdict !== 'not-compared');
  const count = (verdict: CellComparison['verdict']) => compared.filter((c) => c.verdict === verdict).length;
  const paired = compared.filter((c) => c.pairing === 'paired').length;
  const verdicts: CellComparison['verdict'][] = ['worse', 'worse-within-threshold', 'better', 'no-significant-difference', 'too-few-instances'];
  const tally = verdicts
    .filter((v) => count(v))
    .map((v) => `${count(v)} ${VERDICT_TEXT[v]}`)
    .join(', ');
  const scope = `${compared.length} task × method compared (${paired} paired, ${compared.length - paired} unpaired): ${tally}`;
  const onWhat = report.byTask ? "each task's primary metric" : report.metric.metric;
  const uncompared = report.cells.length - compared.length;
  const skipped = (uncompared ? `; ${uncompared} in one run only, not compared` : '') + (report.skipped.length ? `; ${report.skipped.length} task(s) not compared (listed above)` : '');
  if (report.exitCode === 1) {
    const worse = compared.filter((c) => c.verdict === 'worse').map((c) => `${c.method} on ${c.task}`);
    return `summary: B is worse than A on ${onWhat} beyond threshold ${formatNumber(report.threshold)} for ${worse.join(', ')}; ${scope}${skipped} → exit 1`;
  }
  return `summary: B is not worse than A on ${onWhat} beyond threshold ${formatNumber(report.threshold)}; ${scope}${skipped} → exit 0`;
}
