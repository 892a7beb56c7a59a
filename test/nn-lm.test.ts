// The shared sequence-model stack (harness/nn/lm): tokenizers, the causal Transformer and its
// positional schemes, the hand-written gradients, the trainer, evaluation, sampling, the
// LanguageModel adapter and weight serialization. Goldens are hand calculations or independent
// reference implementations written here with stock tfjs ops (autodiff instead of hand gradients).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { asLanguageModel } from '../harness/models/sequence-model-lm.ts';
import {
  alibiSlopes,
  applyRope,
  attentionBias,
  bitsPerByte,
  byteTokenizer,
  causalAttention,
  charTokenizer,
  clipByGlobalNorm,
  gelu,
  generate,
  layerNorm,
  lmLearningRate,
  linear,
  lmLoss,
  loadModelWeights,
  POSITIONAL_VARIANTS,
  ropeTables,
  sampleToken,
  serializeModel,
  tokenId,
  tokenLogProbs,
  trainLM,
  transformerLM,
  type LMBatch,
  type Positional,
  type SequenceModel,
  type Tf,
  type TF,
  type TransformerConfig,
} from '../harness/nn/lm/index.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

const tiny = (positional: Positional, extra: Partial<TransformerConfig> = {}): TransformerConfig => ({
  vocabSize: 13,
  dModel: 16,
  heads: 2,
  layers: 2,
  ffn: 32,
  positional,
  maxLength: 24,
  ...extra,
});

function ids2d(rows: number[][]): TF.Tensor2D {
  return tf.tensor2d(Int32Array.from(rows.flat()), [rows.length, rows[0].length], 'int32');
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// ---------------------------------------------------------------- tokenizers

test('the byte tokenizer round-trips ASCII, multi-byte UTF-8 and every byte value', () => {
  const text = 'const ü = "日本語"; // 🚀';
  const ids = byteTokenizer.encode(text);
  assert.equal(ids.length, new TextEncoder().encode(text).length);
  assert.equal(byteTokenizer.decode(ids), text);
  assert.deepEqual(Array.from(byteTokenizer.encode('AZ')), [65, 90]);
  assert.equal(byteTokenizer.vocabSize, 256);
  assert.throws(() => byteTokenizer.decode([300]), /not a byte/);
});

test('a char tokenizer numbers the alphabet, then its special tokens, and reads specials literally', () => {
  const tok = charTokenizer('01 =', ['<pad>', '<eos>']);
  assert.equal(tok.vocabSize, 6);
  assert.equal(tokenId(tok, '<eos>'), 5);
  const ids = tok.encode('0 1=1<eos><pad>');
  assert.deepEqual(Array.from(ids), [0, 2, 1, 3, 1, 5, 4]);
  assert.equal(tok.decode(ids), '0 1=1<eos><pad>');
  assert.throws(() => tok.encode('012'), /character "2" at offset 2 is not in the alphabet/);
  assert.throws(() => charTokenizer('aa'), /appears twice/);
  assert.throws(() => tok.decode([6]), /outside the vocabulary/);
});

// ---------------------------------------------------------------- positional schemes

test('RoPE is relative: shifting query and key positions by the same amount keeps q·k', () => {
  const dh = 8;
  const rng = createRng(3);
  const q = Array.from({ length: dh }, () => rng.normal());
  const k = Array.from({ length: dh }, () => rng.normal());
  const score = (m: number, n: number) =>
    tf.tidy(() => {
      const positions = Math.max(m, n) + 1;
      const { cos, sin } = ropeTables(positions, dh);
      const c = tf.tensor2d(cos, [positions, dh / 2]);
      const s = tf.tensor2d(sin, [positions, dh / 2]);
      const rows = (v: number[], p: number) => tf.tensor2d(Array.from({ length: positions }, (_, i) => (i === p ? v : new Array(dh).fill(0))));
      const qr = applyRope(tf, rows(q, m), c, s).slice([m, 0], [1, dh]);
      const kr = applyRope(tf, rows(k, n), c, s).slice([n, 0], [1, dh]);
      return tf.sum(tf.mul(qr, kr)).dataSync()[0];
    });
  const base = score(7, 3);
  for (const shift of [1, 5, 40]) assert.ok(Math.abs(score(7 + shift, 3 + shift) - base) < 1e-4, `shift ${shift}`);
  // …and it is not translation-invariant in one argument alone.
  assert.ok(Math.abs(score(8, 3) - base) > 1e-3);
});

test('ALiBi slopes and biases follow Press et al. (4 heads: 1/4, 1/16, 1/64, 1/256)', () => {
  assert.deepEqual(Array.from(alibiSlopes(4)), [0.25, 0.0625, 0.015625, 0.00390625]);
  const bias = attentionBias(2, 3, Float32Array.from([0.5]))!;
  // queries at positions 1 and 2 over keys 0..2
  assert.deepEqual(bias.shape, [1, 2, 3]);
  assert.deepEqual(Array.from(bias.data), [-0.5, -0, -1e9, -1, -0.5, -0]);
  assert.equal(attentionBias(1, 5, null), null);
});

// ---------------------------------------------------------------- hand-written gradients

/** Reference attention with stock ops: batched matMul, additive mask, softmax; autodiff gradients. */
function referenceAttention(q: TF.Tensor2D, k: TF.Tensor2D, v: TF.Tensor2D, B: number, H: number, n: number, T: number, rope: boolean, slopes: Float32Array | null): TF.Tensor2D {
  const d = q.shape[1];
  const dh = d / H;
  const heads = (x: TF.Tensor2D, rows: number) => tf.reshape(tf.transpose(tf.reshape(x, [B, rows, H, dh]), [0, 2, 1, 3]), [B * H, rows, dh]) as TF.Tensor3D;
  let qh = heads(q, n);
  let kh = heads(k, T);
  if (rope) {
    const all = ropeTables(T, dh);
    const c = tf.tensor2d(all.cos, [T, dh / 2]);
    const s = tf.tensor2d(all.sin, [T, dh / 2]);
    kh = applyRope(tf, kh, c, s);
    qh = applyRope(tf, qh, c.slice([T - n, 0], [n, dh / 2]), s.slice([T - n, 0], [n, dh / 2]));
  }
  const bias = attentionBias(n, T, slopes)!;
  // ALiBi's bias is added after the 1/√dh scaling of q·k (as in Press et al.'s implementation).
  const scores = tf.add(tf.reshape(tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(dh)), [B, H, n, T]), tf.tensor3d(bias.data, bias.shape));
  const scaled = tf.matMul(tf.reshape(tf.softmax(scores), [B * H, n, T]), heads(v, T));
  return tf.reshape(tf.transpose(tf.reshape(scaled, [B, H, n, dh]), [0, 2, 1, 3]), [B * n, d]) as TF.Tensor2D;
}

