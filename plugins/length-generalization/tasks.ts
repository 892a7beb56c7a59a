// Tasks: `parity` and `variable-assignment`. prepare() draws the evaluation instances (shared by
// every method of a task instance); a method trains on short instances in its format and decodes
// every evaluation instance; score() turns the decoded outputs into per-length accuracies and the
// scratchpad failure analyses.
import type { Json, Params, Rng, ScoreResult, Task } from '../../harness/api/index.ts';
import type { Decoded } from './decode.ts';
import { assignmentExample, parityExample, type Example, type Mode } from './examples.ts';
import { accuracy, eosEarlyRate, eosErrorRate, firstWrongStats, scoreExample, stepAccuracy, type ExampleScore } from './scoring.ts';
import type { PositionalName } from './training.ts';

/** One evaluation group: the instances of one length (parity) or one (depth, #ops) cell (assignment). */
export interface EvalGroup {
  /** Metric suffix and record label, e.g. "12" (parity) or "d6-o8" (assignment). */
  label: string;
  split: 'id' | 'ood' | 'ood-ops' | 'ood-depth';
  length: number;
  ops?: number;
  /** Draws the group's instances in a format; the same seed gives the same instances in both formats. */
  examples(mode: Mode): Example[];
}

export interface Prepared {
  task: 'parity' | 'variable-assignment';
  positional: PositionalName;
  groups: EvalGroup[];
  /** Steps of a scratchpad the training split covers (parity: trainMax bits; assignment: trainOps statements). */
  trainSteps: number;
  /** Tokens per scratchpad step (parity 1, assignment 2). */
  stepWidth: number;
  /** The training distribution: what it is (for cache keys), a sampler, and its longest input in tokens. */
  train: { data: Json; sample(rng: Rng, mode: Mode): Example; maxInputLength(mode: Mode): number };
}

export interface MethodOutput {
  mode: Mode;
  /** Per group label: the decoded outputs, or null when the model cannot take inputs that long (learned positions). */
  decoded: Record<string, Decoded[] | null>;
  msPerStep: number;
  finalLoss: number;
}

const intList = (value: Json | undefined, name: string, fallback: number[]): number[] => {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v) || (v as number) < 1)) throw new Error(`${name} must be a list of positive integers`);
  return value as number[];
};

function group(rng: Rng, label: string, split: EvalGroup['split'], length: number, count: number, draw: (r: Rng, f: Mode) => Example, ops?: number): EvalGroup {
  return {
    label, split, length, ...(ops !== undefined ? { ops } : {}),
    examples: (format) => {
      // a fresh generator per call: both formats see the same instances
      const r = rng.fork(`eval:${label}`);
      return Array.from({ length: count }, () => draw(r, format));
    },
  };
}

export const PARITY_DEFAULTS = { trainMax: 10, oodLengths: [12, 15, 20, 25, 30, 40], evalPerLength: 64 };

export const parity: Task<Prepared, MethodOutput> = {
  version: 1,
  prepare(ctx, params: Params) {
    const trainMax = (params.trainMax as number | undefined) ?? PARITY_DEFAULTS.trainMax;
    const ood = intList(params.oodLengths, 'oodLengths', PARITY_DEFAULTS.oodLengths);
    const count = (params.evalPerLength as number | undefined) ?? PARITY_DEFAULTS.evalPerLength;
    if (ood.some((n) => n <= trainMax)) throw new Error(`oodLengths must all exceed trainMax (${trainMax})`);
    const groups: EvalGroup[] = [];
    for (let n = 1; n <= trainMax; n++) groups.push(group(ctx.rng, String(n), 'id', n, count, (r, f) => parityExample(r, n, f)));
    for (const n of ood) groups.push(group(ctx.rng, String(n), 'ood', n, count, (r, f) => parityExample(r, n, f)));
    const train = {
      data: { task: 'parity', lengths: [1, trainMax] },
      sample: (r: Rng, mode: Mode) => parityExample(r, 1 + r.int(trainMax), mode),
      // $ bits ; states > answer <eos> (direct: $ bits > answer <eos>), minus the last target
      maxInputLength: (mode: Mode) => (mode === 'scratchpad' ? 2 * trainMax + 4 : trainMax + 3),
    };
    return { task: 'parity', positional: params.positional as PositionalName, groups, trainSteps: trainMax, stepWidth: 1, train };
  },
  score: (_ctx, prepared, output) => scoreOutputs(prepared, output),
};

