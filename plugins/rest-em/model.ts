// The policy: a tiny character-level causal Transformer of the shared stack (RoPE, 2 layers, d 48),
// sampled through the LanguageModel API (completeMany: every prompt's n samples decoded together
// with the batched KV cache) and trained with harness/nn/lm's trainer. The base model is pretrained
// on single-step "facts" and a few formatted examples; every fine-tune (M-step or SFT) starts from
// weights given by the caller, masks the loss to the solution tokens (and <eos>), and keeps the
// weights of the best validation reward (early stopping). Weights are cached with trainOrLoadCached
// under content keys that name everything that determines them.
import { createHash } from 'node:crypto';
import type { Completion, RunContext, SamplingOptions } from '../../harness/api/index.ts';
import { createRng } from '../../harness/api/index.ts';
import { asLanguageModel } from '../../harness/models/sequence-model-lm.ts';
import type { LocalLanguageModel } from '../../harness/models/local.ts';
import { charTokenizer, loadModelWeights, serializeModel, tokenId, trainLM, trainOrLoadCached, transformerLM, type LMBatch, type Tf, type TransformerConfig, type TransformerLM } from '../../harness/nn/lm/index.ts';
import { ALPHABET, reward, type Domain, type Problem } from './domains.ts';

export const tokenizer = charTokenizer(ALPHABET, ['<eos>', '<pad>']);
export const EOS = tokenId(tokenizer, '<eos>');
export const PAD = tokenId(tokenizer, '<pad>');

export const MODEL_CONFIG: TransformerConfig = { vocabSize: tokenizer.vocabSize, dModel: 48, heads: 4, layers: 2, ffn: 192, positional: 'rope', maxLength: 128 };
/** Longest generated solution (a reference solution is ≤ 30 characters in math, ≤ 45 in code). */
export const MAX_TOKENS: Record<Domain, number> = { math: 36, code: 48 };

export const sha = (value: unknown) => createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex').slice(0, 24);

/** One training row: prompt + target (+ <eos>), loss on the target and <eos> only unless `fullLoss`. */
export interface Row {
  prompt: string;
  target: string;
  fullLoss?: boolean;
}

/** Right-padded rows; lossMask = 1 on the positions predicting target tokens and <eos>. */
export function makeBatch(rows: readonly Row[]): LMBatch {
  const enc = rows.map((r) => ({ prompt: tokenizer.encode(r.prompt), target: tokenizer.encode(r.target), full: r.fullLoss === true }));
  const length = Math.max(...enc.map((e) => e.prompt.length + e.target.length + 1)) - 1;
  const ids = new Int32Array(rows.length * (length + 1)).fill(PAD);
  const lossMask = new Float32Array(rows.length * length);
  enc.forEach((e, b) => {
    const at = b * (length + 1);
    ids.set(e.prompt, at);
    ids.set(e.target, at + e.prompt.length);
    ids[at + e.prompt.length + e.target.length] = EOS;
    const first = e.full ? 0 : Math.max(0, e.prompt.length - 1);
    for (let t = first; t < e.prompt.length + e.target.length; t++) lossMask[b * length + t] = 1;
  });
  return { ids, batch: rows.length, length, lossMask };
}

export interface TrainConfig {
  batch: number;
  lr: number;
  /** Pretraining: optimizer steps. Fine-tuning: passes over the data (at least minSteps steps). */
  steps?: number;
  epochs?: number;
  minSteps?: number;
  /** Fine-tuning: evaluate validation reward this many times over the run (early stopping). */
  evals?: number;
}

/** A policy: the model and its content key (its whole lineage). */
export interface Policy {
  key: string;
  model: TransformerLM;
  lm: LocalLanguageModel;
  /** Fine-tuning facts (null for the base). */
  stats: FinetuneStats | null;
}

export interface FinetuneStats {
  steps: number;
  msPerStep: number;
  finalLoss: number;
  /** Validation reward after each evaluation (greedy pass@1 on the validation split). */
  valRewards: number[];
  bestVal: number;
  bestStep: number;
}

function wrap(tf: Tf, model: TransformerLM, key: string, stats: FinetuneStats | null): Policy {
  const lm = asLanguageModel(tf, `rest-em-${key.slice(0, 8)}`, model, tokenizer, { eos: [EOS], identity: { key } });
  return { key, model, lm, stats };
}

function newModel(tf: Tf): TransformerLM {
  return transformerLM(tf, MODEL_CONFIG, createRng(0).fork('init'));
}

/**
 * The base model: pretrained with full loss on the domain's single-step sequences and its few-shot
 * formatted examples (half of each batch each), weights cached by content.
 */
export async function basePolicy(ctx: RunContext, tf: Tf, domain: Domain, pretrain: readonly string[], fewshot: readonly Problem[], cfg: TrainConfig, seed: number): Promise<Policy> {
  const key = sha({ what: 'rest-em-base', domain, config: MODEL_CONFIG, tokenizer: tokenizer.id, pretrain: sha(pretrain), fewshot: sha(fewshot.map((p) => [p.prompt, p.solution])), cfg, seed });
  const model = newModel(tf);
  await trainOrLoadCached(ctx.cache, `rest-em/base/${key}`, model, async () => {
    ctx.log.info(`pretraining the ${domain} base model: ${cfg.steps} steps`);
    const rng = createRng(seed).fork('pretrain-batches');
    const half = Math.ceil(cfg.batch / 2);
    const factRow = (): Row => {
      const text = pretrain[rng.int(pretrain.length)];
      const cut = text.indexOf('\n');
      return cut < 0 ? { prompt: '', target: text, fullLoss: true } : { prompt: text.slice(0, cut + 1), target: text.slice(cut + 1), fullLoss: true };
    };
    const fewRow = (): Row => {
      const p = fewshot[rng.int(fewshot.length)];
      return { prompt: p.prompt, target: p.solution, fullLoss: true };
    };
    return trainLM(tf, model, {
      steps: cfg.steps!, lr: cfg.lr, warmupSteps: Math.min(50, Math.ceil(cfg.steps! / 10)), clipNorm: 1, signal: ctx.signal,
      nextBatch: () => makeBatch([...Array.from({ length: cfg.batch - half }, factRow), ...Array.from({ length: half }, fewRow)]),
      onProgress: (f, note) => ctx.progress(0.1 * f, `base ${domain}: ${note}`),
    });
  });
  return wrap(tf, model, key, null);
}

