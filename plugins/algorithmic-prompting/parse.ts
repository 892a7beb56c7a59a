// Reading traces back: a parser per operation and style that recovers every step's state from the
// text (so each format round-trips), the step checker that locates the first wrong line of a
// generated trace against the gold one, and the answer extractor ("the answer is", "parity is", A=[…]).
import type { Operation, Problem, Style, Trace } from './traces.ts';

export type StepState = Record<string, number | number[]>;

export interface ParsedTrace {
  problem: Problem;
  /** One state per step line, in order. */
  steps: StepState[];
  /** The answer the closing line states, or null when it has none. */
  answer: string | null;
}

const nums = (s: string): number[] => (s === '' ? [] : s.split(/,\s*|\s+/).map(Number));

const STEP: Record<Operation, Partial<Record<Style, RegExp>>> = {
  parity: {
    algorithmic: /^a=\[([01](?:, [01])*)\]\. The first element of a is ([01]) so b=\2\. s = s \+ b = ([01]) \+ \2 = ([01])\. s=\4\.$/,
    scratchpad: /^([01]): s=([01])$/,
  },
  addition: {
    algorithmic: /^Length of FN is (\d+)\. FN=\[([\d,]*)\]\. Length of SN is (\d+)\. SN=\[([\d,]*)\]\. FN\[\d+\]=(\d)\. SN\[\d+\]=(\d)\. C\[(\d+)\]=(\d)\. Since \5\+\6\+\8=(\d+), \9[<=>]10, \9%10=(\d)\. Length of A is (\d+)\. Thus A=\[([\d,]*)\]\. Since \(\9-\d\)\/10=(\d), C\[(\d+)\]=(\d)\.$/,
    scratchpad: /^([\d ]*?) ?\+ ?([\d ]*?) , ([\d ]+) C: (\d)$/,
  },
  subtraction: {
    algorithmic: /^Length of FN is (\d+)\. FN=\[([\d,]*)\]\. Length of SN is (\d+)\. SN=\[([\d,]*)\]\. FN\[\d+\]=(\d)\. SN\[\d+\]=(\d)\. C\[(\d+)\]=(\d)\. Since \5-\6-\8=(-?\d+), \9(?:<0, the digit is \9\+10=|>=0, the digit is )(\d)(?: and we borrow| and there is no borrow)\. Length of A is (\d+)\. Thus A=\[([\d,]*)\]\. C\[(\d+)\]=(\d)\.$/,
    scratchpad: /^([\d ]*?) ?- ?([\d ]*?) , ([\d ]+) C: (\d)$/,
  },
  multiplication: {
    algorithmic: /^Length of FN is (\d+)\. FN=\[([\d,]*)\]\. FN\[\d+\]=(\d)\. C\[(\d+)\]=(\d+)\. Since \3\*(\d)\+\5=(\d+), \7%10=(\d)\. Length of A is (\d+)\. Thus A=\[([\d,]*)\]\. Since \(\7-\8\)\/10=(\d+), C\[(\d+)\]=(\d+)\.$/,
    scratchpad: /^([\d ]*?) ?\* (\d) , ([\d ]+) C: (\d+)$/,
  },
};

function stepState(op: Operation, style: Style, m: RegExpExecArray): StepState {
  if (op === 'parity') return style === 'algorithmic' ? { rest: nums(m[1]), b: +m[2], before: +m[3], s: +m[4] } : { b: +m[1], s: +m[2] };
  if (style === 'scratchpad') return op === 'multiplication' ? { fn: nums(m[1].trim()), d: +m[2], A: nums(m[3]), carry: +m[4] } : { fn: nums(m[1].trim()), sn: nums(m[2].trim()), A: nums(m[3]), carry: +m[4] };
  if (op === 'multiplication') return { fn: nums(m[2]), digitIn: +m[3], carryIn: +m[5], d: +m[6], total: +m[7], digit: +m[8], A: nums(m[10]), carry: +m[13] };
  if (op === 'addition') return { fn: nums(m[2]), sn: nums(m[4]), carryIn: +m[8], total: +m[9], digit: +m[10], A: nums(m[12]), carry: +m[15] };
  return { fn: nums(m[2]), sn: nums(m[4]), carryIn: +m[8], total: +m[9], digit: +m[10], A: nums(m[12]), carry: +m[14] };
}

/** The problem a question states (`Q: What is the parity on the list a=[…]?`, `Problem: 12+34=`). */
export function parseQuestion(question: string): Problem {
  const parity = /What is the parity on the list a=\[([01](?:, [01])*)\]\?/.exec(question);
  if (parity) return { op: 'parity', bits: nums(parity[1]) };
  const arith = /Problem: (\d+)([+\-*])(\d+)=/.exec(question);
  if (!arith) throw new SyntaxError(`not a question of any trace format: ${JSON.stringify(question.slice(0, 80))}`);
  const op = arith[2] === '+' ? 'addition' : arith[2] === '-' ? 'subtraction' : 'multiplication';
  return { op, a: arith[1], b: arith[3] };
}

