// `harness plugin test <dir>`: the conformance kit for a third-party plugin.
import type { Command } from 'commander';
import { checkPluginConformance } from '../run/conformance.ts';

export function registerPlugin(program: Command): void {
  const plugin = program.command('plugin').description('tools for plugin authors');
  plugin
    .command('test')
    .description('conformance kit: manifest and schemas, code matches manifest, every task/method pair runs at smoke budget, same seed gives the same rows, kernels agree with their references, claims evaluate')
    .argument('<dir>', 'the plugin folder')
    .action(async (dir: string) => {
      const checks = await checkPluginConformance(dir, (check) => process.stdout.write(`${check.ok ? 'pass' : 'FAIL'}  ${check.name}: ${check.detail}\n`));
      const failed = checks.filter((c) => !c.ok).length;
      process.stdout.write(`\n${checks.length - failed} of ${checks.length} checks pass\n`);
      if (failed) process.exitCode = 1;
    });
}
