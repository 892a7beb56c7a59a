// Batched KV-cache decoding (transformer batchDecoder + generateBatch + completeMany) against
// one-sequence decoding: same logits to float rounding, same tokens for greedy and for seeded sampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../harness/plan/seeds.ts';
import { charTokenizer, generate, generateBatch, transformerLM, type Tf } from '../harness/nn/lm/index.ts';
import { asLanguageModel } from '../harness/models/sequence-model-lm.ts';

const T = tf as unknown as Tf;

function model() {
  return transformerLM(T, { vocabSize: 12, dModel: 16, heads: 2, layers: 2, ffn: 32, positional: 'rope', maxLength: 64 }, createRng(3));
}

test('batchDecoder gives the logits of the one-sequence decoder for every row', () => {
  const m = model();
  const rows = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 1, 1, 2]];
  const batch = m.batchDecoder!(3);
  const first = batch.append(rows.flatMap((r) => r.slice(0, 2)), 2);
  const second = batch.append(rows.map((r) => r[2]), 1);
  const third = batch.append(rows.flatMap((r) => [r[3]]), 1);
  rows.forEach((r, b) => {
    const one = m.decoder!();
    const expected = [one.append(r.slice(0, 2)), one.append([r[2]]), one.append([r[3]])];
    [first, second, third].forEach((got, i) => {
      for (let v = 0; v < 12; v++) assert.ok(Math.abs(got[b * 12 + v] - expected[i][v]) < 1e-4, `row ${b} step ${i} token ${v}`);
    });
    one.dispose();
  });
  batch.dispose();
  m.dispose();
});

test('generateBatch: prompts of different lengths, greedy and sampled, equal generate() row by row', () => {
  const m = model();
  const prompts = [[1, 2], [3, 4, 5, 6, 7], [8], [2, 2, 2]];
  for (const temperature of [0, 0.9]) {
    const rngs = prompts.map((_, i) => (temperature > 0 ? createRng(10 + i) : undefined));
    const batched = generateBatch(T, m, prompts, { maxTokens: 9, temperature, topK: 5, stop: [11], maxBatch: 3 }, rngs);
    const single = prompts.map((p, i) => generate(T, m, p, { maxTokens: 9, temperature, topK: 5, stop: [11], rng: temperature > 0 ? createRng(10 + i) : undefined }));
    assert.deepEqual(batched, single);
  }
  m.dispose();
});

test('completeMany equals complete() per prompt with its seed', async () => {
  const m = model();
  const tok = charTokenizer('abcdefghij', ['<eos>']);
  const lm = asLanguageModel(T, 'tiny', m, tok, { eos: [10] });
  const requests = [{ prompt: 'abc', seed: 1 }, { prompt: 'jihgf', seed: 2 }];
  const opts = { maxTokens: 8, temperature: 0.7, topK: 40, n: 3, stop: ['j'] };
  const many = await lm.completeMany!(requests, opts);
  for (let j = 0; j < requests.length; j++) assert.deepEqual(many[j], await lm.complete(requests[j].prompt, { ...opts, seed: requests[j].seed }));
  assert.equal(many[0].length, 3);
  // n = 1 takes the one-sequence path: the first completion of each batch matches it
  for (let j = 0; j < requests.length; j++) assert.deepEqual(many[j][0], (await lm.complete(requests[j].prompt, { ...opts, n: 1, seed: requests[j].seed }))[0]);
  m.dispose();
});
