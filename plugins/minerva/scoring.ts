// Grading and metrics: extraction (strict and flexible), equivalence with the gold answer, maj1@k
// voting and unbiased pass@k, per problem (records) and aggregated (metrics). Pure functions.
import type { Json, MetricValues } from '../../harness/api/index.ts';
import { flexibleAnswer, INVALID_ANSWER, strictAnswer } from './answer.ts';
import { isEquiv } from './equivalence.ts';
import { gsm8kFlexible, gsm8kStrict } from './gsm8k.ts';
import type { EvalProblem } from './problems-file.ts';
import type { ProblemOutput } from './protocols.ts';
import { majAtK, passAtK } from './voting.ts';

/** The k of maj1@k and pass@k reported (those ≤ the samples drawn). */
export const VOTE_KS = [1, 4, 16, 64] as const;

/** MATH's subjects as metric-id slugs. */
export const SUBJECT_SLUGS: Record<string, string> = {
  Algebra: 'algebra', 'Counting & Probability': 'counting-and-probability', Geometry: 'geometry', 'Intermediate Algebra': 'intermediate-algebra',
  'Number Theory': 'number-theory', Prealgebra: 'prealgebra', Precalculus: 'precalculus',
};

export interface ProblemRecord {
  id: string;
  subject: string | null;
  level: number | null;
  gold: string;
  greedyText: string;
  greedyStrict: string;
  greedyFlexible: string;
  /** 1/0: greedy strict answer equivalent to the gold; the same by exact string; the flexible answer. */
  correct: number;
  correctString: number;
  correctFlexible: number;
  /** Normalized strict and flexible answers of the samples, and whether each is correct. */
  sampleStrict: string[];
  sampleFlexible: string[];
  sampleCorrect: number[];
  sampleCorrectFlexible: number[];
}

const INVALID = INVALID_ANSWER;

function extract(p: EvalProblem, text: string): { strict: string; flexible: string } {
  if (p.format === 'gsm8k') return { strict: gsm8kStrict(text) ?? INVALID, flexible: gsm8kFlexible(text) ?? INVALID };
  return { strict: strictAnswer(text), flexible: flexibleAnswer(text) };
}

/** Grades one problem; equivalence checks are memoized per distinct answer. */
export function gradeProblem(p: EvalProblem, out: ProblemOutput): ProblemRecord {
  const memo = new Map<string, boolean>();
  const right = (a: string) => {
    if (a === INVALID) return false;
    let v = memo.get(a);
    if (v === undefined) memo.set(a, (v = isEquiv(a, p.gold)));
    return v;
  };
  const g = extract(p, out.greedy);
  const samples = out.samples.map((t) => extract(p, t));
  return {
    id: p.id, subject: p.subject, level: p.level, gold: p.gold, greedyText: out.greedy,
    greedyStrict: g.strict, greedyFlexible: g.flexible,
    correct: right(g.strict) ? 1 : 0, correctString: g.strict === p.gold ? 1 : 0, correctFlexible: right(g.flexible) ? 1 : 0,
    sampleStrict: samples.map((s) => s.strict), sampleFlexible: samples.map((s) => s.flexible),
    sampleCorrect: samples.map((s) => (right(s.strict) ? 1 : 0)), sampleCorrectFlexible: samples.map((s) => (right(s.flexible) ? 1 : 0)),
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN);

/**
 * maj1@k of one problem: votes over equivalence classes of the normalized answers (as the original
 * port did with SymPy), invalid answers abstaining, ties to the earliest sample. The class
 * representative's correctness is read from the per-sample flags, so no answer is graded twice.
 */
function problemMajAtK(answers: string[], correct: number[], k: number): number {
  const correctOf = new Map<string, boolean>();
  answers.forEach((a, i) => correctOf.set(a, correct[i] === 1));
  const equivMemo = new Map<string, boolean>();
  const equiv = (a: string, b: string) => {
    const key = `${a}\u0000${b}`;
    let v = equivMemo.get(key);
    if (v === undefined) equivMemo.set(key, (v = isEquiv(a, b)));
    return v;
  };
  return majAtK(answers, (a) => correctOf.get(a) === true, k, { equiv, skip: INVALID });
}

/** Aggregate metrics over the problems' records. */
export function metricsOf(records: ProblemRecord[]): MetricValues {
  const m: MetricValues = {
    problems: records.length,
    'pass-at-1': mean(records.map((r) => r.correct)),
    'pass-at-1-flexible': mean(records.map((r) => r.correctFlexible)),
    'invalid-answer-rate': mean(records.map((r) => (r.greedyStrict === INVALID ? 1 : 0))),
    'invalid-answer-rate-flexible': mean(records.map((r) => (r.greedyFlexible === INVALID ? 1 : 0))),
    'string-vs-equiv-gap': mean(records.map((r) => r.correct - r.correctString)),
  };
  // sampled metrics over the problems that were sampled (the first sampledProblems)
  const sampled = records.filter((r) => r.sampleStrict.length > 0);
  const n = sampled.length ? Math.min(...sampled.map((r) => r.sampleStrict.length)) : 0;
  if (n > 0) {
    m['sampled-problems'] = sampled.length;
    m['pass-at-1-sampled-problems'] = mean(sampled.map((r) => r.correct));
    m['sample-accuracy'] = mean(sampled.map((r) => mean(r.sampleCorrect)));
    m['invalid-answer-rate-sampled'] = mean(sampled.map((r) => mean(r.sampleStrict.map((a) => (a === INVALID ? 1 : 0)))));
    for (const k of VOTE_KS) {
      if (k > n) continue;
      m[`maj1-at-${k}`] = mean(sampled.map((r) => problemMajAtK(r.sampleStrict, r.sampleCorrect, k)));
      m[`maj1-at-${k}-flexible`] = mean(sampled.map((r) => problemMajAtK(r.sampleFlexible, r.sampleCorrectFlexible, k)));
      if (k > 1) m[`pass-at-${k}`] = mean(sampled.map((r) => passAtK(r.sampleCorrect.length, r.sampleCorrect.reduce((s, v) => s + v, 0), k)));
    }
  }
  for (let level = 1; level <= 5; level++) {
    const rs = records.filter((r) => r.level === level);
    if (rs.length) m[`accuracy-level-${level}`] = mean(rs.map((r) => r.correct));
  }
  for (const [subject, slug] of Object.entries(SUBJECT_SLUGS)) {
    const rs = records.filter((r) => r.subject === subject);
    if (rs.length) m[`accuracy-${slug}`] = mean(rs.map((r) => r.correct));
  }
  return m;
}

export const asJson = (r: ProblemRecord): Json => r as unknown as Json;