test('causal attention, block-wise (JS RoPE, hand gradient) and batched, equals a stock-op reference in values and gradients', () => {
  const B = 2;
  const H = 2;
  const d = 8;
  const rng = createRng(11);
  const rand = (rows: number) => tf.tensor2d(Float32Array.from({ length: rows * d }, () => rng.normal()), [rows, d]);
  for (const [n, T] of [
    [5, 5],
    [2, 6],
  ] as const) {
    for (const variant of ['plain', 'rope', 'alibi'] as const) {
      const slopes = variant === 'alibi' ? alibiSlopes(H) : null;
      const rope = variant === 'rope';
      const bias = attentionBias(n, T, slopes)!;
      const [q, k, v] = [rand(B * n), rand(B * T), rand(B * T)];
      for (const implementation of ['blocks', 'batched'] as const) {
      const shape = { batch: B, heads: H, queries: n, total: T, rope, bias: { data: bias.data, groups: bias.shape[0] }, implementation };
      const w = rand(B * n); // a random cotangent
      const loss = (f: (a: TF.Tensor2D, b: TF.Tensor2D, c: TF.Tensor2D) => TF.Tensor2D) => (a: TF.Tensor, b: TF.Tensor, c: TF.Tensor) => tf.sum(tf.mul(f(a as TF.Tensor2D, b as TF.Tensor2D, c as TF.Tensor2D), w));
      const ours = tf.grads(loss((a, b, c) => causalAttention(tf, a, b, c, shape)))([q, k, v]);
      const theirs = tf.grads(loss((a, b, c) => referenceAttention(a, b, c, B, H, n, T, rope, slopes)))([q, k, v]);
      const label = `${implementation} ${variant} n=${n} T=${T}`;
      assert.ok(maxAbsDiff(causalAttention(tf, q, k, v, shape).dataSync(), referenceAttention(q, k, v, B, H, n, T, rope, slopes).dataSync()) < 1e-5, `${label} value`);
      ['q', 'k', 'v'].forEach((name, i) => assert.ok(maxAbsDiff(ours[i].dataSync(), theirs[i].dataSync()) < 1e-4, `${label} d${name}`));
      }
    }
  }
});

