// The plugin as the harness sees it: manifest and code agree; the smoke suite runs end to end and
// the pipeline's claims hold on it; the same instance and seeds give the same completions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { discover, loadPlugin, requirePlugin } from '../../../harness/plan/registry.ts';
import { runSuite } from '../../../harness/run/runner.ts';
import { tempDir } from '../../../test/helpers.ts';
import { generateMathProblems } from '../../../datasets/math-problems.ts';
import { goldAnswer } from '../answer.ts';
import { runEvaluation, type EvalInstance } from '../protocols.ts';
import { syntheticSolverModel } from './synthetic-solver.ts';

test('the code provides exactly what plugin.json declares', async () => {
  const plugin = await loadPlugin(requirePlugin(discover(), 'minerva'));
  assert.deepEqual(Object.keys(plugin.tasks!).sort(), ['equivalence-golden', 'math-eval', 'normalization-golden']);
  assert.deepEqual(Object.keys(plugin.methods!).sort(), ['appendix-d', 'char-lm-math', 'char-lm-mixed', 'compute-engine']);
  assert.deepEqual(Object.keys(plugin.kernels!).sort(), ['char-lm-sampling', 'is-equiv', 'majority-vote', 'normalize-extract']);
  assert.deepEqual(Object.keys(plugin.claims!).sort(), ['equivalence-agrees-with-sympy', 'majority-voting-helps', 'more-math-tokens-help', 'normalization-matches-reference']);
  assert.deepEqual(Object.keys(plugin.models!).sort(), ['char-lm-math', 'char-lm-mixed']);
});

test('the smoke suite runs every unit; the golden claims hold; the untrained models write no final answer', async () => {
  const result = await runSuite({
    suite: 'minerva', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs: 2, backend: 'auto',
    failFast: false, force: true, cacheDir: tempDir('cache-'), log: () => {},
  });
  assert.ok(result.rows.every((r) => r.status === 'ok'), result.rows.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.method} ${r.reason}`).join('\n') || 'no rows');
  const value = (method: string, metric: string) => result.rows.filter((r) => r.method === `minerva/${method}` && r.metric === metric).map((r) => r.value);
  assert.deepEqual(value('appendix-d', 'normalize-exact-rate'), [1]);
  assert.ok(value('compute-engine', 'equiv-agreement')[0]! >= 0.95);
  assert.ok(value('char-lm-math', 'maj1-at-4').length === 1 && value('char-lm-mixed', 'maj1-at-4').length === 0, 'char-lm-mixed is greedy only');
  const verdicts = Object.fromEntries(result.claims.map((c) => [c.claim, c.status]));
  assert.equal(verdicts['minerva/normalization-matches-reference'], 'holds');
  assert.equal(verdicts['minerva/equivalence-agrees-with-sympy'], 'holds');
  assert.deepEqual([...value("char-lm-math", "invalid-answer-rate"), ...value("char-lm-mixed", "invalid-answer-rate")], [1, 1]);
});

test('the same instance and seeds give the same completions (sampling is seeded per problem)', async () => {
  const problems = generateMathProblems(createRng(1), 3);
  const solver = syntheticSolverModel(problems.map((p) => ({ problem: p.problem, forms: p.forms, distractors: ['1', '2'] })), 0.5);
  const inst: EvalInstance = {
    problems: problems.map((p) => ({ id: p.id, format: 'math', problem: p.problem, gold: goldAnswer(p.solution)!, subject: p.subject, level: p.level })),
    samples: 8, sampledProblems: 3, maxTokens: 200, seeds: [11, 12, 13], fileSha256: null,
  };
  const [a, b] = [await runEvaluation(solver, inst), await runEvaluation(solver, inst)];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.outputs[0].samples, (await runEvaluation(solver, { ...inst, seeds: [99, 12, 13] })).outputs[0].samples);
});
