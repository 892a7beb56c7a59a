import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Command } from 'commander';
import type { ResultRow } from '../harness/api/types.ts';
import { registerPublish } from '../harness/cli/publish.ts';
import { CLAIM_COLUMNS } from '../harness/results/claims.ts';
import { csvText, parseCsv, readRows, writeRows } from '../harness/results/csv.ts';
import { escapeHtml, html } from '../harness/publish/html.ts';
import { writeRunFigures } from '../harness/publish/run-figures.ts';
import { publishSite, SITE_MARKER } from '../harness/publish/site.ts';
import { readSuiteFile } from '../harness/plan/suite.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, ROOT, tempDir } from './helpers.ts';

const FIXTURE_SUITE = join(FIXTURE_SUITES, 'fixture.yaml');
let run: string; // one run of the fixture suite, shared by the tests that only read it

function runFixture(out: string, extra: string[] = [], suite = FIXTURE_SUITE): string {
  const result = cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', out, ...extra]);
  assert.equal(result.status, 0, result.stderr);
  return out;
}

const read = (...parts: string[]) => readFileSync(join(...parts), 'utf8');
const csv = async (file: string) => (await parseCsv(readFileSync(file, 'utf8'), file)).records;

before(() => {
  run = runFixture(join(tempDir('publish-run-'), 'run-a'));
});

test('escapeHtml escapes the five HTML metacharacters; html`` escapes what it interpolates but not nested html``', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  const name = '<script>alert(1)</script>';
  assert.equal(html`<td>${name}</td>${html`<b>${1}</b>`}${[html`<i>${'&'}</i>`, null, undefined]}`.text, '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><b>1</b><i>&amp;</i>');
});

