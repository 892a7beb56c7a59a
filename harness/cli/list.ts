// `harness list`: plugins (from their manifests only, no plugin code imported) and suites.
import type { Command } from 'commander';
import { discover } from '../plan/registry.ts';
import { readSuiteFile } from '../plan/suite.ts';
import { collect } from './options.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('show installed plugins (tasks, methods, kernels, metrics, claims) and available suites')
    .option('--plugin <dir>', 'also load a plugin from this folder (repeatable)', collect, [])
    .option('--json', 'print as JSON', false)
    .action((opts: { plugin: string[]; json: boolean }) => {
      const registry = discover({ pluginDirs: opts.plugin });
      if (opts.json) {
        const plugins = [...registry.plugins.values()].map((p) => ({ ...p.manifest, dir: p.dir, origin: p.origin, notInstalled: p.notInstalled ?? null }));
        const suites = [...registry.suites.values()].map((suite) => {
          try {
            const s = readSuiteFile(suite.file);
            return { ...suite, version: s.version, title: s.title, description: s.description, primary: s.primary.metric, invalid: null };
          } catch (error) {
            return { ...suite, version: null, title: null, description: null, primary: null, invalid: (error as Error).message };
          }
        });
        process.stdout.write(`${JSON.stringify({ plugins, suites }, null, 2)}\n`);
        return;
      }
      const out: string[] = [];
      out.push(`plugins (${registry.plugins.size}):`);
      for (const record of registry.plugins.values()) {
        const m = record.manifest;
        out.push('', `  ${m.id} ${m.version} — ${m.title} (arXiv ${m.paper.arxiv}, ${m.paper.year})${record.origin === 'builtin' ? '' : ` [${record.origin}: ${record.dir}]`}`);
        if (record.notInstalled) {
          out.push(`    not installed: ${record.notInstalled}`);
          continue;
        }
        const line = (label: string, items: string[]) => items.length && out.push(`    ${label.padEnd(9)}${items.join(', ')}`);
        line('tasks', (m.tasks ?? []).map((t) => `${t.id} v${t.version}${t.languageModel ? ' (any --model)' : ''}`));
        line('methods', (m.methods ?? []).map((x) => `${x.id} → ${x.task}`));
        line('metrics', (m.metrics ?? []).map((x) => `${x.id} (${x.goal}${x.unit ? `, ${x.unit}` : ''})`));
        line('kernels', (m.kernels ?? []).map((k) => k.id));
        line('models', (m.models ?? []).map((x) => `builtin:${m.id}/${x.id}`));
        line('datasets', (m.datasets ?? []).map((d) => d.id));
        for (const claim of m.claims ?? []) out.push(`    claim    ${claim.id} [${claim.suite}${claim.budget ? `, ${claim.budget}` : ''}]: ${claim.statement}`);
      }
      out.push('', `suites (${registry.suites.size}):`);
      for (const suite of registry.suites.values()) {
        let title: string;
        try {
          const s = readSuiteFile(suite.file);
          title = `v${s.version} — ${s.title}`;
        } catch (error) {
          title = `invalid: ${(error as Error).message}`;
        }
        out.push(`  ${suite.id.padEnd(24)}${title}${suite.plugin ? ` (from ${suite.plugin})` : ''}`);
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
