// A seeded generator of MATH-style problems (arXiv 2103.03874's format: problem, solution with a
// \boxed{} answer, level, type) with exact LaTeX answers, several equivalent surface forms per
// answer, and short worked solutions in the Minerva answer format (arXiv 2206.14858: the solution
// ends "Final Answer: The final answer is $X$. I hope it is correct."). Offline stand-in for MATH,
// whose test set cannot ship; used by the `minerva` plugin (evaluation, training its char-level
// model) and reusable by any plugin that needs verifiable math problems (e.g. rest-em).
//
// Every template draws its numbers from the generator it is given, so (seed, n) fixes the set. Each
// answer form normalizes (Appendix D) to a string equivalent to the canonical answer; the `minerva`
// plugin's tests check that for every template.
import type { Rng } from '../harness/api/index.ts';

/** The subjects ("type") of MATH. */
export const MATH_SUBJECTS = ['Algebra', 'Counting & Probability', 'Geometry', 'Intermediate Algebra', 'Number Theory', 'Prealgebra', 'Precalculus'] as const;
export type MathSubject = (typeof MATH_SUBJECTS)[number];

export interface MathProblem {
  /** `<template>-<index>`, unique within a generated set. */
  id: string;
  template: string;
  problem: string;
  /** MATH-style solution: the worked steps with the answer in `\boxed{}`. */
  solution: string;
  /** Canonical LaTeX answer (what `\boxed{}` holds). */
  answer: string;
  /** Equivalent surface forms of the answer (the first is the canonical one). */
  forms: string[];
  /** The worked steps before the answer, shared by both solution formats. */
  work: string;
  subject: MathSubject;
  /** 1–5, as MATH's "Level N". */
  level: number;
}

interface Drawn {
  problem: string;
  work: string;
  answer: string;
  forms: string[];
}

interface Template {
  id: string;
  subject: MathSubject;
  level: number;
  draw(rng: Rng): Drawn;
}

const between = (rng: Rng, lo: number, hi: number) => lo + rng.int(hi - lo + 1);
const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
const frac = (p: number, q: number) => (p < 0 ? `-\\frac{${-p}}{${q}}` : `\\frac{${p}}{${q}}`);
const withCommas = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Surface forms of an integer: plain, with thousands commas when ≥ 1000, and `{n}` braces. */
function integerForms(n: number): string[] {
  const forms = [String(n)];
  if (Math.abs(n) >= 1000) forms.push(withCommas(n));
  forms.push(`{${n}}`);
  return forms;
}

/** Surface forms of a reduced fraction p/q (q > 1): \frac, \dfrac, a/b, the shorthand \fracab, a terminating decimal. */
function fractionForms(p: number, q: number): string[] {
  const forms = [frac(p, q), p < 0 ? `-\\dfrac{${-p}}{${q}}` : `\\dfrac{${p}}{${q}}`, `${p}/${q}`];
  if (p > 0 && p < 10 && q < 10) forms.push(`\\frac${p}${q}`);
  let d = q;
  while (d % 2 === 0) d /= 2;
  while (d % 5 === 0) d /= 5;
  if (d === 1) forms.push(String(p / q));
  return forms;
}

function reducedForms(p: number, q: number): { answer: string; forms: string[] } {
  const g = gcd(p, q);
  const [a, b] = [p / g, q / g];
  if (b === 1) return { answer: String(a), forms: integerForms(a) };
  const forms = fractionForms(a, b);
  return { answer: forms[0], forms };
}

