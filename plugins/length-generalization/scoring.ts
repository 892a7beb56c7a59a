// Per-example scores of a decoded output, and their aggregation into the suite's metrics.
import type { Decoded } from './decode.ts';
import { ANSWER, targetText, type Example } from './examples.ts';

export interface ExampleScore {
  /** Length axis (parity: bits; assignment: depth) and, for assignment, the number of statements. */
  length: number;
  ops?: number;
  /** The final answer (after `>` in a scratchpad) is right. */
  correct: number;
  /** The whole output, EOS included, equals the target. */
  exact: number;
  /** Scratchpad: expected steps, and how many of them the output got right at their index. */
  steps: number;
  stepsCorrect: number;
  /** Scratchpad: index of the first wrong step (n = all steps right but the end is wrong); null when the scratchpad is right. */
  firstWrong: number | null;
  /** EOS missing or not exactly after the target's last token. */
  eosError: number;
  /** EOS emitted before the target's end. */
  eosEarly: number;
}

export interface ParsedOutput {
  steps: string[];
  answer: string | undefined;
  /** Whether the answer marker `>` was produced. */
  marker: boolean;
}

/** Splits a scratchpad output into steps of `stepWidth` tokens before `>`, and the answer after it. */
export function parseOutput(tokens: readonly string[], stepWidth: number, scratchpad: boolean): ParsedOutput {
  if (!scratchpad) return { steps: [], answer: tokens[0], marker: false };
  const at = tokens.indexOf(ANSWER);
  const body = at >= 0 ? tokens.slice(0, at) : tokens.slice();
  const steps: string[] = [];
  for (let i = 0; i < body.length; i += stepWidth) steps.push(body.slice(i, i + stepWidth).join(''));
  return { steps, answer: at >= 0 ? tokens[at + 1] : undefined, marker: at >= 0 };
}

export function scoreExample(ex: Example, out: Decoded, stepWidth: number): ExampleScore {
  const scratchpad = ex.steps.length > 0;
  const parsed = parseOutput(out.tokens, stepWidth, scratchpad);
  const target = targetText(ex);
  const produced = out.tokens.join('');
  const n = ex.steps.length;
  let stepsCorrect = 0;
  let firstWrong: number | null = null;
  for (let i = 0; i < n; i++) {
    if (parsed.steps[i] === ex.steps[i]) stepsCorrect++;
    else if (firstWrong === null) firstWrong = i;
  }
  if (scratchpad && firstWrong === null && (parsed.steps.length !== n || !parsed.marker)) firstWrong = n;
  const eosAtEnd = out.eos && out.tokens.length === target.length;
  return {
    length: ex.length,
    ...(ex.ops !== undefined ? { ops: ex.ops } : {}),
    correct: parsed.answer === ex.answer ? 1 : 0,
    exact: out.eos && produced === target ? 1 : 0,
    steps: n,
    stepsCorrect,
    firstWrong,
    eosError: eosAtEnd ? 0 : 1,
    eosEarly: out.eos && out.tokens.length < target.length ? 1 : 0,
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function accuracy(scores: readonly ExampleScore[]): number {
  return mean(scores.map((s) => s.correct));
}

/** Fraction of all scratchpad steps (pooled over examples) that are right at their index. */
export function stepAccuracy(scores: readonly ExampleScore[]): number {
  const total = scores.reduce((a, s) => a + s.steps, 0);
  return total ? scores.reduce((a, s) => a + s.stepsCorrect, 0) / total : NaN;
}

/**
 * Where scratchpads first go wrong: over the examples with a wrong scratchpad, the fraction whose
 * first wrong step falls in each quarter of the scratchpad (steps 0 … n−1; the end marker counts
 * in the last quarter), the fraction within the first `withinSteps` steps (the lengths seen in
 * training) and the mean relative position (first wrong index / n).
 */
export function firstWrongStats(scores: readonly ExampleScore[], withinSteps: number): { quarters: number[]; within: number; relative: number; wrong: number } {
  const wrong = scores.filter((s) => s.firstWrong !== null && s.steps > 0);
  const quarters = [0, 0, 0, 0];
  for (const s of wrong) quarters[Math.min(3, Math.floor((4 * s.firstWrong!) / s.steps))]++;
  return {
    quarters: quarters.map((q) => (wrong.length ? q / wrong.length : NaN)),
    within: wrong.length ? wrong.filter((s) => s.firstWrong! < withinSteps).length / wrong.length : NaN,
    relative: mean(wrong.map((s) => s.firstWrong! / s.steps)),
    wrong: wrong.length,
  };
}

export function eosErrorRate(scores: readonly ExampleScore[]): number {
  return mean(scores.map((s) => s.eosError));
}

export function eosEarlyRate(scores: readonly ExampleScore[]): number {
  return mean(scores.map((s) => s.eosEarly));
}
