// Loading a suite: YAML → schema check → every task, method and metric resolved against the registry.
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseDocument } from 'yaml';
import { methodTasks, type MetricDeclaration } from '../api/manifest.ts';
import type { SuiteFile, SuiteMethod } from '../api/suite.ts';
import { schemaProblems } from '../api/validate.ts';
import { PLUGIN_FLAG_HINT, UserError, didYouMean } from '../errors.ts';
import { DEFAULT_TIMEOUT_SECONDS } from './expand.ts';
import { qualify, requireSuite, splitQualified, type PluginRecord, type Registry } from './registry.ts';

export interface ResolvedSuite {
  file: string;
  suite: SuiteFile;
  /** Every metric declared by the plugins the suite uses, by id. */
  metrics: Map<string, MetricDeclaration>;
  methods: SuiteMethod[];
}

/** How many times aliases may expand when a suite is read (the yaml package's guard against alias bombs). */
export const MAX_YAML_ALIASES = 100;

export function readSuiteFile(file: string): SuiteFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read suite ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new UserError(
      `${file}: invalid YAML`,
      doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  let value: unknown;
  try {
    // An alias without its anchor, or aliases that multiply into a huge document ("billion laughs"), is bad input.
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw new UserError(`${file}: invalid YAML: ${(error as Error).message}`);
  }
  const problems = schemaProblems('suite', value, file);
  if (problems.length) throw new UserError(`${file}: the suite does not match the suite schema`, problems);
  return value as SuiteFile;
}

export function loadSuite(registry: Registry, idOrPath: string): ResolvedSuite {
  const record = requireSuite(registry, idOrPath);
  const file = record.file;
  const suite = withIncludes(registry, readSuiteFile(file), file);
  const problems: string[] = [];
  const metrics = new Map<string, MetricDeclaration>();
  const pluginOf = (qualified: string, where: string): PluginRecord | undefined => {
    const { plugin } = splitQualified(qualified);
    const found = registry.plugins.get(plugin);
    if (!found) problems.push(`${file}: ${where}: unknown plugin "${plugin}"${didYouMean(plugin, registry.plugins.keys())}`);
    return found;
  };

  const taskIds = new Set<string>();
  suite.tasks.forEach((entry, i) => {
    const plugin = pluginOf(entry.task, `/tasks/${i}/task`);
    if (!plugin) return;
    const local = splitQualified(entry.task).local;
    const declared = (plugin.manifest.tasks ?? []).map((t) => t.id);
    if (!declared.includes(local)) {
      problems.push(`${file}: /tasks/${i}/task: plugin "${plugin.manifest.id}" has no task "${local}"${didYouMean(local, declared)}`);
    }
    taskIds.add(entry.task);
    for (const metric of plugin.manifest.metrics ?? []) metrics.set(metric.id, metric);
  });

  const methods = suite.methods.map((m): SuiteMethod => (typeof m === 'string' ? { method: m } : m));
  methods.forEach((entry, i) => {
    const plugin = pluginOf(entry.method, `/methods/${i}`);
    if (!plugin) return;
    const local = splitQualified(entry.method).local;
    const declared = plugin.manifest.methods ?? [];
    const method = declared.find((m) => m.id === local);
    if (!method) {
      problems.push(
        `${file}: /methods/${i}: plugin "${plugin.manifest.id}" has no method "${local}"${didYouMean(local, declared.map((m) => m.id))}`,
      );
      return;
    }
    const targets = methodTasks(method).map((t) => qualify(plugin.manifest.id, t));
    if (!targets.some((t) => taskIds.has(t))) {
      problems.push(`${file}: /methods/${i}: method "${entry.method}" solves ${targets.map((t) => `"${t}"`).join(', ')}, which this suite does not run`);
    }
    for (const metric of plugin.manifest.metrics ?? []) metrics.set(metric.id, metric);
  });
  const names = methods.map((m) => m.as ?? m.method);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push(`${file}: /methods/${i}: method name "${name}" appears twice; give one an "as" name`);
  });

  const primaries: Array<[string, string]> = [['/primary/metric', suite.primary.metric]];
  suite.tasks.forEach((t, i) => t.primary && primaries.push([`/tasks/${i}/primary/metric`, t.primary.metric]));
  for (const [path, metric] of primaries) {
    if (problems.length) break;
    if (!metrics.has(metric)) problems.push(`${file}: ${path}: no plugin of this suite declares metric "${metric}"${didYouMean(metric, metrics.keys())}`);
    else if (metrics.get(metric)!.goal === 'info') problems.push(`${file}: ${path}: "${metric}" has goal "info"; a primary metric must be min or max`);
  }
  const taskPrimary = new Map<string, string>();
  suite.tasks.forEach((t, i) => {
    const metric = t.primary?.metric ?? suite.primary.metric;
    const earlier = taskPrimary.get(t.task);
    if (earlier !== undefined && earlier !== metric) problems.push(`${file}: /tasks/${i}/primary: task "${t.task}" is ranked by "${earlier}" in an earlier entry; one task has one primary metric`);
    taskPrimary.set(t.task, metric);
  });
  for (const [i, metric] of (suite.leaderboard?.metrics ?? []).entries()) {
    if (!problems.length && !metrics.has(metric)) problems.push(`${file}: /leaderboard/metrics/${i}: unknown metric "${metric}"`);
  }
  if (problems.some((p) => p.includes(': unknown plugin "'))) problems.push(PLUGIN_FLAG_HINT);
  if (problems.length) throw new UserError(`suite "${suite.id}" (${file}) has problems`, problems);
  return { file, suite, metrics, methods };
}

