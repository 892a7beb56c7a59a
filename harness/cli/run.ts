// `harness run <suite>`: runs a suite and prints its leaderboard and claims.
import type { Command } from 'commander';
import type { BudgetName } from '../api/types.ts';
import type { BackendChoice } from '../backends/tensors.ts';
import { FIGURES_DIR, writeRunFigures } from '../publish/run-figures.ts';
import { boardSections, formatEstimate, formatNumber, groupLabel, rankingFor, type Leaderboard } from '../results/leaderboard.ts';
import type { ClaimRow } from '../results/claims.ts';
import { parseShard } from '../plan/shard.ts';
import { parseModelOptions } from '../models/spec.ts';
import { defaultCacheDir, runSuite, type RunResult } from '../run/runner.ts';
import { METHOD_OPTION_HELP, selectionFromOptions, TASK_OPTION_HELP } from '../plan/select.ts';
import { formatTable } from './table.ts';
import { backendOption, budgetOption, collect, defaultJobs, interruptOnSigint, parseMemoryLimit, parsePositiveInt, parseSeeds, parseTimeoutSeconds } from './options.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a suite (id or path to a YAML file) and write rows, leaderboard, claims and manifest')
    .argument('<suite>', 'suite id (see `harness list`) or path to a suite YAML file')
    .addOption(budgetOption())
    .option('--out <dir>', 'run folder; rerunning with the same folder resumes (default results/runs/<suite>/<timestamp>)')
    .option('--seeds <list>', 'override the suite\'s seeds, e.g. 0,1,2', parseSeeds)
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .option('--model <spec>', 'a language model for the tasks that evaluate any (repeatable; openai:URL#name, onnx:DIR, builtin:plugin/model, or a models .yaml)', collect, [])
    .option('--task <pattern>', TASK_OPTION_HELP, collect, [])
    .option('--method <pattern>', METHOD_OPTION_HELP, collect, [])
    .option('--json', 'print the leaderboard, claims and counts as JSON on stdout (progress stays on stderr)', false)
    .option('--jobs <n>', 'units run in parallel', parsePositiveInt, defaultJobs())
    .addOption(backendOption())
    .option('--timeout <seconds>', 'per-unit timeout (overrides the suite)', parseTimeoutSeconds)
    .option('--fail-fast', 'stop at the first unit that errors or times out', false)
    .option('--sandbox', 'run units and claims in restricted child processes: read-only file system but for the cache, no child processes, no network where the OS allows, no secrets in the environment', false)
    .option('--memory-limit <MB>', 'resident memory limit of each unit\'s process (default: memory / jobs, at most 8192)', parseMemoryLimit)
    .option('--force', 're-run units already done in --out or in the cache', false)
    .option('--shard <i/n|auto>', 'run only shard i of n (0-based); auto reads a Kubernetes Indexed Job or Slurm array index')
    .option('--shard-count <n>', 'shard count for --shard auto on Kubernetes (or HARNESS_SHARD_COUNT)', parsePositiveInt)
    .action(async (suite: string, opts: { budget: BudgetName; out?: string; seeds?: number[]; plugin: string[]; model: string[]; task: string[]; method: string[]; json: boolean; jobs: number; backend: BackendChoice; timeout?: number; failFast: boolean; force: boolean; shard?: string; shardCount?: number; sandbox: boolean; memoryLimit?: number }) => {
      const shard = opts.shard === undefined ? undefined : parseShard(opts.shard, process.env, opts.shardCount);
      const interrupt = interruptOnSigint('finishing the files of the completed units (Ctrl-C again to kill)');
      const started = performance.now();
      const result = await runSuite({
        suite,
        budget: opts.budget,
        out: opts.out,
        seeds: opts.seeds,
        pluginDirs: opts.plugin,
        models: parseModelOptions(opts.model),
        jobs: opts.jobs,
        backend: opts.backend,
        failFast: opts.failFast,
        force: opts.force,
        timeoutSeconds: opts.timeout,
        sandbox: opts.sandbox,
        memoryLimitMb: opts.memoryLimit,
        shard,
        selection: selectionFromOptions(opts.task, opts.method),
        cacheDir: defaultCacheDir(),
        signal: interrupt.signal,
      }).finally(interrupt.dispose);
      const figures = result.rows.length ? await writeRunFigures(result.outDir, opts.plugin) : { written: [], problems: [] };
      const seconds = (performance.now() - started) / 1000;
      const c = result.counts;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(runJson(result, seconds, figures.written), null, 2)}\n`);
      } else {
        process.stdout.write(`${renderBoard(result.board)}\n${renderClaims(result.claims)}`);
      }
      for (const problem of figures.problems) process.stderr.write(`figure not written: ${problem}\n`);
      const summary = opts.json ? (text: string) => process.stderr.write(text) : (text: string) => process.stdout.write(text);
      summary(
        `\n${c.ok} rows ok, ${c.error} error, ${c.timeout} timeout, ${c.skipped} skipped; ${c.ran} units ran, ${c.resumed} resumed, ${c.cached} from cache; ${seconds.toFixed(1)} s\n` +
          `results: ${result.outDir}${figures.written.length ? ` (${figures.written.length} figure${figures.written.length > 1 ? 's' : ''} in ${FIGURES_DIR}/)` : ''}\n`,
      );
      const skipped = new Set(result.rows.filter((r) => r.status === 'skipped').map((r) => r.reason));
      for (const reason of skipped) summary(`skipped: ${reason}\n`);
      if (result.interrupted) {
        summary('interrupted: rerun the same command with --out to resume\n');
        process.exitCode = 130;
      } else if (c.error || c.timeout) {
        process.exitCode = 1;
      }
    });
}

/** What `run --json` prints: everything the text output says, as data. */
export function runJson(result: RunResult, seconds: number, figures: string[]) {
  return {
    suite: result.plan.suite.suite.id,
    suite_version: result.plan.suite.suite.version,
    budget: result.plan.budget,
    out: result.outDir,
    seconds: Math.round(seconds * 10) / 10,
    interrupted: result.interrupted,
    counts: result.counts,
    leaderboard: boardJson(result.board),
    claims: result.claims,
    figures,
  };
}

/** Leaderboard cells as plain data (estimates keep mean, interval and n). */
export function boardJson(board: Leaderboard) {
  return boardSections(board.cells).map((section) => {
    const ranking = rankingFor(board.config, section.task);
    return {
      task: section.task,
      group: section.group,
      primary: ranking.primary,
      goal: ranking.goal,
      cells: section.cells.map((cell) => ({ rank: Number.isNaN(cell.rank) ? null : cell.rank, method: cell.method, instances: cell.instances, wins: Number.isFinite(cell.wins) ? cell.wins : null, metrics: cell.metrics })),
    };
  });
}

/** A compact text leaderboard for the terminal: the primary metric with its CI, per task and group. */
export function renderBoard(board: Leaderboard): string {
  const lines: string[] = [];
  for (const section of boardSections(board.cells)) {
    const { primary, goal } = rankingFor(board.config, section.task);
    lines.push('', `${section.task} — ${groupLabel(section.group)}  (by ${primary}, ${goal === 'min' ? 'lower' : 'higher'} is better)`);
    const rows = section.cells.map((cell) => [
      Number.isNaN(cell.rank) ? '–' : String(cell.rank),
      cell.method,
      String(cell.instances),
      Number.isFinite(cell.wins) ? cell.wins.toFixed(3) : '–',
      formatEstimate(cell.metrics[primary]),
    ]);
    lines.push(...formatTable(['rank', 'method', 'n', 'wins', `${primary} [95% CI]`], rows, ['left', 'left', 'right', 'left', 'left']));
  }
  if (!board.cells.length) lines.push('', '(no results)');
  return lines.join('\n');
}

export function renderClaims(claims: ClaimRow[]): string {
  if (!claims.length) return '';
  const lines = ['', 'claims:'];
  for (const c of claims) {
    lines.push(`  ${c.status.padEnd(12)}${c.claim}: ${c.statement}`);
    lines.push(`  ${''.padEnd(12)}paper: ${c.paper}; measured: ${c.measured || '–'}; ${c.why}`);
  }
  return `${lines.join('\n')}\n`;
}
