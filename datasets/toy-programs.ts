// A toy programming language over small integer lists, its sandboxed interpreter and a seeded
// generator of programming problems with hidden unit tests (an offline stand-in for APPS: the
// problem is a short description, a solution is a program, the reward is "passes every hidden test").
//
// The language. A program is optional one-argument function definitions, then a pipeline of stages
// applied to the input list:
//   program  := (NAME '(' NAME ')' '=' expr ';')* stage ('|' stage)*
//   stage    := map(expr) | filter(expr) | take(expr) | drop(expr) | loop(expr, expr)
//             | sum | len | max | min | rev | sort
//   expr     := cmp ('?' expr ':' expr)?            (c ? a : b, c true when non-zero)
//   cmp      := add (('<' | '>' | '=') add)?       (1 or 0)
//   add      := mul (('+' | '-') mul)*
//   mul      := unary (('*' | '/' | '%') unary)*   (integer division and remainder, toward zero)
//   unary    := '-' unary | INT | NAME | NAME '(' expr ')' | '(' expr ')'
// `map`/`filter` bind `v` to each element; `take`/`drop` evaluate their count with `v` = the list's
// length; `loop(c, e)` takes an integer value v and repeats v = e while c is non-zero (it can run
// forever: the step limit stops it). Definitions may call themselves and each other (recursion).
//
// The sandbox. The interpreter is a pure TypeScript evaluator of our own syntax tree: no eval, no
// Function, no host objects, no I/O. Every evaluation is bounded: a step budget (every node, element
// and loop turn costs one step), a call-depth limit (recursion), a nesting-depth limit in the parser
// (so a program of 10,000 parentheses cannot overflow the JS stack), a program-length limit, a list
// length limit and an integer magnitude limit. Any violation or runtime fault (division by zero, an
// unknown name, a type error) ends the run with an error result; nothing throws out of `runProgram`.
import type { Rng } from '../harness/api/index.ts';

export type Value = number | number[];

