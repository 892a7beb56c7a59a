import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../harness/plan/canonical.ts';
import { createRng, deriveSeed } from '../harness/plan/seeds.ts';

test('the same seed gives the same stream; different seeds give different streams', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const seqA = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(seqA, Array.from({ length: 100 }, () => b.next()));
  assert.notDeepEqual(seqA, Array.from({ length: 100 }, () => c.next()));
  assert.ok(seqA.every((x) => x >= 0 && x < 1));
});

test('uniform and normal draws have the right first two moments', () => {
  const rng = createRng(7);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  for (let i = 0; i < n; i++) {
    su += rng.next();
    const z = rng.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02);
});

test('int() covers [0, n) evenly and shuffle is a permutation', () => {
  const rng = createRng(1);
  const counts = new Array(5).fill(0);
  for (let i = 0; i < 50_000; i++) counts[rng.int(5)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 400, `count ${c}`);
  const items = Array.from({ length: 20 }, (_, i) => i);
  assert.deepEqual([...rng.shuffle([...items])].sort((x, y) => x - y), items);
});

test('derived seeds ignore key order and change with any identity field', () => {
  const identity = { suite: 's', task: 'p/t', params: { n: 1, m: [1, 2] }, seed: 0 };
  const reordered = { seed: 0, params: { m: [1, 2], n: 1 }, task: 'p/t', suite: 's' };
  assert.equal(deriveSeed(identity), deriveSeed(reordered));
  assert.notEqual(deriveSeed(identity), deriveSeed({ ...identity, seed: 1 }));
  assert.notEqual(deriveSeed(identity), deriveSeed({ ...identity, params: { n: 2, m: [1, 2] } }));
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
});

test('fork() gives independent, reproducible streams', () => {
  const x = createRng(5).fork('data');
  const y = createRng(5).fork('data');
  const z = createRng(5).fork('model');
  const first = x.next();
  assert.equal(first, y.next());
  assert.notEqual(first, z.next());
});
