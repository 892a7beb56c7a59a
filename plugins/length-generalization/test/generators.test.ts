// Generators and formats: exact labels, exact depth and #ops, and the token layouts of every format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { assignmentExample, parityExample, targetText } from '../examples.ts';
import { coinFlipInstance, coinFlipPrompt, coinFlipQuestion, parityOf, parityText, randomBits, readCoinFlipAnswer, runningParity } from '../parity.ts';
import { variableAssignment, type Prepared } from '../tasks.ts';
import { depths, evaluateProgram, programText, randomProgram, scratchpadSteps, shuffledProgram, type Program } from '../variable-assignment.ts';

test('parity labels and running states match a count of ones (hand-checked cases, then brute force)', () => {
  assert.equal(parityOf([1, 0, 1, 1]), 1);
  assert.deepEqual(runningParity([1, 1, 0, 1, 0]), [1, 0, 0, 1, 1]); // the spec's example `1 1 0 1 0 ; 1 0 0 1 1 => 1`
  assert.equal(parityText([1, 1, 0, 1, 0], 'scratchpad'), '1 1 0 1 0 ; 1 0 0 1 1 => 1');
  assert.equal(parityText([1, 0, 1, 1], 'direct'), '1 0 1 1 => 1');
  const rng = createRng(3);
  for (let i = 0; i < 500; i++) {
    const bits = randomBits(rng, 1 + rng.int(40));
    const ones = bits.filter((b) => b === 1).length;
    assert.equal(parityOf(bits), ones % 2);
    const states = runningParity(bits);
    states.forEach((s, k) => assert.equal(s, bits.slice(0, k + 1).filter((b) => b === 1).length % 2));
  }
});

test('parity examples: the same seed gives the same bits in both formats; token layouts', () => {
  const d = parityExample(createRng(5), 12, 'direct');
  const s = parityExample(createRng(5), 12, 'scratchpad');
  assert.equal(d.prompt.slice(0, 13), s.prompt.slice(0, 13));
  assert.match(d.prompt, /^\$[01]{12}>$/);
  assert.match(s.prompt, /^\$[01]{12};$/);
  assert.equal(targetText(d), d.answer);
  assert.equal(targetText(s), `${s.steps.join('')}>${s.answer}`);
  assert.equal(s.steps[11], s.answer);
  const bits = d.prompt.slice(1, 13).split('').map(Number);
  assert.equal(d.answer, String(parityOf(bits)));
});

test('coin flip: heads up at the end iff an even number of flips; prompt and answer reading', () => {
  const rng = createRng(9);
  for (let i = 0; i < 50; i++) {
    const inst = coinFlipInstance(rng, 1 + rng.int(30));
    const flips = (coinFlipQuestion(inst).match(/ flips the coin/g) ?? []).length;
    assert.equal(inst.answer, flips % 2 === 0 ? 'yes' : 'no');
  }
  const q = coinFlipInstance(createRng(1), 3);
  const prompt = coinFlipPrompt([coinFlipInstance(createRng(2), 2)], q, true);
  assert.ok(prompt.endsWith('Is the coin still heads up?\nA:'));
  assert.match(prompt, /The coin starts heads up\./);
  assert.equal(readCoinFlipAnswer(' The coin is tails. So the answer is no.'), 'no');
  assert.equal(readCoinFlipAnswer('maybe'), null);
});

/** Depth by repeated relaxation until nothing changes (independent of the module's recursion). */
function depthByFixpoint(p: Program): Map<string, number> {
  const d = new Map<string, number>(p.statements.map((s) => [s.target, 1]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of p.statements) {
      const v = 1 + Math.max(0, ...s.args.map((a) => d.get(a)!));
      if (v !== d.get(s.target)) {
        d.set(s.target, v);
        changed = true;
      }
    }
  }
  return d;
}

