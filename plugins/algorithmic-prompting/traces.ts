// Exact trace generators for the paper's in-context prompts: parity, addition, subtraction and
// multiplication (n digits × one digit) in three styles — `few-shot` (question → answer),
// `scratchpad` (Nye et al.'s compact state per step, which leaves the rule implicit) and `algorithmic`
// (every intermediate state, index and rule application spelled out, Sec. 2). A generator executes
// the algorithm step by step; `rule: 'systematic'` executes a consistently wrong rule (every carry or
// parity update wrong) and `typos` corrupts single written results without propagating them (the
// paper's systematic vs irregular exemplar errors, Sec. 3.1).
import type { Rng } from '../../harness/api/index.ts';

export type Operation = 'parity' | 'addition' | 'subtraction' | 'multiplication';
export const OPERATIONS: readonly Operation[] = ['parity', 'addition', 'subtraction', 'multiplication'];
export type Style = 'few-shot' | 'scratchpad' | 'algorithmic';
export const STYLES: readonly Style[] = ['few-shot', 'scratchpad', 'algorithmic'];

export type Problem = { op: 'parity'; bits: number[] } | { op: 'addition' | 'subtraction' | 'multiplication'; a: string; b: string };

export interface TraceOptions {
  /** `systematic`: a consistently wrong rule (parity: 1 + 1 = 1; +: carry inverted; −: borrow inverted; ×: carry + 1). */
  rule?: 'correct' | 'systematic';
  /** Step indices whose written result is wrong while the next step goes on from the right state. */
  typos?: ReadonlySet<number>;
}

/** One worked problem: the question (up to the style's answer cue) and the text the model should write. */
export interface Trace {
  problem: Problem;
  style: Style;
  /** E.g. `Q: What is the parity on the list a=[1, 1, 0, 1, 0]?\nA:` or `Problem: 128+367=\nExplanation:`. */
  question: string;
  /** Lines of the continuation: header lines, one line per algorithm step, the closing line. */
  lines: string[];
  /** Index in `lines` of the first step line (lines before it are the header). */
  firstStep: number;
  /** The final answer the trace states (parity bit or integer, as text). */
  answer: string;
}

/** What follows the question in the prompt: a space then the first line, the rest one per line. */
export const traceBody = (t: Trace): string => (t.style === 'few-shot' || t.problem.op === 'parity' ? ' ' : '\n') + t.lines.join('\n');
/** The whole exemplar text (question + body). */
export const traceText = (t: Trace): string => t.question + traceBody(t);

/** The correct answer of a problem (as the trace's closing line states it). */
export function solve(p: Problem): string {
  if (p.op === 'parity') return String(p.bits.reduce((s, b) => s ^ b, 0));
  const a = BigInt(p.a);
  const b = BigInt(p.b);
  return String(p.op === 'addition' ? a + b : p.op === 'subtraction' ? a - b : a * b);
}

const digitsOf = (s: string) => Array.from(s, Number);
const list = (xs: readonly number[], sep = ',') => `[${xs.join(sep)}]`;
/** A wrong digit for a typo: a fixed, different value so the corruption is deterministic. */
const wrongDigit = (d: number) => (d + 1) % 10;

export function trace(p: Problem, style: Style, opts: TraceOptions = {}): Trace {
  switch (p.op) {
    case 'parity':
      return parityTrace(p.bits, style, opts);
    case 'addition':
    case 'subtraction':
      return digitwiseTrace({ op: p.op, a: p.a, b: p.b }, style, opts);
    case 'multiplication':
      return p.b.length > 1 ? compositionTrace({ op: p.op, a: p.a, b: p.b }, style) : multiplicationTrace({ op: p.op, a: p.a, b: p.b }, style, opts);
  }
}

// ---- parity (Appendix: the byte-exact exemplar)

