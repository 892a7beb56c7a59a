// Bad inputs are exit 2 (or, for `validate`, a listed problem and exit 1) with the file named: YAML
// aliases that do not resolve or multiply, a suite included twice, paths in plugin.json that leave the
// plugin folder.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, hasStackTrace, tempDir } from './helpers.ts';

function clean(r: { stderr: string }) {
  assert.ok(!hasStackTrace(r.stderr) && !/unexpected failure/.test(r.stderr), r.stderr);
}

function expectRejected(file: string, message: RegExp, plugin = FIXTURE_PLUGIN) {
  const v = cli(['validate', file, '--plugin', plugin]);
  clean(v);
  assert.equal(v.status, 1, v.stdout + v.stderr);
  assert.match(v.stdout, /^invalid /m);
  assert.match(v.stderr, message);
  const p = cli(['plan', file, '--plugin', plugin]);
  clean(p);
  assert.equal(p.status, 2, p.stderr);
  assert.match(p.stderr, message);
  return { validate: v.stderr, plan: p.stderr };
}

test('an alias without its anchor and a "billion laughs" document are bad input naming the file', () => {
  const dir = tempDir();
  const base = readFileSync(join(FIXTURE_SUITES, 'fixture.yaml'), 'utf8');
  const unresolved = join(dir, 'unresolved.yaml');
  writeFileSync(unresolved, base.replace('title: Fixture suite', 'title: *nowhere'));
  expectRejected(unresolved, new RegExp(`${unresolved}: invalid YAML: Unresolved alias`));

  const laughs = join(dir, 'laughs.yaml');
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
  writeFileSync(laughs, `${base}${levels.join('\n')}\n`);
  expectRejected(laughs, new RegExp(`${laughs}: invalid YAML: Excessive alias count`));
});

test('validate and plan agree on a suite that includes one suite twice, or itself', () => {
  const dir = tempDir();
  const file = join(dir, 'twice.yaml');
  const fixture = join(FIXTURE_SUITES, 'fixture.yaml');
  const suite = (includes: string) =>
    `id: twice\nversion: 1\ntitle: Twice\ndescription: includes twice\nprimary: { metric: abs-error }\ninclude:\n${includes}tasks:\n  - task: fixture-pi/estimate-pi\n    params: { n: 7 }\nmethods: [fixture-pi/uniform]\nseeds: [0]\n`;
  writeFileSync(file, suite(`  - { suite: ${fixture}, budget: smoke }\n  - { suite: ${fixture}, budget: smoke }\n`));
  const twice = expectRejected(file, /\/include\/1: suite ".*fixture\.yaml" is already included by \/include\/0/);
  assert.equal(twice.validate.split('\n').slice(-2).join('\n'), twice.plan.replace(/^error: /, '').split('\n').slice(-2).join('\n'));
  writeFileSync(file, suite(`  - { suite: ${file}, budget: smoke }\n  - { suite: ${file}, budget: smoke }\n`));
  expectRejected(file, /\/include\/0: /);
  // Two budgets of one suite are one suite twice too (a unit of both would run twice).
  writeFileSync(file, suite(`  - { suite: ${fixture}, budget: smoke }\n  - { suite: ${fixture}, budget: full }\n`));
  expectRejected(file, /already included/);
});

test('paths in plugin.json that leave the plugin folder are refused, naming plugin.json and the JSON path', () => {
  const cases: Array<[string, (m: Record<string, any>, dir: string) => void, RegExp]> = [
    ['suites ../', (m) => (m.suites = ['../elsewhere.yaml']), /plugin\.json: \/suites\/0: "\.\.\/elsewhere\.yaml" leaves the plugin folder/],
    ['missing suite file', (m) => (m.suites = ['suites/nowhere.yaml']), /plugin\.json: \/suites(\/0)?: file not found: suites\/nowhere\.yaml/],
    ['absolute entry', (m) => (m.entry = '/etc/passwd'), /plugin\.json: \/entry: "\/etc\/passwd" leaves the plugin folder/],
    ['entry ../', (m) => (m.entry = 'lib/../../index.ts'), /plugin\.json: \/entry: "lib\/\.\.\/\.\.\/index\.ts" leaves the plugin folder/],
    [
      'symlinked entry',
      (m, dir) => {
        const outside = join(tempDir(), 'outside.ts');
        writeFileSync(outside, 'export default 1;\n');
        symlinkSync(outside, join(dir, 'linked.ts'));
        m.entry = 'linked.ts';
      },
      /plugin\.json: \/entry: "linked\.ts" is a symlink to .*outside\.ts, outside the plugin folder/,
    ],
    [
      'dataset file ../',
      (m) => (m.datasets = [{ id: 'd', title: 'd', source: 's', licence: 'l', obtain: 'o', files: [{ path: '../../secret', sha256: '0'.repeat(64) }] }]),
      /plugin\.json: \/datasets\/0\/files\/0\/path: "\.\.\/\.\.\/secret" leaves the dataset's folder/,
    ],
  ];
  for (const [label, edit, expected] of cases) {
    const dir = join(tempDir(), 'plugin');
    cpSync(FIXTURE_PLUGIN, dir, { recursive: true });
    mkdirSync(join(dir, 'lib'), { recursive: true });
    const file = join(dir, 'plugin.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    edit(manifest, dir);
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    const v = cli(['validate', file]);
    clean(v);
    assert.equal(v.status, 1, `${label}: ${v.stderr}`);
    assert.match(v.stderr, expected, label);
    const p = cli(['plan', join(dir, 'suites', 'fixture.yaml'), '--plugin', dir]);
    clean(p);
    assert.equal(p.status, 2, `${label}: ${p.stderr}`);
    assert.match(p.stderr, expected, label);
  }
});

test('a task whose params schema is not a JSON Schema is bad input naming plugin.json and the path (found by the fuzz)', () => {
  const dir = join(tempDir(), 'plugin');
  cpSync(FIXTURE_PLUGIN, dir, { recursive: true });
  const file = join(dir, 'plugin.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  manifest.tasks[0].params.required = [1];
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  const v = cli(['validate', file]);
  clean(v);
  assert.equal(v.status, 1, v.stderr);
  assert.match(v.stderr, /plugin\.json: \/tasks\/0\/params: not a valid JSON Schema/);
  const p = cli(['plan', join(dir, 'suites', 'fixture.yaml'), '--plugin', dir]);
  clean(p);
  assert.equal(p.status, 2, p.stderr);
});