test('linear, LayerNorm and GELU gradients equal autodiff of the textbook formulas', () => {
  const rng = createRng(5);
  const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
  const x = rand([6, 4]) as TF.Tensor2D;
  const w = rand([4, 3]) as TF.Tensor2D;
  const b = rand([3]) as TF.Tensor1D;
  const g = rand([4]) as TF.Tensor1D;
  const beta = rand([4]) as TF.Tensor1D;
  const c3 = rand([6, 3]);
  const c4 = rand([6, 4]);
  const check = (label: string, ours: (...t: TF.Tensor[]) => TF.Tensor, ref: (...t: TF.Tensor[]) => TF.Tensor, inputs: TF.Tensor[], cot: TF.Tensor) => {
    assert.ok(maxAbsDiff(ours(...inputs).dataSync(), ref(...inputs).dataSync()) < 1e-5, `${label} value`);
    const a = tf.grads((...t: TF.Tensor[]) => tf.sum(tf.mul(ours(...t), cot)))(inputs);
    const r = tf.grads((...t: TF.Tensor[]) => tf.sum(tf.mul(ref(...t), cot)))(inputs);
    a.forEach((grad, i) => assert.ok(maxAbsDiff(grad.dataSync(), r[i].dataSync()) < 1e-4, `${label} gradient ${i}`));
  };
  check('linear', (p, q, r) => linear(tf, p as TF.Tensor2D, q as TF.Tensor2D, r as TF.Tensor1D), (p, q, r) => tf.add(tf.matMul(p as TF.Tensor2D, q as TF.Tensor2D), r), [x, w, b], c3);
  check(
    'layerNorm',
    (p, q, r) => layerNorm(tf, p as TF.Tensor2D, q as TF.Tensor1D, r as TF.Tensor1D),
    (p, q, r) => {
      const { mean, variance } = tf.moments(p, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(p, mean), tf.sqrt(tf.add(variance, 1e-5))), q), r);
    },
    [x, g, beta],
    c4,
  );
  check('gelu', (p) => gelu(tf, p as TF.Tensor2D), (p) => tf.mul(tf.mul(p, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(p, tf.mul(0.044715, tf.pow(p, 3))))))), [x], c4);
});

// ---------------------------------------------------------------- the Transformer

test('every positional variant is causal: logits at t do not depend on tokens after t', () => {
  const rows = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]];
  const changed = rows.map((r) => r.map((x, t) => (t >= 6 ? (x + 5) % 13 : x)));
  for (const [positional, attention] of POSITIONAL_VARIANTS.flatMap((p) => [[p, 'blocks'], [p, 'batched']] as const)) {
    const model = transformerLM(tf, tiny(positional, { attention }), createRng(1));
    const a = model.logits(ids2d(rows)).arraySync();
    const b = model.logits(ids2d(changed)).arraySync();
    for (let row = 0; row < 2; row++) {
      for (let t = 0; t < 10; t++) {
        const diff = maxAbsDiff(a[row][t], b[row][t]);
        if (t < 6) assert.ok(diff < 1e-6, `${positional}: position ${t} changed by ${diff}`);
        else assert.ok(diff > 1e-4, `${positional}: position ${t} should see the change`);
      }
    }
    model.dispose();
  }
});