export const MATH_TEMPLATES: readonly Template[] = [
  {
    id: 'add', subject: 'Prealgebra', level: 1,
    draw(rng) {
      const a = between(rng, 2, 99), b = between(rng, 2, 99);
      return { problem: `What is $${a}+${b}$?`, work: `We have $${a}+${b}=${a + b}$.`, answer: String(a + b), forms: integerForms(a + b) };
    },
  },
  {
    id: 'subtract', subject: 'Prealgebra', level: 1,
    draw(rng) {
      const a = between(rng, 10, 99), b = between(rng, 2, a);
      return { problem: `Compute $${a}-${b}$.`, work: `We have $${a}-${b}=${a - b}$.`, answer: String(a - b), forms: integerForms(a - b) };
    },
  },
  {
    id: 'multiply', subject: 'Prealgebra', level: 2,
    draw(rng) {
      const a = between(rng, 2, 12), b = between(rng, 2, 12);
      return { problem: `What is $${a}\\cdot ${b}$?`, work: `We have $${a}\\cdot ${b}=${a * b}$.`, answer: String(a * b), forms: integerForms(a * b) };
    },
  },
  {
    id: 'thousands', subject: 'Prealgebra', level: 2,
    draw(rng) {
      const a = between(rng, 11, 99), b = between(rng, 2, 9) * 100;
      return { problem: `Compute $${a}\\times ${b}$.`, work: `We have $${a}\\times ${b}=${a * b}$.`, answer: String(a * b), forms: integerForms(a * b) };
    },
  },
  {
    id: 'simplify-fraction', subject: 'Prealgebra', level: 2,
    draw(rng) {
      const q0 = between(rng, 2, 9), p0 = between(rng, 1, q0 - 1), k = between(rng, 2, 6);
      const { answer, forms } = reducedForms(p0, q0);
      return { problem: `Simplify $\\frac{${p0 * k}}{${q0 * k}}$.`, work: `Divide both by $${k * gcd(p0, q0)}$: $\\frac{${p0 * k}}{${q0 * k}}=${answer}$.`, answer, forms };
    },
  },
  {
    id: 'add-fractions', subject: 'Prealgebra', level: 3,
    draw(rng) {
      const b = between(rng, 2, 6), d = between(rng, 2, 6), a = between(rng, 1, b - 1), c = between(rng, 1, d - 1);
      const p = a * d + c * b, q = b * d;
      const { answer, forms } = reducedForms(p, q);
      return { problem: `Compute $\\frac{${a}}{${b}}+\\frac{${c}}{${d}}$.`, work: `We have $\\frac{${a * d}}{${q}}+\\frac{${c * b}}{${q}}=\\frac{${p}}{${q}}=${answer}$.`, answer, forms };
    },
  },
  {
    id: 'linear-equation', subject: 'Algebra', level: 2,
    draw(rng) {
      const a = between(rng, 2, 9), x = between(rng, -9, 12), b = between(rng, 1, 20);
      return {
        problem: `Solve for $x$: $${a}x+${b}=${a * x + b}$.`,
        work: `Subtract ${b}: $${a}x=${a * x}$, so $x=${x}$.`,
        answer: String(x), forms: [String(x), `x=${x}`, `{${x}}`],
      };
    },
  },
  {
    id: 'linear-fraction', subject: 'Algebra', level: 3,
    draw(rng) {
      const a = between(rng, 2, 9), c = between(rng, 1, 30);
      const { answer, forms } = reducedForms(c, a);
      return { problem: `If $${a}x=${c}$, what is $x$?`, work: answer === frac(c, a) ? `Divide by ${a}: $x=${answer}$.` : `Divide by ${a}: $x=\\frac{${c}}{${a}}=${answer}$.`, answer, forms: [...forms, `x=${answer}`] };
    },
  },
  {
    id: 'interval', subject: 'Algebra', level: 3,
    draw(rng) {
      const a = between(rng, -9, 5), b = a + between(rng, 1, 9), shift = between(rng, 1, 9);
      return {
        problem: `Find all $x$ such that $${a + shift}\\le x+${shift}<${b + shift}$. Express your answer in interval notation.`,
        work: `Subtract ${shift}: $${a}\\le x<${b}$.`,
        answer: `[${a},${b})`, forms: [`[${a},${b})`, `[${a}, ${b})`, `[${a},\\ ${b})`],
      };
    },
  },
  {
    id: 'radical', subject: 'Algebra', level: 3,
    draw(rng) {
      const k = between(rng, 2, 9), a = [2, 3, 5, 6, 7][rng.int(5)];
      return { problem: `Simplify $\\sqrt{${k * k * a}}$.`, work: `$\\sqrt{${k * k * a}}=\\sqrt{${k * k}}\\cdot\\sqrt{${a}}=${k}\\sqrt{${a}}$.`, answer: `${k}\\sqrt{${a}}`, forms: [`${k}\\sqrt{${a}}`, `${k}\\sqrt${a}`, `\\sqrt{${a}}\\cdot ${k}`] };
    },
  },
  {
    id: 'remainder', subject: 'Number Theory', level: 2,
    draw(rng) {
      const m = between(rng, 3, 9), n = between(rng, 10, 99);
      return { problem: `What is the remainder when $${n}$ is divided by $${m}$?`, work: `$${n}=${m}\\cdot ${Math.floor(n / m)}+${n % m}$.`, answer: String(n % m), forms: integerForms(n % m) };
    },
  },
  {
    id: 'minutes', subject: 'Prealgebra', level: 1,
    draw(rng) {
      const h = between(rng, 2, 9);
      return { problem: `How many minutes are in $${h}$ hours?`, work: `Each hour has 60 minutes, so $${h}\\cdot 60=${60 * h}$.`, answer: String(60 * h), forms: [String(60 * h), `${60 * h}\\text{ minutes}`, `${60 * h} minutes`] };
    },
  },
  {
    id: 'rectangle-area', subject: 'Geometry', level: 1,
    draw(rng) {
      const w = between(rng, 2, 15), l = between(rng, 2, 15);
      return { problem: `A rectangle is $${w}$ cm by $${l}$ cm. What is its area, in square centimeters?`, work: `The area is $${w}\\cdot ${l}=${w * l}$.`, answer: String(w * l), forms: [String(w * l), `${w * l}\\text{ cm}^2`, `${w * l}\\text{ square cm}`] };
    },
  },
  {
    id: 'polygon-angle', subject: 'Geometry', level: 2,
    draw(rng) {
      const n = [3, 4, 5, 6, 8, 9, 10, 12][rng.int(8)];
      const angle = (180 * (n - 2)) / n;
      return { problem: `What is the measure, in degrees, of each interior angle of a regular polygon with $${n}$ sides?`, work: `Each angle is $\\frac{180(${n}-2)}{${n}}=${angle}$.`, answer: String(angle), forms: [String(angle), `${angle}^\\circ`, `${angle}^{\\circ}`, `${angle}\\text{ degrees}`] };
    },
  },
  {
    id: 'dollars', subject: 'Prealgebra', level: 2,
    draw(rng) {
      const n = between(rng, 2, 9), price = between(rng, 2, 20);
      return { problem: `Pens cost $\\$${price}$ each. How many dollars do $${n}$ pens cost?`, work: `They cost $${n}\\cdot ${price}=${n * price}$.`, answer: String(n * price), forms: [String(n * price), `\\$${n * price}`, `${n * price}\\text{ dollars}`] };
    },
  },
  {
    id: 'expand-square', subject: 'Intermediate Algebra', level: 3,
    draw(rng) {
      const a = between(rng, 1, 9);
      return { problem: `Expand $(x+${a})^2$.`, work: `$(x+${a})^2=x^2+2\\cdot ${a}x+${a * a}$.`, answer: `x^2+${2 * a}x+${a * a}`, forms: [`x^2+${2 * a}x+${a * a}`, `${a * a}+${2 * a}x+x^2`, `x^2+${a * a}+${2 * a}x`] };
    },
  },
];

