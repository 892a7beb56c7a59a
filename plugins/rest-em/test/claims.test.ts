// The claims' logic on synthetic rows: holds, fails and not-checked, per seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LeaderboardView, ResultRow } from '../../../harness/api/index.ts';
import { claims } from '../claims.ts';

type Spec = [task: string, method: string, metric: string, value: number, seed?: number];
const view = (specs: Spec[]): LeaderboardView =>
  ({ suite: 'rest-em', budget: 'full', cells: [], cell: () => undefined, rows: specs.map(([task, method, metric, value, seed = 0]) => ({ task: `rest-em/${task}`, method: `rest-em/${method}`, metric, value, seed, status: 'ok' }) as unknown as ResultRow) }) as LeaderboardView;
const check = (id: string, specs: Spec[]) => claims[id].check(view(specs));

test('iteration 1 beats the base by 10 points: holds, fails, not-checked, and needs every task present to agree', () => {
  const ok = check('iteration-1-beats-base', [['math', 'restem', 'test-greedy-iter-0', 0.2], ['math', 'restem', 'test-greedy-iter-1', 0.31], ['code', 'restem', 'test-greedy-iter-0', 0.1], ['code', 'restem', 'test-greedy-iter-1', 0.2]]);
  assert.equal(ok.status, 'holds', ok.measured);
  assert.equal(check('iteration-1-beats-base', [['math', 'restem', 'test-greedy-iter-0', 0.2], ['math', 'restem', 'test-greedy-iter-1', 0.29]]).status, 'fails');
  const partial = check('iteration-1-beats-base', [['math', 'restem', 'test-greedy-iter-0', 0.2], ['math', 'restem', 'test-greedy-iter-1', 0.5]]);
  assert.equal(partial.status, 'holds');
  assert.match(partial.why, /not checked on code/);
  assert.equal(check('iteration-1-beats-base', [['math', 'restem', 'test-greedy-iter-0', 0.2]]).status, 'not-checked');
});

test('per seed: holds on ≥ 60 % of the seeds (3 of 5)', () => {
  const rows = (wins: number): Spec[] => [0, 1, 2, 3, 4].flatMap((s): Spec[] => [['math', 'sft-human', 'pass-at-1-greedy', 0.5, s], ['math', 'restem', 'test-greedy-iter-1', s < wins ? 0.6 : 0.4, s]]);
  assert.equal(check('iteration-1-beats-sft', rows(3)).status, 'holds');
  assert.equal(check('iteration-1-beats-sft', rows(2)).status, 'fails');
  assert.match(check('iteration-1-beats-sft', rows(3)).measured!, /held on 3\/5 seeds/);
});

test('pass@k improves for every k with the largest gain at k ≤ 2', () => {
  const at = (before: number[], after: number[]): Spec[] => [1, 2, 4, 8].flatMap((k, i): Spec[] => [['math', 'restem', `pass-at-${k}-iter-0`, before[i]], ['math', 'restem', `pass-at-${k}-iter-1`, after[i]]]);
  assert.equal(check('pass-at-k-improves', at([0.1, 0.2, 0.3, 0.4], [0.3, 0.35, 0.4, 0.45])).status, 'holds');
  assert.equal(check('pass-at-k-improves', at([0.1, 0.2, 0.3, 0.4], [0.15, 0.25, 0.5, 0.45])).status, 'fails'); // largest at k = 4
  assert.equal(check('pass-at-k-improves', at([0.1, 0.2, 0.3, 0.4], [0.3, 0.35, 0.4, 0.4])).status, 'fails'); // k = 8 flat
});

const ran = (task: string, ...methods: string[]): Spec[] => methods.map((m): Spec => [task, m, 'iterations-run', 3]);

test('gains shrink, train rises while test saturates, more problems, restart vs continue, maj vs pass@1', () => {
  const iters = (task: string, metric: string, vs: number[]): Spec[] => vs.map((v, i): Spec => [task, 'restem', `${metric}-iter-${i}`, v]);
  assert.equal(check('gains-shrink', iters('math', 'test-greedy', [0.1, 0.4, 0.5, 0.55])).status, 'holds');
  assert.equal(check('gains-shrink', iters('math', 'test-greedy', [0.1, 0.2, 0.3, 0.5])).status, 'fails');
  assert.equal(check('gains-shrink', iters('math', 'test-greedy', [0.1, 0.4])).status, 'not-checked');
  const code = (test: number[], train: number[]) => [...iters('code', 'test-greedy', [0, ...test]), ...iters('code', 'train-greedy', [0, ...train])];
  assert.equal(check('train-rises-test-saturates', code([0.4, 0.38, 0.36], [0.5, 0.7, 0.9])).status, 'holds');
  assert.equal(check('train-rises-test-saturates', code([0.4, 0.5, 0.6], [0.5, 0.6, 0.7])).status, 'fails'); // test keeps rising
  const q = ran('math', 'restem', 'restem-quarter-problems');
  assert.equal(check('more-problems-help', [...q, ['math', 'restem', 'pass-at-1-greedy', 0.5], ['math', 'restem-quarter-problems', 'pass-at-1-greedy', 0.4]]).status, 'holds');
  assert.equal(check('more-problems-help', [...q, ['math', 'restem', 'pass-at-1-greedy', 0.4], ['math', 'restem-quarter-problems', 'pass-at-1-greedy', 0.4]]).status, 'fails');
  const rc = (task: string) => ran(task, 'restem', 'rest-continue');
  assert.equal(check('restart-no-worse-in-task', [...rc('math'), ['math', 'restem', 'pass-at-1-greedy', 0.4], ['math', 'rest-continue', 'pass-at-1-greedy', 0.4]]).status, 'holds');
  assert.equal(check('restart-no-worse-transfer', [...rc('code'), ['code', 'restem', 'transfer-acc', 0.3], ['code', 'rest-continue', 'transfer-acc', 0.4]]).status, 'fails');
  assert.equal(check('majority-vote-at-least-pass-1', [...ran('math', 'restem'), ['math', 'restem', 'maj-at-8', 0.5], ['math', 'restem', 'pass-at-1-greedy', 0.45]]).status, 'holds');
  assert.equal(check('majority-vote-at-least-pass-1', [...ran('math', 'restem'), ['math', 'restem', 'pass-at-1-greedy', 0.45]]).status, 'not-checked');
});

test('claims about a final policy are not checked when the method ran no M-step (its final policy is the base)', () => {
  const none = (task: string, ...methods: string[]): Spec[] => methods.map((m): Spec => [task, m, 'iterations-run', 0]);
  const rows: Spec[] = [...none('code', 'restem', 'rest-continue'), ['code', 'restem', 'pass-at-1-greedy', 0.1], ['code', 'rest-continue', 'pass-at-1-greedy', 0.1], ['code', 'restem', 'transfer-acc', 0], ['code', 'rest-continue', 'transfer-acc', 0], ['code', 'restem', 'maj-at-8', 0.2]];
  for (const id of ['restart-no-worse-in-task', 'restart-no-worse-transfer', 'majority-vote-at-least-pass-1']) assert.equal(check(id, rows).status, 'not-checked', id);
  assert.equal(check('more-problems-help', [...none('math', 'restem', 'restem-quarter-problems'), ['math', 'restem', 'pass-at-1-greedy', 0.5], ['math', 'restem-quarter-problems', 'pass-at-1-greedy', 0.4]]).status, 'not-checked');
});