test('publishes a run folder: index, suite page with sortable leaderboard, inline SVG chart, PNG, claims and CSVs', async () => {
  const out = tempDir('publish-site-');
  const result = await publishSite({ inputs: [run], out });
  assert.deepEqual(result.warnings, []);
  assert.equal(result.pages.length, 1);
  assert.equal(result.charts, 1);
  for (const file of ['index.html', 'fixture-v1.html', SITE_MARKER, 'charts/fixture-v1/1-estimate-pi-all.svg', 'data/fixture-v1/leaderboard.csv', 'data/fixture-v1/claims.csv']) {
    assert.ok(existsSync(join(out, file)), `${file} is written`);
  }
  for (const file of ['rows.csv', 'leaderboard.csv', 'claims.csv']) assert.ok(existsSync(join(out, 'data/fixture-v1/run-a', file)), `run-a/${file} is copied`);
  const png = readFileSync(join(out, 'charts/fixture-v1/1-estimate-pi-all.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');

  const pageHtml = read(out, 'fixture-v1.html');
  const table = pageHtml.match(/<table class="sortable leaderboard">[\s\S]*?<\/table>/)![0];
  const rows = [...table.matchAll(/<tr><td class="num" data-sort="(\d+)">\d+<\/td><td class="method">([^<]+)<\/td>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(rows, [['1', 'fixture-pi/stratified'], ['2', 'fixture-pi/uniform']]);
  // The page shows the same numbers as the run's own leaderboard, CI included.
  const board = await csv(join(run, 'leaderboard.csv'));
  const stratified = board.find((r) => r.method === 'fixture-pi/stratified')!;
  assert.match(table, new RegExp(`data-sort="${stratified['abs-error']}">0\\.01268 <span class="ci">\\[8\\.24e-4, 0\\.02453\\]</span>`));
  assert.equal((pageHtml.match(/<svg /g) ?? []).length, 1, 'one chart, inline');
  // The chart labels drop the prefix every method shares (fixture-pi/) and name the plugin once.
  assert.match(pageHtml, /aria-label="[^"]*method: stratified/);
  assert.match(pageHtml, /methods of fixture-pi/);
  // No absolute path of this machine on a published page: the run's command shows repo-relative paths.
  assert.ok(!pageHtml.includes(ROOT.replace(/\/$/, '')), 'the page mentions the repository\'s absolute path');
  assert.match(pageHtml, /--plugin test\/fixtures\/pi-plugin/);
  assert.match(pageHtml, /<span class="status-holds">holds<\/span>/);
  assert.match(pageHtml, /stratified sampling has lower mean error than uniform/);
  assert.match(pageHtml, /<td class="mono" title="[0-9a-f]{40}">[0-9a-f]{12}<\/td>/, 'git sha in the provenance table');
  assert.match(pageHtml, /href="data\/fixture-v1\/run-a\/rows\.csv"/);
  // Works from file:// with nothing fetched: no external script, style sheet or image.
  assert.doesNotMatch(pageHtml, /<(link|img|iframe)\b|\ssrc=/);
  assert.equal((pageHtml.match(/<script\b/g) ?? []).length, 1);

  const index = read(out, 'index.html');
  assert.match(index, /<a href="fixture-v1\.html">fixture<\/a>/);
  assert.match(index, /<strong>fixture-pi<\/strong>/);
  assert.match(index, /<span class="status-holds">holds<\/span> 1/);

  // Re-aggregated from rows.csv, the published leaderboard equals the run's.
  const published = await csv(join(out, 'data/fixture-v1/leaderboard.csv'));
  assert.deepEqual(published.map((r) => [r.method, r.rank, r['abs-error'], r['abs-error_ci_lo']]), board.map((r) => [r.method, r.rank, r['abs-error'], r['abs-error_ci_lo']]));
});

test('several runs of one suite version share a page; another version gets its own; a unit in two inputs is refused', async () => {
  const root = tempDir('publish-runs-');
  const more = runFixture(join(root, 'run-b'), ['--seeds', '3,4']);
  const suiteV2 = join(root, 'fixture.yaml');
  writeFileSync(suiteV2, read(FIXTURE_SUITE).replace(/^version: 1$/m, 'version: 2'));
  const v2 = runFixture(join(root, 'run-v2'), [], suiteV2);

  const out = tempDir('publish-site-');
  const result = await publishSite({ inputs: [run, more, v2], out, png: false });
  assert.deepEqual(result.pages.map((p) => [p.suite, p.version]), [['fixture', 1], ['fixture', 2]]);
  const v1Page = read(out, 'fixture-v1.html');
  assert.match(v1Page, /<td class="method">fixture-pi\/stratified<\/td><td class="num">5<\/td>/, 'seeds 0,1,2 + 3,4 pooled');
  assert.match(read(out, 'fixture-v2.html'), /<td class="method">fixture-pi\/stratified<\/td><td class="num">3<\/td>/);
  assert.ok(!existsSync(join(out, 'charts/fixture-v1/1-estimate-pi-all.png')), '--no-png');
  const index = read(out, 'index.html');
  assert.match(index, /href="fixture-v1\.html"[\s\S]*href="fixture-v2\.html"/);

  const copy = join(root, 'copy-of-a');
  cpSync(run, copy, { recursive: true });
  await assert.rejects(publishSite({ inputs: [run, copy], out: tempDir('publish-site-') }), /unit [0-9a-f]{12} appears in .*run-a.* and in .*copy-of-a/);
});

test('escapes user-supplied text everywhere in HTML and neutralizes formula cells in the published CSVs', async () => {
  const dir = join(tempDir('publish-evil-'), 'evil-run');
  cpSync(run, dir, { recursive: true });
  const evilMethod = '=1+2<script>window.pwned=1</script>';
  const rows = (await readRows(join(run, 'rows.csv'))).map((r): ResultRow => ({
    ...r,
    method: r.method === 'fixture-pi/uniform' ? evilMethod : r.method,
    params: JSON.stringify({ ...JSON.parse(r.params), label: '<i>grp</i>' }),
  }));
  const failed: ResultRow = { ...rows[0], metric: '', value: null, unit: '', goal: '', status: 'error', reason: '<img src=x onerror=alert(1)>', unit_key: 'f'.repeat(64) };
  await writeRows(join(dir, 'rows.csv'), [...rows, failed]);
  const manifest = JSON.parse(read(dir, 'manifest.json'));
  manifest.leaderboard.groupBy = ['label'];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const claims = await csv(join(run, 'claims.csv'));
  claims[0].statement = '+<script>alert(2)</script> holds';
  claims[0].why = '@SUM(A1)';
  writeFileSync(join(dir, 'claims.csv'), await csvText(CLAIM_COLUMNS, claims));

  const out = tempDir('publish-site-');
  await publishSite({ inputs: [dir], out });
  for (const file of ['index.html', 'fixture-v1.html']) {
    const text = read(out, file);
    assert.equal((text.match(/<script\b/g) ?? []).length, 1, `${file}: only the page's own script`);
    assert.doesNotMatch(text, /<img|<i>grp|onerror=alert\(1\)>/);
  }
  const pageHtml = read(out, 'fixture-v1.html');
  assert.match(pageHtml, /<td class="method">=1\+2&lt;script&gt;window\.pwned=1&lt;\/script&gt;<\/td>/);
  assert.match(pageHtml, /<h3>fixture-pi\/estimate-pi — label=&lt;i&gt;grp&lt;\/i&gt;<\/h3>/);
  assert.match(pageHtml, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(pageHtml, /&quot;label&quot;:&quot;&lt;i&gt;grp&lt;\/i&gt;&quot;/);
  assert.match(read(out, 'index.html'), /\+&lt;script&gt;alert\(2\)&lt;\/script&gt; holds/);

  const published = await csv(join(out, 'data/fixture-v1/evil-run/rows.csv'));
  assert.ok(published.some((r) => r.method === `'${evilMethod}`));
  assert.ok(published.every((r) => !r.method.startsWith('=')));
  const publishedClaims = await csv(join(out, 'data/fixture-v1/evil-run/claims.csv'));
  assert.equal(publishedClaims[0].statement, "'+<script>alert(2)</script> holds");
  assert.equal(publishedClaims[0].why, "'@SUM(A1)");
  const board = await csv(join(out, 'data/fixture-v1/leaderboard.csv'));
  const uniform = board.find((r) => r.method === `'${evilMethod}` && r.group === 'all')!;
  assert.ok(uniform, 'the re-aggregated leaderboard neutralizes the method name too');
  assert.match(uniform['abs-error_ci_lo'], /^-0\.05\d+$/, 'a negative number is a number, not a formula');
});

test('plugin figures: charts/*.vl.json in a plugin folder render with the page data bound to "rows"', async () => {
  const plugin = join(tempDir('publish-plugin-'), 'pi-plugin');
  mkdirSync(join(plugin, 'charts'), { recursive: true });
  const manifest = JSON.parse(read(FIXTURE_PLUGIN, 'plugin.json'));
  delete manifest.suites; // its suite file is not beside the copy; publishing reads the run's manifest instead
  writeFileSync(join(plugin, 'plugin.json'), JSON.stringify(manifest));
  const spec = (suites: string[], title: string) => ({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    usermeta: { harness: { suites, title } },
    data: { name: 'rows' },
    transform: [{ filter: "datum.metric === 'estimate'" }],
    mark: 'point',
    encoding: { x: { field: 'seed', type: 'ordinal' }, y: { field: 'value', type: 'quantitative', scale: { zero: false } }, color: { field: 'method', type: 'nominal' } },
  });
  writeFileSync(join(plugin, 'charts', 'estimates.vl.json'), JSON.stringify(spec(['fixture'], 'Estimates of π by seed')));
  writeFileSync(join(plugin, 'charts', 'elsewhere.vl.json'), JSON.stringify(spec(['another-suite'], 'Not on this page')));
  writeFileSync(join(plugin, 'charts', 'broken.vl.json'), '{ not json');

  const out = tempDir('publish-site-');
  const result = await publishSite({ inputs: [run], out, pluginDirs: [plugin] });
  const pageHtml = read(out, 'fixture-v1.html');
  assert.match(pageHtml, /<h2 id="figures">Plugin figures<\/h2>[\s\S]*<section><h3>Estimates of π by seed<\/h3><figure><svg /);
  assert.doesNotMatch(pageHtml, /Not on this page/);
  assert.ok(existsSync(join(out, 'charts/fixture-v1/fixture-pi-estimates.svg')));
  const svg = read(out, 'charts/fixture-v1/fixture-pi-estimates.svg');
  assert.equal((svg.match(/role-mark[\s\S]*?<\/g>/)![0].match(/<path /g) ?? []).length, 6, 'one point per row: 2 methods × 3 seeds');
  assert.match(pageHtml, /chart not rendered: .*broken\.vl\.json: not valid JSON/);
  assert.equal(result.warnings.length, 1);

  // The same figures go into the run folder itself, bound to that run's data.
  const figures = await writeRunFigures(run, [plugin]);
  assert.deepEqual(figures.written.map((f) => f.slice(run.length + 1)), ['figures/fixture-pi-estimates.svg']);
  assert.equal(figures.problems.length, 1);
  assert.equal(read(run, 'figures/fixture-pi-estimates.svg'), svg);
});

test('a bare rows.csv takes its leaderboard settings from the installed suite, which must have the same version', async () => {
  let n = 0;
  const installed = readSuiteFile(join(ROOT, 'suites', 'smoke.yaml')).version;
  const row = (method: string, domain: string, value: number, suiteVersion = installed): ResultRow => ({
    schema_version: 1, suite: 'smoke', suite_version: suiteVersion, task: 'scaling-laws/extrapolate', task_version: 1, method, plugin: 'scaling-laws',
    plugin_version: '1.0.0', params: JSON.stringify({ curve: `c-${domain}`, domain }), seed: 0, metric: 'extrapolation-rmse', value, unit: 'loss',
    goal: 'min', status: 'ok', reason: '', wall_ms: 1, backend: 'none', backend_version: '', harness_version: '0.1.0', git_sha: '', git_dirty: '',
    node_version: 'v20', cpu: 'cpu', os: 'os', started_at: '', unit_key: (n++).toString(16).padStart(64, '0'),
  });
  const dir = tempDir('publish-bare-');
  await writeRows(join(dir, 'rows.csv'), [row('scaling-laws/m1', 'IC', 0.2), row('scaling-laws/m4', 'IC', 0.1), row('scaling-laws/m1', 'LM', 0.3), row('scaling-laws/m4', 'LM', 0.4)]);
  const out = tempDir('publish-site-');
  await publishSite({ inputs: [join(dir, 'rows.csv')], out, png: false });
  const pageHtml = read(out, `smoke-v${installed}.html`);
  assert.match(pageHtml, /<h1>Smoke test/);
  assert.match(pageHtml, /<h3>scaling-laws\/extrapolate — domain=IC<\/h3>/, 'groups from suites/smoke.yaml');
  assert.match(pageHtml, /<h3>scaling-laws\/extrapolate — domain=LM<\/h3>/);

  await writeRows(join(dir, 'rows.csv'), [row('scaling-laws/m1', 'IC', 0.2, 7)]);
  await assert.rejects(publishSite({ inputs: [join(dir, 'rows.csv')], out }), new RegExp(`have no manifest\\.json, and the installed suite is v${installed}`));
});

test('harness publish refuses to overwrite a folder it did not write, and replaces one it did', async () => {
  const program = new Command('harness').exitOverride();
  registerPublish(program);
  const foreign = tempDir('publish-foreign-');
  writeFileSync(join(foreign, 'notes.txt'), 'keep me');
  await assert.rejects(program.parseAsync(['publish', run, '--out', foreign, '--no-png'], { from: 'user' }), /is not empty and was not written by harness publish/);
  assert.equal(read(foreign, 'notes.txt'), 'keep me');

  const out = tempDir('publish-site-');
  writeFileSync(join(out, SITE_MARKER), '');
  writeFileSync(join(out, 'stale.html'), 'from an earlier publish');
  await program.parseAsync(['publish', run, '--out', out, '--no-png', '--title', 'Fixture <board>'], { from: 'user' });
  assert.ok(!existsSync(join(out, 'stale.html')));
  assert.match(read(out, 'index.html'), /<h1>Fixture &lt;board&gt;<\/h1>/);
});

test('mixed suite: the index leads with a methods × tasks headline on each task\'s primary; a board without primary values draws no chart', async () => {
  let unit = 0;
  const row = (task: string, method: string, seed: number, metric: string, value: number, goal: 'min' | 'max' | 'info'): ResultRow => ({
    schema_version: 1, suite: 'mixed', suite_version: 1, task, task_version: 1, method, plugin: task.split('/')[0], plugin_version: '1.0.0',
    params: '{}', seed, metric, value, unit: '', goal, status: 'ok', reason: '', wall_ms: 1, backend: 'cpu', backend_version: '1',
    harness_version: '0', git_sha: 'abc', git_dirty: false, node_version: 'v20', cpu: 'x', os: 'linux', started_at: '2026-01-01T00:00:00Z',
    unit_key: (unit++).toString(16).padStart(64, '0'),
  });
  const rows = [
    ...[0, 1, 2].flatMap((seed) => [row('p/fit', 'p/a', seed, 'rmse', 0.1 + seed / 100, 'min'), row('p/fit', 'p/b', seed, 'rmse', 0.3, 'min')]),
    ...[0, 1].flatMap((seed) => [row('q/cls', 'q/x', seed, 'acc', 0.9, 'max'), row('q/cls', 'q/y', seed, 'acc', 0.7, 'max')]),
    // r/time has only an info metric: its primary (ms-per-step) has no value anywhere.
    row('r/time', 'r/z', 0, 'note', 3, 'info'),
  ];
  const dir = join(tempDir('publish-mixed-'), 'run-mixed');
  mkdirSync(dir, { recursive: true });
  await writeRows(join(dir, 'rows.csv'), rows);
  const leaderboard = { suite: 'mixed', suiteVersion: 1, primary: 'rmse', goal: 'min', groupBy: [], byTask: { 'q/cls': { primary: 'acc', goal: 'max' }, 'r/time': { primary: 'ms-per-step', goal: 'min' } } };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ suite: { id: 'mixed', version: 1, file: 'suites/mixed.yaml', sha256: 'x' }, budget: 'smoke', leaderboard }));
  const out = tempDir('publish-mixed-site-');
  await publishSite({ inputs: [dir], out });
  const index = read(out, 'index.html');
  assert.doesNotMatch(index, /<td>rmse ↓<\/td>/, 'a mixed suite is not "ranked by" its first primary');
  assert.match(index, /each task's own primary \(2 metrics\)/);
  const headline = index.match(/<table class="sortable headline">[\s\S]*?<\/table>/)![0];
  assert.match(headline, /p\/fit<\/a><br><span class="goal">rmse ↓/);
  assert.match(headline, /q\/cls<\/a><br><span class="goal">acc ↑/);
  // p/a is best on p/fit (0.11 < 0.3), q/x on q/cls; each cell links to its board.
  assert.match(headline, /<td class="method">p\/a<\/td><td class="num" data-sort="0.11[0-9]*"><strong><a href="mixed-v1.html#board-1-fit-all">0\.11<\/a><\/strong><\/td><td class="num" data-sort="">–<\/td>/);
  assert.match(headline, /<td class="method">q\/y<\/td><td class="num" data-sort="">–<\/td><td class="num" data-sort="0.7"><a href="mixed-v1.html#board-2-cls-all">0\.7<\/a><\/td>/);
  const suitePage = read(out, 'mixed-v1.html');
  assert.match(suitePage, /no chart: no method has a value of ms-per-step on this board/);
  assert.equal((suitePage.match(/<svg /g) ?? []).length, 2, 'charts for p/fit and q/cls only');
  // n = 2 on q/cls: the mean and the reason there is no interval.
  assert.match(suitePage, /0\.9 <span class="ci" title="no interval from fewer than 3 values">\(n&lt;3\)<\/span>/);
});
