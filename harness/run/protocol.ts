// Messages between the runner and its unit child processes (IPC with structured-clone serialization).
import type { BudgetName, Json, MetricValues } from '../api/types.ts';
import type { BackendChoice } from '../backends/tensors.ts';
import type { Unit } from '../plan/expand.ts';
import type { Leaderboard } from '../results/leaderboard.ts';
import type { ResultRow } from '../api/types.ts';

export interface WorkerSetup {
  pluginDirs: string[];
  cwd: string;
  backend: BackendChoice;
  cacheDir: string;
  /** Report the process's own RSS every so often (where the parent cannot read /proc). */
  reportRss?: boolean;
}

/** A claim to check in a child: the plugin and claim ids and what `check(view)` is built from. */
export interface ClaimRequest {
  plugin: string;
  claim: string;
  board: Leaderboard;
  rows: ResultRow[];
  budget: BudgetName;
}

export type ToWorker =
  | { type: 'unit'; unit: Unit; budget: BudgetName; seq: number }
  | { type: 'claim'; request: ClaimRequest; seq: number }
  | { type: 'check-plugins'; ids: string[]; seq: number };

export type UnitOutcome =
  | { status: 'ok'; metrics: MetricValues; records?: Json[]; wallMs: number; backend: string; backendVersion: string }
  | { status: 'error' | 'timeout' | 'skipped'; reason: string; wallMs: number; backend: string; backendVersion: string };

export type ClaimOutcome =
  | { status: 'holds' | 'fails' | 'not-checked'; measured: string; why: string }
  | { status: 'error'; measured: ''; why: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'rss'; bytes: number }
  | { type: 'progress'; key: string; fraction: number; note?: string }
  | { type: 'log'; key: string; level: 'info' | 'warn' | 'debug'; message: string }
  | { type: 'done'; key: string; outcome: UnitOutcome }
  | { type: 'claim-done'; seq: number; outcome: ClaimOutcome }
  | { type: 'check-done'; seq: number; problem?: { message: string; details: string[] } };

/** Written by a child to its stdout and stderr when a job starts, so the parent files what follows under it. */
export const OUTPUT_MARK_START = '\u0000\u0001harness-job:';
export const OUTPUT_MARK_END = '\u0001\u0000';
export const outputMark = (seq: number) => `${OUTPUT_MARK_START}${seq}${OUTPUT_MARK_END}`;
