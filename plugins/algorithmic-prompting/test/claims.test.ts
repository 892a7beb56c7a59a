// Claims on hand-made rows: the error-reduction factor against the best other style, the
// precondition of the fine-tuning ordering, and not-checked without the rows a claim needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LeaderboardView, ResultRow } from '../../../harness/api/index.ts';
import { claims } from '../claims.ts';

const row = (task: string, method: string, params: object, metric: string, value: number, seed = 0) =>
  ({ task: `algorithmic-prompting/${task}`, method, params: JSON.stringify(params), metric, value, seed, status: 'ok' }) as unknown as ResultRow;
const view = (rows: ResultRow[]) => ({ suite: 's', budget: 'full', cells: [], rows, cell: () => undefined }) as unknown as LeaderboardView;

test('icl-error-reduction: (1 − best baseline) / (1 − algorithmic) beyond the exemplars, per model and operation', () => {
  const p = (style: string) => ({ style, perturbation: 'none', lengths: [8] });
  const rows = [
    row('icl-addition', 'm', p('algorithmic'), 'acc-beyond-exemplar-lengths', 0.9),
    row('icl-addition', 'm', p('scratchpad'), 'acc-beyond-exemplar-lengths', 0.2),
    row('icl-addition', 'm', p('few-shot'), 'acc-beyond-exemplar-lengths', 0.0),
  ];
  const v = claims['icl-error-reduction'].check(view(rows));
  assert.equal(v.status, 'holds');
  assert.match(v.measured!, /m addition: algorithmic 90\.0 % vs scratchpad 20\.0 % → ×8\.00 \(paper ≈ ×9\)/);
  rows[0] = row('icl-addition', 'm', p('algorithmic'), 'acc-beyond-exemplar-lengths', 0.1);
  assert.equal(claims['icl-error-reduction'].check(view(rows)).status, 'fails');
  assert.equal(claims['icl-error-reduction'].check(view([])).status, 'not-checked');
});

test('finetune-format-ordering is not-checked when a format does not fit its training lengths, and checks the order otherwise', () => {
  const rows = (fit: number) => [
    ...['direct', 'scratchpad', 'algorithmic'].map((f) => row('addition-finetune', `algorithmic-prompting/${f}`, {}, 'acc-in-dist', f === 'direct' ? fit : 1)),
    row('addition-finetune', 'algorithmic-prompting/direct', {}, 'acc-ood', 0),
    row('addition-finetune', 'algorithmic-prompting/scratchpad', {}, 'acc-ood', 0.2),
    row('addition-finetune', 'algorithmic-prompting/algorithmic', {}, 'acc-ood', 0.5),
  ];
  const unfit = claims['finetune-format-ordering'].check(view(rows(0.5)));
  assert.equal(unfit.status, 'not-checked');
  assert.match(unfit.why, /precondition unmet: direct below 90\.0 %/);
  assert.equal(claims['finetune-format-ordering'].check(view(rows(0.95))).status, 'holds');
  assert.equal(claims['finetune-in-distribution-fit'].check(view(rows(0.5))).status, 'fails');
});

test('the systematic/irregular claim compares clean, systematic and irregular algorithmic addition prompts', () => {
  const p = (perturbation: string) => ({ style: 'algorithmic', perturbation, lengths: [3] });
  const v = claims['icl-systematic-errors-collapse'].check(view([
    row('icl-addition', 'm', p('none'), 'acc', 0.8),
    row('icl-addition', 'm', p('systematic'), 'acc', 0.02),
    row('icl-addition', 'm', p('irregular'), 'acc', 0.75),
  ]));
  assert.equal(v.status, 'holds', v.measured);
});

test('the perturbation claim is not-checked when the model does not solve clean prompts', () => {
  const p = (perturbation: string) => ({ style: 'algorithmic', perturbation, lengths: [3] });
  const v = claims['icl-systematic-errors-collapse'].check(view([
    row('icl-addition', 'm', p('none'), 'acc', 0.1),
    row('icl-addition', 'm', p('systematic'), 'acc', 0),
    row('icl-addition', 'm', p('irregular'), 'acc', 0),
  ]));
  assert.equal(v.status, 'not-checked');
  assert.match(v.why, /precondition unmet/);
});
