// Boolean variable assignment (§2 of arXiv 2207.04901): a straight-line program of single
// assignments over Boolean variables, ending with a query. Two difficulty axes are controlled
// independently and exactly:
//   #ops   the number of statements in the program (the query's dependencies plus distractors);
//   depth  the computational depth of the queried variable: a constant statement has depth 1, any
//          other statement 1 + the largest depth of its operands.
// The queried variable's dependencies form one chain v1 → v2 → … → vD (each vk reads v(k−1), and
// a binary vk also reads an earlier chain variable), so its depth is exactly D. The other
// #ops − D statements are distractors: never read by the chain, and of depth ≤ D, so the whole
// program's depth is D too ("more operations at the same depth").
// Distractors draw their operation as chain statements after the second do (half unary, half
// binary), so for D ≥ 2 a program's expected length in characters depends on #ops only, not on D:
// two programs with the same #ops and different depths differ in what they compute, not in length.
import type { Rng } from '../../harness/api/index.ts';

export type Op = 'const' | 'copy' | 'not' | 'and' | 'or' | 'xor';

export interface Statement {
  /** The assigned variable (a letter). */
  target: string;
  op: Op;
  /** Operand variables (copy/not: 1, binary: 2, const: none). */
  args: string[];
  /** The constant of a `const` statement. */
  value?: number;
}

export interface Program {
  /** In execution order: every operand is assigned by an earlier statement (unless shuffled). */
  statements: Statement[];
  query: string;
}

export const VARIABLES = 'abcdefghijklmnopqrstuvwxyz';
export const MAX_OPS = VARIABLES.length;
const SYMBOL: Record<Exclude<Op, 'const' | 'copy'>, string> = { not: '!', and: '&', or: '|', xor: '^' };
const BINARY: Op[] = ['and', 'or', 'xor'];

export interface ProgramSpec {
  depth: number;
  ops: number;
}

function checkSpec({ depth, ops }: ProgramSpec): void {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`variable assignment: depth must be an integer ≥ 1, got ${depth}`);
  if (!Number.isInteger(ops) || ops < depth || ops > MAX_OPS) {
    throw new RangeError(`variable assignment: #ops must be an integer in [depth, ${MAX_OPS}] (one variable per statement), got ${ops} with depth ${depth}`);
  }
}

/** Draws a program with exactly `ops` statements whose queried variable has depth exactly `depth`. */
export function randomProgram(rng: Rng, spec: ProgramSpec): Program {
  checkSpec(spec);
  const { depth, ops } = spec;
  const names = rng.shuffle([...VARIABLES]).slice(0, ops);
  const depthOf = new Map<string, number>();
  const made: Statement[] = [];
  const unaryOrBinary = (target: string, first: string, pool: string[]): Statement => {
    // half unary (copy / negation), half binary with a second operand from `pool`
    if (pool.length === 0 || rng.int(2) === 0) return { target, op: rng.int(2) ? 'not' : 'copy', args: [first] };
    const second = pool[rng.int(pool.length)];
    const args = rng.int(2) ? [first, second] : [second, first];
    return { target, op: BINARY[rng.int(BINARY.length)], args };
  };
  // the chain: v1 = constant; vk reads v(k−1) and possibly one of v1..v(k−2)
  const chain = names.slice(0, depth);
  chain.forEach((v, k) => {
    const st: Statement = k === 0 ? { target: v, op: 'const', args: [], value: rng.int(2) } : unaryOrBinary(v, chain[k - 1], chain.slice(0, k - 1));
    made.push(st);
    depthOf.set(v, k + 1);
  });
  // distractors: operands among everything made so far with depth < D (so their depth ≤ D); constants
  // only when there is no such operand (D = 1)
  for (const v of names.slice(depth)) {
    const pool = made.map((s) => s.target).filter((t) => depthOf.get(t)! < depth);
    const st: Statement = pool.length === 0 ? { target: v, op: 'const', args: [], value: rng.int(2) } : unaryOrBinary(v, pool[rng.int(pool.length)], pool);
    made.push(st);
    depthOf.set(v, 1 + Math.max(0, ...st.args.map((a) => depthOf.get(a)!)));
  }
  return { statements: randomTopologicalOrder(rng, made), query: chain[depth - 1] };
}

