// Executes one unit in the current thread: the part of the runner that touches plugin code.
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import type { BudgetName, Logger, Params, RunContext, Task, TensorBackend } from '../api/types.ts';
import { loadTensorBackend, type BackendChoice } from '../backends/tensors.ts';
import { DatasetMissingError } from '../errors.ts';
import { validateWithSchema } from '../api/validate.ts';
import type { Unit } from '../plan/expand.ts';
import { loadPlugin, splitQualified, type Registry } from '../plan/registry.ts';
import { createRng } from '../plan/seeds.ts';
import { pluginArtifactCache } from './artifacts.ts';
import { resolveDataset } from './datasets.ts';
import type { UnitOutcome } from './protocol.ts';
import { openModel } from '../models/open.ts';
import type { ModelSpec } from '../models/spec.ts';

export interface ExecuteOptions {
  backend: BackendChoice;
  artifactDir: string;
  /** Root of the caches (the HTTP adapter keeps its responses under it). */
  cacheDir: string;
  onProgress(fraction: number, note?: string): void;
  onLog(level: 'info' | 'warn' | 'debug', message: string): void;
  signal?: AbortSignal;
}

// Prepared task data is reused by the next units of the same task instance in this worker
// (prepare is deterministic, so this changes no result, only time).
const prepared = new Map<string, unknown>();
const PREPARED_KEPT = 4;

export async function executeUnit(unit: Unit, runBudget: BudgetName, registry: Registry, options: ExecuteOptions): Promise<UnitOutcome> {
  // An included suite's task runs at the budget it is pinned to, whatever budget the run has.
  const budget = unit.budget ?? runBudget;
  let backend: TensorBackend | undefined;
  // A `--model` row names the model in its provenance: backend `model:<kind>` (+ the tensor backend a
  // builtin model used) and, as backend_version, the start of the sha256 of the model's identity.
  const noBackend = () =>
    unit.model
      ? { backend: `model:${unit.model.spec.kind}${backend ? `+${backend.name}` : ''}`, backendVersion: sha256(canonicalJson(unit.model.identity)).slice(0, 16) }
      : { backend: backend?.name ?? 'none', backendVersion: backend?.version ?? '' };
  if (unit.skip) return { status: 'skipped', reason: unit.skip, wallMs: 0, ...noBackend() };
  let wallMs = 0;
  try {
    const taskRef = splitQualified(unit.task);
    const methodRef = splitQualified(unit.method);
    const taskRecord = registry.plugins.get(taskRef.plugin)!;
    const methodRecord = unit.model ? taskRecord : registry.plugins.get(methodRef.plugin)!;
    const task = (await loadPlugin(taskRecord)).tasks![taskRef.local];
    const method = unit.model ? undefined : (await loadPlugin(methodRecord)).methods![methodRef.local];
    const log: Logger = {
      info: (m) => options.onLog('info', m),
      warn: (m) => options.onLog('warn', m),
      debug: (m) => options.onLog('debug', m),
    };
    const context = (seed: number, record: typeof taskRecord, stage: string): RunContext => ({
      rng: createRng(seed),
      seedIndex: unit.seed,
      budget,
      signal: options.signal ?? new AbortController().signal,
      log,
      cache: pluginArtifactCache(options.artifactDir, record),
      progress: (fraction, note) => options.onProgress(Math.min(1, Math.max(0, fraction)), note ? `${stage}: ${note}` : stage),
      dataset: (id) => resolveDataset(record, id),
      tensors: async () => (backend = await loadTensorBackend(options.backend)),
    });

    const declaration = taskRecord.manifest.tasks?.find((t) => t.id === taskRef.local);
    const prepareKey = canonicalJson([unit.task, unit.taskParams, unit.taskSeed, budget]);
    let data = prepared.get(prepareKey);
    if (data === undefined) {
      data = await task.prepare(context(unit.taskSeed, taskRecord, 'prepare'), unit.taskParams);
      if (declaration?.input) shapeCheck(declaration.input, data, `task ${unit.task}'s prepare() returned what its declared input schema (plugin.json /tasks, "input") does not describe`);
      prepared.set(prepareKey, data);
      if (prepared.size > PREPARED_KEPT) prepared.delete(prepared.keys().next().value!);
    }
    const runParams: Params = { ...unit.taskParams, ...unit.methodParams };
    const started = performance.now();
    const runContext = context(unit.unitSeed, methodRecord, 'run');
    const output = method ? await method.run(runContext, data, runParams) : await evaluateModel(unit, task, runContext, data, runParams, registry, options);
    wallMs = performance.now() - started;
    if (declaration?.output) {
      const who = method ? `method ${unit.method}` : `model ${unit.methodName}`;
      shapeCheck(declaration.output, output, `${who} returned what task ${unit.task}'s score() does not take (its output schema in ${taskRecord.manifestFile})`);
    }
    const scoreRng = createRng(unit.taskSeed).fork('score').seed;
    const result = await task.score(context(scoreRng, taskRecord, 'score'), data, output, unit.taskParams);
    for (const [metric, value] of Object.entries(result.metrics)) {
      if (typeof value !== 'number') throw new Error(`score() returned a non-number for metric "${metric}": ${JSON.stringify(value)}`);
    }
    return { status: 'ok', metrics: result.metrics, records: result.records, wallMs, ...noBackend() };
  } catch (error) {
    if (error instanceof DatasetMissingError) return { status: 'skipped', reason: error.message, wallMs, ...noBackend() };
    return { status: 'error', reason: describeError(error), wallMs, ...noBackend() };
  }
}

/** Throws, naming each missing or wrong field, when `value` does not match a task's declared shape. */
function shapeCheck(schema: Record<string, unknown>, value: unknown, what: string): void {
  const problems = validateWithSchema(schema, value, 'output').map((p) => p.replace(/^output: /, ''));
  if (problems.length) throw new ShapeError(`${what}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
}

/** A shape mismatch: its message says whose fault it is, so no stack frame is added. */
class ShapeError extends Error {
  override name = 'ShapeError';
}

/** A `--model` unit: open the model, run the task's own protocol on it, close it. */
async function evaluateModel(unit: Unit, task: Task, ctx: RunContext, data: unknown, params: Params, registry: Registry, options: ExecuteOptions): Promise<unknown> {
  if (!task.evaluate) throw new Error(`task ${unit.task} is declared languageModel: true but its code has no evaluate()`);
  const model = await openModel(unit.model!.spec as unknown as ModelSpec, {
    cacheDir: options.cacheDir,
    signal: ctx.signal,
    log: (m) => ctx.log.info(m),
    registry,
    context: ctx,
    backend: options.backend,
  });
  try {
    return await task.evaluate(ctx, data, model, params);
  } finally {
    await model.close();
  }
}

/** The message and the first stack frame outside node internals: enough to find the fault. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof ShapeError) return error.message;
  // What --sandbox (Node's permission model) refuses says so, and what to do.
  const { code, permission, resource } = error as Error & { code?: string; permission?: string; resource?: string };
  if (code === 'ERR_DLOPEN_DISABLED') return `${error.message} — native addons (e.g. onnxruntime-node, tfjs-node) cannot run under --sandbox; run this unit without it`;
  if (code === 'ERR_ACCESS_DENIED') return `--sandbox refused ${permission ?? 'access'}${resource ? ` to ${resource}` : ''}: ${error.message}${firstFrame(error)}`;
  return `${error.name}: ${error.message}${firstFrame(error)}`;
}

function firstFrame(error: Error): string {
  const frame = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !l.includes('node:') && !l.includes('/harness/run/'));
  return frame ? ` (${frame.replace(/^at /, '')})` : '';
}
