// The online PPM language model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { ppmLogProbsReference } from '../kernels.ts';
import { ppmLanguageModel } from '../models.ts';
import { PpmModel, ppmLogProbs } from '../ppm.ts';
import { runNeedle } from '../protocols.ts';
import { proseHaystack } from '../corpora.ts';

test('PPM probabilities sum to 1 over the vocabulary in every context', () => {
  const rng = createRng(5);
  const model = new PpmModel({ order: 4, vocabSize: 40 });
  for (let t = 0; t < 300; t++) {
    if (t % 37 === 0) {
      const sum = model.distribution().reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-12, `step ${t}: Σp = ${sum}`);
    }
    model.update(rng.int(t < 150 ? 40 : 6)); // a change of distribution half-way
  }
});

test('PPM log-probabilities match a string-keyed reference implementation, and a hand-computed value', () => {
  const rng = createRng(7);
  const ids = Array.from({ length: 2000 }, () => (rng.next() < 0.5 ? rng.int(5) : rng.int(300)));
  const a = ppmLogProbs(ids, { order: 6, vocabSize: 300 });
  const b = ppmLogProbsReference(ids, 300, 6);
  assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-12));
  // stream [1, 1], V = 4, order 1: after [1]: order 0 has {1:1}, n = 1, u = 1 → (1 + 1/4)/2 = 5/8;
  // order-1 context [1] unseen → P(1 | [1]) = 5/8
  assert.ok(Math.abs(ppmLogProbs([1, 1], { order: 1, vocabSize: 4 })[0] - Math.log(5 / 8)) < 1e-15);
});

test('argmax equals the brute-force maximum of the distribution', () => {
  const rng = createRng(9);
  const model = new PpmModel({ order: 3, vocabSize: 60 });
  for (let t = 0; t < 400; t++) {
    const p = model.distribution();
    let best = 0;
    p.forEach((v, i) => { if (v > p[best]) best = i; });
    assert.equal(model.argmax(), best, `step ${t}`);
    model.update(rng.next() < 0.7 ? rng.int(8) : rng.int(60));
  }
});

test('ppm-6 retrieves a planted needle from a 2,000-token prose haystack', async () => {
  const lm = await ppmLanguageModel(6);
  const needle = { city: 'Valencia', number: '4820193' };
  const out = await runNeedle(lm, { kind: 'needle', length: 2000, depth: 37, needle, haystack: proseHaystack(createRng(11), 14_000) });
  assert.equal(out.promptTokens, 2000);
  assert.match(out.answer, /^ 4820193\b/);
});
