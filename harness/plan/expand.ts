// Expansion of a suite into units: task × params × method × seed, each with a content-addressed key.
import { methodTasks } from '../api/manifest.ts';
import type { EachSpec, ParamSpec, SuiteTask } from '../api/suite.ts';
import type { BudgetName, Json, Params } from '../api/types.ts';
import { validateWithSchema } from '../api/validate.ts';
import { DatasetMissingError, UserError } from '../errors.ts';
import { resolveDataset } from '../run/datasets.ts';
import { canonicalJson, sha256 } from './canonical.ts';
import {
  HARNESS_API_VERSION,
  loadPlugin,
  pluginCodeHash,
  qualify,
  splitQualified,
  type PluginRecord,
  type Registry,
} from './registry.ts';
import { deriveSeed } from './seeds.ts';
import type { ResolvedSuite } from './suite.ts';
import { EMPTY_SELECTION, matching, overrideParams, type Pattern, type Selection } from './select.ts';

export interface Unit {
  key: string;
  suite: string;
  suiteVersion: number;
  task: string;
  taskVersion: number;
  /** Qualified method id (`plugin/method`). */
  method: string;
  /** Name on the leaderboard (the suite's `as`, else the qualified id). */
  methodName: string;
  plugin: string;
  pluginVersion: string;
  taskParams: Params;
  methodParams: Params;
  /** Seed index as listed in the suite (0, 1, 2 …). */
  seed: number;
  /** Seed of prepare/score: shared by every method on the same task instance (paired comparisons). */
  taskSeed: number;
  /** Seed of the method's run. */
  unitSeed: number;
  timeoutMs: number;
  /** Set when the unit cannot run here (missing dataset or plugin); it becomes a skipped row. */
  skip?: string;
  /** A `--model` unit: the task's `evaluate` runs this model (the method is `model:<name>`). */
  model?: PlannedModel;
  /** The budget its code sees as ctx.budget: the run's, or the one an included suite is pinned to. */
  budget: BudgetName;
}

/** A language model given to the run (`--model`, a suite's `models:`), resolved to its identity. */
export interface PlannedModel {
  /** Leaderboard name. */
  name: string;
  /** The parsed spec (plain data; see harness/models/spec.ts). */
  spec: { readonly kind: string; readonly name: string };
  /** What makes it the same model: enters the unit key. */
  identity: { [key: string]: Json };
}

export interface PlanOptions {
  budget: BudgetName;
  seeds?: number[];
  timeoutSeconds?: number;
  /** Language models that compete on every task declared `languageModel: true`. */
  models?: PlannedModel[];
  /** `--task` / `--method` patterns: only what they name runs, with their parameter overrides. */
  selection?: Selection;
}

export interface Plan {
  suite: ResolvedSuite;
  budget: BudgetName;
  seeds: number[];
  units: Unit[];
  /** The language models of the run (also in the manifest, so the plan can be recomputed). */
  models?: PlannedModel[];
}

export const DEFAULT_TIMEOUT_SECONDS = 600;

/** What competes on a task entry: a plugin's method (with one set of its params) or a given model. */
interface Competitor {
  method: string;
  methodName: string;
  /** The plugin whose code runs it (a model: the task's plugin, through the task's evaluate). */
  plugin: PluginRecord;
  methodParams: Params;
  /** What identifies it in the unit key. */
  keyPart: Record<string, Json>;
  skip?: string;
  model?: PlannedModel;
}

