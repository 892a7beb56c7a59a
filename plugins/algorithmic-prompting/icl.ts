// The in-context tasks: any language model (greedy) continues the paper's prompts, one task per
// operation; the prompt style and the exemplar perturbation are task params. score() reads each
// completion: the final answer, every step line against the gold trace, the first wrong line.
import type { Json, LanguageModel, MetricValues, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { checkTrace, extractAnswer } from './parse.ts';
import { compositionExemplars, EXEMPLAR_LENGTHS, exemplarPrefix, exemplars, PERTURBATIONS, SEPARATOR, type Perturbation } from './prompts.ts';
import { problemLength, randomCompositionProblem, randomProblem, STYLES, trace, traceBody, type Operation, type Style, type Trace } from './traces.ts';

export interface IclInstance {
  /** The operations taught in one prompt: one, or addition and subtraction together (skill accumulation). */
  ops: Operation[];
  style: Style;
  perturbation: Perturbation;
  /** The prompt before each question (exemplars + separator). */
  prefix: string;
  exemplarMax: number;
  problems: Trace[];
}

export interface IclOutput {
  completions: string[];
  form: 'completion' | 'chat';
}

/** Tokens a completion may take beyond the gold body's characters (a token holds ≥ 1 character). */
export const SLACK_TOKENS = 48;
/** Generation also stops where a model starts a new exemplar. */
export const STOP = [SEPARATOR, '\nQ:', '\nProblem:'];

function intList(value: Json | undefined, name: string): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => !Number.isInteger(v) || (v as number) < 1)) throw new RangeError(`param ${name} must be a non-empty list of positive integers, got ${JSON.stringify(value)}`);
  return value as number[];
}

/**
 * The exemplars of every operation in `ops` (one after the other), then perLength problems per
 * length, cycling through the operations (skill accumulation: the model picks the skill by the operator).
 */
export function prepareIcl(ctx: RunContext, ops: Operation[] | 'composition', params: Params): IclInstance {
  const style = (params.style ?? 'algorithmic') as Style;
  if (!STYLES.includes(style)) throw new RangeError(`param style must be one of ${STYLES.join(', ')}, got ${JSON.stringify(params.style)}`);
  const perturbation = (params.perturbation ?? 'none') as Perturbation;
  if (!PERTURBATIONS.includes(perturbation)) throw new RangeError(`param perturbation must be one of ${PERTURBATIONS.join(', ')}, got ${JSON.stringify(params.perturbation)}`);
  const lengths = intList(params.lengths, 'lengths');
  const perLength = (params.perLength as number | undefined) ?? 10;
  // the exemplars depend on the seed only, so styles and perturbations share problems and exemplars
  const draw = ctx.rng.fork('problems');
  if (ops === 'composition') {
    if (perturbation !== 'none') throw new RangeError('the composition task has clean exemplars only (perturbation none)');
    const shots = compositionExemplars(ctx.rng.fork('exemplars'), style);
    const problems = lengths.flatMap((n) => Array.from({ length: perLength }, () => trace(randomCompositionProblem(draw, n), style)));
    return { ops: ['multiplication'], style, perturbation, prefix: exemplarPrefix(shots), exemplarMax: 3, problems };
  }
  const shots = ops.flatMap((op) => exemplars(ctx.rng.fork(ops.length > 1 ? `exemplars:${op}` : 'exemplars'), op, style, perturbation));
  const problems = lengths.flatMap((n) => Array.from({ length: perLength }, (_, i) => trace(randomProblem(draw, ops[i % ops.length], n), style)));
  return { ops, style, perturbation, prefix: exemplarPrefix(shots), exemplarMax: Math.max(...ops.flatMap((op) => EXEMPLAR_LENGTHS[op])), problems };
}

