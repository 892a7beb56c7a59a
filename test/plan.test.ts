// Unit keys: content addresses that ignore order and change with anything that changes a result.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { expandPlan } from '../harness/plan/expand.ts';
import { discover, HARNESS_ROOT, sharedImports } from '../harness/plan/registry.ts';
import { loadSuite } from '../harness/plan/suite.ts';
import { FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';

async function plan(suiteText: string, pluginDir = FIXTURE_PLUGIN) {
  const file = join(tempDir(), 'fixture.yaml');
  writeFileSync(file, suiteText);
  const registry = discover({ pluginDirs: [pluginDir] });
  return expandPlan(registry, loadSuite(registry, file), { budget: 'standard' });
}

const base = readFileSync(join(FIXTURE_SUITES, 'fixture.yaml'), 'utf8');

test('expansion is task × params × method × seed', async () => {
  const p = await plan(base);
  assert.equal(p.units.length, 2 * 2 * 3);
  assert.deepEqual([...new Set(p.units.map((u) => u.seed))], [0, 1, 2]);
});

test('unit keys and seeds do not depend on the order of methods, params or seeds in the suite', async () => {
  const reordered = base
    .replace('methods: [fixture-pi/uniform, fixture-pi/stratified]', 'methods: [fixture-pi/stratified, fixture-pi/uniform]')
    .replace('values: [1000, 4000]', 'values: [4000, 1000]')
    .replace('seeds: [0, 1, 2]', 'seeds: [2, 0, 1]');
  assert.notEqual(reordered, base);
  const a = await plan(base);
  const b = await plan(reordered);
  const index = (units: typeof a.units) => new Map(units.map((u) => [u.key, [u.taskSeed, u.unitSeed]]));
  assert.deepEqual(index(a.units), index(b.units));
});

test('methods on the same task instance share the task seed (paired data); their run seeds differ', async () => {
  const p = await plan(base);
  const u = p.units.find((x) => x.method === 'fixture-pi/uniform' && x.taskParams.n === 1000 && x.seed === 0)!;
  const s = p.units.find((x) => x.method === 'fixture-pi/stratified' && x.taskParams.n === 1000 && x.seed === 0)!;
  assert.equal(u.taskSeed, s.taskSeed);
  assert.notEqual(u.unitSeed, s.unitSeed);
});

test('keys change when params, the suite version or the plugin code change', async () => {
  const keys = (p: Awaited<ReturnType<typeof plan>>) => new Set(p.units.map((u) => u.key));
  const original = keys(await plan(base));
  const otherParams = keys(await plan(base.replace('values: [1000, 4000]', 'values: [1000, 4001]')));
  assert.equal([...otherParams].filter((k) => original.has(k)).length, 6, 'only the n = 1000 units keep their keys');
  const otherVersion = keys(await plan(base.replace('version: 1', 'version: 2')));
  assert.equal([...otherVersion].filter((k) => original.has(k)).length, 0);

  // The same files elsewhere (with the suite folder its manifest points to).
  const elsewhere = tempDir();
  cpSync(FIXTURE_SUITES, join(elsewhere, 'suites'), { recursive: true });
  const copy = join(elsewhere, 'pi-plugin');
  cpSync(FIXTURE_PLUGIN, copy, { recursive: true });
  const sameCode = keys(await plan(base, copy));
  assert.deepEqual(sameCode, original, 'the folder a plugin lives in does not matter');
  writeFileSync(join(copy, 'index.ts'), `${readFileSync(join(copy, 'index.ts'), 'utf8')}\n// a change\n`);
  const changedCode = keys(await plan(base, copy));
  assert.equal([...changedCode].filter((k) => original.has(k)).length, 0);
});

test('a task-level primary metric must be declared and ranked (not info)', async () => {
  const withPrimary = (metric: string) => base.replace(/(- task: fixture-pi\/estimate-pi)/, `$1\n    primary: { metric: ${metric} }`);
  assert.ok((await plan(withPrimary('abs-error'))).units.length > 0);
  await assert.rejects(plan(withPrimary('abs-eror')), (e: Error & { details?: string[] }) => /tasks\/0\/primary\/metric: no plugin of this suite declares metric "abs-eror"/.test([e.message, ...(e.details ?? [])].join('\n')));
  await assert.rejects(plan(withPrimary('estimate')), (e: Error & { details?: string[] }) => /goal "info"/.test([e.message, ...(e.details ?? [])].join('\n')));
});

test('include: another suite\'s tasks and methods join at the included budget, whatever budget this suite runs at', async () => {
  const outer = `id: gathered\nversion: 1\ntitle: t\ndescription: d\nprimary: { metric: abs-error }\ntasks:\n  - task: fixture-pi/estimate-pi\n    params: { n: 100 }\nmethods: [fixture-pi/uniform]\nseeds: [7]\ninclude:\n  - { suite: fixture, budget: smoke }\n`;
  const p = await plan(outer); // planned at the "standard" budget
  const included = p.units.filter((u) => u.taskParams.n === 500);
  assert.equal(included.length, 2 * 3, 'the smoke params (n = 500), both methods, the fixture\'s 3 seeds');
  assert.deepEqual([...new Set(included.map((u) => u.seed))].sort(), [0, 1, 2]);
  assert.ok(!p.units.some((u) => u.taskParams.n === 1000), 'not the standard grid of the included suite');
  // Methods are the suite's: an included method also competes on this suite's own tasks it solves.
  const own = p.units.filter((u) => u.taskParams.n === 100);
  assert.deepEqual(own.map((u) => [u.method, u.seed]).sort(), [['fixture-pi/stratified', 7], ['fixture-pi/uniform', 7]]);
  await assert.rejects(plan(outer.replace('suite: fixture', 'suite: fixtur')), (e: Error & { details?: string[] }) => /\/include\/0: .*fixtur/.test([e.message, ...(e.details ?? [])].join('\n')));
});

test('a plugin\'s code hash covers the shared model code and datasets it imports (transitively)', () => {
  const dir = tempDir();
  const mnist = join(HARNESS_ROOT, 'datasets', 'mnist.ts');
  writeFileSync(join(dir, 'index.ts'), `import { loadMnist } from '${relative(dir, mnist)}';\nimport { x } from './local.ts';\n`);
  const found = sharedImports([join(dir, 'index.ts')]).map((f) => relative(HARNESS_ROOT, f));
  assert.ok(found.includes('datasets/mnist.ts'));
  assert.ok(found.every((f) => f.startsWith('datasets/') || f.startsWith('harness/nn/')), found.join(', '));
});

test('a unit runs at the budget its task is pinned to, and the budget is part of its key', async () => {
  const registry = discover();
  const smokeAtFull = await expandPlan(registry, loadSuite(registry, 'smoke'), { budget: 'full' });
  const included = smokeAtFull.units.filter((u) => u.task.startsWith('gemini-long-context/'));
  assert.ok(included.length > 0 && included.every((u) => u.budget === 'smoke'), 'included suites keep their pinned budget as ctx.budget');
  assert.ok(smokeAtFull.units.some((u) => u.task.startsWith('scaling-laws/') && u.budget === 'full'));
  // the same task instance and method at two budgets (identical params and seed) are two units
  const at = async (budget: 'smoke' | 'standard') => (await expandPlan(registry, loadSuite(registry, 'long-context'), { budget })).units;
  const same = (u: { task: string; method: string; taskParams: unknown; seed: number }) => `${u.task} ${u.method} ${JSON.stringify(u.taskParams)} ${u.seed}`;
  const smoke = new Map((await at('smoke')).map((u) => [same(u), u.key]));
  const standard = (await at('standard')).filter((u) => smoke.has(same(u)));
  assert.ok(standard.length > 0);
  assert.ok(standard.every((u) => u.key !== smoke.get(same(u))));
});
