// The models of a run: the suite's `models:` list plus `--model` specs, each described (identity,
// reachability) before any unit runs, so a wrong URL or a missing file is one error, not N error rows.
import { dirname } from 'node:path';
import { UserError } from '../errors.ts';
import type { Registry } from '../plan/registry.ts';
import type { ResolvedSuite } from '../plan/suite.ts';
import { describeModel, type ResolvedModel } from './open.ts';
import { parseModelEntry, type ModelSpec } from './spec.ts';

export async function resolveRunModels(registry: Registry, resolved: ResolvedSuite, given: readonly ModelSpec[], signal?: AbortSignal): Promise<ResolvedModel[]> {
  const fromSuite = (resolved.suite.models ?? []).map((entry, i) => parseModelEntry(entry, `${resolved.file}: /models/${i}`, dirname(resolved.file)));
  const specs = [...fromSuite, ...given];
  if (!specs.length) return [];
  const evaluatesModels = resolved.suite.tasks.some((t) => {
    const [plugin, local] = t.task.split('/');
    return registry.plugins.get(plugin)?.manifest.tasks?.find((d) => d.id === local)?.languageModel;
  });
  if (!evaluatesModels) {
    throw new UserError(`suite "${resolved.suite.id}" has no task that evaluates any language model, so --model has nothing to run`, [
      'tasks that do are marked `languageModel: true` in their plugin.json (e.g. the long-context suite\'s)',
    ]);
  }
  const methodNames = new Set(resolved.methods.map((m) => m.as ?? m.method));
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new UserError(`two models are named "${spec.name}": prefix one spec with <name>= (or give it \`as:\`)`);
    if (methodNames.has(spec.name)) throw new UserError(`model name "${spec.name}" is also a method of suite "${resolved.suite.id}": prefix the spec with another <name>=`);
    seen.add(spec.name);
  }
  const out: ResolvedModel[] = [];
  for (const spec of specs) out.push(await describeModel(spec, registry, signal));
  return out;
}
