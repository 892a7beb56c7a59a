// The three addition target formats of the fine-tuning analogue, as character sequences a tiny model
// reads and writes (one token per character). The prompt is `$a+b=`; the target is
//   direct        495                                                  the answer alone
//   scratchpad    12+36,5C1;1+3,95C0;+,495C0>495                       Nye et al.: the state after each
//                                                                      step (operands left, answer so
//                                                                      far, carry); the rule is implicit
//   algorithmic   128+367:8+7+0=15,5C1;12+36:2+6+1=9,95C0;1+3:1+3+0=4,495C0>495
//                                                                      the paper's trace, shortened: the
//                                                                      lists before the step, the digits
//                                                                      taken, the sum with the carry in,
//                                                                      the answer so far and the carry out
// Both operands have the same number of digits n (the length axis).
import type { Rng } from '../../harness/api/index.ts';
import { randomNumber } from './traces.ts';

export type CompactFormat = 'direct' | 'scratchpad' | 'algorithmic';
export const COMPACT_FORMATS: readonly CompactFormat[] = ['direct', 'scratchpad', 'algorithmic'];

export const BOS = '$';
export const ANSWER = '>';
export const STEP_END = ';';
export const EOS = '<eos>';
export const PAD = '<pad>';
export const COMPACT_ALPHABET = `${BOS}0123456789+=,:;C${ANSWER}`;

export interface CompactExample {
  a: string;
  b: string;
  /** Digits per operand. */
  length: number;
  prompt: string;
  /** Step strings (empty for direct); the target is steps joined by `;`, then `>answer`. */
  steps: string[];
  answer: string;
}

/** The target characters after the prompt (EOS not included). */
export const compactTarget = (ex: Pick<CompactExample, 'steps' | 'answer'>): string => (ex.steps.length ? ex.steps.join(STEP_END) + ANSWER : '') + ex.answer;

export function compactExample(a: string, b: string, format: CompactFormat): CompactExample {
  if (a.length !== b.length) throw new RangeError(`compact addition takes operands of equal length, got ${a} and ${b}`);
  const answer = String(BigInt(a) + BigInt(b));
  const base = { a, b, length: a.length, prompt: `${BOS}${a}+${b}=`, answer };
  if (format === 'direct') return { ...base, steps: [] };
  const steps: string[] = [];
  let carry = 0;
  let acc = '';
  for (let i = a.length - 1; i >= 0; i--) {
    const total = Number(a[i]) + Number(b[i]) + carry;
    const next = total >= 10 ? 1 : 0;
    acc = String(total % 10) + acc;
    if (format === 'algorithmic') steps.push(`${a.slice(0, i + 1)}+${b.slice(0, i + 1)}:${a[i]}+${b[i]}+${carry}=${total},${acc}C${next}`);
    else steps.push(`${a.slice(0, i)}+${b.slice(0, i)},${acc}C${next}`);
    carry = next;
  }
  return { ...base, steps };
}

export function randomCompactExample(rng: Rng, n: number, format: CompactFormat): CompactExample {
  return compactExample(randomNumber(rng, n), randomNumber(rng, n), format);
}

/** The answer a generated target states (after the last `>`, or the whole text for direct), and its steps. */
export function readCompact(text: string, format: CompactFormat): { steps: string[]; answer: string | null } {
  if (format === 'direct') return { steps: [], answer: /^\d+$/.test(text) ? text : null };
  const at = text.lastIndexOf(ANSWER);
  const body = at >= 0 ? text.slice(0, at) : text;
  return { steps: body ? body.split(STEP_END) : [], answer: at >= 0 && /^\d+$/.test(text.slice(at + 1)) ? text.slice(at + 1) : null };
}

/** Tokens of prompt + target + EOS. */
export const compactLength = (ex: CompactExample): number => ex.prompt.length + compactTarget(ex).length + 1;