test('KV-cache generation equals recompute generation (greedy) for every positional variant', () => {
  const prompt = [1, 5, 2, 7];
  for (const [positional, attention] of POSITIONAL_VARIANTS.flatMap((p) => [[p, 'blocks'], [p, 'batched']] as const)) {
    const model = transformerLM(tf, tiny(positional, { maxLength: 32, attention }), createRng(7));
    const cached = generate(tf, model, prompt, { maxTokens: 20 });
    const recomputed = generate(tf, model, prompt, { maxTokens: 20, noCache: true });
    assert.equal(cached.length, 20);
    assert.deepEqual(cached, recomputed, positional);
    // and the cached logits match the full forward pass position by position
    const decoder = model.decoder!();
    const sequence = [...prompt, ...cached];
    const full = model.logits(ids2d([sequence])).arraySync()[0];
    const first = decoder.append(prompt);
    assert.ok(maxAbsDiff(first, full[prompt.length - 1]) < 1e-4, positional);
    for (let t = prompt.length; t < sequence.length - 1; t++) assert.ok(maxAbsDiff(decoder.append([sequence[t]]), full[t]) < 1e-4, `${positional} at ${t}`);
    decoder.dispose();
    model.dispose();
  }
});

test('learned positions refuse inputs longer than maxLength; the other schemes accept them', () => {
  const learned = transformerLM(tf, tiny('learned', { maxLength: 8 }), createRng(1));
  assert.equal(learned.maxLength, 8);
  assert.throws(() => learned.logits(ids2d([new Array(9).fill(1)])), /9 tokens is longer than the model's maximum of 8/);
  const rope = transformerLM(tf, tiny('rope', { maxLength: 8 }), createRng(1));
  assert.equal(rope.maxLength, null);
  assert.deepEqual(rope.logits(ids2d([new Array(20).fill(1)])).shape, [1, 20, 13]);
  assert.throws(() => transformerLM(tf, { ...tiny('rope'), dModel: 15 }, createRng(1)), /not divisible by heads/);
  assert.throws(() => transformerLM(tf, { ...tiny('rope'), positional: 'relative' as Positional }, createRng(1)), /positional must be one of/);
});

test('the d=128, 4-layer, FFN 512 byte model has the parameter count of the reference (untied: 859,136)', () => {
  // 256·128 (tokens) + 4·(2·128 + 4·(128·128 + 128) + 2·128 + 128·512 + 512 + 512·128 + 128) + 2·128 + 128·256 + 256
  const model = transformerLM(tf, { vocabSize: 256, dModel: 128, heads: 4, layers: 4, ffn: 512, positional: 'rope', maxLength: 256 }, createRng(0));
  assert.equal(model.paramCount(), 859136);
  model.dispose();
});

// ---------------------------------------------------------------- training

test('a tiny model overfits a repeated short string: loss falls far below ln 256 in 60 steps', async () => {
  const text = byteTokenizer.encode('the cat sat on the mat. '.repeat(8));
  const L = 24;
  const model = transformerLM(tf, { vocabSize: 256, dModel: 32, heads: 2, layers: 2, ffn: 64, positional: 'rope', maxLength: L }, createRng(2));
  const rng = createRng(9);
  const result = await trainLM(tf, model, {
    steps: 60,
    lr: 1e-2,
    warmupSteps: 5,
    clipNorm: 1,
    nextBatch: () => {
      const ids = new Int32Array(4 * (L + 1));
      for (let b = 0; b < 4; b++) {
        const start = rng.int(text.length - L - 1);
        ids.set(text.subarray(start, start + L + 1), b * (L + 1));
      }
      return { ids, batch: 4, length: L };
    },
  });
  assert.equal(result.losses.length, 60);
  assert.ok(Math.abs(result.losses[0] - Math.log(256)) < 0.3, `initial loss ${result.losses[0]} ≈ ln 256`);
  const last = result.losses.slice(-5).reduce((a, b) => a + b) / 5;
  assert.ok(last < 1.0, `final loss ${last}`);
  assert.ok(result.msPerStep > 0 && result.tokensPerSecond > 0);
  model.dispose();
});

test('training leaks no tensors: the count stays flat across steps and returns to its start', async () => {
  const model = transformerLM(tf, tiny('alibi'), createRng(4));
  const rng = createRng(1);
  const batch = (): LMBatch => ({ ids: Int32Array.from({ length: 2 * 13 }, () => rng.int(13)), batch: 2, length: 12 });
  const start = tf.memory().numTensors;
  const counts: number[] = [];
  await trainLM(tf, model, { steps: 6, lr: 1e-3, warmupSteps: 2, clipNorm: 1, weightDecay: 0.1, nextBatch: batch, evalEvery: 1, onEval: () => void counts.push(tf.memory().numTensors) });
  assert.equal(new Set(counts).size, 1, `per-step counts ${counts}`);
  assert.equal(tf.memory().numTensors, start);
  model.dispose();
});

test('the loss mask averages only the selected targets (checked against a JS log-softmax)', () => {
  const model = transformerLM(tf, tiny('sinusoidal'), createRng(8));
  const ids = Int32Array.from([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0]); // 2 × (7 + 1)
  const lossMask = Float32Array.from([0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  const batch: LMBatch = { ids, batch: 2, length: 7, lossMask };
  const inputs = [Array.from(ids.subarray(0, 7)), Array.from(ids.subarray(8, 15))];
  const logits = model.logits(ids2d(inputs)).arraySync();
  let total = 0;
  for (let b = 0; b < 2; b++) {
    for (let t = 0; t < 7; t++) {
      if (!lossMask[b * 7 + t]) continue;
      const row = logits[b][t];
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      total += lse - row[ids[b * 8 + t + 1]];
    }
  }
  assert.ok(Math.abs(lmLoss(tf, model, batch).dataSync()[0] - total / 6) < 1e-5);
  assert.throws(() => lmLoss(tf, model, { ...batch, lossMask: new Float32Array(14) }), /selects no target/);
  assert.throws(() => lmLoss(tf, model, { ...batch, lossMask: new Float32Array(3) }), /lossMask must hold/);
});

test('global-norm clipping rescales to the threshold and leaves small gradients alone', () => {
  const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // global norm 5
  const { clipped, norm } = clipByGlobalNorm(tf, grads, 1);
  assert.ok(Math.abs(norm.dataSync()[0] - 5) < 1e-6);
  assert.ok(maxAbsDiff(clipped[0].dataSync(), [0.6, 0]) < 1e-6);
  assert.ok(maxAbsDiff(clipped[1].dataSync(), [0, 0.8]) < 1e-6);
  const untouched = clipByGlobalNorm(tf, grads, 10).clipped;
  assert.ok(maxAbsDiff(untouched[1].dataSync(), [0, 4]) < 1e-6);
});

test('the schedule warms up linearly, then follows a cosine down to the floor', () => {
  const opts = { steps: 110, lr: 1, warmupSteps: 10, minLrFraction: 0.1 };
  assert.equal(lmLearningRate(0, opts), 0.1);
  assert.equal(lmLearningRate(9, opts), 1);
  assert.ok(Math.abs(lmLearningRate(10, opts) - 1) < 1e-12);
  // halfway through the decay (step 10 + 99/2): 0.1 + 0.9·½(1 + cos(π/2)) = 0.55
  assert.ok(Math.abs(lmLearningRate(59.5, opts) - 0.55) < 1e-12);
  assert.ok(Math.abs(lmLearningRate(109, opts) - 0.1) < 1e-12);
});

test('training stops with the abort reason when the signal fires', async () => {
  const model = transformerLM(tf, tiny('none'), createRng(4));
  const controller = new AbortController();
  const rng = createRng(1);
  const run = trainLM(tf, model, {
    steps: 50,
    lr: 1e-3,
    warmupSteps: 0,
    signal: controller.signal,
    nextBatch: (step) => {
      if (step === 3) controller.abort(new Error('stop now'));
      return { ids: Int32Array.from({ length: 13 }, () => rng.int(13)), batch: 1, length: 12 };
    },
  });
  await assert.rejects(run, /stop now/);
  model.dispose();
});

// ---------------------------------------------------------------- evaluation

/** A model with fixed logits: zeros (uniform) or, per position t of the window, logit t on id 0. */
function fixedModel(vocabSize: number, logitAt: (t: number, v: number) => number): SequenceModel {
  return {
    kind: 'fixed',
    vocabSize,
    maxLength: null,
    variables: [],
    paramCount: () => 0,
    logits: (ids) => {
      const [B, L] = ids.shape;
      return tf.tensor3d(Float32Array.from({ length: B * L * vocabSize }, (_, i) => logitAt(Math.floor(i / vocabSize) % L, i % vocabSize)), [B, L, vocabSize]);
    },
    dispose: () => {},
  };
}

test('a uniform model scores exactly 8 bits per byte, counting every target once', () => {
  const uniform = fixedModel(256, () => 0);
  const data = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37) % 256);
  const whole = bitsPerByte(tf, uniform, data, { length: 100 });
  assert.ok(Math.abs(whole.bitsPerByte - 8) < 1e-5);
  assert.equal(whole.tokens, 1000); // 10 windows of 100 targets
  const sliding = bitsPerByte(tf, uniform, data, { length: 100, stride: 50, batch: 3 });
  assert.equal(sliding.tokens, 1000); // 100 + 18 windows × 50 new targets
  assert.equal(bitsPerByte(tf, uniform, data, { length: 100, maxTokens: 250 }).tokens, 250);
  assert.throws(() => bitsPerByte(tf, uniform, data.subarray(0, 50), { length: 100 }), /fewer than one window/);
  const logProbs = tokenLogProbs(tf, uniform, data.subarray(0, 40), { window: 16 });
  assert.equal(logProbs.length, 39);
  assert.ok(maxAbsDiff(logProbs, new Array(39).fill(-Math.log(256))) < 1e-5);
});

test('sliding-window log-probs give each token the documented amount of context', () => {
  // logit t on id 0 at window position t: ln p(0) = t − ln(e^t + V − 1) reveals the context t + 1.
  const V = 4;
  const probe = fixedModel(V, (t, v) => (v === 0 ? t : 0));
  const contextOf = (lp: number) => {
    for (let t = 0; t < 64; t++) if (Math.abs(lp - (t - Math.log(Math.exp(t) + V - 1))) < 1e-4) return t + 1;
    return -1;
  };
  const n = 30;
  const window = 8;
  const stride = 4;
  const contexts = Array.from(tokenLogProbs(tf, probe, new Array(n).fill(0), { window, stride }), contextOf);
  contexts.forEach((c, i) => {
    const t = i + 1; // predicting x_t
    if (t <= window) assert.equal(c, t, `x_${t} sees all ${t} earlier tokens`);
    else assert.ok(c >= window - stride + 1 && c <= window, `x_${t} context ${c}`);
  });
});

// ---------------------------------------------------------------- sampling

test('top-k and top-p sampling draw only from their support, in proportion', () => {
  const logits = [Math.log(0.4), Math.log(0.3), Math.log(0.2), Math.log(0.1)];
  const rng = createRng(21);
  const counts = (opts: { topK?: number; topP?: number }) => {
    const c = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) c[sampleToken(logits, { temperature: 1, rng, ...opts })]++;
    return c;
  };
  const k2 = counts({ topK: 2 });
  assert.equal(k2[2] + k2[3], 0);
  assert.ok(Math.abs(k2[0] / 4000 - 0.4 / 0.7) < 0.03, `${k2}`);
  const p5 = counts({ topP: 0.5 }); // 0.4 < 0.5 ≤ 0.7 → {0, 1}
  assert.equal(p5[2] + p5[3], 0);
  assert.ok(p5[1] > 1000);
  const p8 = counts({ topP: 0.8 }); // 0.9 ≥ 0.8 → {0, 1, 2}
  assert.equal(p8[3], 0);
  assert.ok(p8[2] > 500);
  const all = counts({});
  assert.ok(Math.abs(all[3] / 4000 - 0.1) < 0.02, `${all}`);
  assert.equal(sampleToken([0, 2, 2, 1], { temperature: 0 }), 1); // greedy, ties → lower id
  assert.throws(() => sampleToken(logits, { temperature: 1 }), /needs an rng/);
});

