// `harness validate <file>`: checks a suite, a plugin manifest or a rows.csv and lists every problem.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PluginManifest } from '../api/manifest.ts';
import { UserError } from '../errors.ts';
import { discover, manifestProblems } from '../plan/registry.ts';
import { loadSuite } from '../plan/suite.ts';
import { readRows } from '../results/csv.ts';
import { runFolderProblems } from '../results/validate-run.ts';
import { collect } from './options.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check suites (.yaml), plugin manifests (plugin.json or a plugin folder), rows.csv files, or whole run folders (checksums, provenance, recomputable unit keys)')
    .argument('<files...>', 'files to check')
    .option('--plugin <dir>', 'load a plugin from this folder when resolving a suite (repeatable)', collect, [])
    .action(async (files: string[], opts: { plugin: string[] }) => {
      const problems: string[] = [];
      for (const file of files) {
        try {
          await validateFile(file, opts.plugin);
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

async function validateFile(file: string, pluginDirs: string[]): Promise<void> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  if (statSync(file).isDirectory()) {
    if (existsSync(join(file, 'manifest.json'))) {
      const problems = await runFolderProblems(discover({ pluginDirs }), file);
      if (problems.length) throw new UserError(`${file}: the run folder does not pass`, problems);
      return;
    }
    return validateFile(join(file, 'plugin.json'), pluginDirs);
  }
  if (/\.ya?ml$/.test(file)) {
    loadSuite(discover({ pluginDirs }), file);
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
