// `harness merge <run dirs…> --out DIR`: combines the shards of one run into one run folder.
import type { Command } from 'commander';
import { discover } from '../plan/registry.ts';
import { mergeRuns } from '../results/merge.ts';
import { collect } from './options.ts';
import { isolatedClaimChecker } from '../run/claims-child.ts';
import { defaultCacheDir, defaultMemoryLimitMb } from '../run/runner.ts';
import { renderBoard, renderClaims } from './run.ts';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the run folders of a sharded run (harness run --shard i/n) into one; refuses overlaps, missing units and mixed versions')
    .argument('<dirs...>', 'run folders, one per shard')
    .requiredOption('--out <dir>', 'folder for the merged run')
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .action(async (dirs: string[], opts: { out: string; plugin: string[] }) => {
      const registry = discover({ pluginDirs: opts.plugin });
      const claims = isolatedClaimChecker(registry, opts.plugin, defaultCacheDir(), defaultMemoryLimitMb(1));
      const result = await mergeRuns(registry, dirs, opts.out, claims);
      process.stdout.write(`${renderBoard(result.board)}\n${renderClaims(result.claims)}\nmerged ${result.inputs} run folders, ${result.units} units: ${result.outDir}\n`);
    });
}
