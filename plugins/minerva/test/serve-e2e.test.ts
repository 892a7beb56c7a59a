// A user's MATH file evaluated through `harness serve` and an `openai:` spec: the synthetic solver
// is served over HTTP, minerva/math-eval runs on it like on any endpoint, and the scores are the
// solver's (greedy always right, samples right with probability 0.6).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { parseModelSpec } from '../../../harness/models/spec.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { startServer } from '../../../harness/serve/server.ts';
import { tempDir } from '../../../test/helpers.ts';
import { generateMathProblems } from '../../../datasets/math-problems.ts';
import { syntheticSolverModel } from './synthetic-solver.ts';

test('math-eval on a MATH file through harness serve + openai: scores the served solver', async () => {
  const dir = tempDir();
  const problems = generateMathProblems(createRng(21), 6);
  const file = join(dir, 'math-test.jsonl');
  writeFileSync(file, problems.map((p) => JSON.stringify({ problem: p.problem, solution: p.solution, level: `Level ${p.level}`, type: p.subject })).join('\n'));
  const suite = join(dir, 'suite.yaml');
  writeFileSync(suite, [
    'id: minerva-serve-test', 'version: 1', 'title: t', 'description: t', 'primary: { metric: pass-at-1 }',
    'tasks:', `  - task: minerva/math-eval`, `    params: { source: math, file: ${JSON.stringify(file)}, problems: 0, samples: 16, maxTokens: 200 }`,
    'methods: []', 'seeds: [0]', '',
  ].join('\n'));
  const solver = syntheticSolverModel(problems.map((p) => ({ problem: p.problem, forms: p.forms, distractors: ['1', '2', '3'] })), 0.6);
  const served = await startServer(solver, { servedName: 'solver' });
  try {
    const result = await runSuite({
      suite, budget: 'smoke', out: join(dir, 'run'), pluginDirs: [], jobs: 1, backend: 'auto', failFast: false, force: true,
      cacheDir: tempDir('cache-'), log: () => {}, models: [parseModelSpec(`solver=openai:${served.url}#solver`)],
    });
    const bad = result.rows.filter((r) => r.status !== 'ok');
    assert.equal(bad.length, 0, bad.map((r) => `${r.status} ${r.method} ${r.reason}`).join('\n'));
    const m = Object.fromEntries(result.rows.map((r) => [r.metric, r.value!]));
    assert.equal(result.rows[0].backend, 'model:openai');
    assert.equal(m['pass-at-1'], 1);
    assert.equal(m['invalid-answer-rate'], 0);
    assert.equal(m['invalid-answer-rate-sampled'], 0);
    assert.ok(m['maj1-at-16'] >= m['maj1-at-1'] && m['pass-at-16'] >= m['maj1-at-16'], JSON.stringify(m));
    assert.ok(Math.abs(m['sample-accuracy'] - 0.6) < 0.2, `sample accuracy ${m['sample-accuracy']}`);
    assert.equal(m['accuracy-level-1'], 1);
    assert.equal(m['accuracy-prealgebra'], 1);
    const records = readFileSync(join(result.outDir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.match(records[0].records[0].fileSha256, /^[0-9a-f]{64}$/);
  } finally {
    await served.close();
    await solver.close();
  }
});
