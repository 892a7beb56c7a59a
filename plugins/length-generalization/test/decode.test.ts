// Batched greedy decoding (teacher-forced shortcut + batched recompute) agrees with the shared
// stack's generate() token for token. The model is a hand-written rule, so the outcome of every
// example is known: it writes the parity scratchpad correctly for the first 3 steps, then flips
// every state that follows a 1 bit, so some examples are fully right and others go wrong mid-way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import type * as TF from '@tensorflow/tfjs';
import { generate, type SequenceModel, type Tf } from '../../../harness/nn/lm/index.ts';
import { encodeExample, vocabulary, type Vocabulary } from '../batching.ts';
import { greedyDecode } from '../decode.ts';
import { parityExample, PARITY_ALPHABET, targetText, type Example } from '../examples.ts';
import { scoreExample } from '../scoring.ts';

function ruleModel(tf: Tf, vocab: Vocabulary): SequenceModel {
  const tok = vocab.tokenizer.tokens;
  const V = vocab.tokenizer.vocabSize;
  const id = (t: string) => tok.indexOf(t);
  const next = (seq: number[]): number => {
    const text = seq.map((i) => tok[i]);
    const semi = text.indexOf(';');
    if (semi < 0) return id('0');
    const bits = text.slice(1, semi).map(Number);
    const after = text.slice(semi + 1);
    if (after.includes('>')) return after.at(-1) === '>' ? id(after.at(-2) ?? '0') : vocab.eos;
    const k = after.length;
    if (k >= bits.length) return id('>');
    let p = 0;
    for (let i = 0; i <= k; i++) p ^= bits[i];
    return id(String(k >= 3 && bits[k] === 1 ? 1 - p : p));
  };
  return {
    kind: 'rule', vocabSize: V, maxLength: null, variables: [], paramCount: () => 0, dispose: () => {},
    logits(ids: TF.Tensor2D): TF.Tensor3D {
      const [B, L] = ids.shape;
      const rows = ids.arraySync() as number[][];
      const out = new Float32Array(B * L * V);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < L; t++) out[(b * L + t) * V + next(rows[b].slice(0, t + 1))] = 1;
      }
      return tf.tensor3d(out, [B, L, V]);
    },
  };
}

test('greedyDecode = generate() with an EOS stop, on outputs right, wrong mid-way and wrong from the end', async () => {
  const tf = (await loadTensorBackend('auto')).tf as Tf;
  const vocab = vocabulary(PARITY_ALPHABET);
  const model = ruleModel(tf, vocab);
  const rng = createRng(2);
  const examples: Example[] = Array.from({ length: 24 }, (_, i) => parityExample(rng, 1 + (i % 8), 'scratchpad'));
  const slack = 4;
  const decoded = greedyDecode(tf, model, vocab, examples, { slack, batch: 5 });
  let right = 0;
  examples.forEach((ex, i) => {
    const { prompt } = encodeExample(vocab, ex);
    const ids = generate(tf, model, prompt, { maxTokens: targetText(ex).length + 1 + slack, temperature: 0, stop: [vocab.eos] });
    const eos = ids.at(-1) === vocab.eos;
    assert.deepEqual(decoded[i].tokens, (eos ? ids.slice(0, -1) : ids).map((t) => vocab.tokenizer.tokens[t]), `example ${i} (${ex.prompt})`);
    assert.equal(decoded[i].eos, eos);
    // the rule goes wrong exactly at the first step k ≥ 3 that reads a 1 bit
    const bits = ex.prompt.slice(1, -1).split('').map(Number);
    const firstBad = bits.findIndex((b, k) => k >= 3 && b === 1);
    const s = scoreExample(ex, decoded[i], 1);
    assert.equal(s.firstWrong, firstBad < 0 ? null : firstBad, `example ${i} (${ex.prompt})`);
    right += s.exact;
  });
  assert.ok(right > 0 && right < examples.length, `a mix of right and wrong outputs (${right} right)`);
});