export async function expandPlan(registry: Registry, resolved: ResolvedSuite, options: PlanOptions): Promise<Plan> {
  const { suite } = resolved;
  const budget = suite.budgets?.[options.budget] ?? {};
  const seeds = options.seeds ?? budget.seeds ?? suite.seeds;
  const timeoutMs = 1000 * (options.timeoutSeconds ?? budget.timeoutSeconds ?? suite.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const hashes = new Map<string, string>();
  const codeHash = (record: PluginRecord) => {
    if (!hashes.has(record.dir)) hashes.set(record.dir, pluginCodeHash(record));
    return hashes.get(record.dir)!;
  };

  const selection = options.selection ?? EMPTY_SELECTION;
  const used = new Set<Pattern>();
  const overrideSeen: OverrideSeen = new Map();
  const units: Unit[] = [];
  for (const [taskIndex, entry] of suite.tasks.entries()) {
    const taskPlugin = registry.plugins.get(splitQualified(entry.task).plugin)!;
    const taskDecl = taskPlugin.manifest.tasks!.find((t) => t.id === splitQualified(entry.task).local)!;
    const taskHits = matching(selection.tasks, [entry.task, splitQualified(entry.task).local]);
    if (!taskHits) continue;
    taskHits.forEach((p) => used.add(p));
    const taskBudget = entry.budget ?? options.budget;
    const override = entry.budgets?.[taskBudget] ?? {};
    const taskSeeds = options.seeds ?? override.seeds ?? entry.seeds ?? seeds;
    let paramSets: Params[];
    let skip: string | undefined = taskPlugin.notInstalled && `plugin "${taskPlugin.manifest.id}" not installed: ${taskPlugin.notInstalled}`;
    try {
      paramSets = skip ? [{}] : await taskParamSets(registry, entry, override, taskBudget, resolved.file, taskIndex);
    } catch (error) {
      if (!(error instanceof DatasetMissingError)) throw error;
      paramSets = [{}];
      skip = error.message;
    }
    if (!skip && taskHits.length) paramSets = overrideParams(paramSets, knownOverrides(overrideSeen, taskHits, paramSets, taskDecl.params, `task "${entry.task}"`));
    if (taskDecl.params && !skip) {
      for (const [i, params] of paramSets.entries()) {
        const problems = validateWithSchema(taskDecl.params, params, resolved.file, `/tasks/${taskIndex}/params(set ${i})`);
        if (problems.length) throw new UserError(`suite "${suite.id}": params do not match task "${entry.task}"'s schema`, problems);
      }
    }
    /** One unit of this task entry: the key covers the task, what competes (`competitor`) and the instance. */
    const addUnit = (c: Competitor, taskParams: Params, seed: number) => {
      const identity = { suite: suite.id, task: entry.task, params: taskParams, seed };
      const key = sha256(
        canonicalJson({
          api: HARNESS_API_VERSION,
          suite: [suite.id, suite.version],
          task: [entry.task, taskDecl.version, taskPlugin.manifest.version, codeHash(taskPlugin), datasetHashes(taskPlugin)],
          ...c.keyPart,
          taskParams,
          seed,
          // ctx.budget reaches plugin code (training steps, sizes): the same params at another budget are another unit
          budget: taskBudget,
          skip: c.skip ?? null,
        }),
      );
      units.push({
        key,
        budget: taskBudget,
        suite: suite.id,
        suiteVersion: suite.version,
        task: entry.task,
        taskVersion: taskDecl.version,
        method: c.method,
        methodName: c.methodName,
        plugin: c.plugin.manifest.id,
        pluginVersion: c.plugin.manifest.version,
        taskParams,
        methodParams: c.methodParams,
        seed,
        taskSeed: deriveSeed(identity),
        unitSeed: deriveSeed({ ...identity, method: c.method, methodParams: c.methodParams }),
        timeoutMs,
        skip: c.skip,
        ...(c.model ? { model: c.model } : {}),
      });
    };
    const competitors: Competitor[] = [];
    // Each language model given to the run competes on tasks that evaluate any (the task's plugin runs it).
    if (taskDecl.languageModel) {
      for (const model of options.models ?? []) {
        const hits = matching(selection.methods, [model.name, `model:${model.name}`]);
        if (!hits) continue;
        hits.forEach((p) => used.add(p));
        if (hits.some((p) => Object.keys(p.params).length)) throw new UserError(`--method ${hits[0].text}: a --model has no parameters to override`);
        competitors.push({ method: `model:${model.name}`, methodName: model.name, plugin: taskPlugin, methodParams: {}, keyPart: { model: [model.name, model.identity] }, skip, model });
      }
    }
    for (const methodEntry of resolved.methods) {
      const methodPlugin = registry.plugins.get(splitQualified(methodEntry.method).plugin)!;
      const methodDecl = methodPlugin.manifest.methods!.find((m) => m.id === splitQualified(methodEntry.method).local)!;
      if (!methodTasks(methodDecl).some((t) => qualify(methodPlugin.manifest.id, t) === entry.task)) continue;
      const methodHits = matching(selection.methods, [methodEntry.as ?? methodEntry.method, methodEntry.method, splitQualified(methodEntry.method).local]);
      if (!methodHits) continue;
      methodHits.forEach((p) => used.add(p));
      const methodSkip = skip ?? (methodPlugin.notInstalled && `plugin "${methodPlugin.manifest.id}" not installed: ${methodPlugin.notInstalled}`);
      let methodGrid = expandGrid(methodEntry.params ?? {});
      if (methodHits.length) methodGrid = overrideParams(methodGrid, knownOverrides(overrideSeen, methodHits, methodGrid, undefined, `method "${methodEntry.as ?? methodEntry.method}"`));
      for (const methodParams of methodGrid) {
        const clash = paramSets.flatMap((taskParams) => Object.keys(methodParams).filter((k) => k in taskParams))[0];
        if (clash) throw new UserError(`${resolved.file}: method "${methodEntry.method}" param "${clash}" clashes with a task param of the same name`);
        const keyPart = { method: [methodEntry.method, methodPlugin.manifest.version, codeHash(methodPlugin), datasetHashes(methodPlugin)], methodParams };
        competitors.push({ method: methodEntry.method, methodName: methodEntry.as ?? methodEntry.method, plugin: methodPlugin, methodParams, keyPart, skip: methodSkip });
      }
    }
    // A task that evaluates a model you give, with no model given and no method of its own: one
    // skipped unit per instance that says what to pass, rather than an empty plan.
    if (taskDecl.languageModel && !competitors.length && !selection.methods.length) {
      competitors.push({
        method: 'model:none', methodName: '(no model given)', plugin: taskPlugin, methodParams: {}, keyPart: { model: null },
        skip: skip ?? `task ${entry.task} evaluates a language model you give: pass --model <spec> (openai:URL#name, onnx:DIR, builtin:plugin/model; see README, "Evaluate your own model")`,
      });
    }
    for (const competitor of competitors) {
      for (const taskParams of paramSets) for (const seed of taskSeeds) addUnit(competitor, taskParams, seed);
    }
  }
  for (const [pattern, seen] of overrideSeen) {
    const unknown = Object.keys(pattern.params).filter((name) => !seen.known.has(name));
    if (unknown.length) {
      throw new UserError(`${pattern.text}: no ${seen.what.join(' or ')} it selects has the parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}${seen.names.size ? ` (their parameters: ${[...seen.names].sort().join(', ')})` : ''}`);
    }
  }
  const unused = [...selection.tasks, ...selection.methods].filter((p) => !used.has(p));
  if (unused.length) {
    const tasks = [...new Set(suite.tasks.map((t) => t.task))].join(', ');
    const methods = [...new Set([...resolved.methods.map((m) => m.as ?? m.method), ...(options.models ?? []).map((m) => m.name)])].join(', ');
    throw new UserError(
      `suite "${suite.id}": ${unused.map((p) => `${selection.tasks.includes(p) ? '--task' : '--method'} ${p.text}`).join(', ')} matches nothing` +
        ` (tasks: ${tasks}; methods: ${methods || 'none'})`,
    );
  }
  if (!units.length && (selection.tasks.length || selection.methods.length)) {
    throw new UserError(`suite "${suite.id}": no unit is left by --task ${selection.tasks.map((p) => p.text).join(' ') || '*'} --method ${selection.methods.map((p) => p.text).join(' ') || '*'} (no selected method solves a selected task)`);
  }
  const keys = new Set<string>();
  const overridden = [...selection.tasks, ...selection.methods].some((p) => Object.keys(p.params).length);
  const distinct = units.filter((unit) => {
    if (!keys.has(unit.key)) {
      keys.add(unit.key);
      return true;
    }
    // Overrides can make two task entries the same (`--task 'nll[corpus=x]'` over one entry per corpus): run it once.
    if (overridden) return false;
    throw new UserError(`suite "${suite.id}" expands to the same unit twice (${unit.task}, ${unit.method}, ${canonicalJson(unit.taskParams)}, seed ${unit.seed})`);
  });
  return { suite: resolved, budget: options.budget, seeds, units: distinct, models: options.models };
}

/** Per pattern: which of its override names some selected task or method has, and all names they have. */
type OverrideSeen = Map<Pattern, { known: Set<string>; names: Set<string>; what: string[] }>;

/** The overrides of `patterns` that this task or method has (declared in its schema or set by the suite):
 * a pattern matching several tasks overrides each one's own parameters; a name no selected one has is an error (checked at the end). */
function knownOverrides(overrideSeen: OverrideSeen, patterns: readonly Pattern[], sets: readonly Params[], schema: unknown, what: string): Pattern[] {
  const declared = Object.keys(((schema ?? {}) as { properties?: Record<string, unknown> }).properties ?? {});
  const has = new Set([...declared, ...sets.flatMap((s) => Object.keys(s))]);
  return patterns.map((pattern) => {
    const seen = overrideSeen.get(pattern) ?? { known: new Set<string>(), names: new Set<string>(), what: [] };
    overrideSeen.set(pattern, seen);
    has.forEach((n) => seen.names.add(n));
    const kind = what.split(' ')[0];
    if (!seen.what.includes(kind)) seen.what.push(kind);
    const params = Object.fromEntries(Object.entries(pattern.params).filter(([name]) => has.has(name)));
    Object.keys(params).forEach((n) => seen.known.add(n));
    return { ...pattern, params };
  });
}

function datasetHashes(record: PluginRecord): string[] {
  return (record.manifest.datasets ?? []).flatMap((d) => d.files.map((f) => f.sha256));
}

async function taskParamSets(
  registry: Registry,
  entry: SuiteTask,
  override: { params?: Record<string, ParamSpec>; each?: EachSpec },
  budget: BudgetName,
  file: string,
  taskIndex: number,
): Promise<Params[]> {
  const grid = expandGrid({ ...(entry.params ?? {}), ...(override.params ?? {}) });
  const each = override.each ?? entry.each;
  if (!each) return grid;
  const sets = await paramSource(registry, each, budget, `${file}: /tasks/${taskIndex}/each`);
  const combined: Params[] = [];
  for (const set of sets) for (const base of grid) combined.push({ ...base, ...set });
  return combined;
}

async function paramSource(registry: Registry, each: EachSpec, budget: BudgetName, where: string): Promise<Params[]> {
  const { plugin: pluginId, local } = splitQualified(each.from);
  const record = registry.plugins.get(pluginId);
  if (!record) throw new UserError(`${where}/from: unknown plugin "${pluginId}"`);
  const plugin = await loadPlugin(record);
  const source = plugin.paramSources?.[local];
  if (!source) throw new UserError(`${where}/from: plugin "${pluginId}" has no param source "${local}"`);
  let sets = await source({ budget, dataset: (id) => resolveDataset(record, id) });
  if (each.where) {
    const where = each.where;
    sets = sets.filter((set) =>
      Object.entries(where).every(([k, v]) => (Array.isArray(v) ? v.some((x) => canonicalJson(x) === canonicalJson(set[k])) : canonicalJson(v) === canonicalJson(set[k]))),
    );
  }
  if (each.limit !== undefined) sets = sets.slice(0, each.limit);
  return sets;
}

/** Cartesian product over params given as `{ values: [...] }`; other params are fixed. */
export function expandGrid(spec: Record<string, ParamSpec>): Params[] {
  let sets: Params[] = [{}];
  for (const [name, value] of Object.entries(spec)) {
    const axis: Json[] =
      value && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { values?: Json[] }).values)
        ? (value as { values: Json[] }).values
        : [value as Json];
    sets = sets.flatMap((set) => axis.map((v) => ({ ...set, [name]: v })));
  }
  return sets;
}
