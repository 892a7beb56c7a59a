// Tasks: `math-eval` (any language model: the 4-shot MATH prompt or the 8-shot GSM8k prompt, greedy
// pass@1 and k samples for maj1@k / pass@k, strict and flexible extraction) on the generated set or
// a user's file, and the two golden checks of the pipeline (Appendix-D normalization against the
// Python reference, equivalence against SymPy's verdicts).
import type { Json, MetricValues, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { generateMathProblems } from '../../datasets/math-problems.ts';
import { goldAnswer, getUnnormalizedAnswer, normalizeFinalAnswer } from './answer.ts';
import { equivalenceGolden, normalizationGolden, type EquivalenceCase, type NormalizationCase } from './golden.ts';
import { locateProblemFile, readProblemFile, type EvalProblem, type ProblemFormat } from './problems-file.ts';
import { runEvaluation, type EvalInstance, type EvalOutput } from './protocols.ts';
import { asJson, gradeProblem, metricsOf, type ProblemRecord } from './scoring.ts';

const DEFAULT_FILES: Record<ProblemFormat, string> = { math: 'math-test.jsonl', gsm8k: 'gsm8k-test.jsonl' };

function intParam(params: Params, name: string, min: number, fallback?: number): number {
  const v = params[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`param ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** The problems of a unit: generated from the unit's rng, or the first `problems` of the user's file (0 = all). */
export function loadProblems(ctx: RunContext, params: Params): { problems: EvalProblem[]; fileSha256: string | null } {
  const source = (params.source as string | undefined) ?? 'generated';
  const n = intParam(params, 'problems', 0, 0);
  if (source === 'generated') {
    if (n < 1) throw new RangeError('param problems must be ≥ 1 for the generated set');
    const problems = generateMathProblems(ctx.rng.fork('problems'), n).map((p): EvalProblem => ({
      id: p.id, format: 'math', problem: p.problem, gold: goldAnswer(p.solution)!, subject: p.subject, level: p.level,
    }));
    return { problems, fileSha256: null };
  }
  if (source !== 'math' && source !== 'gsm8k') throw new RangeError(`param source must be generated, math or gsm8k, got ${JSON.stringify(source)}`);
  const path = locateProblemFile((params.file as string | undefined) ?? DEFAULT_FILES[source], source);
  const { problems, sha256 } = readProblemFile(path, source);
  ctx.log.info(`${path}: ${problems.length} problems, sha256 ${sha256}`);
  return { problems: n > 0 ? problems.slice(0, n) : problems, fileSha256: sha256 };
}

export const mathEval: Task<EvalInstance, EvalOutput> = {
  version: 1,
  prepare(ctx, params) {
    const { problems, fileSha256 } = loadProblems(ctx, params);
    const samples = intParam(params, 'samples', 0, 0);
    const maxTokens = intParam(params, 'maxTokens', 1, 512);
    const sampledProblems = Math.min(problems.length, intParam(params, 'sampledProblems', 0, problems.length));
    const seeding = ctx.rng.fork('sampling');
    return { problems, samples, sampledProblems, maxTokens, seeds: problems.map(() => seeding.int(2 ** 31 - 1)), fileSha256 };
  },
  evaluate: (ctx, inst, model) => runEvaluation(model, inst, (done) => ctx.progress(done / inst.problems.length, `${done}/${inst.problems.length} problems`)),
  score(_ctx, inst, out): ScoreResult {
    if (out.outputs.length !== inst.problems.length) throw new Error(`expected ${inst.problems.length} outputs, got ${out.outputs.length}`);
    const records = inst.problems.map((p, i) => ({ ...gradeProblem(p, out.outputs[i]), ...(inst.fileSha256 ? { fileSha256: inst.fileSha256 } : {}) }));
    return { metrics: metricsOf(records), records: records.map(asJson) };
  },
  scoreRecords: (records) => metricsOf(records as unknown as ProblemRecord[]),
};

export interface NormalizationOutput {
  normalized: string[];
  strict: string[];
  gold: (string | null)[];
}

export const normalizationGoldenTask: Task<NormalizationCase[], NormalizationOutput> = {
  version: 1,
  prepare: () => normalizationGolden(),
  score(_ctx, cases, out): ScoreResult {
    const records: Json[] = cases.map((c, i) => ({
      input: c.input, expected: c.normalized, got: out.normalized[i],
      normalized: out.normalized[i] === c.normalized ? 1 : 0, strict: out.strict[i] === c.strict ? 1 : 0, gold: out.gold[i] === c.gold ? 1 : 0,
    }));
    return { metrics: normalizationGoldenTask.scoreRecords!(records, {}), records };
  },
  scoreRecords(records): MetricValues {
    const rs = records as { normalized: number; strict: number; gold: number }[];
    const rate = (f: (r: (typeof rs)[number]) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    return { 'normalize-exact-rate': rate((r) => r.normalized), 'extract-exact-rate': rate((r) => r.strict), 'gold-exact-rate': rate((r) => r.gold), 'golden-cases': rs.length };
  },
};

/** The Appendix-D method: what normalization-golden times and checks. */
export const runAppendixD = (cases: NormalizationCase[]): NormalizationOutput => ({
  normalized: cases.map((c) => normalizeFinalAnswer(c.input)),
  strict: cases.map((c) => getUnnormalizedAnswer(c.input)),
  gold: cases.map((c) => goldAnswer(c.input)),
});

export interface EquivalenceOutput {
  verdicts: boolean[];
}

export const equivalenceGoldenTask: Task<EquivalenceCase[], EquivalenceOutput> = {
  version: 1,
  prepare: () => equivalenceGolden(),
  score(_ctx, cases, out): ScoreResult {
    const records: Json[] = cases.map((c, i) => ({ a: c.a, b: c.b, sympy: c.sympy, sympyNote: c.note, ours: out.verdicts[i], agree: out.verdicts[i] === c.sympy ? 1 : 0 }));
    return { metrics: equivalenceGoldenTask.scoreRecords!(records, {}), records };
  },
  scoreRecords(records): MetricValues {
    const rs = records as { agree: number; sympyNote: string }[];
    const parsed = rs.filter((r) => r.sympyNote === '');
    return {
      'equiv-agreement': rs.reduce((s, r) => s + r.agree, 0) / rs.length,
      'equiv-agreement-parsed': parsed.reduce((s, r) => s + r.agree, 0) / Math.max(1, parsed.length),
      'golden-cases': rs.length,
      disagreements: rs.length - rs.reduce((s, r) => s + r.agree, 0),
    };
  },
};
