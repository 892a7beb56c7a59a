// The writer of the committed reference leaderboards (scripts/leaderboards.ts) on a tiny suite: the
// folder it writes has compressed rows, the long leaderboard and a provenance without machine paths,
// and `harness publish` and `harness compare` read it as they read a run folder.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { compareCommand } from '../harness/cli/compare.ts';
import { publishSite } from '../harness/publish/site.ts';
import { parseCsv, readRows } from '../harness/results/csv.ts';
import { runSuite } from '../harness/run/runner.ts';
import { repoPath, writeReference } from '../scripts/leaderboards.ts';
import { FIXTURE_PLUGIN, ROOT, tempDir } from './helpers.ts';

test('a reference leaderboard folder: rows.csv.gz, leaderboard-long.csv, repo-relative provenance; publish and compare accept it', async () => {
  const result = await runSuite({
    suite: 'fixture', budget: 'smoke', out: tempDir('reference-run-'), pluginDirs: [FIXTURE_PLUGIN], jobs: 1, backend: 'auto',
    failFast: false, force: false, cacheDir: tempDir('reference-cache-'), log: () => {},
  });
  const dir = join(tempDir('reference-'), 'fixture');
  const charts = await writeReference(result, dir, 1);
  for (const file of ['leaderboard.csv', 'leaderboard-long.csv', 'leaderboard.md', 'claims.csv', 'rows.csv.gz', 'provenance.json', ...charts]) {
    assert.ok(existsSync(join(dir, file)), `${file} is written`);
  }
  assert.ok(charts.length >= 1 && readdirSync(dir).filter((f) => f.endsWith('.png')).length === charts.length);

  // The compressed rows are the run's rows.csv byte for byte.
  assert.equal(gunzipSync(readFileSync(join(dir, 'rows.csv.gz'))).toString('utf8'), readFileSync(join(result.outDir, 'rows.csv'), 'utf8'));
  assert.deepEqual(await readRows(join(dir, 'rows.csv.gz')), await readRows(join(result.outDir, 'rows.csv')));

  // No absolute path of this machine: the suite file is named relative to the repository.
  const provenanceText = readFileSync(join(dir, 'provenance.json'), 'utf8');
  for (const path of [ROOT.replace(/\/$/, ''), tmpdir()]) assert.ok(!provenanceText.includes(path), `provenance.json mentions ${path}`);
  const provenance = JSON.parse(provenanceText);
  assert.equal(provenance.suite.file, 'test/fixtures/pi-plugin/suites/fixture.yaml');
  assert.equal(provenance.leaderboard.primary, 'abs-error');
  assert.equal(repoPath(join(ROOT, 'suites', 'smoke.yaml')), 'suites/smoke.yaml');

  const long = await parseCsv(readFileSync(join(dir, 'leaderboard-long.csv'), 'utf8'), 'leaderboard-long.csv');
  assert.ok(long.headers.includes('is_primary') && long.records.length > 0);

  // publish reads the folder (rows.csv.gz + provenance.json) like a run folder.
  const site = await publishSite({ inputs: [dir], out: tempDir('reference-site-') });
  assert.deepEqual(site.pages.map((p) => [p.suite, p.version]), [['fixture', 1]]);
  assert.ok(existsSync(join(site.outDir, 'data', 'fixture-v1', 'leaderboard-long.csv')));

  // compare takes the compressed rows as run A, and finds the primary metric in provenance.json.
  let out = '';
  const code = await compareCommand(join(dir, 'rows.csv.gz'), join(result.outDir, 'rows.csv'), { threshold: 0, method: [], seed: 0, resamples: 2000 }, { stdout: (t) => (out += t) });
  assert.equal(code, 0, out);
  assert.match(out, /metric: abs-error \(lower is better; suite primary\)/);
  assert.match(out, /no significant difference|too few instances/);
});
