// The toy language's sandboxed interpreter (datasets/toy-programs.ts): programs that loop forever,
// recurse without end, nest too deep, throw, or grow too large end with an error result within their
// limits and never throw or hang; correct programs compute by hand-checked values; the problem
// generator's tests all pass their reference program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../harness/plan/seeds.ts';
import { DEFAULT_LIMITS, generateProgramProblems, passesTests, runProgram, singleStageExamples } from '../datasets/toy-programs.ts';

const value = (program: string, input: number[]) => {
  const r = runProgram(program, input);
  assert.ok(r.ok, `${program}: ${r.ok ? '' : r.message}`);
  return r.value;
};
const error = (program: string, input: number[], limits = {}) => {
  const r = runProgram(program, input, limits);
  assert.ok(!r.ok, `${program} should fail`);
  return r;
};

test('pipelines compute what the stages say (hand-checked values)', () => {
  assert.equal(value('map(v+2)|filter(v%2=0)|sum', [1, 2, 3, 4]), 4 + 6); // 3,4,5,6 → 4,6
  assert.deepEqual(value('sort|rev|take(2)', [3, 9, 1, 5]), [9, 5]);
  assert.deepEqual(value('drop(1)|map(v*3)', [1, 2, 3]), [6, 9]);
  assert.equal(value('filter(v>4)|len', [5, 4, 9, 0]), 2);
  assert.equal(value('max', [3, 8, 2]), 8);
  assert.deepEqual(value('map(v>2?v:0-v)', [1, 5]), [-1, 5]);
  assert.deepEqual(value('map(7/2)|map(v+(0-7)/2)', [0]), [0]); // division truncates toward zero: 3 + (−3)
  assert.equal(value('sum|loop(v<100,v*2)', [3, 4]), 112); // 7 → 14 → 28 → 56 → 112
  // recursion: triangular numbers and mutual recursion
  assert.deepEqual(value('t(n)=n<1?0:n+t(n-1);map(t(v))', [3, 4]), [6, 10]);
  assert.deepEqual(value('e(n)=n=0?1:o(n-1);o(n)=n=0?0:e(n-1);map(e(v))', [4, 7]), [1, 0]);
  assert.deepEqual(value('  map( v * 2 ) | rev ', [1, 2]), [4, 2]);
});

test('an infinite loop stops at the step limit with an error result, fast', () => {
  const started = performance.now();
  const r = error('sum|loop(1,v+1)', [1]);
  assert.equal(r.error, 'steps');
  assert.equal(r.steps, DEFAULT_LIMITS.steps + 1);
  assert.equal(error('sum|loop(v=v,v)', [1], { steps: 500 }).error, 'steps');
  // a long map over a small list is also bounded: every element and node costs a step
  assert.equal(error('map(v+v+v+v+v+v+v+v)', Array.from({ length: 200 }, () => 1), { steps: 1000 }).error, 'steps');
  assert.ok(performance.now() - started < 5000);
});

test('unbounded and deep recursion end at the call-depth limit, not with a JS stack overflow', () => {
  assert.equal(error('f(n)=f(n);map(f(v))', [1]).error, 'call-depth');
  assert.equal(error('f(n)=1+f(n+1);map(f(v))', [1]).error, 'call-depth');
  assert.equal(error('f(n)=n<1?0:1+f(n-1);map(f(v))', [100]).error, 'call-depth'); // needs 101 > 64 nested calls
  assert.deepEqual(value('f(n)=n<1?0:1+f(n-1);map(f(v))', [60]), [60]);
  assert.equal(error('f(n)=n<1?0:1+f(n-1);map(f(v))', [10], { callDepth: 5 }).error, 'call-depth');
});

test('deeply nested programs are parse errors (no recursion into the host stack) and long programs are refused', () => {
  assert.equal(error(`map(${'('.repeat(100)}v${')'.repeat(100)})`, [1]).error, 'parse');
  assert.equal(error(`map(${'-'.repeat(120)}v)`, [1]).error, 'parse');
  assert.equal(error(`map(${'('.repeat(100000)}v${')'.repeat(100000)})`, [1], { programLength: 1e6, parseDepth: 48 }).error, 'parse');
  assert.equal(error('map(v)|'.repeat(100) + 'sum', [1]).error, 'size');
});

test('runtime faults are error results: division by zero, unknown names, type errors, empty max', () => {
  assert.equal(error('map(v/0)', [1]).error, 'runtime');
  assert.equal(error('map(v%(v-v))', [3]).error, 'runtime');
  assert.equal(error('map(w+1)', [1]).error, 'runtime');
  assert.equal(error('map(g(v))', [1]).error, 'runtime');
  assert.equal(error('sum|map(v+1)', [1]).error, 'runtime'); // map of a number
  assert.equal(error('loop(1,v)', [1]).error, 'runtime'); // loop of a list
  assert.equal(error('filter(v>5)|max', [1, 2]).error, 'runtime');
  for (const bad of ['', 'map(', 'map(v+)', 'foo', 'sum|', 'map(v)|(1)', 'sum sum', 'f(n)=n;f(n)=n;sum']) assert.equal(error(bad, [1]).error, 'parse', bad);
});

test('resource limits: integers beyond the magnitude limit and lists beyond the length limit', () => {
  assert.equal(error('sum|loop(1,v*10)', [1]).error, 'size'); // overflows before the step limit
  assert.equal(error('map(v*v*v*v*v*v*v*v*v*v)', [99]).error, 'size');
  assert.equal(error('rev', Array.from({ length: 300 }, () => 1)).error, 'size');
  assert.deepEqual(value('take(2)', Array.from({ length: 200 }, (_, i) => i)), [0, 1]);
});

test('generated problems: every hidden test passes its reference, wrong programs fail, same seed same problems', () => {
  const a = generateProgramProblems(createRng(7), 60, { stages: 2 });
  assert.deepEqual(a, generateProgramProblems(createRng(7), 60, { stages: 2 }));
  for (const p of a) {
    assert.equal(p.tests.length, 5);
    assert.ok(passesTests(p.reference, p.tests), p.reference);
    assert.ok(!passesTests('sum|loop(1,v)', p.tests));
  }
  for (const p of generateProgramProblems(createRng(8), 30, { stages: 3 })) assert.equal(p.reference.split('|').length, 3);
  assert.ok(singleStageExamples().every((e) => runProgram(e.program, [1, 2, 3]).ok));
});
