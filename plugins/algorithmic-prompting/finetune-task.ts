// Task `addition-finetune` and its three methods (one per target format). prepare() draws the
// evaluation operands per length (shared by every format); a method trains on 1…trainMax digits
// in its format and decodes every evaluation problem; score() reads answers and steps back.
import type { BudgetName, Json, Method, MetricValues, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import type { Positional, Tf } from '../../harness/nn/lm/index.ts';
import { compactExample, compactTarget, COMPACT_FORMATS, readCompact, type CompactFormat } from './compact-formats.ts';
import { greedyDecode, trainOrLoad, type FinetuneConfig } from './finetune.ts';
import { randomNumber } from './traces.ts';

export interface FinetuneInstance {
  trainMax: number;
  positional: Positional;
  /** Per length n = 1 … 2·trainMax: operand pairs. */
  problems: { length: number; a: string; b: string }[];
}

export interface FinetuneOutput {
  format: CompactFormat;
  outputs: { text: string; eos: boolean }[];
  msPerStep: number;
  finalLoss: number;
}

export const FINETUNE_DEFAULTS = { trainMax: 3, evalPerLength: 24, positional: 'rope' as Positional };

/** Optimizer steps per budget and format (a `steps` param overrides), sized from measured ms/step
 * on one core with tfjs-wasm at batch 16 (README, "Scale"). */
export const STEPS: Record<BudgetName, Record<CompactFormat, number>> = {
  smoke: { direct: 8, scratchpad: 8, algorithmic: 8 },
  standard: { direct: 600, scratchpad: 600, algorithmic: 600 },
  full: { direct: 1500, scratchpad: 1500, algorithmic: 1500 },
};

export const additionFinetune: Task<FinetuneInstance, FinetuneOutput> = {
  version: 1,
  prepare(ctx: RunContext, params: Params): FinetuneInstance {
    const trainMax = (params.trainMax as number | undefined) ?? FINETUNE_DEFAULTS.trainMax;
    const per = (params.evalPerLength as number | undefined) ?? FINETUNE_DEFAULTS.evalPerLength;
    const positional = (params.positional as Positional | undefined) ?? FINETUNE_DEFAULTS.positional;
    const problems: FinetuneInstance['problems'] = [];
    for (let n = 1; n <= 2 * trainMax; n++) {
      const r = ctx.rng.fork(`eval:${n}`);
      for (let i = 0; i < per; i++) problems.push({ length: n, a: randomNumber(r, n), b: randomNumber(r, n) });
    }
    return { trainMax, positional, problems };
  },
  score(_ctx, inst, out): ScoreResult {
    if (out.outputs.length !== inst.problems.length) throw new Error(`${out.outputs.length} outputs for ${inst.problems.length} problems`);
    const records = inst.problems.map((p, i) => {
      const gold = compactExample(p.a, p.b, out.format);
      const read = readCompact(out.outputs[i].text, out.format);
      let stepsCorrect = 0;
      let firstWrong: number | null = null;
      gold.steps.forEach((s, j) => {
        if (read.steps[j] === s) stepsCorrect++;
        else if (firstWrong === null) firstWrong = j;
      });
      const exact = out.outputs[i].eos && out.outputs[i].text === compactTarget(gold);
      return {
        length: p.length, a: p.a, b: p.b, ood: p.length > inst.trainMax ? 1 : 0, correct: read.answer === gold.answer ? 1 : 0, exact: exact ? 1 : 0,
        steps: gold.steps.length, stepsCorrect, firstWrong, allStepsRight: stepsCorrect === gold.steps.length && read.steps.length === gold.steps.length ? 1 : 0,
        output: out.outputs[i].text,
      };
    });
    const metrics = scoreFinetuneRecords(records as unknown as Json[]);
    metrics['train-ms-per-step'] = out.msPerStep;
    metrics['train-loss-final'] = out.finalLoss;
    return { metrics, records: records as unknown as Json[] };
  },
  scoreRecords: (records) => scoreFinetuneRecords(records),
};

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function scoreFinetuneRecords(records: Json[]): MetricValues {
  const rs = records as unknown as { length: number; ood: number; correct: number; steps: number; stepsCorrect: number; firstWrong: number | null; allStepsRight: number }[];
  const metrics: MetricValues = {};
  for (const n of [...new Set(rs.map((r) => r.length))].sort((a, b) => a - b)) metrics[`acc-at-${n}`] = mean(rs.filter((r) => r.length === n).map((r) => r.correct));
  const ood = rs.filter((r) => r.ood);
  metrics['acc-in-dist'] = mean(rs.filter((r) => !r.ood).map((r) => r.correct));
  metrics['acc-ood'] = mean(ood.map((r) => r.correct));
  const steps = ood.reduce((s, r) => s + r.steps, 0);
  if (steps > 0) {
    metrics['step-acc'] = ood.reduce((s, r) => s + r.stepsCorrect, 0) / steps;
    metrics['all-steps-right-given-answer-right'] = mean(ood.filter((r) => r.correct).map((r) => r.allStepsRight));
    metrics['first-wrong-line-rel'] = mean(ood.filter((r) => r.firstWrong !== null).map((r) => r.firstWrong! / r.steps));
  }
  return metrics;
}

const num = (params: Params, key: string, fallback: number): number => {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new RangeError(`param "${key}" must be a positive number, got ${JSON.stringify(v)}`);
  return v;
};

function finetune(format: CompactFormat): Method<FinetuneInstance, FinetuneOutput> {
  return {
    task: 'addition-finetune',
    async run(ctx, inst, params): Promise<FinetuneOutput> {
      const tf = (await ctx.tensors()).tf as Tf;
      const cfg: FinetuneConfig = {
        format, trainMax: inst.trainMax, positional: inst.positional,
        dModel: num(params, 'dModel', 64), heads: num(params, 'heads', 4), layers: num(params, 'layers', 2), ffn: num(params, 'ffn', 256),
        steps: num(params, 'steps', STEPS[ctx.budget][format]), batch: num(params, 'batch', 16), lr: num(params, 'lr', 3e-3), warmupSteps: num(params, 'warmupSteps', 100),
      };
      const trained = await trainOrLoad(ctx, tf, cfg, ctx.rng);
      try {
        const examples = inst.problems.map((p) => compactExample(p.a, p.b, format));
        ctx.progress(0.85, 'decoding');
        const outputs = greedyDecode(tf, trained.model, trained.vocab, examples);
        return { format, outputs, msPerStep: trained.msPerStep, finalLoss: trained.finalLoss };
      } finally {
        trained.model.dispose();
      }
    },
  };
}

export const finetuneMethods = Object.fromEntries(COMPACT_FORMATS.map((f) => [f, finetune(f)])) as Record<CompactFormat, Method<FinetuneInstance, FinetuneOutput>>;
