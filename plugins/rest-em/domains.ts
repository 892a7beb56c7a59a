// The two verifiable domains: small-number arithmetic word problems (reward = the final answer after
// "#" is right; MATH analogue) and toy list programs (reward = passes every hidden unit test in the
// sandboxed interpreter; APPS analogue). prepare() draws every split from the task seed; nothing
// here depends on a method.
import type { Rng } from '../../harness/api/index.ts';
import { arithmeticFacts, generateWordProblems, readWordAnswer, wordProblemSolution } from '../../datasets/math-problems.ts';
import { generateProgramProblems, runProgram, singleStageExamples, type ProgramTest } from '../../datasets/toy-programs.ts';

export type Domain = 'math' | 'code';

export interface Problem {
  id: string;
  /** What the model is given: the question or description, ending in a newline. */
  prompt: string;
  /** The given ("human") solution: the exact equation chain or the reference program. */
  solution: string;
  /** math: the final answer. */
  answer?: number;
  /** code: hidden unit tests. */
  tests?: ProgramTest[];
}

export interface Sizes {
  /** Training problems with answers/tests only (ReST-EM's D). */
  pool: number;
  /** Pool problems whose given solutions the sft-human baseline trains on (the first ones). */
  human: number;
  /** Formatted examples in the base model's pretraining (disjoint from every split). */
  fewshot: number;
  val: number;
  test: number;
  /** Harder problems (one more step or stage): the transfer split (GSM8K / HumanEval analogue). */
  transfer: number;
}

export interface Splits {
  domain: Domain;
  pool: Problem[];
  fewshot: Problem[];
  val: Problem[];
  test: Problem[];
  transfer: Problem[];
  /** Sequences the base model is pretrained on besides the few-shot examples (full loss). */
  pretrain: string[];
}

function mathProblems(rng: Rng, n: number, steps: number, prefix: string): Problem[] {
  return generateWordProblems(rng, n, steps).map((p) => ({ id: `${prefix}-${p.id}`, prompt: `${p.question}\n`, solution: wordProblemSolution(p), answer: p.answer }));
}

function codeProblems(rng: Rng, n: number, stages: number, prefix: string): Problem[] {
  return generateProgramProblems(rng, n, { stages, tests: 5 }).map((p) => ({ id: `${prefix}-${p.id}`, prompt: `${p.description}:\n`, solution: p.reference, tests: p.tests }));
}

/**
 * Every split of a domain from `rng`. Problems are drawn per split from independent forks; a test,
 * validation or transfer problem whose prompt equals a pool or few-shot prompt is dropped and redrawn
 * from the same fork (so held-out means unseen text).
 */
export function makeSplits(domain: Domain, sizes: Sizes, rng: Rng): Splits {
  const draw = domain === 'math' ? mathProblems : codeProblems;
  const steps = 2;
  const seen = new Set<string>();
  const fresh = (label: string, n: number, depth: number): Problem[] => {
    const out: Problem[] = [];
    const all = draw(rng.fork(label), 4 * n + 16, depth, label);
    for (const p of all) {
      if (out.length === n) break;
      if (seen.has(p.prompt)) continue;
      seen.add(p.prompt);
      out.push(p);
    }
    if (out.length < n) throw new Error(`${domain}: only ${out.length} distinct ${label} problems of ${n}`);
    return out;
  };
  const pool = fresh('pool', sizes.pool, steps);
  const fewshot = fresh('fewshot', sizes.fewshot, steps);
  const val = fresh('val', sizes.val, steps);
  const test = fresh('test', sizes.test, steps);
  const transfer = fresh('transfer', sizes.transfer, steps + 1);
  const pretrain = domain === 'math' ? arithmeticFacts() : singleStageExamples().map((e) => `${e.description}:\n${e.program}`);
  return { domain, pool, fewshot, val, test, transfer, pretrain };
}

/** The binary reward r(x, y): 1 when the completion solves the problem. */
export function reward(domain: Domain, p: Problem, completion: string): 0 | 1 {
  if (domain === 'math') return readWordAnswer(completion) === p.answer ? 1 : 0;
  const program = completion.trim();
  if (!program) return 0;
  for (const t of p.tests!) {
    const r = runProgram(program, t.input);
    if (!r.ok) return 0;
    if (JSON.stringify(r.value) !== JSON.stringify(t.expected)) return 0;
  }
  return 1;
}

/**
 * The answer a completion votes for in maj@k: the number after "#" (math), or the program's
 * behaviour — its outputs on the tests' inputs, never their expected outputs — (code); null when
 * there is none (no number, or the program fails).
 */
export function voteKey(domain: Domain, p: Problem, completion: string): string | null {
  if (domain === 'math') {
    const a = readWordAnswer(completion);
    return a === null ? null : String(a);
  }
  const outs: unknown[] = [];
  for (const t of p.tests!) {
    const r = runProgram(completion.trim(), t.input);
    if (!r.ok) return null;
    outs.push(r.value);
  }
  return JSON.stringify(outs);
}

/** The vote key of the correct answer. */
export function correctKey(domain: Domain, p: Problem): string {
  return domain === 'math' ? String(p.answer) : JSON.stringify(p.tests!.map((t) => t.expected));
}

/** Characters the model reads and writes (both domains), plus <eos> and <pad>. */
export const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789 .,?:;#|()+-*/%=<>\n';
