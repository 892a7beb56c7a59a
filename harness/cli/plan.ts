// `harness plan <suite>`: the expanded units and what is already done; runs nothing.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { BudgetName } from '../api/types.ts';
import { canonicalJson } from '../plan/canonical.ts';
import { expandPlan } from '../plan/expand.ts';
import { discover } from '../plan/registry.ts';
import { loadSuite } from '../plan/suite.ts';
import { METHOD_OPTION_HELP, selectionFromOptions, TASK_OPTION_HELP } from '../plan/select.ts';
import { formatTable } from './table.ts';
import { Journal } from '../run/journal.ts';
import { defaultCacheDir } from '../run/runner.ts';
import { UnitCache } from '../run/unit-cache.ts';
import { budgetOption, collect, parseSeeds } from './options.ts';
import { resolveRunModels } from '../models/resolve.ts';
import { parseModelOptions } from '../models/spec.ts';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('print the units a run would execute (task × method × params × seed) and how many are cached')
    .argument('<suite>', 'suite id or path to a suite YAML file')
    .addOption(budgetOption())
    .option('--seeds <list>', 'override the suite\'s seeds', parseSeeds)
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .option('--model <spec>', 'a language model for the tasks that evaluate any (repeatable; openai:URL#name, onnx:DIR, builtin:plugin/model, or a models .yaml)', collect, [])
    .option('--task <pattern>', TASK_OPTION_HELP, collect, [])
    .option('--method <pattern>', METHOD_OPTION_HELP, collect, [])
    .option('--out <dir>', 'also count units already done in this run folder')
    .option('--json', 'print the plan as JSON', false)
    .action(async (suite: string, opts: { budget: BudgetName; seeds?: number[]; plugin: string[]; model: string[]; task: string[]; method: string[]; out?: string; json: boolean }) => {
      const registry = discover({ pluginDirs: opts.plugin });
      const resolved = loadSuite(registry, suite);
      const models = await resolveRunModels(registry, resolved, parseModelOptions(opts.model));
      const plan = await expandPlan(registry, resolved, { budget: opts.budget, seeds: opts.seeds, models, selection: selectionFromOptions(opts.task, opts.method) });
      const cache = new UnitCache(defaultCacheDir());
      const journalFile = opts.out ? join(resolve(opts.out), 'journal.jsonl') : undefined;
      const done = journalFile && existsSync(journalFile) ? readJournal(journalFile) : new Map();
      const state = (key: string) => (done.has(key) ? 'done' : cache.has(key) ? 'cached' : 'to run');
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(plan.units.map((u) => ({ ...u, state: state(u.key) })), null, 2)}\n`);
        return;
      }
      const s = resolved.suite;
      process.stdout.write(`${s.id} v${s.version} — ${s.title}\nbudget ${plan.budget}, seeds ${plan.seeds.join(',')}, primary metric ${s.primary.metric}\n\n`);
      const counts = { done: 0, cached: 0, 'to run': 0 } as Record<string, number>;
      const table = plan.units.map((unit) => {
        const st = state(unit.key);
        counts[st]++;
        const params = canonicalJson({ ...unit.taskParams, ...unit.methodParams });
        return [st, unit.task, unit.methodName, params, String(unit.seed), unit.key.slice(0, 12), unit.skip ? `will be skipped: ${unit.skip}` : ''];
      });
      process.stdout.write(`${formatTable(['state', 'task', 'method', 'params', 'seed', 'key', ''], table, ['left', 'left', 'left', 'left', 'right']).join('\n')}\n`);
      process.stdout.write(`\n${plan.units.length} units: ${counts['to run']} to run, ${counts.cached} cached, ${counts.done} done in --out\n`);
    });
}

function readJournal(file: string) {
  const journal = new Journal(file, { readOnly: true });
  return journal.entries;
}
