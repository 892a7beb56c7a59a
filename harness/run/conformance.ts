// The conformance kit for third-party plugins: everything a plugin must satisfy before its rows can
// stand on a leaderboard, checked by running it.
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { methodTasks } from '../api/manifest.ts';
import { VOLATILE_COLUMNS } from '../api/rows.ts';
import type { ResultRow } from '../api/types.ts';
import { checkKernel } from '../bench/measure.ts';
import { UserError } from '../errors.ts';
import { discover, loadPlugin, qualify, type Registry } from '../plan/registry.ts';
import { loadSuite } from '../plan/suite.ts';
import { runSuite } from './runner.ts';

export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail: string;
}

const VOLATILE = new Set(VOLATILE_COLUMNS);
// Units of metrics that measure the machine (durations and rates), not the method's result.
const TIME_UNITS = new Set(['ms', 's', 'seconds', 'µs', 'ns', 'tokens/s', 'steps/s', 'items/s']);

export async function checkPluginConformance(dir: string, onCheck: (check: ConformanceCheck) => void = () => {}): Promise<ConformanceCheck[]> {
  const checks: ConformanceCheck[] = [];
  const record = (name: string, ok: boolean, detail: string) => {
    const check = { name, ok, detail };
    checks.push(check);
    onCheck(check);
    return ok;
  };
  const abs = resolve(dir);
  let registry: Registry;
  try {
    registry = discover({ pluginDirs: [abs] });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    record('manifest', false, [error.message, ...error.details].join('; '));
    return checks;
  }
  const plugin = [...registry.plugins.values()].find((p) => p.dir === abs)!;
  const id = plugin.manifest.id;
  record('manifest', true, `${plugin.manifestFile} matches the schema; harnessApi ${plugin.manifest.harnessApi}`);
  if (plugin.notInstalled) {
    record('dependencies', false, plugin.notInstalled);
    return checks;
  }
  let code;
  try {
    code = await loadPlugin(plugin);
    record('code matches manifest', true, 'every declared task, method, kernel and claim is exported, and nothing else');
  } catch (error) {
    record('code matches manifest', false, error instanceof UserError ? [error.message, ...error.details].join('; ') : String(error));
    return checks;
  }

  const suites = [...registry.suites.values()].filter((s) => s.plugin === id);
  const covered = new Set<string>();
  const resolvedSuites = [];
  for (const suite of suites) {
    try {
      const resolved = loadSuite(registry, suite.id);
      resolvedSuites.push(resolved);
      for (const task of resolved.suite.tasks) for (const m of resolved.methods) covered.add(`${task.task} × ${m.method}`);
      record(`suite ${suite.id} parses`, true, suite.file);
    } catch (error) {
      record(`suite ${suite.id} parses`, false, error instanceof UserError ? [error.message, ...error.details].join('; ') : String(error));
    }
  }
  const pairs = (plugin.manifest.methods ?? []).flatMap((m) => methodTasks(m).map((t) => `${qualify(id, t)} × ${id}/${m.id}`));
  const uncovered = pairs.filter((p) => !covered.has(p));
  record('every task/method pair is in a suite', uncovered.length === 0, uncovered.length ? `not run by any suite of the plugin: ${uncovered.join(', ')}` : `${pairs.length} pairs`);

  for (const resolved of resolvedSuites) {
    const run = async () => {
      const result = await runSuite({
        suite: resolved.file, budget: 'smoke', out: mkdtempSync(join(tmpdir(), 'conformance-')), pluginDirs: [abs], jobs: 2,
        backend: 'auto', failFast: false, force: true, cacheDir: mkdtempSync(join(tmpdir(), 'conformance-cache-')), log: () => {},
      });
      return result;
    };
    const first = await run();
    const failed = first.rows.filter((r) => r.status === 'error' || r.status === 'timeout');
    const skipped = first.rows.filter((r) => r.status === 'skipped');
    record(
      `suite ${resolved.suite.id} runs at smoke budget`,
      failed.length === 0,
      failed.length
        ? `${failed.length} unit(s) failed, e.g. ${failed[0].method}: ${failed[0].reason}`
        : `${new Set(first.rows.map((r) => r.unit_key)).size} units${skipped.length ? `, ${skipped.length} skipped (${skipped[0].reason})` : ''}`,
    );
    const second = await run();
    const differences = compareRows(first.rows, second.rows);
    record(`suite ${resolved.suite.id}: same seed, same rows`, differences.length === 0, differences.length ? differences.slice(0, 3).join('; ') : `${first.rows.length} rows identical across two runs`);
    const broken = first.claims.filter((c) => c.plugin === id && c.status === 'error');
    record(`claims about ${resolved.suite.id} evaluate`, broken.length === 0, broken.length ? broken.map((c) => `${c.claim}: ${c.why}`).join('; ') : `${first.claims.filter((c) => c.plugin === id).length} claims evaluated`);
  }

  for (const [kernelId, kernel] of Object.entries(code.kernels ?? {})) {
    const problems: string[] = [];
    for (const size of kernel.sizes) {
      const outcome = await checkKernel(id, kernelId, kernel, size);
      if (outcome.status === 'failed-check') problems.push(`${JSON.stringify(size)}: ${outcome.problem}`);
      if (outcome.status === 'error') problems.push(`${JSON.stringify(size)}: ${outcome.reason}`);
    }
    record(`kernel ${kernelId} agrees with its reference`, problems.length === 0, problems.length ? problems.join('; ') : `${kernel.sizes.length} sizes`);
  }
  const claimSuites = new Set((plugin.manifest.claims ?? []).map((c) => c.suite));
  const unknown = [...claimSuites].filter((s) => !registry.suites.has(s));
  record('claims refer to known suites', unknown.length === 0, unknown.length ? `unknown suites: ${unknown.join(', ')}` : `${claimSuites.size} suites`);
  return checks;
}

/** Differences between two runs' rows, ignoring timing and provenance columns. */
export function compareRows(a: readonly ResultRow[], b: readonly ResultRow[]): string[] {
  const key = (r: ResultRow) => `${r.unit_key}\0${r.metric}`;
  const other = new Map(b.map((r) => [key(r), r]));
  const differences: string[] = [];
  if (a.length !== b.length) differences.push(`${a.length} rows vs ${b.length}`);
  for (const row of a) {
    if (TIME_UNITS.has(row.unit)) continue; // a timing metric measures the machine, not the method's result
    const twin = other.get(key(row));
    if (!twin) {
      differences.push(`${row.method} ${row.params} seed ${row.seed} ${row.metric}: missing in the second run`);
      continue;
    }
    for (const column of Object.keys(row) as (keyof ResultRow)[]) {
      if (VOLATILE.has(column) || row[column] === twin[column]) continue;
      differences.push(`${row.method} ${row.params} seed ${row.seed} ${row.metric}: ${column} ${String(row[column])} vs ${String(twin[column])}`);
    }
  }
  return differences;
}
