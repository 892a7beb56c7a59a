// The site's pages as HTML strings: the index of suites, plugins and claims, and one page per suite
// version. Pure functions of their inputs; every user-supplied string goes through `html`.
import type { Json, LeaderboardCell, ResultRow } from '../api/types.ts';
import type { PluginManifest } from '../api/manifest.ts';
import { isAbsolute, relative } from 'node:path';
import { canonicalJson } from '../plan/canonical.ts';
import { HARNESS_ROOT } from '../plan/registry.ts';
import type { ClaimRow } from '../results/claims.ts';
import { boardSections, formatNumber, groupLabel, primaryMetrics, rankingFor, type Leaderboard } from '../results/leaderboard.ts';
import { MIN_INTERVAL_N } from '../results/stats.ts';
import { html, page, trusted, type SafeHtml } from './html.ts';
import { fileSafe, type SuitePage } from './inputs.ts';
import { pagePlugins } from './plugin-charts.ts';

export interface ChartView {
  /** Inline SVG, or the reason it could not be rendered. */
  svg?: string;
  error?: string;
  /** Why there is no chart although nothing failed (no values to draw). */
  none?: string;
  /** Bytes of the SVG when it was too large to inline: the page shows the PNG instead. */
  rasterOf?: number;
  svgHref?: string;
  pngHref?: string;
}

export interface BoardView {
  task: string;
  group: Record<string, Json>;
  cells: LeaderboardCell[];
  anchor: string;
  chart: ChartView;
}

export interface FigureView extends ChartView {
  plugin: string;
  caption: string;
  source: string;
}

export interface RunDownloads {
  rows: string;
  leaderboard?: string;
  claims?: string;
}

export interface SuitePageView {
  page: SuitePage;
  boards: BoardView[];
  figures: FigureView[];
  downloads: { leaderboard: string; leaderboardLong?: string; claims: string; runs: Map<string, RunDownloads> };
}

export interface SiteView {
  title: string;
  pages: SuitePageView[];
  plugins: Map<string, PluginManifest>;
  harnessVersion: string;
}

export function suitePageFile(page: SuitePage): string {
  return `${page.slug}.html`;
}

/** The cells of a leaderboard split into its boards (task × group): per task the overall board first, then its groups in the leaderboard's order. */
export function boardsOf(board: Leaderboard): Array<{ task: string; group: Record<string, Json>; cells: LeaderboardCell[] }> {
  const boards = boardSections(board.cells);
  const overallFirst = (b: (typeof boards)[number]) => (Object.keys(b.group).length === 0 ? 0 : 1);
  const order = (b: (typeof boards)[number]) => boards.findIndex((x) => x.task === b.task);
  return [...boards].sort((a, b) => order(a) - order(b) || overallFirst(a) - overallFirst(b));
}

/** The suite's shown metrics (all non-info ones by default, primary first), and the others. */
function shownMetrics(board: Leaderboard, task: string, reported: (metric: string) => boolean): { main: string[]; other: string[] } {
  const { config } = board;
  const { primary } = rankingFor(config, task);
  const shown = config.shown ?? board.metrics.filter((m) => board.goals.get(m) !== 'info');
  const main = [primary, ...shown.filter((m) => m !== primary)].filter((m) => (board.goals.has(m) || m === primary) && reported(m));
  return { main, other: board.metrics.filter((m) => !main.includes(m) && reported(m)) };
}

function metricHeader(board: Leaderboard, metric: string): SafeHtml {
  const unit = board.units.get(metric);
  const goal = board.goals.get(metric);
  const hint = goal === 'min' ? 'lower is better' : goal === 'max' ? 'higher is better' : '';
  return html`<th class="num" title="mean [95 % CI]${hint ? `; ${hint}` : ''}">${metric}${unit ? ` (${unit})` : ''}${hint ? html`<br><span class="goal">${hint}</span>` : ''}</th>`;
}

