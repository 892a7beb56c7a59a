// `--backend onnx` for trainNet: the same seed gives the same weights on the ONNX engine, and a
// short run agrees with the tfjs backend within float32 drift (documented tolerance: weights within
// 1e-4 of the largest weight change, final loss within 1e-4 relative, after 12 steps).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { trainNet, type TrainOptions } from '../harness/nn/train.ts';
import { mlpSpec, type Tf, type Weights } from '../harness/nn/vision.ts';
import { supportsNet, trainNetOnnx } from '../harness/onnx-train/train-net.ts';
import type { ImageSet } from '../datasets/mnist.ts';

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

/** Two Gaussian blobs per class in 20 dimensions, 96 examples. */
function blobs(seed: number): ImageSet {
  const rng = createRng(seed);
  const n = 96;
  const d = 20;
  const centres = Array.from({ length: 3 }, () => Array.from({ length: d }, () => rng.normal()));
  const y = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = centres[y[i]][j] + 0.7 * rng.normal();
  return { x, y, n };
}

const SPEC = { ...mlpSpec([32, 16]), input: [4, 5, 1] as const, classes: 3 };

function maxGap(a: Weights, b: Weights, start: Weights): { gap: number; moved: number } {
  let gap = 0;
  let moved = 0;
  for (const name of a.names) {
    const [x, y, s] = [a.tensors[name].data, b.tensors[name].data, start.tensors[name].data];
    for (let i = 0; i < x.length; i++) {
      gap = Math.max(gap, Math.abs(x[i] - y[i]));
      moved = Math.max(moved, Math.abs(y[i] - s[i]));
    }
  }
  return { gap, moved };
}

const RUNS: Array<[string, TrainOptions['optimizer']]> = [
  ['SGD momentum, triangular schedule, weight decay', { kind: 'sgd', lr: 0.1, momentum: 0.9, schedule: 'triangular', weightDecay: 5e-4 }],
  ['SGD Nesterov, constant', { kind: 'sgd', lr: 0.05, momentum: 0.9, schedule: 'constant', nesterov: true }],
  ['Adam', { kind: 'adam', lr: 0.01 }],
];

test('the engine supports the MLPs (not yet convolutions or dropout)', () => {
  assert.equal(supportsNet(SPEC), true);
  assert.equal(supportsNet(mlpSpec([16], { dropout: 0.3 })), false);
  assert.equal(supportsNet({ input: [28, 28, 1], classes: 10, layers: [{ kind: 'conv', filters: 4, size: 3 }] }), false);
});

test('trainNet on the ONNX engine: the same seed gives identical weights; tfjs agrees within float32 drift', async () => {
  const data = blobs(1);
  for (const [label, optimizer] of RUNS) {
    const opts: TrainOptions = { epochs: 2, batchSize: 16, optimizer, seed: 4 };
    const a = await trainNetOnnx(SPEC, data, opts);
    const b = await trainNetOnnx(SPEC, data, opts);
    for (const name of a.weights.names) assert.deepEqual(a.weights.tensors[name].data, b.weights.tensors[name].data, `${label}: ${name} differs between two runs with the same seed`);
    const reference = await trainNet(tf, SPEC, data, opts);
    // The start is the seeded init both trainers draw (createRng(seed).fork('init')).
    const start = await trainNet(tf, SPEC, data, { ...opts, optimizer: { kind: 'sgd', lr: 1e-30, momentum: 0, schedule: 'constant' }, epochs: 1 });
    const { gap, moved } = maxGap(a.weights, reference.weights, start.weights);
    assert.ok(moved > 1e-3, `${label}: training moved the weights by only ${moved}`);
    assert.ok(gap <= 1e-4 * Math.max(moved, 1), `${label}: weights differ from tfjs by ${gap} (largest change ${moved})`);
    assert.ok(Math.abs(a.finalLoss - reference.finalLoss) <= 1e-4 * Math.max(1, reference.finalLoss), `${label}: final loss ${a.finalLoss} vs tfjs ${reference.finalLoss}`);
  }
});
