// `harness reproduce <plugin>`: runs the suites a plugin's claims refer to and reports each claim.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BudgetName } from '../api/types.ts';
import type { BackendChoice } from '../backends/tensors.ts';
import { discover, requirePlugin } from '../plan/registry.ts';
import { CLAIM_COLUMNS, type ClaimRow } from '../results/claims.ts';
import { writeCsv } from '../results/csv.ts';
import { defaultCacheDir, runSuite } from '../run/runner.ts';
import { backendOption, budgetOption, collect, defaultJobs, parseMemoryLimit, parsePositiveInt } from './options.ts';
import { renderClaims } from './run.ts';

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description("run the suites a plugin's claims refer to and print which of the paper's claims hold, with the measured numbers")
    .argument('<plugin>', 'plugin id')
    .addOption(budgetOption().default('full'))
    .option('--out <dir>', 'folder for the runs and claims.csv (default results/reproduce/<plugin>)')
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .option('--jobs <n>', 'units run in parallel', parsePositiveInt, defaultJobs())
    .addOption(backendOption())
    .option('--sandbox', 'run units and claims in restricted child processes (see harness run --help)', false)
    .option('--memory-limit <MB>', 'resident memory limit of each unit\'s process (default: memory / jobs, at most 8192)', parseMemoryLimit)
    .action(async (pluginId: string, opts: { budget: BudgetName; out?: string; plugin: string[]; jobs: number; backend: BackendChoice; sandbox: boolean; memoryLimit?: number }) => {
      const registry = discover({ pluginDirs: opts.plugin });
      const record = requirePlugin(registry, pluginId);
      const suites = [...new Set((record.manifest.claims ?? []).map((c) => c.suite))];
      if (!suites.length) {
        process.stdout.write(`plugin "${pluginId}" states no claims\n`);
        return;
      }
      const outDir = resolve(opts.out ?? join('results', 'reproduce', pluginId));
      mkdirSync(outDir, { recursive: true });
      const claims: ClaimRow[] = [];
      for (const suite of suites) {
        process.stderr.write(`\n== ${suite} (${opts.budget})\n`);
        const result = await runSuite({
          suite,
          budget: opts.budget,
          out: join(outDir, suite),
          pluginDirs: opts.plugin,
          jobs: opts.jobs,
          backend: opts.backend,
          failFast: false,
          force: false,
          sandbox: opts.sandbox,
          memoryLimitMb: opts.memoryLimit,
          cacheDir: defaultCacheDir(),
        });
        claims.push(...result.claims.filter((c) => c.plugin === pluginId));
      }
      await writeCsv(join(outDir, 'claims.csv'), CLAIM_COLUMNS, claims as unknown as Record<string, string>[]);
      const count = (status: string) => claims.filter((c) => c.status === status).length;
      process.stdout.write(
        `${renderClaims(claims)}\n${record.manifest.id}: ${count('holds')} hold, ${count('fails')} fail, ${count('not-checked')} not checked (budget ${opts.budget})\nclaims: ${join(outDir, 'claims.csv')}\n`,
      );
    });
}
