// Kernels, each checked against an independent computation before it is timed.
import type { Kernel, Rng } from '../../harness/api/index.ts';
import { loadTensorBackend } from '../../harness/backends/tensors.ts';
import { splitMnist, type ImageSet } from '../../datasets/mnist.ts';
import { evaluate, mlpSpec, type NetSpec, type Tf, type Weights } from '../../harness/nn/index.ts';
import { alphaGrid } from './barriers.ts';
import { CorrelationAccumulator, correlationTwoPass } from './correlation.ts';
import { auctionAssignment, isPermutation, solveLinearAssignment, type Assignment } from './lap.ts';
import { denseLayers, interpolateWeights } from './mlp.ts';
import { MNIST_MEAN, MNIST_STD, SPLIT_SEED } from './tasks.ts';

// ---- linear assignment
interface LapInput { C: Float64Array; n: number }
type LapOutput = Assignment & { epsilonFinal?: number };
const linearAssignment: Kernel<LapInput, LapOutput> = {
  sizes: [{ n: 64 }, { n: 128 }, { n: 256 }, { n: 512 }, { n: 1024 }],
  // correlation-like scores in [−1, 1]
  setup: ({ n }, rng) => ({ C: Float64Array.from({ length: n * n }, () => 2 * rng.next() - 1), n }),
  run: ({ C, n }) => solveLinearAssignment(C, n, { maximize: true }),
  reference: ({ C, n }) => auctionAssignment(C, n, { maximize: true }),
  check(actual, expected) {
    const n = expected.rowToCol.length;
    if (!isPermutation(actual.rowToCol, n)) return 'the solver did not return a permutation';
    // the auction ends within n·ε of the optimum; the exact solver may not be below it
    const tol = n * (expected.epsilonFinal ?? 0) + 1e-9 * (1 + Math.abs(expected.objective));
    if (actual.objective < expected.objective - tol) return `objective ${actual.objective} below the auction's ${expected.objective} (tolerance ${tol.toExponential(1)})`;
    if (actual.objective > expected.objective + tol) return `objective ${actual.objective} above the auction's ${expected.objective} by more than its ε-optimality bound ${tol.toExponential(1)}`;
    return null;
  },
  items: ({ n }) => n,
};

// ---- streamed correlation matrix
interface CorrInput { a: Float32Array; b: Float32Array; N: number; h: number }
const correlationMatrix: Kernel<CorrInput, Float64Array> = {
  sizes: [{ N: 8000, h: 128 }, { N: 8000, h: 256 }],
  setup({ N, h }, rng) {
    // post-ReLU-like features with a planted, shuffled correspondence between the two sets of units
    const shuffle = rng.shuffle(Array.from({ length: h }, (_, i) => i));
    const a = new Float32Array(N * h);
    const b = new Float32Array(N * h);
    for (let r = 0; r < N; r++) {
      for (let i = 0; i < h; i++) {
        const z = rng.normal();
        a[r * h + i] = Math.max(0, z);
        b[r * h + shuffle[i]] = Math.max(0, 0.7 * z + 0.7 * rng.normal());
      }
    }
    return { a, b, N, h };
  },
  run({ a, b, N, h }) {
    const acc = new CorrelationAccumulator(h, h);
    for (let s = 0; s < N; s += 1000) {
      const m = Math.min(1000, N - s);
      acc.add(a.subarray(s * h, (s + m) * h), b.subarray(s * h, (s + m) * h), m);
    }
    return acc.correlation();
  },
  reference: ({ a, b, N, h }) => correlationTwoPass(a, b, N, h, h),
  check(actual, expected) {
    let worst = 0;
    for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(actual[k] - expected[k]));
    return worst <= 1e-9 ? null : `max |difference| ${worst.toExponential(2)} > 1e-9`;
  },
  items: ({ N, h }) => N * h * h,
};

// ---- interpolation + evaluation sweep
interface SweepInput { tf: Tf; spec: NetSpec; a: Weights; b: Weights; test: ImageSet; alphas: number[] }
interface SweepOutput { loss: number[]; acc: number[] }

/** He-normal weights (std √(2/fan-in)), zero biases: signals survive 10 layers, so logits differ between
 * digits and float32/float64 argmax ties are rare. */
