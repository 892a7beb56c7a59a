// The fine-tuning analogue: a tiny causal Transformer (shared stack, harness/nn/lm) trained from
// scratch on addition of 1…trainMax digits in one target format, weights cached by configuration,
// then greedy decoding on trainMax+1…2·trainMax digits. Decoding runs one teacher-forced pass per
// batch (an output equal to its target is settled there) and continues the others token by token
// with the KV cache from their first deviation.
import type { Rng, RunContext } from '../../harness/api/index.ts';
import { charTokenizer, generate, tokenId, trainLM, trainOrLoadCached, transformerLM, type CharTokenizer, type LMBatch, type Positional, type Tf, type TransformerLM } from '../../harness/nn/lm/index.ts';
import { COMPACT_ALPHABET, compactLength, compactTarget, EOS, PAD, randomCompactExample, type CompactExample, type CompactFormat } from './compact-formats.ts';

export interface Vocabulary {
  tokenizer: CharTokenizer;
  eos: number;
  pad: number;
}

export function vocabulary(): Vocabulary {
  const tokenizer = charTokenizer(COMPACT_ALPHABET, [EOS, PAD]);
  return { tokenizer, eos: tokenId(tokenizer, EOS), pad: tokenId(tokenizer, PAD) };
}

function encode(vocab: Vocabulary, ex: CompactExample): { prompt: Int32Array; target: Int32Array } {
  const prompt = vocab.tokenizer.encode(ex.prompt);
  const body = vocab.tokenizer.encode(compactTarget(ex));
  const target = new Int32Array(body.length + 1);
  target.set(body);
  target[body.length] = vocab.eos;
  return { prompt, target };
}

/** Right-padded prompt + target rows; the loss mask covers the target tokens (EOS included) only. */
export function makeBatch(vocab: Vocabulary, examples: readonly CompactExample[]): LMBatch {
  const rows = examples.map((ex) => encode(vocab, ex));
  const length = Math.max(...rows.map((r) => r.prompt.length + r.target.length)) - 1;
  const ids = new Int32Array(rows.length * (length + 1)).fill(vocab.pad);
  const lossMask = new Float32Array(rows.length * length);
  rows.forEach((r, b) => {
    ids.set(r.prompt, b * (length + 1));
    ids.set(r.target, b * (length + 1) + r.prompt.length);
    for (let t = r.prompt.length - 1; t < r.prompt.length - 1 + r.target.length; t++) lossMask[b * length + t] = 1;
  });
  return { ids, batch: rows.length, length, lossMask };
}

export interface FinetuneConfig {
  format: CompactFormat;
  trainMax: number;
  positional: Positional;
  dModel: number;
  heads: number;
  layers: number;
  ffn: number;
  steps: number;
  batch: number;
  lr: number;
  warmupSteps: number;
}

export interface Trained {
  model: TransformerLM;
  vocab: Vocabulary;
  msPerStep: number;
  finalLoss: number;
}

/** Bump when anything that changes trained weights for the same configuration changes. */
const TRAINING_VERSION = 1;

export async function trainOrLoad(ctx: RunContext, tf: Tf, cfg: FinetuneConfig, rng: Rng): Promise<Trained> {
  const vocab = vocabulary();
  const longest = compactLength(randomCompactExample(rng.fork('probe'), cfg.trainMax, cfg.format)) + 8;
  const model = transformerLM(tf, { vocabSize: vocab.tokenizer.vocabSize, dModel: cfg.dModel, heads: cfg.heads, layers: cfg.layers, ffn: cfg.ffn, positional: cfg.positional, maxLength: longest }, rng.fork('init'));
  const key = `algorithmic-prompting-v${TRAINING_VERSION}-${JSON.stringify({ ...cfg, vocab: vocab.tokenizer.id, seed: rng.seed })}`;
  const { msPerStep, finalLoss } = await trainOrLoadCached(ctx.cache, key, model, async () => {
    const draw = rng.fork('batches');
    return trainLM(tf, model, {
      steps: cfg.steps, lr: cfg.lr, warmupSteps: cfg.warmupSteps, minLrFraction: 0.1, clipNorm: 1, signal: ctx.signal,
      nextBatch: () => makeBatch(vocab, Array.from({ length: cfg.batch }, () => randomCompactExample(draw, 1 + draw.int(cfg.trainMax), cfg.format))),
      onProgress: (f, note) => ctx.progress(0.8 * f, `training ${cfg.format}: ${note}`),
    });
  });
  return { model, vocab, msPerStep, finalLoss };
}

/** Greedy continuations (target text without EOS; `eos` false when the token limit cut it). */
export function greedyDecode(tf: Tf, model: TransformerLM, vocab: Vocabulary, examples: readonly CompactExample[], chunk = 32): { text: string; eos: boolean }[] {
  const out: { text: string; eos: boolean }[] = [];
  const decode = (ids: ArrayLike<number>) => vocab.tokenizer.decode(ids);
  for (let start = 0; start < examples.length; start += chunk) {
    const part = examples.slice(start, start + chunk);
    const batch = makeBatch(vocab, part);
    const L = batch.length;
    const inputs = new Int32Array(part.length * L);
    for (let b = 0; b < part.length; b++) inputs.set(batch.ids.subarray(b * (L + 1), b * (L + 1) + L), b * L);
    const pred = tf.tidy(() => tf.argMax(model.logits(tf.tensor2d(inputs, [part.length, L], 'int32')), -1).dataSync() as Int32Array);
    part.forEach((ex, b) => {
      const { prompt, target } = encode(vocab, ex);
      let k = 0;
      while (k < target.length && pred[b * L + prompt.length - 1 + k] === target[k]) k++;
      if (k === target.length) return out.push({ text: decode(target.subarray(0, -1)), eos: true });
      const first = pred[b * L + prompt.length - 1 + k];
      const generated = [...target.subarray(0, k), first];
      if (first === vocab.eos) return out.push({ text: decode(generated.slice(0, -1)), eos: true });
      const limit = target.length + 8;
      const more = generate(tf, model, [...prompt, ...generated], { maxTokens: Math.max(0, limit - generated.length), temperature: 0, stop: [vocab.eos] });
      const all = [...generated, ...more];
      const eos = all[all.length - 1] === vocab.eos;
      out.push({ text: decode(eos ? all.slice(0, -1) : all), eos });
    });
  }
  return out;
}