function parityTrace(bits: number[], style: Style, opts: TraceOptions): Trace {
  const problem: Problem = { op: 'parity', bits };
  const question = `Q: What is the parity on the list a=[${bits.join(', ')}]?\nA:`;
  const systematic = opts.rule === 'systematic';
  let s = 0;
  const lines: string[] = [];
  const states: number[] = [];
  bits.forEach((b, i) => {
    const next = systematic ? s | b : s ^ b;
    const written = opts.typos?.has(i) ? 1 - next : next;
    if (style === 'algorithmic') lines.push(`a=[${bits.slice(i).join(', ')}]. The first element of a is ${b} so b=${b}. s = s + b = ${s} + ${b} = ${written}. s=${written}.`);
    if (style === 'scratchpad') lines.push(`${b}: s=${written}`);
    states.push(next);
    s = next;
  });
  const answer = String(s);
  if (style === 'algorithmic') return { problem, style, question, lines: ['We initialize s=0.', ...lines, `a=[] is empty. Since the list a is empty and we have s=${s}, the parity is ${s}`], firstStep: 1, answer };
  if (style === 'scratchpad') return { problem, style, question, lines: ['s=0', ...lines, `the parity is ${s}`], firstStep: 1, answer };
  return { problem, style, question, lines: [`the parity is ${s}`], firstStep: 0, answer };
}

// ---- addition and subtraction: the same skeleton, a carry or a borrow

function checkOperands(p: { op: string; a: string; b: string }): void {
  for (const [name, v] of [['a', p.a], ['b', p.b]] as const) if (!/^(0|[1-9]\d*)$/.test(v)) throw new RangeError(`${p.op}: operand ${name} must be a non-negative integer without leading zeros, got ${JSON.stringify(v)}`);
  if (p.op === 'subtraction' && BigInt(p.a) < BigInt(p.b)) throw new RangeError(`subtraction: the traces cover a ≥ b, got ${p.a} − ${p.b}`);
  if (p.op === 'multiplication' && p.b.length !== 1) throw new RangeError(`multiplication: the second operand is one digit, got ${p.b}`);
}

const header = (p: { a: string; b: string }, fn: number[], sn: number[]) =>
  `The first number is ${p.a}, FN=${list(fn)}. The second number is ${p.b}, SN=${list(sn)}. Since FN ${list(fn)} has ${fn.length} digits, SN ${list(sn)} has ${sn.length} digits, thus the maximum number of digits is ${Math.max(fn.length, sn.length)}. In each subsequent step, we remove one number from the end of FN and one from the end of SN.`;

/** The integer an answer list spells (leading zeros of a difference dropped). */
const numberOf = (digits: readonly number[]) => String(BigInt(digits.join('') || '0'));

function digitwiseTrace(p: { op: 'addition' | 'subtraction'; a: string; b: string }, style: Style, opts: TraceOptions): Trace {
  checkOperands(p);
  const add = p.op === 'addition';
  const sign = add ? '+' : '-';
  const problem: Problem = { op: p.op, a: p.a, b: p.b };
  const cue = style === 'algorithmic' ? 'Explanation:' : style === 'scratchpad' ? 'Scratchpad:' : 'Answer:';
  const question = `Problem: ${p.a}${sign}${p.b}=\n${cue}`;
  const fn = digitsOf(p.a);
  const sn = digitsOf(p.b);
  const m = Math.max(fn.length, sn.length);
  const systematic = opts.rule === 'systematic';
  const A: number[] = [];
  const steps: string[] = [];
  const scratch: string[] = [`${[...fn, sign, ...sn].join(' ')} , C: 0`];
  let c = 0;
  for (let k = m, i = 0; k >= 1; k--, i++) {
    const f = fn.slice(0, fn.length - i);
    const s = sn.slice(0, sn.length - i);
    const fd = f.length ? f[f.length - 1] : 0;
    const sd = s.length ? s[s.length - 1] : 0;
    const total = add ? fd + sd + c : fd - sd - c;
    const digit = add ? total % 10 : total < 0 ? total + 10 : total;
    const right = add ? (total - digit) / 10 : total < 0 ? 1 : 0;
    const carry = systematic ? 1 - right : right;
    const shown = opts.typos?.has(i) ? wrongDigit(digit) : digit;
    A.unshift(digit);
    const written = [shown, ...A.slice(1)];
    const fIdx = f.length ? `FN[${f.length}]=${fd}` : `FN[${k}]=0`;
    const sIdx = s.length ? `SN[${s.length}]=${sd}` : `SN[${k}]=0`;
    const rule = add
      ? `Since ${fd}+${sd}+${c}=${total}, ${total}${total > 10 ? '>' : total === 10 ? '=' : '<'}10, ${total}%10=${digit}. Length of A is ${A.length}. Thus A=${list(written)}. Since (${total}-${digit})/10=${right}, C[${k - 1}]=${carry}.`
      : `Since ${fd}-${sd}-${c}=${total}, ${total < 0 ? `${total}<0, the digit is ${total}+10=${digit} and we borrow` : `${total}>=0, the digit is ${digit} and there is no borrow`}. Length of A is ${A.length}. Thus A=${list(written)}. C[${k - 1}]=${carry}.`;
    steps.push(`Length of FN is ${f.length}. FN=${list(f)}. Length of SN is ${s.length}. SN=${list(s)}. ${fIdx}. ${sIdx}. C[${k}]=${c}. ${rule}`);
    const left = [...fn.slice(0, fn.length - i - 1), sign, ...sn.slice(0, sn.length - i - 1)].join(' ');
    scratch.push(`${left} , ${written.join(' ')} C: ${carry}`);
    c = carry;
  }
  // a final carry becomes the leading digit; a final borrow (systematic rule only) is dropped
  const digits = add && c ? [c, ...A] : A;
  const answer = numberOf(digits);
  const word = add ? 'carry' : 'borrow';
  if (style === 'algorithmic') return { problem, style, question, lines: [header(p, fn, sn), ...steps, `There are no more digits and the final ${word} is ${c}. Thus the answer is A=${list(digits)} → ${answer}.`], firstStep: 1, answer };
  if (style === 'scratchpad') return { problem, style, question, lines: [...scratch, `Thus the answer is ${answer}.`], firstStep: 1, answer };
  return { problem, style, question, lines: [answer], firstStep: 0, answer };
}