/** The style a question's answer cue announces (parity: told by the body's first line). */
export function styleOf(question: string, firstLine = ''): Style {
  if (question.endsWith('Explanation:')) return 'algorithmic';
  if (question.endsWith('Scratchpad:')) return 'scratchpad';
  if (question.endsWith('Answer:')) return 'few-shot';
  return firstLine.startsWith('We initialize') ? 'algorithmic' : firstLine.startsWith('s=') ? 'scratchpad' : 'few-shot';
}

/** Body lines as a model wrote them: up to the first blank line, leading space and trailing spaces dropped. */
export function bodyLines(body: string): string[] {
  const cut = body.replace(/^[ \t]*\n?/, '').split(/\n[ \t]*\n/)[0];
  return cut.split('\n').map((l) => l.replace(/\s+$/, '')).map((l, i) => (i === 0 ? l.replace(/^\s+/, '') : l));
}

/** Parses a whole exemplar (question + body) into its problem, step states and stated answer. */
export function parseTrace(text: string): ParsedTrace & { style: Style } {
  const cue = /^(Q: .*\nA:|Problem: .*\n(?:Explanation|Scratchpad|Answer):)/.exec(text);
  if (!cue) throw new SyntaxError(`no question line: ${JSON.stringify(text.slice(0, 80))}`);
  const problem = parseQuestion(cue[1]);
  const lines = bodyLines(text.slice(cue[1].length));
  const style = styleOf(cue[1], lines[0]);
  const steps: StepState[] = [];
  if (problem.op === 'multiplication' && problem.b.length > 1) {
    // composition: the running total after each digit of B (nested addition lines are checked line by line)
    const total = style === 'algorithmic' ? /^T=(\d+)\.$/ : /^B\[(\d+)\]=(\d), P=(\d+), T=(\d+)$/;
    for (const line of lines) {
      const m = total.exec(line);
      if (m) steps.push({ T: Number(m[style === 'algorithmic' ? 1 : 4]) });
    }
    return { problem, style, steps, answer: extractAnswer(problem.op, lines.join('\n')) };
  }
  const re = STEP[problem.op][style];
  if (re) {
    for (const line of lines.slice(1, -1)) {
      const m = re.exec(line);
      if (!m) throw new SyntaxError(`step ${steps.length} of a ${style} ${problem.op} trace does not parse: ${JSON.stringify(line.slice(0, 120))}`);
      steps.push(stepState(problem.op, style, m));
    }
  }
  return { problem, style, steps, answer: extractAnswer(problem.op, lines.join('\n')) };
}

/**
 * The final answer stated in a model's text: the bit after the last "parity is"; otherwise the number
 * after the last "answer is" (after `A=[…] →` when present), "Answer:", or the digits of the last `A=[…]`.
 */
export function extractAnswer(op: Operation, text: string): string | null {
  if (op === 'parity') {
    const all = [...text.matchAll(/parity is\s*([01])/gi)];
    return all.length ? all[all.length - 1][1] : null;
  }
  const stated = [...text.matchAll(/answer is\s*(?:A=\[[\d,\s]*\]\s*→\s*)?(-?\d+)/gi)];
  if (stated.length) return normalize(stated[stated.length - 1][1]);
  const direct = /^\s*(?:Answer:)?\s*(-?\d+)/.exec(text);
  if (direct) return normalize(direct[1]);
  const lists = [...text.matchAll(/A=\[([\d,\s]+)\]/g)];
  return lists.length ? normalize(lists[lists.length - 1][1].replace(/[,\s]/g, '')) : null;
}

const normalize = (n: string) => String(BigInt(n));

export interface StepCheck {
  /** Step lines of the gold trace (header and closing line excluded). */
  steps: number;
  /** Gold step lines reproduced exactly at their index. */
  stepsCorrect: number;
  /** Index (into the gold lines) of the first line the model got wrong; null when every line is right. */
  firstWrong: number | null;
  /** Header and every step line exactly right (the closing line may still be wrong). */
  allStepsRight: boolean;
}

/** Compares a model's body with the gold trace line by line (exact text after whitespace trimming). */
export function checkTrace(predicted: string, gold: Trace): StepCheck {
  const pred = bodyLines(predicted);
  const n = gold.lines.length;
  const stepEnd = gold.style === 'few-shot' ? gold.firstStep : n - 1;
  let stepsCorrect = 0;
  let firstWrong: number | null = null;
  for (let i = 0; i < n; i++) {
    const ok = pred[i] === gold.lines[i];
    if (ok && i >= gold.firstStep && i < stepEnd) stepsCorrect++;
    if (!ok && firstWrong === null) firstWrong = i;
  }
  if (firstWrong === null && pred.length > n) firstWrong = n;
  const steps = Math.max(0, stepEnd - gold.firstStep);
  const headerRight = gold.lines.slice(0, gold.firstStep).every((l, i) => pred[i] === l);
  return { steps, stepsCorrect, firstWrong, allStepsRight: headerRight && stepsCorrect === steps };
}
