// The public plugin contract. Plugins import only from `paper-harness/api` (`harness/api` also resolves).
import type { LanguageModel, LanguageModelFactory } from './language-model.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Params = Record<string, Json>;

/** A seeded pseudo-random generator; every random draw in a unit comes from one of these. */
export interface Rng {
  /** The 32-bit seed this generator started from. */
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[];
  /** An independent generator derived from this one's seed and a label. */
  fork(label: string): Rng;
}

export type BudgetName = 'smoke' | 'standard' | 'full';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** A content-addressed store for expensive, deterministic artifacts (trained networks, parsed data). */
export interface ArtifactCache {
  /** Returns the cached JSON value under `key`, or computes, stores and returns it. */
  json<T extends Json>(key: string, compute: () => Promise<T> | T): Promise<T>;
  /** Returns the cached bytes under `key`, or computes, stores and returns them. */
  bytes(key: string, compute: () => Promise<Uint8Array> | Uint8Array): Promise<Uint8Array>;
}

/** What a unit's code may touch of the world: all randomness, data and effects come through here. */
export interface RunContext {
  /** Generator for this stage: in `prepare`/`score` it depends on (suite, task, task params, seed
   * index) only, so every method of a task sees the same data; in `run` it also depends on the method. */
  readonly rng: Rng;
  readonly seedIndex: number;
  readonly budget: BudgetName;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly cache: ArtifactCache;
  /** Reports progress of the current stage as a fraction in [0, 1]. */
  progress(fraction: number, note?: string): void;
  /** Absolute path of a dataset declared in the plugin manifest; throws DatasetMissingError when absent. */
  dataset(id: string): Promise<string>;
  /** Loads the tensor backend (tfjs) on first use and records it in the unit's rows. */
  tensors(): Promise<TensorBackend>;
}

export interface TensorBackend {
  readonly name: string;
  readonly version: string;
  /** The `@tensorflow/tfjs` namespace bound to the chosen backend. */
  readonly tf: unknown;
}

export type MetricGoal = 'min' | 'max' | 'info';

export interface MetricValues {
  [metric: string]: number;
}

export interface ScoreResult {
  metrics: MetricValues;
  /** Per-instance records (kept in the run folder so scores can be recomputed). */
  records?: Json[];
}

export interface Task<Prepared = unknown, Output = unknown> {
  version: number;
  /** Deterministic, cacheable: loads or generates what every method of this task needs. */
  prepare(ctx: RunContext, params: Params): Promise<Prepared> | Prepared;
  score(ctx: RunContext, prepared: Prepared, output: Output, params: Params): Promise<ScoreResult> | ScoreResult;
  /** Recomputes the metrics that depend only on the per-instance records `score` kept
   * (`harness score <run-dir>`): a changed metric definition without re-running any method. */
  scoreRecords?(records: Json[], params: Params): MetricValues;
  /**
   * Tasks declared `languageModel: true` in plugin.json: what a language model does on one prepared
   * instance (build prompts, generate, score tokens). The core calls it for every `--model`; a
   * plugin's own model methods call it too, so every model runs the same protocol.
   */
  evaluate?(ctx: RunContext, prepared: Prepared, model: LanguageModel, params: Params): Promise<Output> | Output;
}

export interface Method<Prepared = unknown, Output = unknown> {
  /** The task id(s) it solves: `plugin/task`, or just `task` for this plugin's own. */
  task: string | string[];
  run(ctx: RunContext, prepared: Prepared, params: Params): Promise<Output> | Output;
}

export interface KernelSize {
  [dimension: string]: number;
}

export interface Kernel<Input = unknown, Output = unknown> {
  sizes: KernelSize[];
  /** Builds the input for one size from a seeded generator (not timed). */
  setup(size: KernelSize, rng: Rng): Input | Promise<Input>;
  /** The timed function. */
  run(input: Input): Output | Promise<Output>;
  /** An independent, trusted computation of the same result. */
  reference(input: Input): Output | Promise<Output>;
  /** Compares `run` against `reference`; returns a problem description, or null when they agree. */
  check(actual: Output, expected: Output): string | null;
  /** Work items per call for the throughput column (default 1). */
  items?(size: KernelSize): number;
  /** The same work measured by another system on this machine (e.g. PyTorch CPU), printed beside
   * ours. Benchmarks only: it must report `unavailable` rather than fail when that system is absent. */
  sideBySide?(size: KernelSize): Promise<SideBySide>;
}

/** An outside measurement of a kernel's work, in the same items per second as its throughput. */
export type SideBySide =
  | { state: 'measured'; label: string; itemsPerSecond: number }
  | { state: 'unavailable'; label: string; reason: string };

/** A run's aggregated results, as claims see them. */
export interface LeaderboardView {
  readonly suite: string;
  readonly budget: BudgetName;
  /** Aggregated cells; `group` holds the suite's group-by params. */
  readonly cells: readonly LeaderboardCell[];
  /** Raw ok rows of the run (one per unit × metric). */
  readonly rows: readonly ResultRow[];
  cell(where: { task?: string; method: string; group?: Record<string, Json> }): LeaderboardCell | undefined;
}

export interface Estimate {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

export interface LeaderboardCell {
  task: string;
  method: string;
  group: Record<string, Json>;
  rank: number;
  /** Fraction of instances on which this method is best by the primary metric (ties split). */
  wins: number;
  instances: number;
  metrics: Record<string, Estimate>;
}

export type ClaimVerdict =
  | { status: 'holds' | 'fails'; measured: string; why: string }
  | { status: 'not-checked'; measured?: string; why: string };

export interface Claim {
  /** Evaluated on a suite's leaderboard after a run. */
  check(view: LeaderboardView): ClaimVerdict;
}

export interface PluginDefinition {
  tasks?: Record<string, Task<any, any>>;
  methods?: Record<string, Method<any, any>>;
  kernels?: Record<string, Kernel<any, any>>;
  claims?: Record<string, Claim>;
  /** Language models the plugin ships (`builtin:<plugin>/<id>`), built inside a unit. */
  models?: Record<string, LanguageModelFactory>;
  /** Named sources of parameter sets that suites expand (`each: { from: plugin/source }`). */
  paramSources?: Record<string, (args: { budget: BudgetName; dataset(id: string): Promise<string> }) => Promise<Params[]> | Params[]>;
}

/** The value a plugin's entry module exports by default. */
export interface Plugin extends PluginDefinition {
  readonly __harnessPlugin: 1;
}

export interface ResultRow {
  schema_version: number;
  suite: string;
  suite_version: number;
  task: string;
  task_version: number;
  method: string;
  plugin: string;
  plugin_version: string;
  params: string;
  seed: number;
  metric: string;
  value: number | null;
  unit: string;
  goal: MetricGoal | '';
  status: 'ok' | 'error' | 'timeout' | 'skipped';
  reason: string;
  wall_ms: number;
  backend: string;
  backend_version: string;
  harness_version: string;
  git_sha: string;
  git_dirty: boolean | '';
  node_version: string;
  cpu: string;
  os: string;
  started_at: string;
  unit_key: string;
}