// ---- multiplication of n digits by one digit

function multiplicationTrace(p: { op: 'multiplication'; a: string; b: string }, style: Style, opts: TraceOptions): Trace {
  checkOperands(p);
  const problem: Problem = { op: 'multiplication', a: p.a, b: p.b };
  const cue = style === 'algorithmic' ? 'Explanation:' : style === 'scratchpad' ? 'Scratchpad:' : 'Answer:';
  const question = `Problem: ${p.a}*${p.b}=\n${cue}`;
  const fn = digitsOf(p.a);
  const d = Number(p.b);
  const systematic = opts.rule === 'systematic';
  const A: number[] = [];
  const steps: string[] = [];
  const scratch: string[] = [`${fn.join(' ')} * ${d} , C: 0`];
  let c = 0;
  for (let k = fn.length, i = 0; k >= 1; k--, i++) {
    const f = fn.slice(0, k);
    const fd = f[k - 1];
    const total = fd * d + c;
    const digit = total % 10;
    const right = (total - digit) / 10;
    const carry = systematic ? right + 1 : right;
    const shown = opts.typos?.has(i) ? wrongDigit(digit) : digit;
    A.unshift(digit);
    const written = [shown, ...A.slice(1)];
    steps.push(`Length of FN is ${k}. FN=${list(f)}. FN[${k}]=${fd}. C[${k}]=${c}. Since ${fd}*${d}+${c}=${total}, ${total}%10=${digit}. Length of A is ${A.length}. Thus A=${list(written)}. Since (${total}-${digit})/10=${right}, C[${k - 1}]=${carry}.`);
    scratch.push(`${[...fn.slice(0, k - 1), '*', d].join(' ')} , ${written.join(' ')} C: ${carry}`);
    c = carry;
  }
  const digits = c ? [...digitsOf(String(c)), ...A] : A;
  const answer = numberOf(digits);
  const head = `The first number is ${p.a}, FN=${list(fn)}. The second number is ${p.b}, a single digit d=${d}. In each subsequent step, we remove one number from the end of FN and multiply it by d.`;
  if (style === 'algorithmic') return { problem, style, question, lines: [head, ...steps, `There are no more digits and the final carry is ${c}. Thus the answer is A=${list(digits)} → ${answer}.`], firstStep: 1, answer };
  if (style === 'scratchpad') return { problem, style, question, lines: [...scratch, `Thus the answer is ${answer}.`], firstStep: 1, answer };
  return { problem, style, question, lines: [answer], firstStep: 0, answer };
}

// ---- skill composition: multi-digit multiplication whose trace calls the addition trace

