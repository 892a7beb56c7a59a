// `harness new plugin <name>`: scaffolds a working plugin folder (manifest, code, suite, test, README).
import type { Command } from 'commander';
import { isAbsolute, relative } from 'node:path';
import { scaffoldPlugin } from '../scaffold/scaffold.ts';

export function registerNew(program: Command): void {
  const create = program.command('new').description('create something from a template');
  create
    .command('plugin')
    .description('scaffold a working plugin folder: plugin.json, index.ts, a suite, a test and a README')
    .argument('<name>', 'plugin id: lower-case letters, digits and hyphens')
    .option('--dir <dir>', 'folder to create (default ./<name>); must be absent or empty')
    .action((name: string, opts: { dir?: string }) => {
      const result = scaffoldPlugin({ name, dir: opts.dir });
      const fromHere = relative(process.cwd(), result.dir) || '.';
      const shown = isAbsolute(fromHere) || fromHere.startsWith('..') ? result.dir : fromHere;
      const lines = [`created plugin "${name}" in ${result.dir}`, ...result.files.map((f) => `  ${f}`)];
      for (const link of result.links) lines.push(`  ${relative(result.dir, link.path)} -> ${link.target}`);
      if (result.missing.length) lines.push(`not linked (this harness has no copy): ${result.missing.join(', ')}`);
      lines.push(
        '',
        'next:',
        `  harness validate ${shown}/plugin.json`,
        `  harness run ${name} --plugin ${shown}       # smoke budget: rows, leaderboard, claims`,
        `  harness bench ${name} --plugin ${shown}`,
        `  cd ${shown} && npm test`,
        'then replace the example with the paper\'s tasks, methods, kernels and claims (see its README.md).',
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
