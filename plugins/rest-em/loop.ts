// Algorithm 1 of the paper (ReST^EM) and its baselines on one domain:
//   base → for i = 1..I: Generate (E-step: N samples per training problem at T 0.7 / top-k 40,
//   verified; at most `cap` correct ones kept per problem) → Improve (M-step: fine-tune FROM THE BASE
//   on D_i, loss on solution tokens, early stopping on validation reward) → next policy.
// `restart: 'last'` continues from the previous iterate instead (ReST, the paper's Fig. 7 ablation);
// I = 1 is RFT; `sft-human` fine-tunes the base on the given solutions. After every step the policy
// is evaluated (greedy pass@1 on train / test / transfer; T 1.0, top-p 0.95 samples on test for pass@k
// and maj@k); score() verifies those texts itself.
import type { BudgetName, Json, Params, Rng, RunContext } from '../../harness/api/index.ts';
import { createRng } from '../../harness/api/index.ts';
import type { Tf } from '../../harness/nn/lm/index.ts';
import { makeSplits, reward, type Domain, type Problem, type Sizes, type Splits } from './domains.ts';
import { basePolicy, finetune, greedy, sample, sha, type FinetuneStats, type Policy, type Row, type TrainConfig } from './model.ts';

export interface Budget {
  sizes: Record<Domain, Sizes>;
  pretrain: Record<Domain, TrainConfig>;
  finetune: TrainConfig;
  /** ReST-EM defaults: iterations, samples per problem, cap. */
  iterations: number;
  samples: number;
  cap: number;
  /** Samples per test problem for pass@k / maj@k. */
  evalSamples: number;
  /** Training problems evaluated greedily for train accuracy (the first ones of the pool). */
  trainEval: number;
}

export const BUDGETS: Record<BudgetName, Budget> = {
  smoke: {
    sizes: {
      math: { pool: 6, human: 3, fewshot: 3, val: 3, test: 4, transfer: 3 },
      code: { pool: 6, human: 3, fewshot: 3, val: 3, test: 4, transfer: 3 },
    },
    pretrain: { math: { steps: 2, batch: 4, lr: 3e-3 }, code: { steps: 2, batch: 4, lr: 3e-3 } },
    finetune: { batch: 4, lr: 1e-3, epochs: 1, minSteps: 1, evals: 1 },
    iterations: 2, samples: 2, cap: 1, evalSamples: 2, trainEval: 3,
  },
  standard: {
    sizes: {
      math: { pool: 32, human: 12, fewshot: 12, val: 12, test: 24, transfer: 12 },
      code: { pool: 16, human: 8, fewshot: 8, val: 8, test: 24, transfer: 12 },
    },
    pretrain: { math: { steps: 120, batch: 16, lr: 3e-3 }, code: { steps: 80, batch: 16, lr: 3e-3 } },
    finetune: { batch: 16, lr: 1e-3, epochs: 3, minSteps: 12, evals: 2 },
    iterations: 3, samples: 8, cap: 2, evalSamples: 8, trainEval: 24,
  },
  full: {
    sizes: {
      math: { pool: 64, human: 24, fewshot: 16, val: 16, test: 48, transfer: 24 },
      code: { pool: 24, human: 12, fewshot: 24, val: 16, test: 48, transfer: 24 },
    },
    pretrain: { math: { steps: 300, batch: 16, lr: 3e-3 }, code: { steps: 400, batch: 16, lr: 3e-3 } },
    finetune: { batch: 16, lr: 2e-3, epochs: 6, minSteps: 40, evals: 4 },
    iterations: 3, samples: 8, cap: 4, evalSamples: 8, trainEval: 48,
  },
};

/** The paper's generation settings (§5): E-step T 0.7, top-k 40; pass@k / maj@k at T 1.0, top-p 0.95. */
export const E_STEP = { temperature: 0.7, topK: 40 };
export const EVAL_SAMPLING = { temperature: 1.0, topP: 0.95 };

export interface RestEmInstance {
  domain: Domain;
  splits: Splits;
  /** Seed of everything the methods draw (shared by all methods, so common steps are shared and cached). */
  seed: number;
}

export interface Evaluation {
  /** Greedy completions. */
  train: string[];
  test: string[];
  transfer: string[];
  /** evalSamples completions per test problem at T 1.0, top-p 0.95. */
  sampled: string[][];
}

