// Methods: fine-tuning a tiny Transformer from scratch with direct answers, with a scratchpad, and
// the shuffled-operation control. Each trains on the task's short instances, then greedily decodes
// every evaluation group with the same trained model.
import type { BudgetName, Method, Params, RunContext } from '../../harness/api/index.ts';
import type { Tf } from '../../harness/nn/lm/index.ts';
import { greedyDecode, type Decoded } from './decode.ts';
import { ASSIGNMENT_ALPHABET, exampleLength, PARITY_ALPHABET, type Mode } from './examples.ts';
import type { MethodOutput, Prepared } from './tasks.ts';
import { positionalOf, trainOrLoad, type ModelShape, type PositionalName, type TrainSchedule } from './training.ts';

export const DEFAULT_SHAPE: ModelShape = { dModel: 64, heads: 4, layers: 2, ffn: 256 };

/** Optimizer steps by budget, task and mode (a `steps` param overrides). The full budget is sized
 * for ≈ 26 CPU-minutes on the ONNX engine (the `auto` backend): parity direct 4,000 and scratchpad
 * 6,000 steps (the spec's 2–5k and a little beyond, since the scratchpad still improves), assignment
 * 2,000 (its in-distribution accuracy sits at the same ≈ 70 % plateau at 800 and at 4,000 steps, so
 * the budget goes to the scratchpad); see the README's "Scale". */
export const STEPS: Record<BudgetName, Record<Prepared['task'], Partial<Record<Mode, number>>>> = {
  smoke: { parity: { direct: 60, scratchpad: 60 }, 'variable-assignment': { direct: 20, shuffled: 20 } },
  standard: { parity: { direct: 800, scratchpad: 800 }, 'variable-assignment': { direct: 500, shuffled: 500 } },
  full: { parity: { direct: 4000, scratchpad: 6000 }, 'variable-assignment': { direct: 2000, shuffled: 2000 } },
};

const num = (params: Params, key: string, fallback: number): number => {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new Error(`param "${key}" must be a positive number, got ${JSON.stringify(v)}`);
  return v;
};

function finetune(mode: Mode, tasks: string | string[]): Method<Prepared, MethodOutput> {
  return {
    task: tasks,
    async run(ctx: RunContext, prepared: Prepared, params: Params): Promise<MethodOutput> {
      const { tf: tfAny } = await ctx.tensors();
      const tf = tfAny as Tf;
      const positional = (params.positional as PositionalName | undefined) ?? 'rope';
      positionalOf(positional);
      const shape: ModelShape = {
        dModel: num(params, 'dModel', DEFAULT_SHAPE.dModel),
        heads: num(params, 'heads', DEFAULT_SHAPE.heads),
        layers: num(params, 'layers', DEFAULT_SHAPE.layers),
        ffn: num(params, 'ffn', DEFAULT_SHAPE.ffn),
      };
      const schedule: TrainSchedule = {
        steps: num(params, 'steps', STEPS[ctx.budget][prepared.task][mode] ?? 1000),
        batch: num(params, 'batch', 32),
        lr: num(params, 'lr', 1e-3),
        warmupSteps: num(params, 'warmupSteps', 100),
      };
      const trained = await trainOrLoad(ctx, tf, {
        data: { ...(prepared.train.data as Record<string, never>), mode },
        alphabet: prepared.task === 'parity' ? PARITY_ALPHABET : ASSIGNMENT_ALPHABET,
        positional,
        shape,
        schedule,
        sample: (r) => prepared.train.sample(r, mode),
        maxLength: prepared.train.maxInputLength(mode),
      }, ctx.rng);
      const decoded: Record<string, Decoded[] | null> = {};
      try {
        prepared.groups.forEach((g, i) => {
          const examples = g.examples(mode);
          const longest = Math.max(...examples.map(exampleLength)) - 1;
          if (trained.model.maxLength !== null && longest > trained.model.maxLength) decoded[g.label] = null;
          else decoded[g.label] = greedyDecode(tf, trained.model, trained.vocab, examples);
          ctx.progress(0.9 + (0.1 * (i + 1)) / prepared.groups.length, `evaluating ${g.label}`);
        });
      } finally {
        trained.model.dispose();
      }
      return { mode, decoded, msPerStep: trained.msPerStep, finalLoss: trained.finalLoss };
    },
  };
}

export const methods = {
  'direct-finetune': finetune('direct', ['parity', 'variable-assignment']),
  'scratchpad-finetune': finetune('scratchpad', 'parity'),
  'shuffled-ops-control': finetune('shuffled', 'variable-assignment'),
};