const templateById = new Map(MATH_TEMPLATES.map((t) => [t.id, t]));

/** `n` problems drawn round-robin over the templates (or `templates`), each with its own fork of `rng`. */
export function generateMathProblems(rng: Rng, n: number, opts: { templates?: readonly string[] } = {}): MathProblem[] {
  const ids = opts.templates ?? MATH_TEMPLATES.map((t) => t.id);
  const templates = ids.map((id) => {
    const t = templateById.get(id);
    if (!t) throw new RangeError(`unknown math template "${id}" (known: ${MATH_TEMPLATES.map((x) => x.id).join(', ')})`);
    return t;
  });
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`generateMathProblems: n must be a non-negative integer, got ${n}`);
  const out: MathProblem[] = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length];
    const d = t.draw(rng.fork(`problem-${i}`));
    out.push({
      id: `${t.id}-${i}`, template: t.id, problem: d.problem, work: d.work, answer: d.answer, forms: d.forms,
      solution: `${d.work} The answer is $\\boxed{${d.answer}}$.`, subject: t.subject, level: t.level,
    });
  }
  return out;
}

/** The Minerva answer line for a given surface form. */
export const minervaFinalLine = (form: string) => `Final Answer: The final answer is $${form}$. I hope it is correct.`;

/** A worked solution in the Minerva format, the final answer in one of the problem's forms drawn from `rng`. */
export function minervaSolution(p: MathProblem, rng: Rng): string {
  return `${p.work}\n${minervaFinalLine(p.forms[rng.int(p.forms.length)])}`;
}

