// The fine-tuning formats as token sequences. Every example is a prompt (its loss is masked) and a
// target: direct `answer <eos>`, or scratchpad `step… > answer <eos>` with one step per input element.
//   parity, direct       $1011>            → 1<eos>
//   parity, scratchpad   $1011;            → 1101>1<eos>       (running parity after each bit)
//   assignment, direct   $a=1,b=!a,?b>     → 0<eos>
//   assignment, scratch. $a=1,b=!a,?b;     → a1b0>0<eos>      (each statement's variable and value)
import type { Rng } from '../../harness/api/index.ts';
import { parityOf, randomBits, runningParity } from './parity.ts';
import { evaluateProgram, programText, randomProgram, scratchpadSteps, shuffledProgram, type ProgramSpec } from './variable-assignment.ts';

export type Format = 'direct' | 'scratchpad';
/** A training/evaluation mode: a format, or the shuffled-operation control (direct answers on programs
 * whose statements are in random order; assignment only). */
export type Mode = Format | 'shuffled';

export const BOS = '$';
export const SCRATCH = ';';
export const ANSWER = '>';
export const EOS = '<eos>';
export const PAD = '<pad>';

export interface Example {
  /** Characters of the prompt, BOS first (one token per character). */
  prompt: string;
  /** Scratchpad steps (each `stepWidth` characters); empty for the direct format. */
  steps: string[];
  /** The answer character. */
  answer: string;
  /** The length axis this example belongs to (parity: bits; assignment: depth). */
  length: number;
  /** Assignment only: number of statements. */
  ops?: number;
}

/** The target characters after the prompt, without EOS: `steps… > answer` or `answer`. */
export function targetText(ex: Example): string {
  return ex.steps.length ? `${ex.steps.join('')}${ANSWER}${ex.answer}` : ex.answer;
}

export function parityExample(rng: Rng, n: number, format: Mode): Example {
  if (format === 'shuffled') throw new Error('the shuffled-operation control applies to variable assignment only (parity does not depend on order)');
  const bits = randomBits(rng, n);
  const input = `${BOS}${bits.join('')}`;
  const answer = String(parityOf(bits));
  if (format === 'direct') return { prompt: `${input}${ANSWER}`, steps: [], answer, length: n };
  return { prompt: `${input}${SCRATCH}`, steps: runningParity(bits).map(String), answer, length: n };
}

export function assignmentExample(rng: Rng, spec: ProgramSpec, mode: Mode): Example {
  let program = randomProgram(rng, spec);
  if (mode === 'shuffled') program = shuffledProgram(rng, program);
  const format: Format = mode === 'shuffled' ? 'direct' : mode;
  const input = `${BOS}${programText(program)}`;
  const answer = String(evaluateProgram(program).get(program.query));
  const base = { answer, length: spec.depth, ops: spec.ops };
  if (format === 'direct') return { prompt: `${input}${ANSWER}`, steps: [], ...base };
  return { prompt: `${input}${SCRATCH}`, steps: scratchpadSteps(program), ...base };
}

/** Characters of each task's vocabulary (special tokens EOS and PAD come after them). */
export const PARITY_ALPHABET = `${BOS}01${SCRATCH}${ANSWER}`;
export const ASSIGNMENT_ALPHABET = `${BOS}01${SCRATCH}${ANSWER}abcdefghijklmnopqrstuvwxyz=!&|^,?`;

/** Tokens a full example occupies (prompt + target + EOS). */
export function exampleLength(ex: Example): number {
  return ex.prompt.length + targetText(ex).length + 1;
}
