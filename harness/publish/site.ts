// `harness publish`: run folders → a static site that works from file:// with no server.
//
//   index.html                       suites, plugins and claim status
//   <suite>-v<version>.html          one page per suite version: leaderboards, charts, claims, provenance
//   charts/<suite>-v<version>/*.svg|png   every chart (PNG for README embedding)
//   data/<suite>-v<version>/…        CSVs for download, formula cells neutralized
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PluginManifest } from '../api/manifest.ts';
import { UserError } from '../errors.ts';
import { discover, HARNESS_VERSION, type Registry } from '../plan/registry.ts';
import { groupLabel, rankingFor } from '../results/leaderboard.ts';
import { primaryMetricSpec, renderSvg, scopeSvgIds, svgToPng } from './charts.ts';
import { claimsCsv, leaderboardCsv, leaderboardLongCsv, neutralizedCopy } from './downloads.ts';
import { fileSafe, groupBySuiteVersion, readRunInputs, type SuitePage } from './inputs.ts';
import { boardsOf, renderIndex, renderSuitePage, suitePageFile, type BoardView, type ChartView, type FigureView, type RunDownloads, type SiteView, type SuitePageView } from './pages.ts';
import { bindPageData, findPluginCharts } from './plugin-charts.ts';
import type { TopLevelSpec } from 'vega-lite';

/** Larger SVGs are not inlined: the page shows their PNG and links the SVG (page-weight goal: < 2 MB). */
export const INLINE_SVG_MAX_BYTES = 256 * 1024;

/** Boards whose chart is inline SVG; the charts of later boards are images loaded lazily. */
export const INLINE_CHARTS_PER_PAGE = 12;

/** Marks a folder as written by `harness publish`, so publishing again may replace it. */
export const SITE_MARKER = '.harness-site';

export interface PublishOptions {
  /** Run folders or rows.csv files. */
  inputs: string[];
  out: string;
  pluginDirs?: string[];
  title?: string;
  /** Also write a PNG of every chart (default true). */
  png?: boolean;
  log?: (line: string) => void;
}

export interface PublishResult {
  outDir: string;
  index: string;
  pages: Array<{ suite: string; version: number; file: string }>;
  charts: number;
  warnings: string[];
}

