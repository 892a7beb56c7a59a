// Models as run inputs: spec strings and models files parse (or fail with one clear line), and
// `--model` turns each model into a method row of the tasks that evaluate any language model, with
// its identity in the unit keys and the manifest.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../harness/errors.ts';
import { parseModelOptions, parseModelSpec, readModelsFile } from '../harness/models/spec.ts';
import { expandPlan } from '../harness/plan/expand.ts';
import { discover } from '../harness/plan/registry.ts';
import { loadSuite } from '../harness/plan/suite.ts';
import { runSuite } from '../harness/run/runner.ts';
import { runFolderProblems } from '../harness/results/validate-run.ts';
import { cli, hasStackTrace, tempDir } from './helpers.ts';

test('spec strings: openai, onnx and builtin, with names and options', () => {
  assert.deepEqual(parseModelSpec('openai:http://127.0.0.1:8000/v1/#llama-3'), { kind: 'openai', name: 'llama-3', baseUrl: 'http://127.0.0.1:8000/v1', model: 'llama-3', tokenizer: undefined });
  const chat = parseModelSpec('mine=openai:https://api.example.org/v1#gpt-x?chat=true&apiKeyEnv=MY_KEY&concurrency=8');
  assert.equal(chat.name, 'mine');
  assert.equal(chat.kind === 'openai' && chat.chat, true);
  assert.equal(chat.kind === 'openai' && chat.apiKeyEnv, 'MY_KEY');
  assert.equal(chat.kind === 'openai' && chat.concurrency, 8);
  const onnx = parseModelSpec('onnx:models/tiny?kvCache=false', '--model', '/base');
  assert.deepEqual(onnx, { kind: 'onnx', name: 'onnx-tiny', dir: '/base/models/tiny', kvCache: false });
  // a served name with a slash (as vLLM serves hub ids) gets a leaderboard name without it
  const hub = parseModelSpec('openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-0.5B-Instruct');
  assert.deepEqual([hub.name, hub.kind === 'openai' && hub.model], ['Qwen-Qwen2.5-0.5B-Instruct', 'Qwen/Qwen2.5-0.5B-Instruct']);
  assert.deepEqual(parseModelSpec('builtin:gemini-long-context/ppm-6'), { kind: 'builtin', name: 'ppm-6', ref: 'gemini-long-context/ppm-6' });
});

test('bad spec strings are one clear error each', () => {
  const cases: [string, RegExp][] = [
    ['openai:http://127.0.0.1:8000/v1', /names the served model after "#"/],
    ['openai:not a url#m', /is not a URL/],
    ['openai:ftp://host/v1#m', /must be http or https/],
    ['openai:http://user:secret@host/v1#m', /credentials in an environment variable/],
    ['openai:http://host/v1#m?colour=red', /unknown option "colour"/],
    ['openai:http://host/v1#m?concurrency=-1', /positive number/],
    ['gguf:model.gguf', /unknown model kind "gguf"/],
    ['builtin:ppm-6', /<plugin>\/<model>/],
    ['bad name=onnx:x', /may hold only/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parseModelSpec(spec), (e: unknown) => e instanceof UserError && message.test(e.message) && e.message.startsWith('--model: '), spec);
  }
  // a secret in the URL never reaches the message
  assert.throws(() => parseModelSpec('openai:http://user:secret@host/v1#m'), (e: Error) => !e.message.includes('secret'));
  assert.throws(() => parseModelOptions(['a=onnx:x', 'a=onnx:y']), /two models are named "a"/);
});

test('a models YAML file lists specs; paths resolve against the file; problems name the file and entry', () => {
  const dir = tempDir();
  const file = join(dir, 'models.yaml');
  writeFileSync(file, 'models:\n  - onnx:exported\n  - { spec: "openai:http://127.0.0.1:9/v1#tiny", as: remote }\n');
  const specs = readModelsFile(file);
  assert.deepEqual(specs.map((s) => s.name), ['onnx-exported', 'remote']);
  assert.equal(specs[0].kind === 'onnx' && specs[0].dir, join(dir, 'exported'));
  writeFileSync(file, 'models:\n  - onnx:exported\n  - { spec: "openai:http://h/v1#m", colour: red }\n');
  assert.throws(() => readModelsFile(file), (e: Error) => e.message.includes(`${file}: /models/1`) && e.message.includes('colour'));
  writeFileSync(file, '[]\n');
  assert.throws(() => readModelsFile(file), /non-empty list/);
});

