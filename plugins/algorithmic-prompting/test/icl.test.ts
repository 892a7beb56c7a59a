// The in-context protocol end to end in-process, with executors instead of language models: the
// oracle scores 100 % on every operation, style and length; the noisy executor scores (1 − ε)^steps
// and its slips are where the step checker says the trace first goes wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, type RunContext } from '../../../harness/api/index.ts';
import { evaluateIcl, prepareIcl, scoreIcl } from '../icl.ts';
import { OPERATIONS, STYLES } from '../traces.ts';
import { noisyBody, noisyExecutor, oracleExecutor } from './executors.ts';

const ctx = (seed: number) => ({ rng: createRng(seed) }) as unknown as RunContext;

test('the oracle executor scores 100 % on every operation, style and perturbation, inside and beyond the exemplars', async () => {
  const lm = oracleExecutor();
  for (const op of OPERATIONS) {
    for (const style of STYLES) {
      for (const perturbation of ['none', 'systematic', 'irregular']) {
        const inst = prepareIcl(ctx(5), [op], { style, perturbation, lengths: [1, 3, 8], perLength: 2 });
        const { metrics } = scoreIcl(inst, await evaluateIcl(lm, inst));
        assert.equal(metrics.acc, 1, `${op} ${style} ${perturbation}`);
        assert.equal(metrics['acc-at-8'], 1);
        assert.equal(metrics['acc-beyond-exemplar-lengths'], 1);
        if (style !== 'few-shot') {
          assert.equal(metrics['step-acc'], 1);
          assert.equal(metrics['all-steps-right-given-answer-right'], 1);
          assert.equal(metrics['answer-right-steps-wrong'], 0);
        }
      }
    }
  }
});

test('the noisy executor with per-step slip ε scores ≈ (1 − ε)^steps, and the checker finds each slip', async () => {
  const eps = 0.1;
  const inst = prepareIcl(ctx(9), ['addition'], { style: 'algorithmic', lengths: [4], perLength: 300 });
  const out = await evaluateIcl(noisyExecutor(eps), inst);
  const { metrics, records } = scoreIcl(inst, out);
  const expected = (1 - eps) ** 4;
  const sd = Math.sqrt((expected * (1 - expected)) / 300);
  assert.ok(Math.abs(metrics.acc - expected) < 3 * sd, `acc ${metrics.acc} vs (1 − ε)^4 = ${expected.toFixed(3)}`);
  // every wrong answer starts at the slipped line; right answers have every step right
  for (const [i, r] of (records as { correct: number; firstWrong: number | null }[]).entries()) {
    const { slippedAt } = noisyBody(inst.prefix + inst.problems[i].question, eps);
    assert.equal(r.firstWrong, slippedAt);
    assert.equal(r.correct, slippedAt === null ? 1 : 0);
  }
  assert.equal(metrics['all-steps-right-given-answer-right'], 1);
});

test('prompts: exemplars and problems depend on the seed only, so styles share problems; the prompt stops at the question cue', () => {
  const a = prepareIcl(ctx(3), ['addition'], { style: 'algorithmic', lengths: [2, 6], perLength: 3 });
  const b = prepareIcl(ctx(3), ['addition'], { style: 'few-shot', lengths: [2, 6], perLength: 3 });
  assert.deepEqual(a.problems.map((p) => p.problem), b.problems.map((p) => p.problem));
  assert.ok(a.prefix.startsWith('Problem: 128+367=\nExplanation:\nThe first number is 128'));
  assert.ok(b.prefix.startsWith('Problem: 128+367=\nAnswer: 495\n\nProblem: '));
  assert.equal(a.exemplarMax, 5);
  assert.throws(() => prepareIcl(ctx(3), ['parity'], { style: 'cot', lengths: [2] }), /style must be one of/);
});

test('skill accumulation: addition and subtraction exemplars in one prompt, questions of both kinds, the oracle picks by the operator', async () => {
  const inst = prepareIcl(ctx(4), ['addition', 'subtraction'], { style: 'algorithmic', lengths: [2, 7], perLength: 4 });
  assert.deepEqual(inst.problems.map((p) => p.problem.op), ['addition', 'subtraction', 'addition', 'subtraction', 'addition', 'subtraction', 'addition', 'subtraction']);
  assert.equal((inst.prefix.match(/^Problem: \d+\+\d+=$/gm) ?? []).length, 3);
  assert.equal((inst.prefix.match(/^Problem: \d+-\d+=$/gm) ?? []).length, 3);
  const { metrics } = scoreIcl(inst, await evaluateIcl(oracleExecutor(), inst));
  assert.equal(metrics.acc, 1);
  assert.equal(metrics['step-acc'], 1);
});

test('skill composition: the prompt teaches addition and multiplication-by-addition; the oracle scores 100 %', async () => {
  for (const style of STYLES) {
    const inst = prepareIcl(ctx(6), 'composition', { style, lengths: [2, 5], perLength: 3 });
    assert.ok(inst.prefix.startsWith(`Problem: 128+367=\n`));
    assert.ok(inst.problems.every((p) => p.problem.op === 'multiplication' && p.problem.b.length === 2));
    const { metrics } = scoreIcl(inst, await evaluateIcl(oracleExecutor(), inst));
    assert.equal(metrics.acc, 1, style);
  }
});