// ---------------------------------------------------------------------------------------------
// Small-number arithmetic word problems (a GSM8K-like family a tiny character model can learn):
// a start count in 2..9 and 2–3 actions ("buys 3", "loses 2", "doubles"), operands 1..5, every
// intermediate value in 0..40, with the exact chain of single-step equations as the reference
// solution, e.g.   question "ann has 5, buys 3, loses 2."   solution "5+3=8;8-2=6;#6"
// The verifier reads the integer after the last "#" (the chain itself is not checked).

export type WordOp = '+' | '-' | '*';

export interface WordProblemStep {
  op: WordOp;
  operand: number;
  before: number;
  after: number;
}

export interface WordProblem {
  /** `word-<index>`, unique within a generated set. */
  id: string;
  question: string;
  start: number;
  steps: WordProblemStep[];
  answer: number;
}

const WORD_NAMES = ['ann', 'bob', 'cy', 'dee', 'eve', 'max', 'sam', 'tom'] as const;
/** Largest value a word problem ever holds. */
export const WORD_MAX = 40;
/** Phrases of each operation; a phrase with "K" takes the operand, the others fix it. */
export const WORD_PHRASES: Readonly<Record<WordOp, readonly string[]>> = {
  '+': ['buys K', 'gets K', 'finds K'],
  '-': ['loses K', 'gives K', 'eats K'],
  '*': ['doubles'],
};

function drawStep(rng: Rng, value: number): { phrase: string; step: WordProblemStep } {
  for (;;) {
    const op = (['+', '+', '-', '-', '*'] as const)[rng.int(5)];
    const phrases = WORD_PHRASES[op];
    const phrase = phrases[rng.int(phrases.length)];
    const operand = op === '*' ? 2 : 1 + rng.int(5);
    const after = op === '+' ? value + operand : op === '-' ? value - operand : value * operand;
    if (after < 0 || after > WORD_MAX) continue;
    return { phrase: phrase.replace('K', String(operand)), step: { op, operand, before: value, after } };
  }
}

/** `n` word problems with `steps` actions each (2 or 3 in practice), each from its own fork of `rng`. */
export function generateWordProblems(rng: Rng, n: number, steps = 2): WordProblem[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`generateWordProblems: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(steps) || steps < 1 || steps > 6) throw new RangeError(`generateWordProblems: steps must be an integer in 1..6, got ${steps}`);
  const out: WordProblem[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.fork(`word-${i}`);
    const name = WORD_NAMES[r.int(WORD_NAMES.length)];
    const start = 2 + r.int(8);
    let value = start;
    const phrases: string[] = [];
    const chain: WordProblemStep[] = [];
    for (let s = 0; s < steps; s++) {
      const { phrase, step } = drawStep(r, value);
      phrases.push(phrase);
      chain.push(step);
      value = step.after;
    }
    out.push({ id: `word-${i}`, question: `${name} has ${start}, ${phrases.join(', ')}.`, start, steps: chain, answer: value });
  }
  return out;
}

/** The reference solution: one equation per step, then `#answer`, e.g. "5+3=8;8-2=6;#6". */
export function wordProblemSolution(p: WordProblem): string {
  return `${p.steps.map((s) => `${s.before}${s.op}${s.operand}=${s.after}`).join(';')};#${p.answer}`;
}

/** The integer after the last "#" of a solution (digits only, optional minus), or null. */
export function readWordAnswer(text: string): number | null {
  const at = text.lastIndexOf('#');
  if (at < 0) return null;
  const m = /^-?\d{1,6}$/.exec(text.slice(at + 1).trim());
  return m ? Number(m[0]) : null;
}

/** Every single-step equation `a op b = c` the problems can use (the "pretraining" facts), a, c in 0..WORD_MAX. */
export function arithmeticFacts(): string[] {
  const facts: string[] = [];
  for (let a = 0; a <= WORD_MAX; a++) {
    for (let b = 1; b <= 5; b++) {
      if (a + b <= WORD_MAX) facts.push(`${a}+${b}=${a + b}`);
      if (a - b >= 0) facts.push(`${a}-${b}=${a - b}`);
    }
    if (2 * a <= WORD_MAX) facts.push(`${a}*2=${2 * a}`);
  }
  return facts;
}
