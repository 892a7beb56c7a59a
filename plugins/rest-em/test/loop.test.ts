// The loop's invariants: the generated set holds only verified solutions, at most `cap` distinct ones
// per problem; the M-step of ReST-EM starts from the base every iteration (rest-continue from the
// previous iterate); the loss mask covers solution tokens only; the same seed gives the same loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSplits, reward, type Problem } from '../domains.ts';
import { BUDGETS, filterAndCap, methodConfig, prepareInstance, runMethod, type RestEmInstance } from '../loop.ts';
import { makeBatch, tokenizer } from '../model.ts';
import { createRng } from '../../../harness/plan/seeds.ts';
import { testContext } from './context.ts';

test('filter and cap: only verified samples, at most cap distinct ones per problem, coverage counts problems', () => {
  const splits = makeSplits('math', BUDGETS.smoke.sizes.math, createRng(1));
  const [p, q, r] = splits.pool;
  const right = (x: Problem) => x.solution;
  const texts = [
    [right(p), right(p), `${right(p)} `, '1+1=2;#999', right(p).replace(/#\d+$/, '#0') === right(p) ? 'x' : right(p).replace(/#\d+$/, '#0')],
    ['nothing', '#', ''],
    [`${r.solution}`, `0+0=0;#${r.answer}`, `9*2=18;#${r.answer}`],
  ];
  const set = filterAndCap('math', [p, q, r], texts, 2);
  assert.deepEqual(set.kept, [2, 0, 2]);
  assert.equal(set.covered, 2);
  assert.equal(set.rows.length, 4);
  assert.ok(set.rows.every((row) => reward('math', [p, q, r].find((x) => x.prompt === row.prompt)!, row.target) === 1));
  assert.equal(new Set(set.rows.map((row) => `${row.prompt}|${row.target}`)).size, set.rows.length); // distinct
  assert.equal(set.correctSamples, 3 + 0 + 3); // p: right ×2 and right+" " (the answer is read after #)
  assert.equal(filterAndCap('math', [p], [[right(p), right(p)]], 4).rows.length, 1); // duplicates kept once
});

test('the loss mask covers the solution and <eos>, never the prompt or padding', () => {
  const batch = makeBatch([{ prompt: 'ab\n', target: '1+1=2' }, { prompt: 'abcd\n', target: '#3' }]);
  const L = batch.length;
  const mask = (b: number) => Array.from(batch.lossMask!.subarray(b * L, (b + 1) * L));
  // row 0: targets at positions 2..7 predict "1+1=2" and <eos> (ids 3..8)
  assert.deepEqual(mask(0), [0, 0, 1, 1, 1, 1, 1, 1].concat(Array(L - 8).fill(0)));
  assert.deepEqual(mask(1), [0, 0, 0, 0, 1, 1, 1].concat(Array(L - 7).fill(0)));
  assert.equal(tokenizer.decode(batch.ids.subarray(0, 3)), 'ab\n');
  assert.deepEqual(makeBatch([{ prompt: 'ab', target: 'c', fullLoss: true }]).lossMask, Float32Array.from([1, 1, 1])); // predicting b, c, <eos>
});

/** An instance whose three training problems are also the pretraining examples, so a briefly trained
 * base solves some of them and the loop runs several iterations. */
function memorizable(ctx: ReturnType<typeof testContext>): RestEmInstance {
  const inst = prepareInstance(ctx, { domain: 'math' });
  const pool = inst.splits.pool.slice(0, 3);
  return { ...inst, splits: { ...inst.splits, pool, fewshot: pool, val: pool, pretrain: pool.map((p) => `${p.prompt}${p.solution}`) } };
}

test('ReST-EM restarts every M-step from the base; rest-continue starts from the previous iterate; same seed, same loop', async () => {
  const saved = structuredClone(BUDGETS.smoke);
  try {
    BUDGETS.smoke.pretrain.math = { steps: 80, batch: 6, lr: 5e-3 };
    BUDGETS.smoke.finetune = { batch: 6, lr: 1e-3, epochs: 1, minSteps: 6, evals: 2 };
    BUDGETS.smoke.samples = 8;
    BUDGETS.smoke.cap = 2;
    const ctx = testContext('smoke');
    const inst = memorizable(ctx);
    const restem = await runMethod(ctx, inst, methodConfig('restem', {}, BUDGETS.smoke), 'restem');
    assert.equal(restem.steps.length, 3, 'base + 2 iterations (the memorized problems give verified samples)');
    const base = restem.steps[0].policy;
    assert.equal(restem.steps[1].startedFrom, base);
    assert.equal(restem.steps[2].startedFrom, base);
    for (const s of restem.steps.slice(1)) {
      assert.ok(s.generated!.setSize <= 2 * 3 && s.generated!.setSize >= 1);
      assert.ok(s.generated!.coverage > 0);
    }
    const cont = await runMethod(ctx, inst, methodConfig('restem', { restart: 'last' }, BUDGETS.smoke), 'rest-continue');
    assert.equal(cont.steps[1].startedFrom, base);
    assert.equal(cont.steps[1].policy, restem.steps[1].policy, 'iteration 1 is the same policy (shared through the cache)');
    if (cont.steps.length > 2) assert.equal(cont.steps[2].startedFrom, cont.steps[1].policy);
    // a fresh context and cache with the same seed reproduces every completion and every key
    const again = await runMethod(testContext('smoke'), memorizable(testContext('smoke')), methodConfig('restem', {}, BUDGETS.smoke), 'restem');
    const untimed = (o: typeof restem) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'msPerStep' ? undefined : v)));
    assert.deepEqual(untimed(again), untimed(restem)); // everything but the timing
  } finally {
    Object.assign(BUDGETS.smoke, saved);
  }
});