export async function publishSite(options: PublishOptions): Promise<PublishResult> {
  const log = options.log ?? (() => {});
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    log(`warning: ${line}`);
  };
  if (!options.inputs.length) throw new UserError('nothing to publish: pass run folders or rows.csv files');
  const runs = await readRunInputs(options.inputs);

  // The registry is needed for bare rows.csv (their suite definition), plugin titles and chart specs.
  let registry: Registry | undefined;
  const requireRegistry = () => (registry ??= discover({ pluginDirs: options.pluginDirs ?? [] }));
  const pages = groupBySuiteVersion(runs, requireRegistry);
  try {
    requireRegistry();
  } catch (error) {
    warn(`plugins could not be listed (${(error as Error).message}); the site shows no plugin titles or plugin figures`);
  }

  const outDir = resolve(options.out);
  prepareOutDir(outDir);
  let charts = 0;
  const write = (relative: string, content: string | Buffer) => {
    const path = join(outDir, relative);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return relative;
  };
  const renderChart = async (spec: TopLevelSpec, base: string, scope: string): Promise<ChartView> => {
    try {
      const svg = await renderSvg(spec);
      // A figure with many marks is shown as its PNG (the SVG stays a download): pages stay light.
      const inline = Buffer.byteLength(svg) <= INLINE_SVG_MAX_BYTES;
      const view: ChartView = { svgHref: write(`${base}.svg`, svg), ...(inline ? { svg: scopeSvgIds(svg, scope) } : {}) };
      if (options.png !== false || !inline) {
        view.pngHref = write(`${base}.png`, svgToPng(svg));
        if (!inline) view.rasterOf = Buffer.byteLength(svg);
      }
      charts++;
      return view;
    } catch (error) {
      warn(`${base}: the chart could not be rendered: ${(error as Error).message}`);
      return { error: (error as Error).message };
    }
  };

  const views: SuitePageView[] = [];
  for (const [pageIndex, page] of pages.entries()) {
    const boards: BoardView[] = [];
    for (const [i, board] of boardsOf(page.board).entries()) {
      const slug = `${i + 1}-${fileSafe(`${board.task.split('/')[1] ?? board.task}-${groupLabel(board.group)}`)}`;
      const ranking = rankingFor(page.config, board.task);
      if (!board.cells.some((c) => Number.isFinite(c.metrics[ranking.primary]?.mean))) {
        // Nothing to draw: say so instead of an empty chart.
        boards.push({ ...board, anchor: `board-${slug}`, chart: { none: `no method has a value of ${ranking.primary} on this board` } });
        continue;
      }
      const spec = primaryMetricSpec(board.cells, ranking, page.board.units.get(ranking.primary) ?? '', `${board.task} — ${groupLabel(board.group)}`);
      const chart = await renderChart(spec, `charts/${page.slug}/${slug}`, `p${pageIndex}b${i}`);
      // Past the first boards, a chart is an <img> of its SVG fetched when scrolled to: a page of 90 boards still loads at once.
      if (boards.length >= INLINE_CHARTS_PER_PAGE && chart.svg) delete chart.svg;
      boards.push({ ...board, anchor: `board-${slug}`, chart });
    }
    const figures: FigureView[] = [];
    for (const [i, chart] of findPluginCharts(page, registry).entries()) {
      const source = `${chart.plugin}/charts/${chart.name}.vl.json`;
      if (!chart.spec) {
        warn(chart.problem!);
        figures.push({ plugin: chart.plugin, caption: chart.caption, source, error: chart.problem });
        continue;
      }
      const view = await renderChart(bindPageData(chart.spec, page), `charts/${page.slug}/${fileSafe(chart.plugin)}-${fileSafe(chart.name)}`, `p${pageIndex}f${i}`);
      figures.push({ plugin: chart.plugin, caption: chart.caption, source, ...view });
    }
    views.push({ page, boards, figures, downloads: await writeDownloads(page, write) });
    log(`${page.suite} v${page.version}: ${page.runs.length} run(s), ${boards.length} board(s), ${figures.length} plugin figure(s)`);
  }

  const plugins = new Map<string, PluginManifest>();
  for (const [id, record] of registry?.plugins ?? []) plugins.set(id, record.manifest);
  const site: SiteView = { title: options.title ?? 'harness leaderboards', pages: views, plugins, harnessVersion: HARNESS_VERSION };
  for (const view of views) write(suitePageFile(view.page), renderSuitePage(view, site));
  write('index.html', renderIndex(site));
  write(SITE_MARKER, `written by harness publish ${HARNESS_VERSION}; publishing again into this folder replaces it\n`);
  return {
    outDir,
    index: join(outDir, 'index.html'),
    pages: views.map((v) => ({ suite: v.page.suite, version: v.page.version, file: join(outDir, suitePageFile(v.page)) })),
    charts,
    warnings,
  };
}

async function writeDownloads(page: SuitePage, write: (relative: string, content: string) => string): Promise<SuitePageView['downloads']> {
  const dir = `data/${page.slug}`;
  const runs = new Map<string, RunDownloads>();
  for (const run of page.runs) {
    const files: RunDownloads = { rows: write(`${dir}/${run.label}/rows.csv`, await neutralizedCopy(run.rowsFile)) };
    if (run.siblings.leaderboard) files.leaderboard = write(`${dir}/${run.label}/leaderboard.csv`, await neutralizedCopy(run.siblings.leaderboard));
    if (run.siblings.claims) files.claims = write(`${dir}/${run.label}/claims.csv`, await neutralizedCopy(run.siblings.claims));
    runs.set(run.label, files);
  }
  return {
    leaderboard: write(`${dir}/leaderboard.csv`, await leaderboardCsv(page.board)),
    leaderboardLong: write(`${dir}/leaderboard-long.csv`, await leaderboardLongCsv(page.board)),
    claims: write(`${dir}/claims.csv`, await claimsCsv(page.claims)),
    runs,
  };
}

/** An empty folder, or one an earlier publish wrote (then emptied); never someone else's files. */
function prepareOutDir(outDir: string) {
  if (existsSync(outDir)) {
    const entries = readdirSync(outDir);
    if (entries.length && !entries.includes(SITE_MARKER)) {
      throw new UserError(`--out ${outDir} is not empty and was not written by harness publish`, ['choose a new or empty folder']);
    }
    for (const entry of entries) rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new UserError(`cannot write to --out ${outDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
