// `npm run leaderboards [suite…]`: runs every suite (or the ones named) at full budget and writes the
// committed reference leaderboards: results/leaderboards/<suite>/{leaderboard.csv, leaderboard-long.csv,
// leaderboard.md, claims.csv, rows.csv.gz, provenance.json, *.png} and an index, results/leaderboards/README.md.
// `harness publish results/leaderboards/<suite>` and `harness compare results/leaderboards/<suite>/rows.csv.gz …`
// read such a folder: provenance.json carries the suite and its leaderboard settings, with repo-relative paths.
// Runs resume from results/runs/leaderboards/<suite> and reuse the unit cache (`--force` recomputes).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { discover, HARNESS_ROOT } from '../harness/plan/registry.ts';
import { renderSvg, svgToPng, primaryMetricSpec } from '../harness/publish/charts.ts';
import { boardsOf } from '../harness/publish/pages.ts';
import { claimsMarkdown } from '../harness/results/outputs.ts';
import { groupLabel, rankingFor } from '../harness/results/leaderboard.ts';
import { defaultCacheDir, runSuite, type RunResult } from '../harness/run/runner.ts';
import { defaultJobs } from '../harness/cli/options.ts';
import type { ResultRow } from '../harness/api/types.ts';

/** Where the rows were computed: each distinct commit, tree state, machine and runtime among them. */
function rowProvenance(rows: readonly ResultRow[]) {
  const seen = new Map<string, { git_sha: string; git_dirty: boolean | ''; harness_version: string; node_version: string; cpu: string; os: string; backends: string[] }>();
  for (const row of rows) {
    const key = [row.git_sha, row.git_dirty, row.harness_version, row.node_version, row.cpu, row.os].join('\0');
    const entry = seen.get(key) ?? { git_sha: row.git_sha, git_dirty: row.git_dirty, harness_version: row.harness_version, node_version: row.node_version, cpu: row.cpu, os: row.os, backends: [] };
    if (row.backend && !entry.backends.includes(row.backend)) entry.backends.push(row.backend);
    seen.set(key, entry);
  }
  return [...seen.values()];
}


/** A path as the committed files show it: relative to the repository, never the machine's absolute path. */
export function repoPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(HARNESS_ROOT, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path.split(/[\\/]/).pop()! : inside;
}

/**
 * Writes one suite's reference leaderboard folder from a finished run: the leaderboards (wide, long,
 * Markdown), claims, the rows gzip-compressed, provenance.json (what publish and compare read in place
 * of manifest.json) and a PNG per board. Returns the chart file names.
 */
