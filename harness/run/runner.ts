// `harness run`: plan → resume from the journal → reuse cached units → run the rest in workers →
// write rows, leaderboard, claims and manifest (each atomically).
import { accessSync, constants, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { totalmem } from 'node:os';
import { ROW_SCHEMA_VERSION } from '../api/rows.ts';
import type { BudgetName, Json, ResultRow } from '../api/types.ts';
import type { BackendChoice } from '../backends/tensors.ts';
import { UserError } from '../errors.ts';
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import { expandPlan, type Plan, type Unit } from '../plan/expand.ts';
import { inShard, type Shard } from '../plan/shard.ts';
import { isEmptySelection, selectionToJson, type Selection } from '../plan/select.ts';
import { discover, pluginCodeHash, splitQualified, type Registry } from '../plan/registry.ts';
import { loadSuite, type ResolvedSuite } from '../plan/suite.ts';
import { unitsMissing, type ClaimRow } from '../results/claims.ts';
import { writeFileAtomic } from '../results/csv.ts';
import { aggregate, leaderboardView, metricScales, type Leaderboard, type LeaderboardConfig, type TaskRanking } from '../results/leaderboard.ts';
import { readProvenance, type Provenance } from '../results/provenance.ts';
import { unitRowsChecksum, writeRunOutputs } from '../results/outputs.ts';
import { Journal, journalLine, type JournalEntry } from './journal.ts';
import { lockRunFolder } from './lock.ts';
import { runPool } from './pool.ts';
import { childPlan, type ChildPlan } from './sandbox.ts';
import { CLAIM_TIMEOUT_MS, evaluateClaimsIsolated } from './claims-child.ts';
import { UnitChild } from './child-process.ts';
import { createProgress } from './progress.ts';
import { CostModel } from './cost-model.ts';
import type { UnitOutcome } from './protocol.ts';
import { UnitCache } from './unit-cache.ts';
import { resolveRunModels } from '../models/resolve.ts';
import type { ModelSpec } from '../models/spec.ts';

export interface RunOptions {
  suite: string;
  budget: BudgetName;
  out?: string;
  seeds?: number[];
  pluginDirs: string[];
  jobs: number;
  backend: BackendChoice;
  failFast: boolean;
  force: boolean;
  timeoutSeconds?: number;
  /** Language models to evaluate on the suite's tasks that accept any (`--model`). */
  models?: ModelSpec[];
  /** Run only this shard of the plan (see `harness merge`). */
  shard?: Shard;
  /** `--task` / `--method` patterns with inline parameter overrides. */
  selection?: Selection;
  cacheDir: string;
  /** Run units and claims in restricted child processes (`--sandbox`, see sandbox.ts). */
  sandbox?: boolean;
  /** Resident memory limit of each unit's process, in MB (`--memory-limit`; default `defaultMemoryLimitMb`). */
  memoryLimitMb?: number;
  /** Set by the CLI so Ctrl-C stops the run cleanly; tests leave it unset. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface RunResult {
  outDir: string;
  plan: Plan;
  rows: ResultRow[];
  board: Leaderboard;
  claims: ClaimRow[];
  counts: Record<ResultRow['status'], number> & { ran: number; resumed: number; cached: number };
  interrupted: boolean;
}

export function defaultCacheDir(): string {
  return resolve(process.env.HARNESS_CACHE_DIR ?? join(process.cwd(), 'results', 'cache'));
}

export function leaderboardConfig(resolved: ResolvedSuite): LeaderboardConfig {
  const { suite, metrics } = resolved;
  const goal = metrics.get(suite.primary.metric)!.goal;
  if (goal === 'info') throw new UserError(`${resolved.file}: /primary/metric: "${suite.primary.metric}" has goal "info"; a primary metric must be min or max`);
  return {
    suite: suite.id,
    suiteVersion: suite.version,
    primary: suite.primary.metric,
    goal,
    groupBy: suite.leaderboard?.groupBy ?? [],
    truncateDecimals: suite.primary.wins?.truncateDecimals,
    missingAs: suite.primary.wins?.missingAs,
    shown: suite.leaderboard?.metrics,
    ...byTask(resolved),
    scales: metricScales(metrics),
  };
}

/** The rankings of tasks that name their own primary metric. */
function byTask(resolved: ResolvedSuite): Pick<LeaderboardConfig, 'byTask'> {
  const own = resolved.suite.tasks.filter((t) => t.primary && t.primary.metric !== resolved.suite.primary.metric);
  if (!own.length) return {};
  const rankings: Record<string, TaskRanking> = {};
  for (const t of own) {
    const goal = resolved.metrics.get(t.primary!.metric)!.goal as 'min' | 'max';
    rankings[t.task] = { primary: t.primary!.metric, goal, truncateDecimals: t.primary!.wins?.truncateDecimals, missingAs: t.primary!.wins?.missingAs };
  }
  return { byTask: rankings };
}

export async function runSuite(options: RunOptions): Promise<RunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const registry = discover({ pluginDirs: options.pluginDirs });
  const resolved = loadSuite(registry, options.suite);
  const config = leaderboardConfig(resolved);
  const models = await resolveRunModels(registry, resolved, options.models ?? [], options.signal);
  const plan = await expandPlan(registry, resolved, { budget: options.budget, seeds: options.seeds, timeoutSeconds: options.timeoutSeconds, models, selection: options.selection });
  const mine = options.shard ? plan.units.filter((u) => inShard(u, options.shard!)) : plan.units;
  const outDir = resolve(options.out ?? join('results', 'runs', resolved.suite.id, timestamp() + (options.shard ? `-shard-${options.shard.index}-of-${options.shard.count}` : '')));
  const children = childPlan({
    setup: { pluginDirs: options.pluginDirs.map((d) => resolve(d)), cwd: process.cwd(), backend: options.backend, cacheDir: options.cacheDir, reportRss: process.platform !== 'linux' },
    sandbox: !!options.sandbox,
  });
  const memoryLimitMb = options.memoryLimitMb ?? defaultMemoryLimitMb(options.jobs);
  for (const line of children.describe) log(`--sandbox: ${line}`);
  await refuseMismatchedCode(children, mine, memoryLimitMb);
  prepareOutDir(outDir);
  // One writer per run folder: a second run on it is refused (the lock goes with this process).
  const lock = lockRunFolder(outDir);
  if (options.force) rmSync(join(outDir, 'journal.jsonl'), { force: true });

  const provenance = readProvenance();
  const journal = new Journal(join(outDir, 'journal.jsonl'));
  const cache = new UnitCache(options.cacheDir);
  const counts = { ok: 0, error: 0, timeout: 0, skipped: 0, ran: 0, resumed: 0, cached: 0 };
  const todo: Unit[] = [];
  const startedAt = new Date().toISOString();
  for (const unit of mine) {
    const earlier = journal.entries.get(unit.key);
    if (earlier) {
      // Done earlier into this folder: its rows keep their provenance, but the suite may rename the method.
      journal.entries.set(unit.key, { ...earlier, rows: relabelRows(earlier.rows, unit, resolved) });
      counts.resumed++;
      continue;
    }
    const cached = options.force ? undefined : cache.get(unit.key);
    // A result computed on another tensor backend than the one asked for is not reused.
    const backendUsed = cached?.rows[0]?.backend;
    const hit = options.backend === 'auto' || backendUsed === 'none' || backendUsed === options.backend ? cached : undefined;
    if (hit) {
      // The values are the cached ones; the rows say this run's name, provenance and start.
      const rows = relabelRows(hit.rows, unit, resolved).map((row) => ({ ...row, ...provenance, started_at: startedAt }));
      journal.append({ ...hit, rows, cachedFrom: hit.cachedFrom ?? hit.rows[0]?.started_at ?? '' });
      counts.cached++;
    } else {
      todo.push(unit);
    }
  }
  const shardNote = options.shard ? ` (shard ${options.shard.index}/${options.shard.count} of ${plan.units.length})` : '';
  log(`${resolved.suite.id} v${resolved.suite.version} (${options.budget}): ${mine.length} units${shardNote} — ${counts.resumed} done earlier in ${outDir}, ${counts.cached} from cache, ${todo.length} to run`);

  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const costs = CostModel.load(options.cacheDir);
  const progress = createProgress(todo, log, { jobs: options.jobs, costs });
  await runPool(
    todo,
    {
      jobs: options.jobs,
      budget: options.budget,
      signal: controller.signal,
      command: children.command,
      memoryLimitMb,
      logDir: join(outDir, 'logs'),
      refuse: (unit) =>
        children.offline && unit.model?.spec.kind === 'openai' ? `model ${unit.methodName} is an HTTP endpoint, which --sandbox cuts off (no network): run it without --sandbox` : undefined,
    },
    {
      onStart: (unit) => progress.start(unit),
      onProgress: (unit, fraction, note) => progress.update(unit, fraction, note),
      onLog: (unit, level, message) => progress.log(`${level} ${unit.methodName} ${canonicalJson(unit.taskParams)}: ${message}`),
      onDone: (unit, outcome) => {
        const entry = storableEntry(unit, outcome, resolved, provenance);
        journal.append(entry);
        counts.ran++;
        if (outcome.status === 'ok' && entry.rows[0].status === 'ok') cache.put(entry);
        progress.done(unit, entry.rows[0].status, outcome.wallMs, entry.rows[0].reason);
        if (options.failFast && (entry.rows[0].status === 'error' || entry.rows[0].status === 'timeout')) {
          progress.log(`--fail-fast: stopping after the failure of ${unit.methodName}`);
          controller.abort();
        }
      },
    },
  );
  progress.stop();
  costs.save(options.cacheDir);
  journal.close();
  options.signal?.removeEventListener('abort', stop);

  const rows = mine.flatMap((unit) => journal.entries.get(unit.key)?.rows ?? []);
  for (const row of rows) counts[row.status]++;
  const board = aggregate(rows, config);
  // The run's files are written before any claim is checked, then again with claims.csv: a check that
  // hangs, throws or ends its process costs its claim (an `error` row), never the run.
  const outputs = (claims: ClaimRow[]) =>
    writeRunOutputs(outDir, {
      rows,
      entries: mine.map((u) => journal.entries.get(u.key)).filter((e): e is JournalEntry => !!e),
      board,
      claims,
      manifest: runManifest(plan, registry, resolved, provenance, options, journal),
    });
  await outputs([]);
  const claims = await evaluateClaimsIsolated(registry, board, rows, options.budget, {
    command: children.command,
    memoryLimitMb,
    timeoutMs: options.timeoutSeconds ? Math.min(options.timeoutSeconds * 1000, 2 ** 31 - 1) : CLAIM_TIMEOUT_MS,
    logFile: join(outDir, 'logs', 'claims.log'),
    unitsMissing: unitsMissing(plan.units, new Set(journal.entries.keys())),
  });
  children.cleanup();
  await outputs(claims);
  lock.release();
  return { outDir, plan, rows, board, claims, counts, interrupted: controller.signal.aborted && !options.failFast };
}

/** Code that exports other tasks or methods than its manifest declares is refused before anything is
 * written, with the differences (else every unit would fail with the same error). Other import failures
 * stay the units' own errors. */
async function refuseMismatchedCode(children: ChildPlan, units: Unit[], memoryLimitMb: number): Promise<void> {
  const ids = [...new Set(units.filter((u) => !u.skip).flatMap((u) => [splitQualified(u.task).plugin, u.plugin]))];
  if (!ids.length) return;
  // Plugin code is imported in a child process: a module that ends its process or hangs costs its units, not the run.
  let child: UnitChild | undefined;
  try {
    child = await UnitChild.start(children.command, { memoryLimitMb });
    const result = await child.run({ type: 'check-plugins', ids, seq: 0 }, undefined, {
      timeoutMs: CLAIM_TIMEOUT_MS,
      timeoutReason: 'importing the plugins did not finish',
      signal: new AbortController().signal,
      isAnswer: (m) => m.type === 'check-done',
    });
    const problem = 'answer' in result && result.answer.type === 'check-done' ? result.answer.problem : undefined;
    if (problem) throw new UserError(problem.message, problem.details);
  } catch (error) {
    if (error instanceof UserError) throw error;
    // The units will say what went wrong, each in its own row.
  } finally {
    await child?.stop();
  }
}

/** The default `--memory-limit`: the machine's memory shared by the parallel units, at most 8 GB. */
export function defaultMemoryLimitMb(jobs: number): number {
  return Math.max(256, Math.min(8192, Math.floor(totalmem() / 2 ** 20 / Math.max(1, jobs))));
}

function prepareOutDir(outDir: string) {
  try {
    mkdirSync(outDir, { recursive: true });
    accessSync(outDir, constants.W_OK);
  } catch (error) {
    throw new UserError(`cannot write to --out ${outDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, 'Z');
}

/** Rows reused for a unit, under the names this suite gives: the method's leaderboard name (`as:`) and
 * the metrics' declared goal and unit are not part of the unit key. */
function relabelRows(rows: ResultRow[], unit: Unit, resolved: ResolvedSuite): ResultRow[] {
  return rows.map((row) => {
    const declaration = row.metric ? resolved.metrics.get(row.metric) : undefined;
    return { ...row, method: unit.methodName, ...(declaration ? { goal: declaration.goal, unit: declaration.unit } : {}) };
  });
}

/** The unit's journal entry; when its records cannot be stored as JSON (a BigInt, a cycle), the unit is an
 * `error` row with the reason instead, so one unit's bad records never cost the run. */
export function storableEntry(unit: Unit, outcome: UnitOutcome, resolved: ResolvedSuite, provenance: Provenance): JournalEntry {
  const entry = journalEntry(unit, outcome, resolved, provenance);
  const serialised = journalLine(entry);
  if (!('problem' in serialised)) return entry;
  const reason = `score() returned records that cannot be stored as JSON: ${serialised.problem}`;
  return journalEntry(unit, { status: 'error', reason, wallMs: outcome.wallMs, backend: outcome.backend, backendVersion: outcome.backendVersion }, resolved, provenance);
}

/** Turns a unit's outcome into its rows: one per metric, or one status row when it did not finish. */
export function journalEntry(unit: Unit, outcome: UnitOutcome, resolved: ResolvedSuite, provenance: Provenance): JournalEntry {
  const base = {
    schema_version: ROW_SCHEMA_VERSION,
    suite: unit.suite,
    suite_version: unit.suiteVersion,
    task: unit.task,
    task_version: unit.taskVersion,
    method: unit.methodName,
    plugin: unit.plugin,
    plugin_version: unit.pluginVersion,
    params: canonicalJson({ ...unit.taskParams, ...unit.methodParams }),
    seed: unit.seed,
    wall_ms: Math.round(outcome.wallMs * 1000) / 1000,
    backend: outcome.backend,
    backend_version: outcome.backendVersion,
    ...provenance,
    started_at: new Date().toISOString(),
    unit_key: unit.key,
  };
  const statusRow = (status: ResultRow['status'], reason: string): ResultRow => ({ ...base, metric: '', value: null, unit: '', goal: '', status, reason });
  if (outcome.status !== 'ok') return { key: unit.key, rows: [statusRow(outcome.status, outcome.reason)] };
  const undeclared = Object.keys(outcome.metrics).filter((m) => !resolved.metrics.has(m));
  if (undeclared.length) {
    return { key: unit.key, rows: [statusRow('error', `score() returned metrics no plugin declares: ${undeclared.join(', ')}`)] };
  }
  const rows = Object.entries(outcome.metrics).map(([metric, value]): ResultRow => {
    const declaration = resolved.metrics.get(metric)!;
    return {
      ...base,
      metric,
      value: Number.isFinite(value) ? value : null,
      unit: declaration.unit,
      goal: declaration.goal,
      status: 'ok',
      reason: Number.isFinite(value) ? '' : `non-finite value (${value})`,
    };
  });
  if (!rows.length) return { key: unit.key, rows: [statusRow('error', 'score() returned no metrics')] };
  return { key: unit.key, rows, records: outcome.records };
}

function runManifest(plan: Plan, registry: Registry, resolved: ResolvedSuite, provenance: Provenance, options: RunOptions, journal: Journal): Json {
  const plugins = new Set(plan.units.flatMap((u) => [u.task.split('/')[0], u.plugin]));
  return {
    schema_version: ROW_SCHEMA_VERSION,
    suite: { id: resolved.suite.id, version: resolved.suite.version, file: resolved.file, sha256: sha256(readFileSync(resolved.file)) },
    budget: plan.budget,
    seeds: plan.seeds,
    seeds_override: options.seeds ?? null,
    selection: isEmptySelection(options.selection) ? null : selectionToJson(options.selection!),
    models: (plan.models ?? []).map((m) => ({ name: m.name, spec: m.spec, identity: m.identity })) as unknown as Json,
    backend: options.backend,
    jobs: options.jobs,
    leaderboard: leaderboardConfig(resolved) as unknown as Json,
    plugins: Object.fromEntries(
      [...plugins].map((id) => {
        const record = registry.plugins.get(id)!;
        return [id, { version: record.manifest.version, origin: record.origin, code_sha256: pluginCodeHash(record) }];
      }),
    ),
    provenance: provenance as unknown as Json,
    command: process.argv.slice(2),
    shard: options.shard ? { index: options.shard.index, count: options.shard.count } : null,
    finished_at: new Date().toISOString(),
    units: plan.units.map((u) => ({
      key: u.key,
      task: u.task,
      method: u.methodName,
      params: { ...u.taskParams, ...u.methodParams },
      seed: u.seed,
      status: journal.entries.get(u.key)?.rows[0]?.status ?? (options.shard && !inShard(u, options.shard) ? 'other-shard' : 'pending'),
      rows_sha256: journal.entries.has(u.key) ? unitRowsChecksum(journal.entries.get(u.key)!.rows) : null,
      cached_from: journal.entries.get(u.key)?.cachedFrom ?? null,
    })),
  };
}