/**
 * Variable assignment, following the spec's splits: train on depth 1…trainDepth (4) with up to trainOps
 * statements; test depth 5…12. Both OOD splits have exactly `oodOps` statements (more than in training),
 * so their inputs have the same length and differ only in what they are named for:
 *   ood-ops    depths 2…trainDepth (in distribution) — more operations only;
 *   ood-depth  depths oodDepth (5…12)                 — more depth, at the same number of operations.
 * The generator gives programs of equal #ops the same expected length whatever their depth (≥ 2); the
 * mean input length of each split is reported (`input-len-ood-*`) so that this can be checked.
 */
export const ASSIGNMENT_DEFAULTS = { trainDepth: 4, trainOps: 6, oodOps: 12, oodDepth: [5, 6, 7, 8, 9, 10, 11, 12], evalPerCell: 64 };

export const variableAssignment: Task<Prepared, MethodOutput> = {
  version: 2,
  prepare(ctx, params: Params) {
    const trainDepth = (params.trainDepth as number | undefined) ?? ASSIGNMENT_DEFAULTS.trainDepth;
    const trainOps = (params.trainOps as number | undefined) ?? ASSIGNMENT_DEFAULTS.trainOps;
    const oodOps = (params.oodOps as number | undefined) ?? ASSIGNMENT_DEFAULTS.oodOps;
    const oodDepth = intList(params.oodDepth, 'oodDepth', ASSIGNMENT_DEFAULTS.oodDepth);
    const count = (params.evalPerCell as number | undefined) ?? ASSIGNMENT_DEFAULTS.evalPerCell;
    if (trainOps < trainDepth) throw new Error(`trainOps (${trainOps}) must be ≥ trainDepth (${trainDepth})`);
    if (!Number.isInteger(oodOps) || oodOps <= trainOps) throw new Error(`oodOps (${oodOps}) must be an integer above trainOps (${trainOps})`);
    if (oodDepth.some((d) => d <= trainDepth || d > oodOps)) throw new Error(`oodDepth must exceed trainDepth (${trainDepth}) and be ≤ oodOps (${oodOps}), so that both OOD splits have oodOps statements`);
    const groups: EvalGroup[] = [];
    // in distribution: every training depth, #ops drawn as in training
    for (let d = 1; d <= trainDepth; d++) {
      groups.push(group(ctx.rng, `d${d}`, 'id', d, count, (r, f) => assignmentExample(r, { depth: d, ops: d + r.int(trainOps - d + 1) }, f)));
    }
    // more operations at in-distribution depths 2..trainDepth (depth 1 is a lookup of a constant)
    const opsDepths = Array.from({ length: Math.max(1, trainDepth - 1) }, (_, i) => Math.min(2, trainDepth) + i);
    const perDepth = Math.max(1, Math.round(count / opsDepths.length));
    for (const d of opsDepths) groups.push(group(ctx.rng, `d${d}-o${oodOps}`, 'ood-ops', d, perDepth, (r, f) => assignmentExample(r, { depth: d, ops: oodOps }, f), oodOps));
    // more depth, with as many statements as the ood-ops split
    for (const d of oodDepth) groups.push(group(ctx.rng, `d${d}-o${oodOps}`, 'ood-depth', d, count, (r, f) => assignmentExample(r, { depth: d, ops: oodOps }, f), oodOps));
    const train = {
      data: { task: 'variable-assignment', generator: 2, depth: [1, trainDepth], ops: [1, trainOps] },
      sample: (r: Rng, mode: Mode) => {
        const depth = 1 + r.int(trainDepth);
        return assignmentExample(r, { depth, ops: depth + r.int(trainOps - depth + 1) }, mode);
      },
      // statements take ≤ 6 tokens (`c=a&b,`); $ program ?q > | ; steps > answer <eos>, minus the last target
      maxInputLength: (mode: Mode) => 6 * trainOps + 4 + (mode === 'scratchpad' ? 2 * trainOps + 2 : 1),
    };
    return { task: 'variable-assignment', positional: params.positional as PositionalName, groups, trainSteps: trainOps, stepWidth: 2, train };
  },
  score: (_ctx, prepared, output) => scoreOutputs(prepared, output),
};

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Accuracies per group and split, scratchpad step accuracy, first-wrong-step histogram, EOS errors. */
export function scoreOutputs(prepared: Prepared, output: MethodOutput): ScoreResult {
  const metrics: Record<string, number> = {};
  const records: Json[] = [];
  const perGroup = new Map<string, { group: EvalGroup; scores: ExampleScore[] | null }>();
  for (const g of prepared.groups) {
    const decoded = output.decoded[g.label];
    if (decoded === undefined) throw new Error(`method output lacks evaluation group "${g.label}"`);
    if (decoded === null) {
      perGroup.set(g.label, { group: g, scores: null });
      records.push({ group: g.label, split: g.split, length: g.length, ...(g.ops !== undefined ? { ops: g.ops } : {}), na: 'longer than the learned position table' });
      continue;
    }
    const examples = g.examples(output.mode);
    if (examples.length !== decoded.length) throw new Error(`group "${g.label}": ${decoded.length} outputs for ${examples.length} instances`);
    const scores = examples.map((ex, i) => scoreExample(ex, decoded[i], prepared.stepWidth));
    perGroup.set(g.label, { group: g, scores });
    scores.forEach((s, i) => records.push({ group: g.label, split: g.split, output: decoded[i].tokens.join(''), eos: decoded[i].eos, ...s } as unknown as Json));
  }
  // accuracy of a set of groups: mean of the group accuracies; NaN (N/A) if any group is N/A
  const splitAcc = (pred: (g: EvalGroup) => boolean) => {
    const gs = [...perGroup.values()].filter((x) => pred(x.group));
    if (gs.length === 0 || gs.some((x) => x.scores === null)) return NaN;
    return mean(gs.map((x) => accuracy(x.scores!)));
  };
  metrics['acc-in-dist'] = splitAcc((g) => g.split === 'id');
  metrics['acc-ood'] = splitAcc((g) => g.split !== 'id');
  if (prepared.task === 'parity') {
    for (const { group: g, scores } of perGroup.values()) metrics[`acc-at-${g.length}`] = scores ? accuracy(scores) : NaN;
  } else {
    metrics['acc-ood-ops'] = splitAcc((g) => g.split === 'ood-ops');
    metrics['acc-ood-depth'] = splitAcc((g) => g.split === 'ood-depth');
    for (const g of prepared.groups.filter((x) => x.split !== 'id')) metrics[`acc-${g.split === 'ood-ops' ? 'ops' : 'depth'}-d${g.length}`] = splitAcc((x) => x === g);
    // mean input length (prompt tokens) of each OOD split: the two splits are built to be equal
    for (const split of ['ood-ops', 'ood-depth'] as const) {
      const prompts = prepared.groups.filter((g) => g.split === split).flatMap((g) => g.examples(output.mode).map((ex) => ex.prompt.length));
      metrics[`input-len-${split}`] = mean(prompts);
    }
  }
  if (output.mode === 'scratchpad') {
    const pool = (split: 'id' | 'ood') => [...perGroup.values()].filter((x) => (split === 'id') === (x.group.split === 'id') && x.scores).flatMap((x) => x.scores!);
    const ood = pool('ood');
    metrics['scratchpad-step-acc'] = stepAccuracy(ood);
    metrics['scratchpad-step-acc-in-dist'] = stepAccuracy(pool('id'));
    metrics['eos-position-error'] = eosErrorRate(ood);
    metrics['eos-early'] = eosEarlyRate(ood);
    metrics['exact-match-ood'] = mean(ood.map((s) => s.exact));
    const fw = firstWrongStats(ood, prepared.trainSteps);
    fw.quarters.forEach((q, i) => (metrics[`first-wrong-step-q${i + 1}`] = q));
    metrics['first-wrong-within-train-len'] = fw.within;
    metrics['first-wrong-step-rel'] = fw.relative;
  }
  metrics['train-ms-per-step'] = output.msPerStep;
  metrics['train-loss-final'] = output.finalLoss;
  return { metrics, records };
}