test('generation stops at a stop token and respects maxTokens; sampling is seeded', () => {
  const model = transformerLM(tf, tiny('rope'), createRng(3));
  const greedy = generate(tf, model, [1, 2], { maxTokens: 10 });
  const stopAt = greedy[3];
  const stopped = generate(tf, model, [1, 2], { maxTokens: 10, stop: [stopAt] });
  assert.deepEqual(stopped, greedy.slice(0, greedy.indexOf(stopAt) + 1));
  const a = generate(tf, model, [1, 2], { maxTokens: 12, temperature: 1, topK: 5, rng: createRng(5) });
  const b = generate(tf, model, [1, 2], { maxTokens: 12, temperature: 1, topK: 5, rng: createRng(5) });
  assert.deepEqual(a, b);
  assert.throws(() => generate(tf, model, [], { maxTokens: 3 }), /at least one token/);
  assert.throws(() => generate(tf, model, [99], { maxTokens: 3 }), /outside the vocabulary/);
  model.dispose();
});

test('a learned-position model keeps generating past maxLength with a sliding window', () => {
  const model = transformerLM(tf, tiny('learned', { maxLength: 8 }), createRng(3));
  const out = generate(tf, model, [1, 2, 3], { maxTokens: 12 });
  assert.equal(out.length, 12);
  assert.deepEqual(generate(tf, model, [1, 2, 3], { maxTokens: 12, noCache: true }), out);
  model.dispose();
});