/**
 * The suite with its `include`d suites' tasks and methods added: each included task keeps its own
 * params, budgets and primary metric, is pinned to the included budget, and takes that budget's
 * seeds when it names none itself. Included suites may not include others.
 */
function withIncludes(registry: Registry, suite: SuiteFile, file: string): SuiteFile {
  if (!suite.include?.length) return suite;
  const tasks = [...suite.tasks];
  const methods = [...suite.methods];
  const names = new Set(methods.map(methodName));
  const groupBy = new Set(suite.leaderboard?.groupBy ?? []);
  let timeoutSeconds = suite.timeoutSeconds;
  const included = new Map<string, number>();
  for (const [i, { suite: id, budget }] of suite.include.entries()) {
    let inner: SuiteFile;
    let innerFile: string;
    try {
      innerFile = requireSuite(registry, id).file;
      inner = readSuiteFile(innerFile);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      throw new UserError(`${file}: /include/${i}: ${error.message}`, error.details);
    }
    if (resolvePath(innerFile) === resolvePath(file)) throw new UserError(`${file}: /include/${i}: a suite cannot include itself`);
    if (included.has(resolvePath(innerFile))) {
      throw new UserError(`${file}: /include/${i}: suite "${id}" is already included by /include/${included.get(resolvePath(innerFile))}; its units would run twice`);
    }
    included.set(resolvePath(innerFile), i);
    if (inner.include?.length) throw new UserError(`${file}: /include/${i}: suite "${id}" includes other suites itself; include those directly`);
    const innerBudget = inner.budgets?.[budget] ?? {};
    for (const task of inner.tasks) {
      tasks.push({ ...task, budget, seeds: task.seeds ?? innerBudget.seeds ?? inner.seeds, primary: task.primary ?? inner.primary });
    }
    for (const method of inner.methods) {
      const name = methodName(method);
      if (!names.has(name)) methods.push(method);
      names.add(name);
    }
    for (const key of inner.leaderboard?.groupBy ?? []) groupBy.add(key);
    const innerTimeout = innerBudget.timeoutSeconds ?? inner.timeoutSeconds;
    if (innerTimeout !== undefined) timeoutSeconds = Math.max(timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, innerTimeout);
  }
  const leaderboard = groupBy.size ? { ...suite.leaderboard, groupBy: [...groupBy] } : suite.leaderboard;
  return { ...suite, tasks, methods, leaderboard, timeoutSeconds };
}

function methodName(entry: string | SuiteMethod): string {
  return typeof entry === 'string' ? entry : (entry.as ?? entry.method);
}
