// Claims on hand-made rows: every OOD claim checks only configurations that fit in distribution
// (seed-mean ≥ 99 %, spec acceptance (a)), and is not-checked when none does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LeaderboardView, ResultRow } from '../../../harness/api/index.ts';
import { claims } from '../claims.ts';

const P = 'length-generalization';
const row = (task: string, method: string, positional: string, metric: string, value: number, seed = 0) =>
  ({ task: `${P}/${task}`, method: `${P}/${method}`, params: JSON.stringify({ positional }), metric, value, seed, status: 'ok' }) as unknown as ResultRow;
const view = (rows: ResultRow[]) => ({ suite: P, budget: 'full', cells: [], rows, cell: () => undefined }) as unknown as LeaderboardView;

/** Three seeds of one metric. */
const seeds = (task: string, method: string, positional: string, metric: string, values: number[]) =>
  values.map((v, s) => row(task, method, positional, metric, v, s));

test('direct-parity-ood-chance: a variant below 99 % in distribution is left out, named, and cannot make the claim hold', () => {
  const rows = [
    ...seeds('parity', 'direct-finetune', 'nope', 'acc-in-dist', [1, 1, 1]),
    ...seeds('parity', 'direct-finetune', 'nope', 'acc-ood', [0.5, 0.55, 0.6]),
    ...seeds('parity', 'direct-finetune', 'rope', 'acc-in-dist', [0.64, 0.96, 0.98]),
    ...seeds('parity', 'direct-finetune', 'rope', 'acc-ood', [0.5, 0.4, 0.5]),
  ];
  const v = claims['direct-parity-ood-chance'].check(view(rows));
  assert.equal(v.status, 'holds');
  assert.match(v.measured!, /nope 55\.0 %/);
  assert.match(v.measured!, /not checked, in-distribution accuracy below 99\.0 %: rope \(direct-finetune in distribution 86\.0 %\)/);
  // only the unfit variant: not-checked, with the reason
  const onlyRope = claims['direct-parity-ood-chance'].check(view(rows.filter((r) => r.params.includes('rope'))));
  assert.equal(onlyRope.status, 'not-checked');
  assert.match(onlyRope.why, /precondition unmet/);
  // a fitted variant far from chance fails
  const far = rows.map((r) => (r.metric === 'acc-ood' && r.params.includes('nope') ? { ...r, value: 0.9 } : r));
  assert.equal(claims['direct-parity-ood-chance'].check(view(far)).status, 'fails');
});

test('scratchpad-partial needs both formats fitted on a variant; va-ops-beats-depth needs the assignment model fitted', () => {
  const parity = (scratchId: number) => [
    ...seeds('parity', 'direct-finetune', 'nope', 'acc-in-dist', [1, 1, 1]),
    ...seeds('parity', 'direct-finetune', 'nope', 'acc-ood', [0.5, 0.5, 0.5]),
    ...seeds('parity', 'scratchpad-finetune', 'nope', 'acc-in-dist', [scratchId, scratchId, scratchId]),
    ...seeds('parity', 'scratchpad-finetune', 'nope', 'acc-ood', [0.7, 0.7, 0.7]),
  ];
  const unfit = claims['scratchpad-partial'].check(view(parity(0.7)));
  assert.equal(unfit.status, 'not-checked');
  assert.match(unfit.why, /scratchpad-finetune in distribution 70\.0 %/);
  assert.equal(claims['scratchpad-partial'].check(view(parity(1))).status, 'holds');

  const va = (id: number, ops: number, depth: number) => [
    ...seeds('variable-assignment', 'direct-finetune', 'nope', 'acc-in-dist', [id, id, id]),
    ...seeds('variable-assignment', 'direct-finetune', 'nope', 'acc-ood-ops', [ops, ops, ops]),
    ...seeds('variable-assignment', 'direct-finetune', 'nope', 'acc-ood-depth', [depth, depth, depth]),
  ];
  const vaUnfit = claims['va-ops-beats-depth'].check(view(va(0.7, 0.9, 0.5)));
  assert.equal(vaUnfit.status, 'not-checked');
  assert.match(vaUnfit.measured!, /more #ops 90\.0 % vs more depth 50\.0 %/);
  assert.equal(claims['va-ops-beats-depth'].check(view(va(1, 0.9, 0.5))).status, 'holds');
  assert.equal(claims['va-ops-beats-depth'].check(view(va(1, 0.6, 0.5))).status, 'fails');
});