/** A uniformly drawn ready statement at every step: a random valid execution order. */
function randomTopologicalOrder(rng: Rng, statements: Statement[]): Statement[] {
  const defined = new Set<string>();
  const left = [...statements];
  const order: Statement[] = [];
  while (left.length) {
    const ready = left.filter((s) => s.args.every((a) => defined.has(a)));
    const pick = ready[rng.int(ready.length)];
    order.push(pick);
    defined.add(pick.target);
    left.splice(left.indexOf(pick), 1);
  }
  return order;
}

/** The shuffled-operation control (spec (c)): the same statements in a uniformly random order. */
export function shuffledProgram(rng: Rng, program: Program): Program {
  return { statements: rng.shuffle([...program.statements]), query: program.query };
}

function apply(st: Statement, values: Map<string, number>): number {
  const x = st.args.map((a) => {
    const v = values.get(a);
    if (v === undefined) throw new Error(`variable assignment: "${a}" is read before it is assigned`);
    return v;
  });
  switch (st.op) {
    case 'const': return st.value!;
    case 'copy': return x[0];
    case 'not': return 1 - x[0];
    case 'and': return x[0] & x[1];
    case 'or': return x[0] | x[1];
    case 'xor': return x[0] ^ x[1];
  }
}

/** Every variable's value, by dependency (works for shuffled programs too: single assignment). */
export function evaluateProgram(program: Program): Map<string, number> {
  const byTarget = new Map(program.statements.map((s) => [s.target, s]));
  const values = new Map<string, number>();
  const visit = (v: string, stack: Set<string>): number => {
    const known = values.get(v);
    if (known !== undefined) return known;
    const st = byTarget.get(v);
    if (!st) throw new Error(`variable assignment: "${v}" is never assigned`);
    if (stack.has(v)) throw new Error(`variable assignment: cyclic definition through "${v}"`);
    stack.add(v);
    for (const a of st.args) visit(a, stack);
    stack.delete(v);
    const value = apply(st, values);
    values.set(v, value);
    return value;
  };
  for (const st of program.statements) visit(st.target, new Set());
  return values;
}

/** Depth of every variable (const = 1, otherwise 1 + max over operands). */
export function depths(program: Program): Map<string, number> {
  const byTarget = new Map(program.statements.map((s) => [s.target, s]));
  const memo = new Map<string, number>();
  const depthOf = (v: string): number => {
    if (!memo.has(v)) memo.set(v, 1 + Math.max(0, ...byTarget.get(v)!.args.map(depthOf)));
    return memo.get(v)!;
  };
  for (const st of program.statements) depthOf(st.target);
  return memo;
}

export function statementText(st: Statement): string {
  switch (st.op) {
    case 'const': return `${st.target}=${st.value}`;
    case 'copy': return `${st.target}=${st.args[0]}`;
    case 'not': return `${st.target}=!${st.args[0]}`;
    default: return `${st.target}=${st.args[0]}${SYMBOL[st.op as 'and' | 'or' | 'xor']}${st.args[1]}`;
  }
}

/** The program as written for the models: `a=1,b=!a,c=a&b,?c`. */
export function programText(program: Program): string {
  return `${program.statements.map((s) => `${statementText(s)},`).join('')}?${program.query}`;
}

/** Scratchpad steps: every statement's variable and value, in program order (`a1 b0 c0`). */
export function scratchpadSteps(program: Program): string[] {
  const values = evaluateProgram(program);
  return program.statements.map((s) => `${s.target}${values.get(s.target)}`);
}
