// Bad input: each case gets one clear message naming the problem, a non-zero exit code, no stack trace
// and no files written.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, copyFixturePlugin, FIXTURE_PLUGIN, FIXTURE_SUITES, hasStackTrace, ROOT, tempDir } from './helpers.ts';

const bad = join(ROOT, 'test', 'fixtures', 'bad');

function expectUserError(args: string[], pattern: RegExp) {
  const result = cli(args);
  assert.notEqual(result.status, 0, `exit code for ${args.join(' ')}`);
  assert.match(result.stderr, pattern);
  assert.ok(!hasStackTrace(result.stderr), `stack trace in:\n${result.stderr}`);
  return result;
}

test('unknown suite: did you mean', () => {
  expectUserError(['run', 'fixtur', '--plugin', FIXTURE_PLUGIN], /unknown suite "fixtur"/);
  // The suite of a plugin in a folder of its own, without --plugin: the message says how to load it.
  expectUserError(['run', 'fixture'], /loaded with --plugin DIR/);
  expectUserError(['run', join(FIXTURE_SUITES, 'fixture.yaml')], /unknown plugin "fixture-pi"[\s\S]*loaded with --plugin DIR/);
  expectUserError(['plan', 'smok'], /unknown suite "smok" \(did you mean "smoke"\?\)/);
});

test('unknown plugin in a suite: did you mean', () => {
  expectUserError(['run', join(bad, 'unknown-task.yaml'), '--plugin', FIXTURE_PLUGIN], /has no task "estimate-py" \(did you mean "estimate-pi"\?\)/);
});

test('invalid YAML names the file, line and column', () => {
  expectUserError(['run', join(bad, 'invalid-yaml.yaml')], /invalid-yaml\.yaml:\d+:\d+: Flow sequence/);
});

test('a suite failing its schema lists every problem with its path', () => {
  const r = expectUserError(['run', join(bad, 'schema-problems.yaml'), '--plugin', FIXTURE_PLUGIN], /does not match the suite schema/);
  assert.match(r.stderr, /\/id: expected a string matching/);
  assert.match(r.stderr, /\/version: expected value that must be >= 1/);
  assert.match(r.stderr, /\/tasks\/0: unknown field "colour"/);
  assert.match(r.stderr, /\/seeds\/0: expected value that must be >= 0/);
});

test('a plugin.json with a missing field', () => {
  expectUserError(['list', '--plugin', join(bad, 'missing-field')], /missing-field\/plugin\.json: \/: missing required field "title"/);
});

test('an unsupported harnessApi range', () => {
  expectUserError(['list', '--plugin', join(bad, 'future-api')], /\/harnessApi: this harness provides plugin API 1\.0\.0, outside the plugin's range "\^2\.0\.0"/);
});

test('a method that names a task nobody provides', () => {
  expectUserError(['list', '--plugin', join(bad, 'orphan-method')], /\/methods\/0\/task: no installed plugin provides task "no-such-plugin\/no-such-task"/);
});

test('duplicate plugin ids', () => {
  expectUserError(['list', '--plugin', FIXTURE_PLUGIN, '--plugin', join(bad, 'duplicate-id')], /duplicate plugin id "fixture-pi"/);
});

test('an unwritable --out, and nothing written', () => {
  // A path below a regular file can never be created, whoever runs the test (root ignores mode bits).
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, '');
  const out = join(file, 'run');
  expectUserError(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', out], /cannot write to --out .*a-file\/run: (ENOTDIR|EEXIST)/);
  assert.equal(existsSync(out), false);
});

test('bad option values', () => {
  expectUserError(['run', 'smoke', '--seeds', '0,x'], /expected comma-separated non-negative integers/);
  expectUserError(['run', 'smoke', '--budget', 'huge'], /Allowed choices are smoke, standard, full/);
});

test('validate reports every problem and exits 1; valid files pass', () => {
  const r = cli(['validate', join(bad, 'schema-problems.yaml'), join(bad, 'missing-field', 'plugin.json'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown field "colour"/);
  assert.match(r.stderr, /missing required field "title"/);
  const ok = cli(['validate', join(FIXTURE_SUITES, 'fixture.yaml'), join(FIXTURE_PLUGIN, 'plugin.json'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(readdirSync(bad).includes('rows.csv'), false);
});

test('code that does not match its manifest is refused before anything is written: exit 2, naming what differs', () => {
  const plugin = copyFixturePlugin(join(tempDir(), 'pi'));
  const manifestFile = join(plugin, 'plugin.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.methods = manifest.methods.filter((m: { id: string }) => m.id !== 'hang');
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const out = join(tempDir(), 'run');
  const result = expectUserError(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', plugin, '--out', out], /plugin "fixture-pi" does not match its manifest/);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /methods: "hang" is exported by .*index\.ts but not declared in plugin\.json/);
  assert.ok(!existsSync(out), 'no run folder');
});