function metricCell(cell: LeaderboardCell, metric: string): SafeHtml {
  const e = cell.metrics[metric];
  if (!e || e.n === 0) return html`<td class="num" data-sort="">–</td>`;
  const ci = e.n < MIN_INTERVAL_N
    ? html` <span class="ci" title="no interval from fewer than ${MIN_INTERVAL_N} values">(n&lt;${MIN_INTERVAL_N})</span>`
    : Number.isFinite(e.lo) ? html` <span class="ci">[${formatNumber(e.lo)}, ${formatNumber(e.hi)}]</span>` : '';
  return html`<td class="num" data-sort="${Number.isFinite(e.mean) ? String(e.mean) : ''}">${formatNumber(e.mean)}${ci}</td>`;
}

function leaderboardTable(board: Leaderboard, cells: LeaderboardCell[]): SafeHtml {
  // A metric that no method of this board reports (another task's metric) gets no column here.
  const task = cells[0]?.task ?? '';
  const reported = (m: string) => m === rankingFor(board.config, task).primary || cells.some((c) => (c.metrics[m]?.n ?? 0) > 0);
  const { main, other } = shownMetrics(board, task, reported);
  const rank = (cell: LeaderboardCell) => (Number.isNaN(cell.rank) ? '' : String(cell.rank));
  const table = (metrics: string[], withRank: boolean) => html`<div class="scroll"><table class="sortable leaderboard">
<thead><tr>${withRank ? html`<th class="num" title="by the primary metric">rank</th>` : ''}<th>method</th><th class="num" title="instances × seeds with a primary value">n</th>${withRank ? html`<th class="num" title="fraction of instances where the method is best (ties split)">wins</th>` : ''}${metrics.map((m) => metricHeader(board, m))}</tr></thead>
<tbody>
${cells.map(
  (cell) => html`<tr>${withRank ? html`<td class="num" data-sort="${rank(cell)}">${rank(cell) || '–'}</td>` : ''}<td class="method">${cell.method}</td><td class="num">${cell.instances}</td>${withRank ? html`<td class="num" data-sort="${Number.isFinite(cell.wins) ? String(cell.wins) : ''}">${formatNumber(cell.wins)}</td>` : ''}${metrics.map((m) => metricCell(cell, m))}</tr>
`,
)}</tbody></table></div>`;
  return html`${table(main, true)}${other.length ? html`<details><summary>other metrics (${other.length})</summary>${table(other, false)}</details>` : ''}`;
}

function chartFigure(chart: ChartView, caption: string): SafeHtml {
  if (chart.none) return html`<p class="note">no chart: ${chart.none}</p>`;
  const raster = !chart.svg && chart.rasterOf !== undefined && chart.pngHref;
  if (!chart.svg && !raster && !chart.error && chart.svgHref) {
    return html`<figure><img src="${chart.svgHref}" alt="${caption || 'chart'}" loading="lazy" style="max-width:100%;height:auto"><figcaption>${caption}${caption ? ' — ' : ''}<a href="${chart.svgHref}">SVG</a>${chart.pngHref ? html` · <a href="${chart.pngHref}">PNG</a>` : ''}</figcaption></figure>`;
  }
  if (!chart.svg && !raster) return html`<p class="note">chart not rendered: ${chart.error ?? 'no data'}</p>`;
  const links = [chart.svgHref && html`<a href="${chart.svgHref}">SVG${raster ? ` (${(chart.rasterOf! / 1e6).toFixed(1)} MB)` : ''}</a>`, chart.pngHref && html`<a href="${chart.pngHref}">PNG</a>`].filter(Boolean);
  const download = links.map((l, i) => html`${i ? ' · ' : ''}${l}`);
  const body = raster ? html`<img src="${chart.pngHref}" alt="${caption || 'chart'}" loading="lazy" style="max-width:100%;height:auto">` : trusted(chart.svg!);
  return html`<figure>${body}<figcaption>${caption}${caption && links.length ? ' — ' : ''}${download}${raster ? ' (shown as PNG: the SVG is too large to inline)' : ''}</figcaption></figure>`;
}

