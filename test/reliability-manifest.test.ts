// manifest.json is checked, not trusted: its shape against a schema, its derivable fields against the
// suite, the plugins and the rows; and a signed run folder verifies only with the signer's key.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, hasStackTrace, ROOT, tempDir } from './helpers.ts';

let run: string;
before(() => {
  run = join(tempDir(), 'run');
  const r = cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', run]);
  assert.equal(r.status, 0, r.stderr);
});

/** A copy of the run with its manifest changed by `edit`. */
function tampered(edit: (manifest: Record<string, any>) => void): string {
  const dir = join(tempDir(), 'run');
  cpSync(run, dir, { recursive: true });
  const file = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  edit(manifest);
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  return dir;
}

/** validate's problems, without the one about the working tree (which these tests do not control). */
function problems(dir: string, extra: string[] = [], env: Record<string, string> = {}, plugin = FIXTURE_PLUGIN) {
  const r = cli(['validate', dir, '--plugin', plugin, ...extra], env);
  assert.ok(!hasStackTrace(r.stderr) && !/unexpected failure|Cannot read properties/.test(r.stderr), r.stderr);
  const lines = r.stderr.trim().split('\n').slice(1).map((l) => l.trim()).filter((l) => l && !l.includes('git_dirty = true'));
  return { status: r.status, lines };
}

test('an untouched run passes', () => {
  assert.deepEqual(problems(run).lines, []);
});

test('a manifest of the wrong shape is rejected with the file and the JSON path, never a crash', () => {
  const cases: Array<[(m: Record<string, any>) => void, RegExp]> = [
    [(m) => (m.units = null), /manifest\.json: \/units: expected array/],
    [(m) => delete m.suite, /manifest\.json: \/: missing required field "suite"/],
    [(m) => (m.suite = 'fixture'), /manifest\.json: \/suite: expected object/],
    [(m) => (m.units[0].seed = 'x'), /manifest\.json: \/units\/0\/seed: expected integer/],
    [(m) => (m.leaderboard.goal = 'best'), /manifest\.json: \/leaderboard\/goal: expected one of "min", "max"/],
    [(m) => (m.budget = 7), /manifest\.json: \/budget: expected string/],
  ];
  for (const [edit, expected] of cases) {
    const { status, lines } = problems(tampered(edit));
    assert.equal(status, 1);
    assert.ok(lines.some((l) => expected.test(l)), `${expected}: ${lines.join('\n')}`);
  }
  // Commands that read a run folder check its manifest's shape before reading it too.
  const score = cli(['score', tampered((m) => (m.units = null)), '--plugin', FIXTURE_PLUGIN, '--out', join(tempDir(), 'rescored')]);
  assert.equal(score.status, 2, score.stderr);
  assert.match(score.stderr, /manifest\.json: \/units: expected array/);
  assert.ok(!hasStackTrace(score.stderr));
  const dir = tampered(() => {});
  writeFileSync(join(dir, 'manifest.json'), 'null');
  assert.match(problems(dir).lines.join('\n'), /manifest\.json: \/: expected a JSON object/);
});

test('derivable fields are recomputed: a flipped goal, a changed budget, seeds or unit params are named', () => {
  const goal = problems(tampered((m) => (m.leaderboard.goal = 'max'))).lines;
  assert.ok(goal.some((l) => /\/leaderboard\/goal: "max", but suite "fixture" with the installed plugins gives "min"/.test(l)), goal.join('\n'));
  const budget = problems(tampered((m) => (m.budget = 'full'))).lines;
  assert.ok(budget.some((l) => /\/budget: "full", but the rows' unit keys are those of budget "smoke"/.test(l)), budget.join('\n'));
  const primary = problems(tampered((m) => (m.leaderboard.primary = 'estimate'))).lines;
  assert.ok(primary.some((l) => /\/leaderboard\/primary: "estimate", but .* gives "abs-error"/.test(l)), primary.join('\n'));
  const params = problems(tampered((m) => (m.units[1].params = { n: 7 }))).lines;
  assert.ok(params.some((l) => /\/units\/1\/params: \{"n":7\}, but its key's unit in the recomputed plan gives \{"n":500\}/.test(l)), params.join('\n'));
  const seeds = problems(tampered((m) => (m.seeds = [0, 1]))).lines;
  assert.ok(seeds.some((l) => /\/seeds: \[0,1\], but suite "fixture" at budget "smoke" gives \[0,1,2\]/.test(l)), seeds.join('\n'));
});

test('a signed run folder verifies with the signer\'s public key only, and not once a file changed', () => {
  const keys = tempDir();
  assert.equal(cli(['keygen', '--out', join(keys, 'alice')]).status, 0);
  assert.equal(cli(['keygen', '--out', join(keys, 'mallory')]).status, 0);
  const dir = tampered(() => {});
  const unsigned = problems(dir, ['--trusted-key', join(keys, 'alice.pub.pem')]);
  assert.ok(unsigned.lines.some((l) => /signature\.json: missing: the run folder is not signed/.test(l)), unsigned.lines.join('\n'));

  const signed = cli(['sign', dir, '--key', join(keys, 'alice.key')]);
  assert.equal(signed.status, 0, signed.stderr);
  assert.deepEqual(problems(dir, ['--trusted-key', join(keys, 'alice.pub.pem')]).lines, []);
  const wrongKey = problems(dir, ['--trusted-key', join(keys, 'mallory.pub.pem')]).lines;
  assert.ok(wrongKey.some((l) => /not by the trusted key/.test(l)), wrongKey.join('\n'));

  // A forger who edits a value and recomputes every checksum still cannot make the signature verify.
  const forged = join(tempDir(), 'run');
  cpSync(dir, forged, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(forged, 'manifest.json'), 'utf8'));
  manifest.finished_at = '2000-01-01T00:00:00.000Z';
  writeFileSync(join(forged, 'manifest.json'), JSON.stringify(manifest, null, 2));
  assert.deepEqual(problems(forged).lines, [], 'without --trusted-key the edit passes: checksums do not cover it');
  const caught = problems(forged, ['--trusted-key', join(keys, 'alice.pub.pem')]).lines;
  assert.ok(caught.some((l) => /manifest\.json changed after the folder was signed/.test(l)), caught.join('\n'));

  const badKey = cli(['sign', dir, '--key', join(keys, 'alice.pub.pem')]);
  assert.equal(badKey.status, 2);
  assert.match(badKey.stderr, /not a PEM private key/);
});

test('a run made with HARNESS_DATA_DIR, validated without it, names the dataset, its files and the variable', () => {
  const plugin = join(ROOT, 'test', 'fixtures', 'reliability-plugin');
  const data = join(ROOT, 'test', 'fixtures', 'reliability-data');
  const out = join(tempDir(), 'run');
  const r = cli(['run', join(plugin, 'suites', 'data.yaml'), '--plugin', plugin, '--out', out], { HARNESS_DATA_DIR: data });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(problems(out, [], { HARNESS_DATA_DIR: data }, plugin).lines, []);
  const without = problems(out, [], { HARNESS_DATA_DIR: '' }, plugin).lines.join('\n');
  assert.match(without, /dataset "fixture-values" not found/);
  assert.match(without, /HARNESS_DATA_DIR/);
  assert.match(without, /dataset "fixture-values" of plugin "fixture-rel": values\.txt/);
});
