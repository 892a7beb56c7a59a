import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalQuantile, studentTQuantile, tInterval, wilsonInterval } from '../harness/results/stats.ts';

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
