// `harness publish [run dirs or rows.csv…] --out site/`: a static site of leaderboards, charts, claims
// and provenance, re-aggregated from the runs' rows; opens from file:// with no server.
import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { UserError } from '../errors.ts';
import { latestRunFolders } from '../publish/inputs.ts';
import { publishSite } from '../publish/site.ts';
import { collect } from './options.ts';

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('write a static site (leaderboards, charts, claims, provenance, CSVs) from run folders or rows.csv files')
    .argument('[inputs...]', 'run folders or rows.csv files (default: the newest run of each suite under results/runs/)')
    .option('--out <dir>', 'the site folder (replaced if an earlier publish wrote it)', 'site')
    .option('--title <text>', 'the site title', 'harness leaderboards')
    .option('--plugin <dir>', 'load a plugin from this folder, for its metadata, suites and charts (repeatable)', collect, [])
    .option('--no-png', 'skip the PNG copy of each chart')
    .action(async (inputs: string[], opts: { out: string; title: string; plugin: string[]; png: boolean }) => {
      const sources = inputs.length ? inputs : latestRunFolders(join(process.cwd(), 'results', 'runs'));
      if (!sources.length) throw new UserError('nothing to publish: no inputs given and no run folders under results/runs/', ['pass run folders or rows.csv files']);
      const result = await publishSite({
        inputs: sources,
        out: opts.out,
        title: opts.title,
        pluginDirs: opts.plugin,
        png: opts.png,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));
      process.stdout.write(
        `published ${result.pages.length} suite page(s), ${result.charts} chart(s): ${shown(result.index)}\n` +
          result.pages.map((p) => `  ${p.suite} v${p.version}: ${shown(p.file)}\n`).join(''),
      );
    });
}