export interface StepResult {
  /** 0 = the starting policy (base), i = after the i-th M-step. */
  iteration: number;
  policy: string;
  /** Key of the weights the M-step started from (the base's for ReST-EM). */
  startedFrom: string | null;
  /** E-step facts (null for the base and for sft-human). */
  generated: { problems: number; samples: number; correctSamples: number; coverage: number; setSize: number; tokens: number } | null;
  finetune: FinetuneStats | null;
  eval: Evaluation;
}

export interface RestEmOutput {
  method: string;
  trainProblems: number;
  steps: StepResult[];
}

export interface MethodConfig {
  kind: 'restem' | 'sft-human';
  iterations: number;
  samples: number;
  cap: number;
  restart: 'base' | 'last';
  /** Fraction of the pool used as training problems (the "fewer problems" ablation). */
  poolFraction: number;
}

const positive = (params: Params, key: string, fallback: number, integer = true): number => {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) throw new RangeError(`param "${key}" must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  return v;
};

export function methodConfig(kind: MethodConfig['kind'], params: Params, budget: Budget, defaults: Partial<MethodConfig> = {}): MethodConfig {
  const restart = (params.restart as string | undefined) ?? defaults.restart ?? 'base';
  if (restart !== 'base' && restart !== 'last') throw new RangeError(`param "restart" must be "base" or "last", got ${JSON.stringify(restart)}`);
  const poolFraction = positive(params, 'poolFraction', defaults.poolFraction ?? 1, false);
  if (poolFraction > 1) throw new RangeError(`param "poolFraction" must be in (0, 1], got ${poolFraction}`);
  return {
    kind,
    iterations: positive(params, 'iterations', defaults.iterations ?? budget.iterations),
    samples: positive(params, 'samples', defaults.samples ?? budget.samples),
    cap: positive(params, 'cap', budget.cap),
    restart, poolFraction,
  };
}

export function prepareInstance(ctx: RunContext, params: Params): RestEmInstance {
  const domain = params.domain as Domain;
  if (domain !== 'math' && domain !== 'code') throw new RangeError(`param "domain" must be "math" or "code", got ${JSON.stringify(domain)}`);
  const budget = BUDGETS[ctx.budget];
  return { domain, splits: makeSplits(domain, budget.sizes[domain], ctx.rng.fork('splits')), seed: ctx.rng.fork('methods').seed };
}

/** Per-problem seeds of a sampling request, from the policy and the purpose (same policy → same samples). */
const seedsFor = (base: Rng, policy: Policy, purpose: string, problems: readonly Problem[]) => problems.map((p) => base.fork(`${purpose}:${policy.key}:${p.id}`).int(2 ** 31));

async function evaluate(ctx: RunContext, instance: RestEmInstance, policy: Policy, budget: Budget, trainProblems: readonly Problem[]): Promise<Evaluation> {
  const { domain, splits } = instance;
  const key = `rest-em/eval/${sha({ policy: policy.key, train: trainProblems.map((p) => p.id), test: splits.test.map((p) => p.id), transfer: splits.transfer.map((p) => p.id), n: budget.evalSamples, sampling: EVAL_SAMPLING, seed: instance.seed })}`;
  const result = await ctx.cache.json(key, async () => {
    const rng = createRng(instance.seed);
    const evalTrain = trainProblems.slice(0, budget.trainEval);
    // one decoding call for the three greedy splits (larger batches, fewer steps)
    const all = await greedy(policy, [...evalTrain, ...splits.test, ...splits.transfer], domain);
    const [a, b] = [evalTrain.length, evalTrain.length + splits.test.length];
    return {
      train: all.slice(0, a),
      test: all.slice(a, b),
      transfer: all.slice(b),
      sampled: await sample(policy, splits.test, domain, budget.evalSamples, EVAL_SAMPLING, seedsFor(rng, policy, 'eval', splits.test)),
    } as unknown as Json;
  });
  return result as unknown as Evaluation;
}

export interface GeneratedSet {
  rows: Row[];
  problems: number;
  samples: number;
  correctSamples: number;
  /** Problems with ≥ 1 verified sample. */
  covered: number;
  tokens: number;
  /** Per problem: how many kept (≤ cap). */
  kept: number[];
}

/**
 * E-step: N samples per problem from `policy` at T 0.7 / top-k 40, each verified; per problem the
 * first `cap` DISTINCT correct solutions (in sample order) are kept. Cached by (policy, problems, N, cap).
 */
export async function generate(ctx: RunContext, instance: RestEmInstance, policy: Policy, problems: readonly Problem[], samples: number, cap: number, iteration: number): Promise<GeneratedSet> {
  const { domain } = instance;
  const key = `rest-em/estep/${sha({ policy: policy.key, problems: problems.map((p) => p.id), samples, cap, sampling: E_STEP, seed: instance.seed })}`;
  const result = await ctx.cache.json(key, async () => {
    ctx.progress(0, `E-step ${iteration}: ${problems.length} problems × ${samples} samples`);
    const texts = await sample(policy, problems, domain, samples, E_STEP, seedsFor(createRng(instance.seed), policy, 'estep', problems));
    return filterAndCap(domain, problems, texts, cap) as unknown as Json;
  });
  return result as unknown as GeneratedSet;
}

/** Verifies every sample and keeps at most `cap` distinct correct solutions per problem. */
export function filterAndCap(domain: Domain, problems: readonly Problem[], texts: readonly string[][], cap: number): GeneratedSet {
  const rows: Row[] = [];
  const kept: number[] = [];
  let correctSamples = 0;
  let covered = 0;
  let tokens = 0;
  problems.forEach((p, j) => {
    const seen = new Set<string>();
    for (const t of texts[j]) {
      tokens += t.length + 1;
      if (!reward(domain, p, t)) continue;
      correctSamples++;
      if (seen.size < cap && !seen.has(t)) {
        seen.add(t);
        rows.push({ prompt: p.prompt, target: t });
      }
    }
    kept.push(seen.size);
    if (seen.size > 0) covered++;
  });
  return { rows, problems: problems.length, samples: texts.reduce((s, t) => s + t.length, 0), correctSamples, covered, tokens, kept };
}

/** The whole loop of one method on one instance. */
export async function runMethod(ctx: RunContext, instance: RestEmInstance, cfg: MethodConfig, name: string): Promise<RestEmOutput> {
  const tf = (await ctx.tensors()).tf as Tf;
  const budget = BUDGETS[ctx.budget];
  const { splits, domain } = instance;
  const trainProblems = splits.pool.slice(0, Math.max(1, Math.round(cfg.poolFraction * splits.pool.length)));
  const policies: Policy[] = [];
  try {
    const base = await basePolicy(ctx, tf, domain, splits.pretrain, splits.fewshot, budget.pretrain[domain], instance.seed);
    policies.push(base);
    const steps: StepResult[] = [{ iteration: 0, policy: base.key, startedFrom: null, generated: null, finetune: null, eval: await evaluate(ctx, instance, base, budget, trainProblems) }];
    if (cfg.kind === 'sft-human') {
      const human = splits.pool.slice(0, budget.sizes[domain].human).map((p): Row => ({ prompt: p.prompt, target: p.solution }));
      const sft = await finetune(ctx, tf, base, human, splits.val, domain, budget.finetune, instance.seed, 'sft-human');
      policies.push(sft);
      steps.push({ iteration: 1, policy: sft.key, startedFrom: base.key, generated: null, finetune: sft.stats, eval: await evaluate(ctx, instance, sft, budget, trainProblems) });
      return { method: name, trainProblems: trainProblems.length, steps };
    }
    let current = base;
    for (let i = 1; i <= cfg.iterations; i++) {
      const set = await generate(ctx, instance, current, trainProblems, cfg.samples, cfg.cap, i);
      const generated = { problems: set.problems, samples: set.samples, correctSamples: set.correctSamples, coverage: set.covered / set.problems, setSize: set.rows.length, tokens: set.tokens };
      if (set.rows.length === 0) {
        ctx.log.info(`iteration ${i}: no verified sample, the loop stops`);
        break;
      }
      // The M-step of ReST-EM restarts from the base model every iteration (restart: 'base').
      const start = cfg.restart === 'base' ? base : current;
      const next = await finetune(ctx, tf, start, set.rows, splits.val, domain, budget.finetune, instance.seed, `M-step ${i}`);
      policies.push(next);
      steps.push({ iteration: i, policy: next.key, startedFrom: start.key, generated, finetune: next.stats, eval: await evaluate(ctx, instance, next, budget, trainProblems) });
      current = next;
    }
    return { method: name, trainProblems: trainProblems.length, steps };
  } finally {
    for (const p of policies) p.model.dispose();
  }
}