test('--model adds one method row per model on the tasks that evaluate any language model, with the identity in the key', async () => {
  const registry = discover();
  const resolved = loadSuite(registry, 'long-context');
  const base = await expandPlan(registry, resolved, { budget: 'smoke' });
  const model = { name: 'm', spec: { kind: 'builtin', name: 'm', ref: 'gemini-long-context/ppm-6' }, identity: { kind: 'builtin', x: 1 } };
  const withModel = await expandPlan(registry, resolved, { budget: 'smoke', models: [model] });
  const added = withModel.units.filter((u) => u.model);
  const instances = new Set(base.units.map((u) => `${u.task} ${JSON.stringify(u.taskParams)} ${u.seed}`));
  assert.equal(added.length, instances.size, 'one unit per task instance');
  assert.ok(added.every((u) => u.methodName === 'm' && u.method === 'model:m'));
  // the plugin's own units keep their keys; another identity gives other keys
  assert.deepEqual(withModel.units.filter((u) => !u.model).map((u) => u.key), base.units.map((u) => u.key));
  const other = await expandPlan(registry, resolved, { budget: 'smoke', models: [{ ...model, identity: { kind: 'builtin', x: 2 } }] });
  const otherKeys = new Set(other.units.filter((u) => u.model).map((u) => u.key));
  assert.ok(added.every((u) => !otherKeys.has(u.key)));
  // a model's unit shares its task instance's data seed with the methods (paired comparisons)
  const ppm = base.units.find((u) => u.method === 'gemini-long-context/ppm-6')!;
  assert.equal(added.find((u) => u.task === ppm.task && JSON.stringify(u.taskParams) === JSON.stringify(ppm.taskParams))!.taskSeed, ppm.taskSeed);
});

test('a builtin model given with --model scores exactly like the plugin method it wraps; the manifest records it', async () => {
  const out = join(tempDir(), 'run');
  const result = await runSuite({
    suite: 'long-context', budget: 'smoke', out, pluginDirs: [], jobs: 2, backend: 'auto', failFast: false, force: true,
    cacheDir: tempDir('cache-'), log: () => {}, models: [parseModelSpec('again=builtin:gemini-long-context/ppm-6')],
  });
  const bad = result.rows.filter((r) => r.status !== 'ok');
  assert.equal(bad.length, 0, bad.map((r) => r.reason).join('\n'));
  const values = (method: string) =>
    result.rows.filter((r) => r.method === method && r.unit !== 'ms').map((r) => `${r.task} ${r.params} ${r.seed} ${r.metric} ${r.value}`).sort();
  assert.ok(values('again').length > 0);
  assert.deepEqual(values('again'), values('gemini-long-context/ppm-6'));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.models[0].name, 'again');
  assert.equal(manifest.models[0].identity.ref, 'gemini-long-context/ppm-6');
  // `harness validate` recomputes every unit key, the model units' from the recorded identities
  const problems = await runFolderProblems(discover(), out);
  assert.deepEqual(problems.filter((p) => /unit key|not in the manifest|checksum/.test(p)), []);
  manifest.models[0].identity.ref = 'gemini-long-context/transformer-w256';
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
  assert.ok((await runFolderProblems(discover(), out)).some((p) => /cannot be recomputed/.test(p)), 'an edited identity is caught');
});

test('--model on a suite without language-model tasks and an unknown builtin are clear errors', () => {
  const noTasks = cli(['run', 'convex-attention', '--model', 'builtin:gemini-long-context/ppm-6', '--out', join(tempDir(), 'r')]);
  assert.equal(noTasks.status, 2);
  assert.match(noTasks.stderr, /has no task that evaluates any language model/);
  const unknown = cli(['plan', 'long-context', '--model', 'builtin:gemini-long-context/ppm-7']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /declares no model "ppm-7" \(did you mean "ppm-6"\?\)/);
  for (const r of [noTasks, unknown]) assert.ok(!hasStackTrace(r.stderr), r.stderr);
});

test('a suite whose only competitors are given models: without --model each instance is one skipped row saying what to pass', async () => {
  const dir = tempDir();
  const file = join(dir, 'needles-only.yaml');
  writeFileSync(
    file,
    [
      'id: needles-only', 'version: 1', 'title: Needles for your model', 'description: needle retrieval on a model you give',
      'primary: { metric: recall }',
      'tasks: [{ task: gemini-long-context/needle-retrieval, params: { length: 128, depth: { values: [0, 100] } } }]',
      'methods: []', 'seeds: [0]', '',
    ].join('\n'),
  );
  const result = await runSuite({ suite: file, budget: 'smoke', out: join(dir, 'run'), pluginDirs: [], jobs: 1, backend: 'auto', failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {} });
  assert.equal(result.rows.length, 2);
  assert.ok(result.rows.every((r) => r.status === 'skipped' && /pass --model <spec>/.test(r.reason)), result.rows.map((r) => r.reason).join('\n'));
  const withModel = await runSuite({
    suite: file, budget: 'smoke', out: join(dir, 'run2'), pluginDirs: [], jobs: 1, backend: 'auto', failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
    models: [parseModelSpec('builtin:gemini-long-context/ppm-6')],
  });
  assert.deepEqual(withModel.rows.filter((r) => r.metric === 'recall').map((r) => [r.method, r.value]), [['ppm-6', 1], ['ppm-6', 1]]);
});