/** Greedy completions of each problem (one per problem), decoded together. */
export async function greedy(policy: Policy, problems: readonly Problem[], domain: Domain): Promise<string[]> {
  if (problems.length === 0) return [];
  const out = await completeMany(policy.lm, problems.map((p) => ({ prompt: p.prompt })), { maxTokens: MAX_TOKENS[domain], temperature: 0 });
  return out.map((c) => c[0].text);
}

/** n sampled completions per problem, problem j with its own seed. */
export async function sample(policy: Policy, problems: readonly Problem[], domain: Domain, n: number, opts: { temperature: number; topK?: number; topP?: number }, seeds: readonly number[]): Promise<string[][]> {
  if (problems.length === 0) return [];
  const out = await completeMany(policy.lm, problems.map((p, j) => ({ prompt: p.prompt, seed: seeds[j] })), { maxTokens: MAX_TOKENS[domain], n, ...opts });
  return out.map((cs) => cs.map((c) => c.text));
}

/** completeMany where the model has it, else one complete() per prompt (same results). */
async function completeMany(lm: LocalLanguageModel, requests: { prompt: string; seed?: number }[], opts: SamplingOptions): Promise<Completion[][]> {
  if (lm.completeMany) return lm.completeMany(requests, opts);
  const out: Completion[][] = [];
  for (const r of requests) out.push(await lm.complete(r.prompt, { ...opts, seed: r.seed }));
  return out;
}

/**
 * A fine-tuned policy: starts from `start`'s weights (a copy; `start` is untouched), trains on `rows`
 * (loss on the targets only) for cfg.epochs passes (at least cfg.minSteps steps), evaluates the
 * greedy validation reward cfg.evals times, stops when it falls below the best (patience 1) and keeps
 * the best weights. The key names the start, the data, the validation set and the configuration.
 */
export async function finetune(ctx: RunContext, tf: Tf, start: Policy, rows: readonly Row[], val: readonly Problem[], domain: Domain, cfg: TrainConfig, seed: number, label: string): Promise<Policy> {
  if (rows.length === 0) throw new Error(`${label}: nothing to fine-tune on (no verified solution)`);
  const key = sha({ what: 'rest-em-finetune', start: start.key, rows: sha(rows), val: sha(val.map((p) => p.id)), cfg, seed });
  const model = newModel(tf);
  loadModelWeights(model, serializeModel(start.model));
  const steps = Math.max(cfg.minSteps ?? 1, Math.ceil(((cfg.epochs ?? 1) * rows.length) / cfg.batch));
  const evalEvery = Math.max(1, Math.floor(steps / (cfg.evals ?? 4)));
  let stats: FinetuneStats | null = null;
  await trainOrLoadCached(ctx.cache, `rest-em/finetune/${key}`, model, async () => {
    const rng = createRng(seed).fork('finetune-batches');
    let order: number[] = [];
    const next = () => {
      if (order.length === 0) order = rng.shuffle(rows.map((_, i) => i));
      return rows[order.pop()!];
    };
    const probe = wrap(tf, model, key, null);
    const valRewards: number[] = [];
    let best = -1;
    let bestStep = 0;
    let bestWeights: Uint8Array | null = null;
    let stopped = false;
    const result = await trainLM(tf, model, {
      steps, lr: cfg.lr, warmupSteps: Math.min(10, Math.ceil(steps / 10)), minLrFraction: 0.1, clipNorm: 1, signal: ctx.signal,
      nextBatch: () => makeBatch(Array.from({ length: cfg.batch }, next)),
      evalEvery,
      onEval: async (step) => {
        const texts = await greedy(probe, val, domain);
        const r = texts.reduce((s, t, i) => s + reward(domain, val[i], t), 0) / val.length;
        valRewards.push(r);
        if (r >= best) {
          best = r;
          bestStep = step;
          bestWeights = serializeModel(model);
        } else if (r < best) stopped = true;
      },
      shouldStop: () => stopped,
      onProgress: (f, note) => ctx.progress(0.1 + 0.8 * f, `${label}: ${note}`),
    });
    if (bestWeights) loadModelWeights(model, bestWeights);
    const tail = result.losses.slice(Math.floor(0.9 * result.losses.length));
    stats = { steps: result.losses.length, msPerStep: result.msPerStep, finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length, valRewards, bestVal: best, bestStep };
    return result;
  });
  const saved = await ctx.cache.json(`rest-em/finetune/${key}/facts`, () => {
    if (!stats) throw new Error('cached fine-tuned weights without their statistics; clear the artifact cache');
    return stats as unknown as import('../../harness/api/index.ts').Json;
  });
  return wrap(tf, model, key, saved as unknown as FinetuneStats);
}