/**
 * a × b with b of two or more digits (its digit list is B, not SN: SN belongs to the addition
 * sub-trace): for each digit of b from the end, the partial product (the
 * multiply-by-one-digit skill stated as its result), then the running total T + P computed by the
 * full algorithmic addition trace as a sub-step. The scratchpad keeps the partial products and
 * totals only; few-shot the answer.
 */
function compositionTrace(p: { op: 'multiplication'; a: string; b: string }, style: Style): Trace {
  for (const [name, v] of [['a', p.a], ['b', p.b]] as const) if (!/^(0|[1-9]\d*)$/.test(v)) throw new RangeError(`multiplication: operand ${name} must be a non-negative integer without leading zeros, got ${JSON.stringify(v)}`);
  const problem: Problem = { op: 'multiplication', a: p.a, b: p.b };
  const cue = style === 'algorithmic' ? 'Explanation:' : style === 'scratchpad' ? 'Scratchpad:' : 'Answer:';
  const question = `Problem: ${p.a}*${p.b}=\n${cue}`;
  const answer = String(BigInt(p.a) * BigInt(p.b));
  if (style === 'few-shot') return { problem, style, question, lines: [answer], firstStep: 0, answer };
  const sn = digitsOf(p.b);
  const lines: string[] = [];
  if (style === 'algorithmic') lines.push(`The first number is ${p.a}. The second number is ${p.b}, B=${list(sn)}. We multiply ${p.a} by each digit of B from the end, append one 0 per digit already used, and add each partial product P to the total T with the addition skill. We initialize T=0.`);
  let total = 0n;
  for (let i = 0, k = sn.length; k >= 1; k--, i++) {
    const d = sn[k - 1];
    const P = (BigInt(p.a) * BigInt(d) * 10n ** BigInt(i)).toString();
    if (style === 'scratchpad') {
      total += BigInt(P);
      lines.push(`B[${k}]=${d}, P=${P}, T=${total}`);
      continue;
    }
    lines.push(`B[${k}]=${d}. ${p.a}*${d}=${BigInt(p.a) * BigInt(d)}. With ${i} zeros appended, P=${P}. We add T=${total} and P=${P}:`);
    lines.push(...trace({ op: 'addition', a: String(total), b: P }, 'algorithmic').lines);
    total += BigInt(P);
    lines.push(`T=${total}.`);
  }
  lines.push(style === 'algorithmic' ? `There are no more digits in B. Thus the answer is ${answer}.` : `Thus the answer is ${answer}.`);
  return { problem, style, question, lines, firstStep: style === 'algorithmic' ? 1 : 0, answer };
}

/** n-digit × m-digit multiplication (the composition task's problems). */
export function randomCompositionProblem(rng: Rng, n: number, m = 2): Problem {
  return { op: 'multiplication', a: randomNumber(rng, n), b: randomNumber(rng, m) };
}

// ---- random problems

/** A random n-digit number (no leading zero; n = 1 allows 0). */
export function randomNumber(rng: Rng, n: number): string {
  let s = String(n === 1 ? rng.int(10) : 1 + rng.int(9));
  for (let i = 1; i < n; i++) s += String(rng.int(10));
  return s;
}

/**
 * A random problem of length n: parity over n bits; addition over two n-digit numbers; subtraction
 * of two n-digit numbers with a ≥ b; multiplication of an n-digit number by a digit 2–9.
 */
export function randomProblem(rng: Rng, op: Operation, n: number): Problem {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`problem length must be a positive integer, got ${n}`);
  switch (op) {
    case 'parity':
      return { op, bits: Array.from({ length: n }, () => rng.int(2)) };
    case 'addition':
      return { op, a: randomNumber(rng, n), b: randomNumber(rng, n) };
    case 'subtraction': {
      const [x, y] = [randomNumber(rng, n), randomNumber(rng, n)];
      return BigInt(x) >= BigInt(y) ? { op, a: x, b: y } : { op, a: y, b: x };
    }
    case 'multiplication':
      return { op, a: randomNumber(rng, n), b: String(2 + rng.int(8)) };
  }
}

/** The length axis of a problem: bits, or digits of the first operand. */
export const problemLength = (p: Problem): number => (p.op === 'parity' ? p.bits.length : p.a.length);
