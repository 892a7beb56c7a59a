// The retrieval rows transformer-w256 trains on: the curriculum's two row lengths, and every row's last
// answer is the number of the needle whose city the last question names, with loss weight 1 on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { FILLER_WEIGHT, retrievalCurriculum, SHORT_LENGTH, WINDOW } from '../transformer.ts';

const text = (ids: Int32Array) => Buffer.from(Uint8Array.from(ids)).toString('latin1');

test('the curriculum gives 128-byte one-needle rows before shortSteps and 256-byte rows after, each answering its last question', () => {
  const next = retrievalCurriculum(createRng(7), 4, 2);
  for (const step of [0, 1, 2, 3]) {
    const batch = next(step);
    const L = step < 2 ? SHORT_LENGTH : WINDOW;
    assert.equal(batch.length, L, `step ${step}`);
    assert.equal(batch.ids.length, 4 * (L + 1));
    for (let b = 0; b < 4; b++) {
      const row = text(batch.ids.subarray(b * (L + 1), (b + 1) * (L + 1)));
      const needles = [...row.matchAll(/ The special magic ([A-Za-z]+) number is: (\d{7})\./g)];
      if (step < 2) assert.equal(needles.length, 1, `step ${step} row ${b}: ${JSON.stringify(row)}`);
      else assert.ok(needles.length >= 1 && needles.length <= 3, `step ${step} row ${b}: ${needles.length} needles`);
      const last = /\n\nThe special magic ([A-Za-z]+) number is: (\d{7})$/.exec(row);
      assert.ok(last, `step ${step} row ${b} ends with a question and its answer: ${JSON.stringify(row.slice(-60))}`);
      const asked = needles.find((m) => m[1] === last[1]);
      assert.ok(asked, `the last question's city ${last[1]} has a needle in the row`);
      assert.equal(last[2], asked[2], 'the answer is that needle’s number');
      // targets t = 1..L sit at mask index t − 1: the 8 answer bytes (" " + 7 digits) weigh 1, filler FILLER_WEIGHT
      const mask = batch.lossMask!.subarray(b * L, (b + 1) * L);
      assert.deepEqual([...mask.subarray(L - 8)], Array(8).fill(1));
      const questions = row.split('\n\nThe special magic ').length - 1;
      assert.equal(mask.filter((w) => w === 1).length, 8 * questions, 'weight 1 on the answers only');
      assert.ok(mask.every((w) => w === 0 || w === 1 || Math.abs(w - FILLER_WEIGHT) < 1e-7));
    }
  }
});