function heNormal(spec: NetSpec, rng: Rng): Weights {
  const names: string[] = [];
  const tensors: Weights['tensors'] = {};
  let fanIn = 784;
  const add = (prefix: string, units: number) => {
    const std = Math.sqrt(2 / fanIn);
    names.push(`${prefix}.kernel`, `${prefix}.bias`);
    tensors[`${prefix}.kernel`] = { shape: [fanIn, units], data: Float32Array.from({ length: fanIn * units }, () => std * rng.normal()) };
    tensors[`${prefix}.bias`] = { shape: [units], data: new Float32Array(units) };
    fanIn = units;
  };
  spec.layers.forEach((layer, i) => add(`layer${i}`, (layer as { units: number }).units));
  add('classifier', spec.classes);
  return { names, tensors };
}

/** Float64 forward pass of an MLP in plain JS: mean cross-entropy and accuracy. */
function evaluateFloat64(w: Weights, set: ImageSet): { loss: number; acc: number } {
  const { hidden, classifier } = denseLayers(w);
  const layers = [...hidden, classifier];
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < set.n; r++) {
    let x: Float64Array = Float64Array.from(set.x.subarray(r * 784, (r + 1) * 784));
    layers.forEach((layer, l) => {
      const K = w.tensors[layer.kernelName].data;
      const y = Float64Array.from(w.tensors[layer.biasName].data);
      for (let i = 0; i < layer.fanIn; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        for (let j = 0; j < layer.units; j++) y[j] += xi * K[i * layer.units + j];
      }
      if (l < hidden.length) for (let j = 0; j < y.length; j++) y[j] = Math.max(0, y[j]);
      x = y;
    });
    const max = Math.max(...x);
    const lse = max + Math.log(x.reduce((s, v) => s + Math.exp(v - max), 0));
    loss += lse - x[set.y[r]];
    if (x.indexOf(max) === set.y[r]) correct++;
  }
  return { loss: loss / set.n, acc: correct / set.n };
}

const interpolationSweep: Kernel<SweepInput, SweepOutput> = {
  sizes: [{ width: 128, depth: 10, n: 1000, alphas: 21 }],
  async setup({ width, depth, n, alphas }, rng) {
    const tf = (await loadTensorBackend('auto')).tf as Tf;
    const spec = mlpSpec(Array.from({ length: depth }, () => width));
    const raw = splitMnist(SPLIT_SEED, { train: 0, calib: 0, test: n }).test;
    const test = { x: raw.x.map((v) => (v - MNIST_MEAN) / MNIST_STD), y: raw.y, n: raw.n };
    return { tf, spec, a: heNormal(spec, rng.fork('a')), b: heNormal(spec, rng.fork('b')), test, alphas: alphaGrid(alphas) };
  },
  run({ tf, spec, a, b, test, alphas }) {
    const loss: number[] = [];
    const acc: number[] = [];
    for (const alpha of alphas) {
      const r = evaluate(tf, spec, interpolateWeights(a, b, alpha), test);
      loss.push(r.loss);
      acc.push(r.acc);
    }
    return { loss, acc };
  },
  reference({ a, b, test, alphas }) {
    const loss: number[] = [];
    const acc: number[] = [];
    for (const alpha of alphas) {
      const r = evaluateFloat64(interpolateWeights(a, b, alpha), test);
      loss.push(r.loss);
      acc.push(r.acc);
    }
    return { loss, acc };
  },
  check(actual, expected) {
    for (let k = 0; k < expected.loss.length; k++) {
      const dl = Math.abs(actual.loss[k] - expected.loss[k]);
      if (dl > 1e-3 * (1 + expected.loss[k])) return `α point ${k}: loss ${actual.loss[k]} vs Float64 ${expected.loss[k]}`;
      // float32 rounding may flip an argmax between two nearly equal logits: allow 0.3 % of the digits
      if (Math.abs(actual.acc[k] - expected.acc[k]) > 0.003) return `α point ${k}: accuracy ${actual.acc[k]} vs Float64 ${expected.acc[k]}`;
    }
    return null;
  },
  items: ({ n, alphas }) => n * alphas,
};

export const kernels = {
  'linear-assignment': linearAssignment,
  'correlation-matrix': correlationMatrix,
  'interpolation-sweep': interpolationSweep,
};