function statusBadge(status: string): SafeHtml {
  return html`<span class="status-${fileSafe(status)}">${status}</span>`;
}

function claimsTable<C extends ClaimRow & { run: string }>(claims: readonly C[], suiteLink?: (claim: C) => SafeHtml): SafeHtml {
  return html`<div class="scroll"><table class="sortable claims">
<thead><tr><th>claim</th><th>statement</th><th>paper</th><th>measured</th><th>status</th><th>why</th>${suiteLink ? html`<th>suite</th>` : ''}<th>run</th></tr></thead>
<tbody>
${claims.map(
  (c) => html`<tr><td class="mono">${c.claim}</td><td>${c.statement}</td><td>${c.paper}</td><td>${c.measured || '–'}</td><td data-sort="${c.status}">${statusBadge(c.status)}</td><td>${c.why}</td>${suiteLink ? html`<td>${suiteLink(c)}</td>` : ''}<td>${c.run}</td></tr>
`,
)}</tbody></table></div>`;
}

function unitCounts(rows: readonly ResultRow[]): Record<ResultRow['status'], number> & { units: number } {
  const status = new Map<string, ResultRow['status']>();
  for (const row of rows) status.set(row.unit_key, row.status);
  const counts = { ok: 0, error: 0, timeout: 0, skipped: 0, units: status.size };
  for (const s of status.values()) counts[s]++;
  return counts;
}

const PROVENANCE_COLUMNS = ['method', 'plugin_version', 'harness_version', 'git_sha', 'git_dirty', 'node_version', 'cpu', 'os', 'backend', 'backend_version'] as const;

/** One line per distinct (run, method, provenance): where each leaderboard entry's numbers came from. */
function provenanceTable(view: SuitePageView): SafeHtml {
  const lines = new Map<string, { run: string; row: ResultRow; units: Set<string> }>();
  for (const run of view.page.runs) {
    for (const row of run.rows) {
      if (row.suite !== view.page.suite || row.suite_version !== view.page.version) continue;
      const key = canonicalJson([run.label, ...PROVENANCE_COLUMNS.map((c) => String(row[c]))]);
      let line = lines.get(key);
      if (!line) lines.set(key, (line = { run: run.label, row, units: new Set() }));
      line.units.add(row.unit_key);
    }
  }
  return html`<div class="scroll"><table class="sortable provenance">
<thead><tr><th>method</th><th>plugin version</th><th>run</th><th>suite version</th><th>harness</th><th>git sha</th><th>dirty</th><th>node</th><th>cpu</th><th>os</th><th>backend</th><th class="num">units</th></tr></thead>
<tbody>
${[...lines.values()].map(
  ({ run, row, units }) => html`<tr><td class="method">${row.method}</td><td>${row.plugin} ${row.plugin_version}</td><td>${run}</td><td class="num">${row.suite_version}</td><td>${row.harness_version}</td><td class="mono" title="${row.git_sha}">${row.git_sha.slice(0, 12) || '–'}</td><td>${row.git_dirty === '' ? '–' : row.git_dirty ? 'dirty' : 'clean'}</td><td>${row.node_version}</td><td>${row.cpu}</td><td>${row.os}</td><td>${row.backend}${row.backend_version ? ` ${row.backend_version}` : ''}</td><td class="num">${units.size}</td></tr>
`,
)}</tbody></table></div>`;
}

const UNFINISHED_SHOWN = 200;

/** Units that errored, timed out or were skipped, with their reasons: they are not in the means. */
function unfinishedUnits(page: SuitePage): SafeHtml {
  const rows = page.rows.filter((r) => r.status !== 'ok');
  if (!rows.length) return html``;
  return html`<h3>Units without results (${rows.length})</h3>
<p class="note">Errors, timeouts and skipped units are not in the means above; each method is still listed on its boards.</p>
<div class="scroll"><table class="sortable unfinished">
<thead><tr><th>status</th><th>task</th><th>method</th><th>params</th><th class="num">seed</th><th>reason</th></tr></thead>
<tbody>
${rows.slice(0, UNFINISHED_SHOWN).map(
  (r) => html`<tr><td>${r.status}</td><td>${r.task}</td><td>${r.method}</td><td class="mono">${r.params}</td><td class="num">${r.seed}</td><td>${r.reason}</td></tr>
`,
)}</tbody></table></div>
${rows.length > UNFINISHED_SHOWN ? html`<p class="note">… and ${rows.length - UNFINISHED_SHOWN} more in rows.csv.</p>` : ''}`;
}