export async function writeReference(result: RunResult, dir: string, seconds: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) if (old.endsWith('.png')) rmSync(join(dir, old)); // charts of boards that may be gone
  for (const file of ['leaderboard.csv', 'leaderboard-long.csv', 'leaderboard.md', 'claims.csv']) copyFileSync(join(result.outDir, file), join(dir, file));
  // mtime 0 in the gzip header (zlib's default): the same rows give the same bytes.
  writeFileSync(join(dir, 'rows.csv.gz'), gzipSync(readFileSync(join(result.outDir, 'rows.csv')), { level: 9 }));
  const manifest = JSON.parse(readFileSync(join(result.outDir, 'manifest.json'), 'utf8'));
  const provenance = {
    suite: { ...manifest.suite, file: repoPath(manifest.suite.file) },
    budget: manifest.budget,
    finished_at: manifest.finished_at,
    wall_seconds_this_invocation: Math.round(seconds),
    counts: result.counts,
    plugins: manifest.plugins,
    leaderboard: manifest.leaderboard,
    computed_by: rowProvenance(result.rows),
  };
  writeFileSync(join(dir, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
  const charts: string[] = [];
  for (const [i, board] of boardsOf(result.board).entries()) {
    const ranking = rankingFor(result.board.config, board.task);
    if (!board.cells.some((c) => (c.metrics[ranking.primary]?.n ?? 0) > 0)) continue; // nothing to draw
    const unit = result.board.units.get(ranking.primary) ?? '';
    const subtitle = `${board.task} — ${groupLabel(board.group)}`;
    const png = svgToPng(await renderSvg(primaryMetricSpec(board.cells, ranking, unit, subtitle)));
    const name = `${String(i + 1).padStart(2, '0')}-${subtitle.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '')}.png`;
    writeFileSync(join(dir, name), png);
    charts.push(name);
  }
  return charts;
}

async function main() {
  const registry = discover();
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const requested = args.filter((a) => a !== '--force');
  const suites = requested.length ? requested : [...registry.suites.keys()].sort();
  const outRoot = join(HARNESS_ROOT, 'results', 'leaderboards');
  const index: string[] = [
    '# Reference leaderboards',
    '',
    'Every suite at `full` budget, produced by `npm run leaderboards` from real runs; each folder has the',
    'leaderboard (CSV and Markdown), the claims, the provenance of the machine and commit that produced',
    'it, and a chart per board. Regenerate after any change that alters results (suite versions change with them).',
    '',
  ];
  const incomplete: string[] = [];
  for (const suite of suites) {
    process.stderr.write(`\n== ${suite}\n`);
    const started = performance.now();
    const result = await runSuite({
      suite,
      budget: 'full',
      out: join(HARNESS_ROOT, 'results', 'runs', 'leaderboards', suite),
      pluginDirs: [],
      jobs: defaultJobs(),
      backend: 'auto',
      failFast: false,
      force,
      cacheDir: defaultCacheDir(),
    });
    const seconds = (performance.now() - started) / 1000;
    const dir = join(outRoot, suite);
    const charts = await writeReference(result, dir, seconds);
    const manifest = JSON.parse(readFileSync(join(result.outDir, 'manifest.json'), 'utf8'));
    const c = result.counts;
    writeFileSync(
      join(dir, 'SUMMARY.md'),
      [
        `## ${manifest.suite.id} (version ${manifest.suite.version})`,
        '',
        `${c.ok} rows ok, ${c.error} error, ${c.timeout} timeout, ${c.skipped} skipped; computed at ${rowProvenance(result.rows).map((p) => `${p.git_sha.slice(0, 12)}${p.git_dirty ? ' (uncommitted changes)' : ''}`).join(', ')} — [leaderboard](${suite}/leaderboard.md), [CSV](${suite}/leaderboard.csv), [long CSV](${suite}/leaderboard-long.csv), [rows](${suite}/rows.csv.gz), [claims](${suite}/claims.csv), [provenance](${suite}/provenance.json)`,
        '',
        ...charts.slice(0, 1).map((name) => `![${suite}](${suite}/${name})`),
        claimsMarkdown(result.claims.filter((claim) => claim.suite === suite)),
      ].join('\n'),
    );
    process.stderr.write(`${suite}: ${seconds.toFixed(1)} s, written to ${dir}\n`);
    // Committed files must not carry this machine's paths (a reason text naming a local file, say).
    for (const file of ['rows.csv.gz', 'provenance.json', 'leaderboard.md', 'claims.csv']) {
      const bytes = readFileSync(join(dir, file));
      const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      if (text.includes(HARNESS_ROOT.replace(/[\\/]$/, ''))) incomplete.push(`${suite}: ${file} mentions the absolute path ${HARNESS_ROOT}`);
    }
    if (c.skipped || c.error || c.timeout) {
      incomplete.push(`${suite}: ${c.skipped} skipped, ${c.error} error, ${c.timeout} timeout rows (is HARNESS_DATA_DIR set?)`);
    }
  }
  // The index lists every suite with a reference leaderboard, not only the ones run this time.
  for (const suite of readdirSync(outRoot).sort()) {
    const summary = join(outRoot, suite, 'SUMMARY.md');
    if (existsSync(summary)) index.push(readFileSync(summary, 'utf8'), '');
  }
  writeFileSync(join(outRoot, 'README.md'), `${index.join('\n')}\n`);
  process.stderr.write(`\nindex: ${repoPath(join(outRoot, 'README.md'))}\n`);
  if (incomplete.length) {
    process.stderr.write(`\nthese reference leaderboards are incomplete and must not be committed:\n${incomplete.map((l) => `  ${l}\n`).join('')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
