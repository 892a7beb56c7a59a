// Plugin figures for one run folder: every `charts/*.vl.json` of the suite's plugins, bound to the
// run's own rows, leaderboard and records (the same data names as the published site), written
// as SVG under `<run>/figures/`. A figure that cannot be rendered is reported and skipped; the
// run's results do not depend on it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discover } from '../plan/registry.ts';
import { renderSvg } from './charts.ts';
import { fileSafe, groupBySuiteVersion, readRunInputs } from './inputs.ts';
import { bindPageData, findPluginCharts } from './plugin-charts.ts';

export const FIGURES_DIR = 'figures';

export interface RunFigures {
  written: string[];
  problems: string[];
}

export async function writeRunFigures(runDir: string, pluginDirs: readonly string[] = []): Promise<RunFigures> {
  const result: RunFigures = { written: [], problems: [] };
  const registry = discover({ pluginDirs: [...pluginDirs] });
  const runs = await readRunInputs([runDir]);
  for (const page of groupBySuiteVersion(runs, () => registry)) {
    for (const chart of findPluginCharts(page, registry)) {
      if (!chart.spec) {
        result.problems.push(chart.problem!);
        continue;
      }
      try {
        const svg = await renderSvg(bindPageData(chart.spec, page));
        const dir = join(runDir, FIGURES_DIR);
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${fileSafe(chart.plugin)}-${fileSafe(chart.name)}.svg`);
        writeFileSync(file, svg);
        result.written.push(file);
      } catch (error) {
        result.problems.push(`${chart.file}: cannot render: ${(error as Error).message}`);
      }
    }
  }
  return result;
}