function runsTable(view: SuitePageView): SafeHtml {
  return html`<div class="scroll"><table class="sortable runs">
<thead><tr><th>run</th><th>budget</th><th>finished</th><th class="num">units</th><th class="num">ok</th><th class="num">error</th><th class="num">timeout</th><th class="num">skipped</th><th>command</th><th>CSV</th></tr></thead>
<tbody>
${view.page.runs.map((run) => {
  const counts = unitCounts(run.rows.filter((r) => r.suite === view.page.suite && r.suite_version === view.page.version));
  const files = view.downloads.runs.get(run.label)!;
  const links = [html`<a href="${files.rows}">rows.csv</a>`, files.leaderboard && html`<a href="${files.leaderboard}">leaderboard.csv</a>`, files.claims && html`<a href="${files.claims}">claims.csv</a>`].filter(Boolean);
  const m = run.manifest;
  return html`<tr><td>${run.label}</td><td>${m?.budget ?? '–'}${m?.shard ? ` (shard ${m.shard.index}/${m.shard.count})` : ''}</td><td>${m?.finished_at ?? '–'}</td><td class="num">${counts.units}</td><td class="num">${counts.ok}</td><td class="num">${counts.error}</td><td class="num">${counts.timeout}</td><td class="num">${counts.skipped}</td><td class="mono">${m?.command ? `harness ${m.command.map(portablePath).join(' ')}` : '–'}</td><td>${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</td></tr>
`;
})}</tbody></table></div>`;
}

export function renderSuitePage(view: SuitePageView, site: SiteView): string {
  const { page: p, boards } = view;
  const goal = p.config.goal === 'min' ? 'lower is better' : 'higher is better';
  const body = html`
<h1>${p.title ?? p.suite}</h1>
<p class="muted">suite <code>${p.suite}</code>, version ${p.version}${p.sha256 ? html` · file sha256 <code title="${p.sha256}">${p.sha256.slice(0, 12)}</code>` : ''} · ${p.runs.length} run${p.runs.length === 1 ? '' : 's'} · <a href="index.html">all suites</a></p>
${p.description ? html`<p>${p.description}</p>` : ''}
<p class="note">${Object.keys(p.config.byTask ?? {}).length ? html`Each task is ranked by its primary metric (the first metric column).` : html`Ranked by <strong>${p.config.primary}</strong> (${goal}).`} Each metric: mean [95 % CI] over instances × seeds (Wilson for metrics declared as proportions of 0/1 outcomes, Student t otherwise, clipped to the metric's declared range; no interval below n = 3, marked n&lt;3). <em>wins</em>: fraction of instances where the method is best. Click a column header to sort.</p>
<nav class="toc"><ul>
${boards.map((b) => html`<li><a href="#${b.anchor}">${b.task} — ${groupLabel(b.group)}</a></li>`)}
${view.figures.length ? html`<li><a href="#figures">plugin figures</a></li>` : ''}
<li><a href="#claims">claims</a></li><li><a href="#runs">runs, provenance and downloads</a></li>
</ul></nav>
<h2 id="leaderboards">Leaderboards</h2>
${boards.map(
  (b) => html`<section class="board-section" id="${b.anchor}">
<h3>${b.task} — ${groupLabel(b.group)}</h3>
<div class="board"><div>${leaderboardTable(p.board, b.cells)}</div><div>${chartFigure(b.chart, '')}</div></div>
</section>
`,
)}
${view.figures.length ? html`<h2 id="figures">Plugin figures</h2>${view.figures.map((f) => html`<section><h3>${f.caption}</h3>${chartFigure(f, `${f.plugin}: ${f.source}`)}</section>`)}` : ''}
<h2 id="claims">Claims</h2>
${p.claims.length ? claimsTable(p.claims) : html`<p class="note">No plugin states a claim about suite <code>${p.suite}</code> in these runs.</p>`}
<h2 id="runs">Runs, provenance and downloads</h2>
<p>Leaderboard of this page (all runs together): <a href="${view.downloads.leaderboard}">leaderboard.csv</a>${view.downloads.leaderboardLong ? html` · long (tidy, one row per task × group × method × metric): <a href="${view.downloads.leaderboardLong}">leaderboard-long.csv</a>` : ''}${p.claims.length ? html` · claims: <a href="${view.downloads.claims}">claims.csv</a>` : ''}. Text cells that start with = + - @ are prefixed with ' in every published CSV.</p>
${runsTable(view)}
${unfinishedUnits(p)}
<h3>Provenance of each entry</h3>
${provenanceTable(view)}
`;
  return page({ title: `${p.title ?? p.suite} (v${p.version}) — ${site.title}`, siteTitle: site.title, home: 'index.html', body });
}

/** A command-line argument as a published page shows it: no absolute path of the machine that ran it
 * (inside the repository: relative to it; elsewhere: `…/` and the last folder and name). */
export function portablePath(arg: string): string {
  const [flag, value] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=') + 1), arg.slice(arg.indexOf('=') + 1)] : ['', arg];
  if (!isAbsolute(value)) return arg;
  const inside = relative(HARNESS_ROOT, value);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return flag + inside;
  const parts = value.split(/[\\/]+/).filter(Boolean);
  return `${flag}…/${parts.slice(-2).join('/')}`;
}

/** What a suite ranks by: its primary metric, or each task's own when the suite mixes tasks. */
function rankedBy(p: SuitePage): SafeHtml {
  const primaries = primaryMetrics(p.config).filter((m) => p.rows.some((r) => r.metric === m));
  if (Object.keys(p.config.byTask ?? {}).length === 0 || primaries.length <= 1) return html`${p.config.primary}${p.config.goal === 'min' ? ' ↓' : ' ↑'}`;
  return html`<span title="${primaries.join(', ')}">each task's own primary (${primaries.length} metrics)</span>`;
}

/** Methods × tasks on each task's primary metric (overall board), as HELM and MTEB lead with. */
function headlineTable(view: SuitePageView): SafeHtml {
  const p = view.page;
  const overall = view.boards.filter((b) => Object.keys(b.group).length === 0);
  if (!overall.length) return html``;
  const methods = [...new Set(overall.flatMap((b) => b.cells.map((c) => c.method)))].sort();
  const header = overall.map((b) => {
    const r = rankingFor(p.config, b.task);
    return html`<th class="num"><a href="${suitePageFile(p)}#${b.anchor}">${b.task}</a><br><span class="goal">${r.primary} ${r.goal === 'min' ? '↓' : '↑'}</span></th>`;
  });
  const row = (method: string) =>
    overall.map((b) => {
      const cell = b.cells.find((c) => c.method === method);
      const e = cell?.metrics[rankingFor(p.config, b.task).primary];
      if (!cell || !e || e.n === 0 || !Number.isFinite(e.mean)) return html`<td class="num" data-sort="">–</td>`;
      const value = html`<a href="${suitePageFile(p)}#${b.anchor}">${formatNumber(e.mean)}</a>`;
      return html`<td class="num" data-sort="${String(e.mean)}">${cell.rank === 1 ? html`<strong>${value}</strong>` : value}</td>`;
    });
  return html`<h3><a href="${suitePageFile(p)}">${p.title ?? p.suite}</a> <span class="muted">v${p.version}</span></h3>
<div class="scroll"><table class="sortable headline">
<thead><tr><th>method</th>${header}</tr></thead>
<tbody>
${methods.map((m) => html`<tr><td class="method">${m}</td>${row(m)}</tr>
`)}</tbody></table></div>
`;
}

function claimSummary(claims: ReadonlyArray<ClaimRow>): SafeHtml {
  if (!claims.length) return html`<span class="muted">no claims</span>`;
  const count = (status: string) => claims.filter((c) => c.status === status).length;
  return html`${['holds', 'fails', 'not-checked'].filter((s) => count(s)).map((s, i) => html`${i ? ' · ' : ''}${statusBadge(s)} ${count(s)}`)}`;
}

export function renderIndex(site: SiteView): string {
  const allClaims = site.pages.flatMap((v) => v.page.claims.map((c) => ({ ...c, page: v.page })));
  const pluginIds = [...new Set(site.pages.flatMap((v) => pagePlugins(v.page)))].sort();
  const versionsOf = (plugin: string) => [...new Set(site.pages.flatMap((v) => v.page.rows.filter((r) => r.plugin === plugin).map((r) => r.plugin_version)))].sort();
  const body = html`
<h1>${site.title}</h1>
<p class="muted">Leaderboards re-aggregated from the runs' rows.csv by harness ${site.harnessVersion}. Different versions of a suite have separate pages and are never ranked together.</p>
<h2 id="suites">Suites</h2>
<div class="scroll"><table class="sortable suites">
<thead><tr><th>suite</th><th class="num">version</th><th>title</th><th>ranked by</th><th class="num">methods</th><th class="num">units</th><th>budget</th><th class="num">runs</th><th>claims</th></tr></thead>
<tbody>
${site.pages.map(({ page: p }) => {
  const budgets = [...new Set(p.runs.map((r) => r.manifest?.budget ?? '–'))].join(', ');
  return html`<tr><td><a href="${suitePageFile(p)}">${p.suite}</a></td><td class="num">${p.version}</td><td>${p.title ?? ''}</td><td>${rankedBy(p)}</td><td class="num">${new Set(p.rows.map((r) => r.method)).size}</td><td class="num">${new Set(p.rows.map((r) => r.unit_key)).size}</td><td>${budgets}</td><td class="num">${p.runs.length}</td><td>${claimSummary(p.claims)}</td></tr>
`;
})}</tbody></table></div>
<h2 id="headline">Headline</h2>
<p class="note">Methods × tasks, each task on its own primary metric (mean over every instance of the task, its overall board); the best of each column in bold; a cell links to its board.</p>
${site.pages.map((view) => headlineTable(view))}
<h2 id="plugins">Plugins</h2>
<div class="scroll"><table class="sortable plugins">
<thead><tr><th>plugin</th><th>version</th><th>paper</th><th>suites</th><th>claims</th></tr></thead>
<tbody>
${pluginIds.map((id) => {
  const manifest = site.plugins.get(id);
  const paper = manifest?.paper;
  const suites = site.pages.filter((v) => pagePlugins(v.page).includes(id));
  return html`<tr><td><strong>${id}</strong>${manifest ? html`<br><span class="muted">${manifest.title}</span>` : ''}</td><td>${versionsOf(id).join(', ') || manifest?.version || '–'}</td><td>${paper ? html`${paper.title}${paper.year ? ` (${paper.year})` : ''}${paper.arxiv ? html`, <a href="https://arxiv.org/abs/${paper.arxiv}">arXiv ${paper.arxiv}</a>` : ''}` : '–'}</td><td>${suites.map((v, i) => html`${i ? ', ' : ''}<a href="${suitePageFile(v.page)}">${v.page.suite} v${v.page.version}</a>`)}</td><td>${claimSummary(allClaims.filter((c) => c.plugin === id))}</td></tr>
`;
})}</tbody></table></div>
<h2 id="claims">Claims</h2>
${allClaims.length ? claimsTable(allClaims, (c) => html`<a href="${suitePageFile(c.page)}#claims">${c.page.suite} v${c.page.version}</a>`) : html`<p class="note">No claims about the published suites in these runs (claims.csv beside each rows.csv).</p>`}
`;
  return page({ title: site.title, siteTitle: site.title, home: 'index.html', body });
}
