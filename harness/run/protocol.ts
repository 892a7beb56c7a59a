// Messages between the runner and its unit workers.
import type { Json, MetricValues } from '../api/types.ts';
import type { BackendChoice } from '../backends/tensors.ts';
import type { Unit } from '../plan/expand.ts';

export interface WorkerSetup {
  pluginDirs: string[];
  cwd: string;
  backend: BackendChoice;
  cacheDir: string;
}

export type ToWorker = { type: 'unit'; unit: Unit; budget: 'smoke' | 'standard' | 'full' };

export type UnitOutcome =
  | { status: 'ok'; metrics: MetricValues; records?: Json[]; wallMs: number; backend: string; backendVersion: string }
  | { status: 'error' | 'timeout' | 'skipped'; reason: string; wallMs: number; backend: string; backendVersion: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; key: string; fraction: number; note?: string }
  | { type: 'log'; key: string; level: 'info' | 'warn' | 'debug'; message: string }
  | { type: 'done'; key: string; outcome: UnitOutcome };