/** The protocol every model runs: one greedy completion per problem, stopped at a blank line. */
export async function evaluateIcl(lm: LanguageModel, inst: IclInstance): Promise<IclOutput> {
  const chat = lm.descriptor.chat && !!lm.chat;
  const completions: string[] = [];
  for (const p of inst.problems) {
    const prompt = inst.prefix + p.question;
    const opts = { maxTokens: traceBody(p).length + SLACK_TOKENS, temperature: 0, stop: STOP };
    const [c] = chat ? await lm.chat!([{ role: 'user', content: prompt }], opts) : await lm.complete(prompt, opts);
    completions.push(c.text);
  }
  return { completions, form: chat ? 'chat' : 'completion' };
}

interface IclRecord {
  length: number;
  exemplarMax: number;
  correct: number;
  steps: number;
  stepsCorrect: number;
  firstWrong: number | null;
  lines: number;
  allStepsRight: number;
}

export function scoreIcl(inst: IclInstance, out: IclOutput): ScoreResult {
  if (out.completions.length !== inst.problems.length) throw new Error(`${out.completions.length} completions for ${inst.problems.length} problems`);
  const records = inst.problems.map((p, i) => {
    const text = out.completions[i];
    const check = checkTrace(text, p);
    const answer = extractAnswer(p.problem.op, text);
    const r: IclRecord & { answer: string | null; gold: string; completion: string } = {
      length: problemLength(p.problem), exemplarMax: inst.exemplarMax, correct: answer === p.answer ? 1 : 0,
      steps: check.steps, stepsCorrect: check.stepsCorrect, firstWrong: check.firstWrong, lines: p.lines.length, allStepsRight: check.allStepsRight ? 1 : 0,
      answer, gold: p.answer, completion: text,
    };
    return r;
  });
  return { metrics: scoreIclRecords(records as unknown as Json[]), records: records as unknown as Json[] };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function scoreIclRecords(records: Json[]): MetricValues {
  const rs = records as unknown as IclRecord[];
  const metrics: MetricValues = { acc: mean(rs.map((r) => r.correct)) };
  for (const n of [...new Set(rs.map((r) => r.length))].sort((a, b) => a - b)) metrics[`acc-at-${n}`] = mean(rs.filter((r) => r.length === n).map((r) => r.correct));
  metrics['acc-in-exemplar-lengths'] = mean(rs.filter((r) => r.length <= r.exemplarMax).map((r) => r.correct));
  metrics['acc-beyond-exemplar-lengths'] = mean(rs.filter((r) => r.length > r.exemplarMax).map((r) => r.correct));
  const steps = rs.reduce((s, r) => s + r.steps, 0);
  if (steps > 0) {
    metrics['step-acc'] = rs.reduce((s, r) => s + r.stepsCorrect, 0) / steps;
    const right = rs.filter((r) => r.correct);
    metrics['all-steps-right-given-answer-right'] = mean(right.map((r) => r.allStepsRight));
    metrics['answer-right-steps-wrong'] = right.filter((r) => !r.allStepsRight).length;
    metrics['first-wrong-line-rel'] = mean(rs.filter((r) => r.firstWrong !== null).map((r) => r.firstWrong! / r.lines));
  }
  return metrics;
}

function iclTask(...ops: Operation[] | ['composition']): Task<IclInstance, IclOutput> {
  return {
    version: 1,
    prepare: (ctx, params) => prepareIcl(ctx, ops[0] === 'composition' ? 'composition' : (ops as Operation[]), params),
    evaluate: (_ctx, inst, model) => evaluateIcl(model, inst),
    score: (_ctx, inst, out) => scoreIcl(inst, out),
    scoreRecords: (records) => scoreIclRecords(records),
  };
}

export const iclTasks = {
  parity: iclTask('parity'),
  addition: iclTask('addition'),
  subtraction: iclTask('subtraction'),
  multiplication: iclTask('multiplication'),
  accumulation: iclTask('addition', 'subtraction'),
  composition: iclTask('composition'),
};
