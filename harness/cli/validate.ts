// `harness validate <file>`: checks a suite, a plugin manifest, a rows.csv or a run folder and lists every problem.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PluginManifest } from '../api/manifest.ts';
import { UserError } from '../errors.ts';
import type { BudgetName } from '../api/types.ts';
import { expandPlan } from '../plan/expand.ts';
import { discover, manifestProblems, type Registry } from '../plan/registry.ts';
import { loadSuite } from '../plan/suite.ts';
import { readRows } from '../results/csv.ts';
import { signatureProblems } from '../results/signing.ts';
import { runFolderProblems } from '../results/validate-run.ts';
import { leaderboardConfig } from '../run/runner.ts';
import { collect } from './options.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check suites (.yaml), plugin manifests (plugin.json or a plugin folder), rows.csv files, or whole run folders (checksums, provenance, recomputable unit keys)')
    .argument('<files...>', 'files to check')
    .option('--plugin <dir>', 'load a plugin from this folder when resolving a suite (repeatable)', collect, [])
    .option('--trusted-key <file>', 'run folders must carry a signature (harness sign) by the ed25519 key whose public PEM this is')
    .action(async (files: string[], opts: { plugin: string[]; trustedKey?: string }) => {
      const problems: string[] = [];
      for (const file of files) {
        try {
          await validateFile(file, opts.plugin, opts.trustedKey);
          process.stdout.write(`ok       ${file}\n`);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          process.stdout.write(`invalid  ${file}\n`);
          problems.push(error.message, ...error.details.map((d) => `  ${d}`));
        }
      }
      if (problems.length) {
        process.stderr.write(`${problems.join('\n')}\n`);
        process.exitCode = 1;
      }
    });
}

async function validateFile(file: string, pluginDirs: string[], trustedKey?: string): Promise<void> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const runFolder = statSync(file).isDirectory() && existsSync(join(file, 'manifest.json'));
  if (trustedKey && !runFolder) throw new UserError(`${file}: --trusted-key checks run folders; this is not one`);
  if (runFolder) {
    const problems = await runFolderProblems(discover({ pluginDirs }), file, { leaderboardConfig });
    if (trustedKey) problems.push(...signatureProblems(file, trustedKey));
    if (problems.length) throw new UserError(`${file}: the run folder does not pass`, problems);
    return;
  }
  if (statSync(file).isDirectory()) return validateFile(join(file, 'plugin.json'), pluginDirs);
  if (/\.ya?ml$/.test(file)) {
    await checkSuite(discover({ pluginDirs }), file);
    return;
  }
  if (file.endsWith('.csv')) {
    await readRows(file);
    return;
  }
  if (basename(file) === 'plugin.json' || file.endsWith('.json')) {
    let manifest: PluginManifest;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UserError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
    const problems = manifestProblems(manifest, file);
    if (problems.length) throw new UserError(`${file}: invalid plugin manifest`, problems);
    return;
  }
  throw new UserError(`${file}: unknown kind of file; expected a suite (.yaml), a plugin.json or a rows.csv`);
}

/** A suite passes when it loads and expands at every budget: the same code `plan` and `run` go through. */
async function checkSuite(registry: Registry, file: string): Promise<void> {
  const resolved = loadSuite(registry, file);
  leaderboardConfig(resolved);
  for (const budget of ['smoke', 'standard', 'full'] satisfies BudgetName[]) {
    try {
      await expandPlan(registry, resolved, { budget });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      throw new UserError(`${file}: at budget "${budget}": ${error.message}`, error.details);
    }
  }
}