export interface SandboxLimits {
  /** Evaluation steps per run (default 20,000). */
  steps: number;
  /** Nested function calls (default 64). */
  callDepth: number;
  /** Nesting of the syntax tree (default 48). */
  parseDepth: number;
  /** Characters of program text (default 400). */
  programLength: number;
  /** Elements of any list produced (default 256). */
  listLength: number;
  /** Largest |integer| (default 1e9). */
  magnitude: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { steps: 20_000, callDepth: 64, parseDepth: 48, programLength: 400, listLength: 256, magnitude: 1e9 };

export type RunError = 'parse' | 'steps' | 'call-depth' | 'size' | 'runtime';
export type RunResult = { ok: true; value: Value; steps: number } | { ok: false; error: RunError; message: string; steps: number };

type Expr =
  | { k: 'int'; value: number }
  | { k: 'var'; name: string }
  | { k: 'call'; name: string; arg: Expr }
  | { k: 'neg'; arg: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'if'; c: Expr; a: Expr; b: Expr };

type Stage =
  | { k: 'map' | 'filter' | 'take' | 'drop'; e: Expr }
  | { k: 'loop'; c: Expr; e: Expr }
  | { k: 'sum' | 'len' | 'max' | 'min' | 'rev' | 'sort' };

export interface Program {
  defs: Map<string, { param: string; body: Expr }>;
  stages: Stage[];
}

class Fault extends Error {
  constructor(readonly kind: RunError, message: string) {
    super(message);
  }
}

const NULLARY = new Set(['sum', 'len', 'max', 'min', 'rev', 'sort']);
const UNARY = new Set(['map', 'filter', 'take', 'drop']);

/** Parses a program; throws Fault('parse' | 'size') with the offset of the problem. */
function parse(text: string, limits: SandboxLimits): Program {
  if (text.length > limits.programLength) throw new Fault('size', `program of ${text.length} characters exceeds ${limits.programLength}`);
  let i = 0;
  let depth = 0;
  const fail = (what: string): never => {
    throw new Fault('parse', `${what} at offset ${i}`);
  };
  const skip = () => {
    while (i < text.length && text[i] === ' ') i++;
  };
  const peek = () => {
    skip();
    return text[i];
  };
  const eat = (ch: string) => {
    if (peek() !== ch) fail(`expected "${ch}"`);
    i++;
  };
  const name = (): string => {
    skip();
    const m = /^[a-z][a-z0-9]*/.exec(text.slice(i, i + 32));
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  const nest = <T>(f: () => T): T => {
    if (++depth > limits.parseDepth) throw new Fault('parse', `nesting deeper than ${limits.parseDepth} at offset ${i}`);
    try {
      return f();
    } finally {
      depth--;
    }
  };
  const expr = (): Expr =>
    nest(() => {
      const c = cmp();
      if (peek() !== '?') return c;
      i++;
      const a = expr();
      eat(':');
      return { k: 'if', c, a, b: expr() };
    });
  const cmp = (): Expr => {
    const a = add();
    const op = peek();
    if (op === '<' || op === '>' || op === '=') {
      i++;
      return { k: 'bin', op, a, b: add() };
    }
    return a;
  };
  const add = (): Expr => {
    let a = mul();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      i++;
      a = { k: 'bin', op, a, b: mul() };
    }
    return a;
  };
  const mul = (): Expr => {
    let a = unary();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      i++;
      a = { k: 'bin', op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Expr =>
    nest((): Expr => {
      const ch = peek();
      if (ch === '-') {
        i++;
        return { k: 'neg', arg: unary() };
      }
      if (ch === '(') {
        i++;
        const e = expr();
        eat(')');
        return e;
      }
      if (ch !== undefined && ch >= '0' && ch <= '9') {
        const m = /^\d{1,9}/.exec(text.slice(i))!;
        i += m[0].length;
        return { k: 'int', value: Number(m[0]) };
      }
      const n = name();
      if (peek() === '(') {
        i++;
        const arg = expr();
        eat(')');
        return { k: 'call', name: n, arg };
      }
      return { k: 'var', name: n };
    });
  const defs = new Map<string, { param: string; body: Expr }>();
  // definitions: NAME(NAME)=expr;
  for (;;) {
    const save = i;
    const m = /^ *([a-z][a-z0-9]*) *\( *([a-z][a-z0-9]*) *\) *=/.exec(text.slice(i));
    if (!m || NULLARY.has(m[1]) || UNARY.has(m[1]) || m[1] === 'loop') {
      i = save;
      break;
    }
    i += m[0].length;
    const body = expr();
    eat(';');
    if (defs.has(m[1])) fail(`"${m[1]}" defined twice`);
    defs.set(m[1], { param: m[2], body });
  }
  const stages: Stage[] = [];
  for (;;) {
    const n = name();
    if (NULLARY.has(n)) stages.push({ k: n as 'sum' });
    else if (UNARY.has(n)) {
      eat('(');
      stages.push({ k: n as 'map', e: expr() });
      eat(')');
    } else if (n === 'loop') {
      eat('(');
      const c = expr();
      eat(',');
      const e = expr();
      eat(')');
      stages.push({ k: 'loop', c, e });
    } else fail(`unknown stage "${n}"`);
    if (peek() === undefined) break;
    eat('|');
  }
  return { defs, stages };
}

/** Runs `text` on `input` inside the sandbox; never throws, never runs past its limits. */
export function runProgram(text: string, input: readonly number[], limits: Partial<SandboxLimits> = {}): RunResult {
  const L: SandboxLimits = { ...DEFAULT_LIMITS, ...limits };
  let steps = 0;
  const tick = () => {
    if (++steps > L.steps) throw new Fault('steps', `more than ${L.steps} steps`);
  };
  const int = (x: number): number => {
    if (!Number.isFinite(x) || Math.abs(x) > L.magnitude) throw new Fault('size', `integer beyond ±${L.magnitude}`);
    return x;
  };
  try {
    const program = parse(text, L);
    let calls = 0;
    const evaluate = (e: Expr, env: Map<string, number>): number => {
      tick();
      switch (e.k) {
        case 'int':
          return e.value;
        case 'var': {
          const v = env.get(e.name);
          if (v === undefined) throw new Fault('runtime', `unknown name "${e.name}"`);
          return v;
        }
        case 'neg':
          return -evaluate(e.arg, env);
        case 'if':
          return evaluate(e.c, env) !== 0 ? evaluate(e.a, env) : evaluate(e.b, env);
        case 'call': {
          const def = program.defs.get(e.name);
          if (!def) throw new Fault('runtime', `unknown function "${e.name}"`);
          const arg = evaluate(e.arg, env);
          if (++calls > L.callDepth) throw new Fault('call-depth', `calls nested deeper than ${L.callDepth}`);
          try {
            return evaluate(def.body, new Map([[def.param, arg]]));
          } finally {
            calls--;
          }
        }
        case 'bin': {
          const a = evaluate(e.a, env);
          const b = evaluate(e.b, env);
          switch (e.op) {
            case '+': return int(a + b);
            case '-': return int(a - b);
            case '*': return int(a * b);
            case '/':
            case '%':
              if (b === 0) throw new Fault('runtime', 'division by zero');
              return e.op === '/' ? Math.trunc(a / b) : a % b;
            case '<': return a < b ? 1 : 0;
            case '>': return a > b ? 1 : 0;
            default: return a === b ? 1 : 0;
          }
        }
      }
    };
    const list = (v: Value, stage: string): number[] => {
      if (!Array.isArray(v)) throw new Fault('runtime', `${stage} needs a list, got the number ${v}`);
      return v;
    };
    let value: Value = Array.from(input);
    for (const stage of program.stages) {
      tick();
      switch (stage.k) {
        case 'map':
          value = list(value, 'map').map((v) => {
            tick();
            return evaluate(stage.e, new Map([['v', v]]));
          });
          break;
        case 'filter':
          value = list(value, 'filter').filter((v) => {
            tick();
            return evaluate(stage.e, new Map([['v', v]])) !== 0;
          });
          break;
        case 'take':
        case 'drop': {
          const xs = list(value, stage.k);
          const n = Math.max(0, evaluate(stage.e, new Map([['v', xs.length]])));
          value = stage.k === 'take' ? xs.slice(0, n) : xs.slice(n);
          break;
        }
        case 'loop': {
          if (Array.isArray(value)) throw new Fault('runtime', 'loop needs a number, got a list');
          let v: number = value;
          while (evaluate(stage.c, new Map([['v', v]])) !== 0) {
            tick();
            v = evaluate(stage.e, new Map([['v', v]]));
          }
          value = v;
          break;
        }
        case 'sum':
          value = int(list(value, 'sum').reduce((s, x) => s + x, 0));
          break;
        case 'len':
          value = list(value, 'len').length;
          break;
        case 'max':
        case 'min': {
          const xs = list(value, stage.k);
          if (xs.length === 0) throw new Fault('runtime', `${stage.k} of an empty list`);
          value = stage.k === 'max' ? Math.max(...xs) : Math.min(...xs);
          break;
        }
        case 'rev':
          value = [...list(value, 'rev')].reverse();
          break;
        case 'sort':
          value = [...list(value, 'sort')].sort((a, b) => a - b);
          break;
      }
      if (Array.isArray(value) && value.length > L.listLength) throw new Fault('size', `a list of ${value.length} elements exceeds ${L.listLength}`);
    }
    return { ok: true, value, steps };
  } catch (err) {
    if (err instanceof Fault) return { ok: false, error: err.kind, message: err.message, steps };
    // A JS stack overflow cannot happen within the depth limits; anything else is reported, not thrown.
    return { ok: false, error: 'runtime', message: err instanceof Error ? err.message : String(err), steps };
  }
}

const sameValue = (a: Value, b: Value) => (Array.isArray(a) ? Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]) : a === b);

export interface ProgramTest {
  input: number[];
  expected: Value;
}

/** True when `program` returns the expected value on every test (a run that fails scores 0). */
export function passesTests(program: string, tests: readonly ProgramTest[], limits: Partial<SandboxLimits> = {}): boolean {
  return tests.every((t) => {
    const r = runProgram(program, t.input, limits);
    return r.ok && sameValue(r.value, t.expected);
  });
}

// ---------------------------------------------------------------------------------------------
// Problems: a description of 1–3 stages in a terse English ("add 2, evens, total"), a reference
// program ("map(v+2)|filter(v%2=0)|sum") and hidden tests on random lists.

export interface ProgramProblem {
  id: string;
  description: string;
  /** A correct program (others exist: "map(2*v)" for "map(v*2)", filter order, …). */
  reference: string;
  tests: ProgramTest[];
}

interface StageTemplate {
  words: (k: number) => string;
  code: (k: number) => string;
  /** Operand range; null for none. */
  k: [number, number] | null;
}

/** List → list stages. */
export const LIST_STAGES: readonly StageTemplate[] = [
  { words: (k) => `add ${k}`, code: (k) => `map(v+${k})`, k: [1, 9] },
  { words: (k) => `times ${k}`, code: (k) => `map(v*${k})`, k: [2, 5] },
  { words: (k) => `minus ${k}`, code: (k) => `map(v-${k})`, k: [1, 9] },
  { words: () => 'evens', code: () => 'filter(v%2=0)', k: null },
  { words: () => 'odds', code: () => 'filter(v%2=1)', k: null },
  { words: (k) => `over ${k}`, code: (k) => `filter(v>${k})`, k: [1, 8] },
  { words: (k) => `first ${k}`, code: (k) => `take(${k})`, k: [1, 4] },
  { words: (k) => `skip ${k}`, code: (k) => `drop(${k})`, k: [1, 3] },
  { words: () => 'reverse', code: () => 'rev', k: null },
  { words: () => 'sort', code: () => 'sort', k: null },
];

/** List → number stages (end a program). */
export const END_STAGES: readonly StageTemplate[] = [
  { words: () => 'total', code: () => 'sum', k: null },
  { words: () => 'count', code: () => 'len', k: null },
  { words: () => 'largest', code: () => 'max', k: null },
  { words: () => 'smallest', code: () => 'min', k: null },
];

const draw = (rng: Rng, t: StageTemplate) => {
  const k = t.k ? t.k[0] + rng.int(t.k[1] - t.k[0] + 1) : 0;
  return { words: t.words(k), code: t.code(k) };
};

/** One stage in isolation: the "facts" a base model is pretrained on (every template and operand). */
export function singleStageExamples(): { description: string; program: string }[] {
  const out: { description: string; program: string }[] = [];
  for (const t of [...LIST_STAGES, ...END_STAGES]) {
    const ks = t.k ? Array.from({ length: t.k[1] - t.k[0] + 1 }, (_, i) => t.k![0] + i) : [0];
    for (const k of ks) out.push({ description: t.words(k), program: t.code(k) });
  }
  return out;
}

function randomList(rng: Rng): number[] {
  return Array.from({ length: 1 + rng.int(7) }, () => rng.int(10));
}

/**
 * `n` problems of `stages` stages each (the last one a list → number stage with probability 1/2),
 * each from its own fork of `rng`, with `tests` hidden tests. A test input on which the reference
 * fails (e.g. the largest of an empty list) is redrawn, and a problem without enough valid inputs is
 * redrawn whole; every test passes the reference.
 */
export function generateProgramProblems(rng: Rng, n: number, opts: { stages?: number; tests?: number } = {}): ProgramProblem[] {
  const stages = opts.stages ?? 2;
  const tests = opts.tests ?? 5;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`generateProgramProblems: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(stages) || stages < 1 || stages > 4) throw new RangeError(`generateProgramProblems: stages must be an integer in 1..4, got ${stages}`);
  const out: ProgramProblem[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.fork(`program-${i}`);
    let drawn: { description: string; reference: string; tests: ProgramTest[] } | null = null;
    // a combination without valid inputs (e.g. "odds, evens, smallest": min of an empty list) is redrawn
    for (let redraw = 0; drawn === null; redraw++) {
      if (redraw > 100) throw new Error(`generateProgramProblems: no valid problem for program-${i}`);
      const parts: { words: string; code: string }[] = [];
      const endsInNumber = r.next() < 0.5;
      for (let s = 0; s < stages; s++) {
        const last = s === stages - 1 && endsInNumber;
        parts.push(draw(r, last ? END_STAGES[r.int(END_STAGES.length)] : LIST_STAGES[r.int(LIST_STAGES.length)]));
      }
      const reference = parts.map((p) => p.code).join('|');
      const hidden: ProgramTest[] = [];
      for (let attempt = 0; hidden.length < tests && attempt < 200; attempt++) {
        const input = randomList(r);
        const result = runProgram(reference, input);
        if (result.ok) hidden.push({ input, expected: result.value });
      }
      if (hidden.length === tests) drawn = { description: parts.map((p) => p.words).join(', '), reference, tests: hidden };
    }
    const { description, reference, tests: hidden } = drawn;
    out.push({ id: `program-${i}`, description, reference, tests: hidden });
  }
  return out;
}
