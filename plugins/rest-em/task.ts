// Tasks `math` and `code` and the methods on them. prepare() draws the splits; a method runs its loop
// and returns the completions of every evaluation; score() verifies every completion itself and turns
// them into metrics: per iteration and for the final policy.
import type { Json, Method, MetricValues, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { correctKey, reward, voteKey, type Domain, type Problem } from './domains.ts';
import { BUDGETS, methodConfig, prepareInstance, runMethod, type MethodConfig, type RestEmInstance, type RestEmOutput, type StepResult } from './loop.ts';
import { majAtK, mean, passAtK } from './metrics.ts';

/** Iterations a unit may run (metric ids are declared for 0..MAX_ITERATIONS). */
export const MAX_ITERATIONS = 4;
export const PASS_KS = [1, 2, 4, 8, 16];
export const MAJ_KS = [2, 8, 16];

export interface StepMetrics {
  iteration: number;
  testGreedy: number;
  trainGreedy: number;
  transferGreedy: number;
  passAt: Record<number, number>;
  majAt: number;
  n: number;
  coverage: number | null;
  setSize: number | null;
  valReward: number | null;
}

/** Verifies one step's completions. */
export function scoreStep(domain: Domain, inst: RestEmInstance['splits'], step: StepResult): StepMetrics {
  const acc = (problems: readonly Problem[], texts: readonly string[]) => mean(texts.map((t, i) => reward(domain, problems[i], t)));
  const n = step.eval.sampled[0]?.length ?? 0;
  const passAt: Record<number, number> = {};
  const correct = inst.test.map((p, j) => step.eval.sampled[j].reduce((c, t) => c + reward(domain, p, t), 0));
  for (const k of PASS_KS) if (k <= n) passAt[k] = mean(correct.map((c) => passAtK(n, c, k)));
  const majAt = mean(inst.test.map((p, j) => majAtK(step.eval.sampled[j].map((t) => voteKey(domain, p, t)), (a) => a === correctKey(domain, p), n)));
  return {
    iteration: step.iteration,
    testGreedy: acc(inst.test, step.eval.test),
    trainGreedy: acc(inst.pool, step.eval.train),
    transferGreedy: acc(inst.transfer, step.eval.transfer),
    passAt, majAt, n,
    coverage: step.generated ? step.generated.coverage : null,
    setSize: step.generated ? step.generated.setSize : null,
    valReward: step.finetune ? step.finetune.bestVal : null,
  };
}

function metricsOf(domain: Domain, inst: RestEmInstance, out: RestEmOutput): ScoreResult {
  if (!Array.isArray(out.steps) || out.steps.length === 0) throw new Error('the method returned no step');
  const metrics: MetricValues = {};
  const records: Json[] = [];
  const steps = out.steps.map((s) => scoreStep(domain, inst.splits, s));
  for (const s of steps) {
    if (s.iteration > MAX_ITERATIONS) throw new RangeError(`iteration ${s.iteration} beyond the ${MAX_ITERATIONS} declared`);
    const i = s.iteration;
    metrics[`test-greedy-iter-${i}`] = s.testGreedy;
    metrics[`train-greedy-iter-${i}`] = s.trainGreedy;
    metrics[`transfer-greedy-iter-${i}`] = s.transferGreedy;
    for (const [k, v] of Object.entries(s.passAt)) metrics[`pass-at-${k}-iter-${i}`] = v;
    metrics[`maj-at-n-iter-${i}`] = s.majAt;
    if (s.coverage !== null) metrics[`coverage-iter-${i}`] = s.coverage;
    if (s.setSize !== null) metrics[`set-size-iter-${i}`] = s.setSize;
    if (s.valReward !== null) metrics[`val-reward-iter-${i}`] = s.valReward;
    for (const [split, value] of [['test', s.testGreedy], ['train', s.trainGreedy], ['transfer', s.transferGreedy]] as const) {
      records.push({ iteration: i, split, 'greedy pass@1': value });
    }
    if (s.coverage !== null) records.push({ iteration: i, split: 'e-step', coverage: s.coverage, 'set size': s.setSize });
  }
  const last = steps[steps.length - 1];
  metrics['pass-at-1-greedy'] = last.testGreedy;
  metrics['train-acc'] = last.trainGreedy;
  metrics['transfer-acc'] = last.transferGreedy;
  for (const [k, v] of Object.entries(last.passAt)) metrics[`pass-at-${k}`] = v;
  if (MAJ_KS.includes(last.n)) metrics[`maj-at-${last.n}`] = last.majAt;
  metrics['iterations-run'] = last.iteration;
  metrics['train-problems'] = out.trainProblems;
  const withSet = steps.filter((s) => s.coverage !== null);
  if (withSet.length) {
    metrics.coverage = withSet[withSet.length - 1].coverage!;
    metrics['generated-set-size'] = withSet[withSet.length - 1].setSize!;
  }
  const ft = out.steps.map((s) => s.finetune).filter((f) => f !== null);
  if (ft.length) metrics['finetune-ms-per-step'] = mean(ft.map((f) => f.msPerStep));
  return { metrics, records };
}

function task(domain: Domain): Task<RestEmInstance, RestEmOutput> {
  return {
    version: 1,
    prepare: (ctx: RunContext, params: Params) => prepareInstance(ctx, { ...params, domain }),
    score: (_ctx, inst, out) => metricsOf(domain, inst, out),
  };
}

export const tasks = { math: task('math'), code: task('code') };

function method(kind: MethodConfig['kind'], defaults: Partial<MethodConfig>, name: string, on: string[] = ['math', 'code'], samplesFraction?: number): Method<RestEmInstance, RestEmOutput> {
  return {
    task: on,
    run: (ctx, inst, params) => {
      const budget = BUDGETS[ctx.budget];
      const cfg = methodConfig(kind, params, budget, { ...defaults, samples: samplesFraction ? Math.max(1, Math.round(budget.samples * samplesFraction)) : undefined });
      if (cfg.iterations > MAX_ITERATIONS) throw new RangeError(`param "iterations" must be ≤ ${MAX_ITERATIONS}, got ${cfg.iterations}`);
      return runMethod(ctx, inst, cfg, name);
    },
  };
}

export const methods = {
  restem: method('restem', { restart: 'base' }, 'restem'),
  'rest-continue': method('restem', { restart: 'last' }, 'rest-continue'),
  rft: method('restem', { iterations: 1 }, 'rft'),
  'sft-human': method('sft-human', {}, 'sft-human'),
  // ablations (math only: the CPU budget)
  'restem-quarter-problems': method('restem', { poolFraction: 0.25 }, 'restem-quarter-problems', ['math']),
  'restem-quarter-samples': method('restem', {}, 'restem-quarter-samples', ['math'], 0.25),
};
