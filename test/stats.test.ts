import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimate, normalQuantile, studentTQuantile, tInterval, wilsonInterval } from '../harness/results/stats.ts';

const close = (actual: number, expected: number, tol: number) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} not within ${tol} of ${expected}`);

test('Student-t quantiles match the printed table (two-sided 95 %)', () => {
  // Standard t table: t_{0.975, df}.
  close(studentTQuantile(0.975, 1), 12.706, 1e-3);
  close(studentTQuantile(0.975, 2), 4.303, 1e-3);
  close(studentTQuantile(0.975, 4), 2.776, 1e-3);
  close(studentTQuantile(0.975, 9), 2.262, 1e-3);
  close(studentTQuantile(0.975, 30), 2.042, 1e-3);
  close(normalQuantile(0.975), 1.95996, 1e-5);
});

test('t interval of 1..5 by hand: mean 3, s = √2.5, half-width 2.776·√2.5/√5', () => {
  const e = tInterval([1, 2, 3, 4, 5]);
  const half = 2.7764451 * Math.sqrt(2.5) / Math.sqrt(5);
  close(e.mean, 3, 1e-12);
  close(e.lo, 3 - half, 1e-6);
  close(e.hi, 3 + half, 1e-6);
  assert.equal(e.n, 5);
});

test('a single value has no interval', () => {
  const e = tInterval([0.3]);
  assert.equal(e.mean, 0.3);
  assert.ok(Number.isNaN(e.lo) && Number.isNaN(e.hi));
});

test('Wilson interval by hand: 8 of 10 at 95 %', () => {
  // p = 0.8, z = 1.96: centre = (0.8 + 0.19208)/1.38416, half = 1.96·√(0.016 + 0.009604)/1.38416.
  const z = 1.959963984540054;
  const centre = (0.8 + (z * z) / 20) / (1 + (z * z) / 10);
  const half = (z * Math.sqrt(0.016 + (z * z) / 400)) / (1 + (z * z) / 10);
  const e = wilsonInterval(8, 10);
  close(e.lo, centre - half, 1e-6);
  close(e.hi, centre + half, 1e-6);
  close(e.lo, 0.4902, 1e-4);
  close(e.hi, 0.9433, 1e-4);
});

test('below n = 3 a cell gets its mean and no interval, whatever the kind', () => {
  for (const scale of [{}, { kind: 'proportion' as const }, { kind: 'real' as const, range: [null, 1] as [null, number] }]) {
    const two = estimate([0.2, 0.9], scale);
    assert.equal(two.n, 2);
    close(two.mean, 0.55, 1e-12);
    assert.ok(Number.isNaN(two.lo) && Number.isNaN(two.hi), JSON.stringify(two));
  }
});

test('Wilson is chosen by the declared kind, not by values that happen to be 0 or 1', () => {
  // 0 of 5 successes: the Wilson 95 % interval is [0, z²/5 / (1 + z²/5)] = [0, 0.4345] (textbook value).
  const z = 1.959963984540054;
  const proportion = estimate([0, 0, 0, 0, 0], { kind: 'proportion' });
  close(proportion.lo, 0, 1e-12);
  close(proportion.hi, (z * z) / 5 / (1 + (z * z) / 5), 1e-7);
  close(proportion.hi, 0.4345, 1e-4);
  // A continuous metric (a relative gap) that is 0 on every instance: no spread, so a zero-width t interval.
  for (const scale of [{ kind: 'real' as const }, {}]) {
    const real = estimate([0, 0, 0, 0, 0], scale);
    assert.deepEqual([real.lo, real.hi], [0, 0]);
  }
  // 1, 0, 1 of a 0/1 proportion: Wilson for 2 of 3; the same values undeclared: Student t.
  const wilson = estimate([1, 0, 1], { kind: 'proportion' });
  close(wilson.lo, wilsonInterval(2, 3).lo, 1e-12);
  const t = estimate([1, 0, 1]);
  close(t.hi, tInterval([1, 0, 1]).hi, 1e-12);
  assert.ok(t.hi > 1, 'undeclared metrics are not clipped');
});

test('intervals are clipped to the declared range', () => {
  // R² of 0.5, 0.9, 1.0: mean 0.8, s = √0.07, half-width t(0.975, 2)·s/√3 = 4.3027·0.26458/1.7321 = 0.6572.
  const r2 = estimate([0.5, 0.9, 1.0], { kind: 'real', range: [null, 1] });
  close(r2.mean, 0.8, 1e-12);
  close(r2.lo, 0.8 - 0.65724, 1e-4);
  assert.equal(r2.hi, 1);
  // An NLL near zero cannot have a negative lower bound.
  const nll = estimate([0.01, 0.02, 0.6], { kind: 'real', range: [0, null] });
  assert.equal(nll.lo, 0);
  assert.ok(nll.hi > 0.6);
  // A proportion averaged over many items (not 0/1) takes a t interval clipped to [0, 1] by default.
  const acc = estimate([0.2, 0.9, 0.95], { kind: 'proportion' });
  assert.equal(acc.lo, 0);
  assert.equal(acc.hi, 1);
});