// ---------------------------------------------------------------- adapter and serialization

test('asLanguageModel scores and generates through the wrapped model', async () => {
  const tok = charTokenizer('abc', ['<eos>']);
  const model = transformerLM(tf, { ...tiny('rope'), vocabSize: 4 }, createRng(6));
  const lm = asLanguageModel(tf, 'tiny', model, tok, { window: 16 });
  assert.equal(lm.descriptor.contextLength, 16);
  const ids = tok.encode('abcabca<eos>');
  assert.ok(maxAbsDiff(await lm.tokenLogProbs(ids), tokenLogProbs(tf, model, ids, { window: 16 })) < 1e-9);
  const [greedy] = await lm.complete(ids.subarray(0, 3), { maxTokens: 5 });
  assert.deepEqual(greedy.tokens, generate(tf, model, ids.subarray(0, 3), { maxTokens: 5 }));
  assert.equal(greedy.text, tok.decode(greedy.tokens!));
  // a stop string ends generation and is cut from the text
  const first = greedy.text[0];
  const [stopped] = await lm.complete('abc', { maxTokens: 5, stop: [first] });
  assert.equal(stopped.text, '');
  assert.equal(stopped.finishReason, 'stop');
  // sampled completions are reproducible from the seed, and differ across the n completions' generators
  const a = await lm.complete('ab', { maxTokens: 8, temperature: 1, seed: 3, n: 3 });
  assert.deepEqual(await lm.complete('ab', { maxTokens: 8, temperature: 1, seed: 3, n: 3 }), a);
  await assert.rejects(lm.complete('ab', { maxTokens: 8, temperature: 1 }), /needs a seed/);
  assert.throws(() => asLanguageModel(tf, 'x', model, byteTokenizer), /256 tokens but the model only 4/);
});

test('weights survive serialize → load into a fresh model; a different architecture is refused', () => {
  const a = transformerLM(tf, tiny('learned'), createRng(1));
  const b = transformerLM(tf, tiny('learned'), createRng(2));
  const input = ids2d([[1, 2, 3, 4, 5]]);
  assert.ok(maxAbsDiff(a.logits(input).dataSync(), b.logits(input).dataSync()) > 1e-3);
  const bytes = serializeModel(a);
  loadModelWeights(b, bytes);
  assert.equal(maxAbsDiff(a.logits(input).dataSync(), b.logits(input).dataSync()), 0);
  const wider = transformerLM(tf, tiny('learned', { ffn: 48 }), createRng(1));
  assert.throws(() => loadModelWeights(wider, bytes), /h0\.ffn\.w1 \[16,32\] in the weights but h0\.ffn\.w1 \[16,48\] in the model/);
  const other = transformerLM(tf, tiny('rope'), createRng(1));
  assert.throws(() => loadModelWeights(other, bytes), /weights are for a transformer-learned model/);
  assert.throws(() => loadModelWeights(a, new Uint8Array(20)), /bad magic/);
});
