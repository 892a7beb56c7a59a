// `harness score <run-dir>`: recompute record-based metrics without running methods again.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { discover } from '../plan/registry.ts';
import { rescoreRun } from '../results/rescore.ts';
import { collect } from './options.ts';
import { renderBoard, renderClaims } from './run.ts';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description("recompute metrics from a run's stored per-instance records (tasks with scoreRecords), without running any method")
    .argument('<run-dir>', 'a run folder')
    .option('--out <dir>', 'where to write the rescored run (default <run-dir>/rescored)')
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .action(async (runDir: string, opts: { out?: string; plugin: string[] }) => {
      const result = await rescoreRun(discover({ pluginDirs: opts.plugin }), runDir, opts.out ?? join(resolve(runDir), 'rescored'));
      process.stdout.write(`${renderBoard(result.board)}\n${renderClaims(result.claims)}\n`);
      process.stdout.write(`${result.rescored} units rescored from their records, ${result.unchanged} kept as they were; ${result.changes.length} values changed\n`);
      for (const change of result.changes.slice(0, 20)) process.stdout.write(`  ${change}\n`);
      if (result.changes.length > 20) process.stdout.write(`  … and ${result.changes.length - 20} more\n`);
      process.stdout.write(`rescored run: ${result.outDir}\n`);
    });
}