test('variable assignment: exact query depth and #ops for many seeds; every operand assigned earlier; no deeper distractor', () => {
  for (let seed = 0; seed < 300; seed++) {
    const rng = createRng(seed);
    const depth = 1 + rng.int(12);
    const ops = depth + rng.int(26 - depth + 1);
    const p = randomProgram(rng, { depth, ops });
    assert.equal(p.statements.length, ops);
    assert.equal(new Set(p.statements.map((s) => s.target)).size, ops, 'single assignment');
    const fix = depthByFixpoint(p);
    assert.equal(fix.get(p.query), depth, `seed ${seed}`);
    assert.equal(depths(p).get(p.query), depth);
    assert.ok(Math.max(...fix.values()) <= depth);
    const seen = new Set<string>();
    for (const s of p.statements) {
      for (const a of s.args) assert.ok(seen.has(a), `seed ${seed}: ${a} read before assignment`);
      seen.add(s.target);
    }
  }
  assert.throws(() => randomProgram(createRng(0), { depth: 5, ops: 4 }), /#ops must be an integer in \[depth/);
});

test('variable assignment: evaluation of a hand-written program; shuffled order keeps the values', () => {
  const p: Program = {
    statements: [
      { target: 'a', op: 'const', args: [], value: 1 },
      { target: 'b', op: 'not', args: ['a'] },
      { target: 'c', op: 'xor', args: ['a', 'b'] },
      { target: 'd', op: 'and', args: ['c', 'b'] },
      { target: 'e', op: 'or', args: ['d', 'a'] },
      { target: 'f', op: 'copy', args: ['d'] },
    ],
    query: 'f',
  };
  // by hand: a=1, b=0, c=1, d=0, e=1, f=0
  assert.deepEqual(Object.fromEntries(evaluateProgram(p)), { a: 1, b: 0, c: 1, d: 0, e: 1, f: 0 });
  assert.equal(programText(p), 'a=1,b=!a,c=a^b,d=c&b,e=d|a,f=d,?f');
  assert.deepEqual(scratchpadSteps(p), ['a1', 'b0', 'c1', 'd0', 'e1', 'f0']);
  assert.equal(depths(p).get('f'), 5); // a 1, b 2, c 3, d 4, f 5
  const s = shuffledProgram(createRng(4), p);
  assert.deepEqual(Object.fromEntries([...evaluateProgram(s)].sort()), Object.fromEntries(evaluateProgram(p)));
});

test('assignment examples: direct and scratchpad layouts; the answer is the queried value', () => {
  const d = assignmentExample(createRng(11), { depth: 3, ops: 6 }, 'direct');
  const s = assignmentExample(createRng(11), { depth: 3, ops: 6 }, 'scratchpad');
  assert.match(d.prompt, /^\$([a-z]=(?:[01]|!?[a-z]|[a-z][&|^][a-z]),){6}\?[a-z]>$/);
  assert.equal(s.prompt.slice(0, -1), d.prompt.slice(0, -1));
  assert.equal(s.steps.length, 6);
  const q = d.prompt.at(-2)!;
  assert.equal(s.steps.find((st) => st[0] === q)![1], d.answer);
  assert.equal(d.length, 3);
  assert.equal(d.ops, 6);
  assert.throws(() => parityExample(createRng(0), 4, 'shuffled'), /variable assignment only/);
});

test('variable assignment: with the same #ops, deep and shallow programs have the same mean length (no length confound)', () => {
  const rng = createRng(21);
  const meanLength = (depth: number) => {
    let total = 0;
    for (let i = 0; i < 3000; i++) total += programText(randomProgram(rng, { depth, ops: 12 })).length;
    return total / 3000;
  };
  // expected length per program, independent of depth ≥ 2: 4 (const) + 4.5 (unary) + 10 × 5.25 + "?q" = 63
  for (const depth of [2, 4, 8, 12]) assert.ok(Math.abs(meanLength(depth) - 63) < 0.35, `depth ${depth}: ${meanLength(depth)}`);
});

test('variable-assignment task: train depth 1–4, OOD depth 5–12; both OOD splits have exactly oodOps statements', () => {
  const prepared = variableAssignment.prepare(
    { rng: createRng(1) } as unknown as Parameters<typeof variableAssignment.prepare>[0],
    { positional: 'nope', evalPerCell: 6 },
  ) as Prepared;
  const bySplit = (split: string) => prepared.groups.filter((g) => g.split === split);
  assert.deepEqual(bySplit('id').map((g) => g.length), [1, 2, 3, 4]);
  assert.deepEqual(bySplit('ood-ops').map((g) => g.length), [2, 3, 4]);
  assert.deepEqual(bySplit('ood-depth').map((g) => g.length), [5, 6, 7, 8, 9, 10, 11, 12]);
  for (const g of [...bySplit('ood-ops'), ...bySplit('ood-depth')]) {
    for (const ex of g.examples('direct')) {
      assert.equal(ex.ops, 12);
      assert.equal((ex.prompt.match(/,/g) ?? []).length, 12);
      assert.equal(ex.length, g.length);
    }
  }
  for (const ex of bySplit('id').flatMap((g) => g.examples('direct'))) assert.ok(ex.ops! <= 6 && ex.length <= 4);
});
