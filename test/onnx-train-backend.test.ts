// `--backend onnx` for trainNet and trainLM: the same seed gives the same weights on the ONNX
// engine, and a short run agrees with the tfjs backend within float32 drift (documented tolerance:
// MLP weights within 1e-4 of the largest weight change and final loss within 1e-4 relative after
// 12 steps; LM losses within 1e-3 relative at every one of 6 Adam steps, weights within 1e-3 of the
// largest weight change).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { trainNet, type TrainOptions } from '../harness/nn/train.ts';
import { initWeights, mlpSpec, type NetSpec, type Tf, type Weights } from '../harness/nn/vision.ts';
import { supportsNet, trainNetOnnx } from '../harness/onnx-train/train-net.ts';
import type { ImageSet } from '../datasets/mnist.ts';
import { trainLM, type TrainLMOptions } from '../harness/nn/lm/train-lm.ts';
import { transformerLM } from '../harness/nn/lm/transformer.ts';
import type { SequenceModel } from '../harness/nn/lm/sequence-model.ts';
import type { Tf as LmTf } from '../harness/nn/lm/tf.ts';
import { gssLM } from '../harness/nn/ssm/ssm-lm.ts';
import { supportsLM, trainLMOnnx } from '../harness/onnx-train/train-lm.ts';

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

/** Trains `spec` from the same seed on the ONNX engine and on tfjs; asserts that training moved the
 * weights and that the two agree within 1e-4 of the largest weight change. */
async function agreesWithTfjs(label: string, spec: NetSpec, data: ImageSet, opts: TrainOptions) {
  const ours = await trainNetOnnx(spec, data, opts);
  const reference = await trainNet(tf, spec, data, opts);
  // The start is the seeded init both trainers draw.
  const start = initWeights(spec, createRng(opts.seed).fork('init'));
  const { gap, moved } = maxGap(ours.weights, reference.weights, start);
  assert.ok(moved > 1e-3, `${label}: training moved the weights by only ${moved}`);
  assert.ok(gap <= 1e-4 * Math.max(moved, 1), `${label}: weights differ from tfjs by ${gap} (largest change ${moved})`);
  return { ours, reference, start, gap };
}

const RUNS: Array<[string, TrainOptions['optimizer']]> = [
  ['SGD momentum, triangular schedule, weight decay', { kind: 'sgd', lr: 0.1, momentum: 0.9, schedule: 'triangular', weightDecay: 5e-4 }],
  ['SGD Nesterov, constant', { kind: 'sgd', lr: 0.05, momentum: 0.9, schedule: 'constant', nesterov: true }],
  ['Adam', { kind: 'adam', lr: 0.01 }],
];

test('the engine supports the MLPs (with dropout) and CNNs (not yet strided convolutions)', () => {
  assert.equal(supportsNet(SPEC), true);
  assert.equal(supportsNet(mlpSpec([16], { dropout: 0.3 })), true);
  assert.equal(supportsNet({ input: [28, 28, 1], classes: 10, layers: [{ kind: 'conv', filters: 4, size: 3 }, { kind: 'maxpool', size: 2 }] }), true);
  assert.equal(supportsNet({ input: [28, 28, 1], classes: 10, layers: [{ kind: 'conv', filters: 4, size: 3, stride: 2 }] }), false);
});

test('trainNet on the ONNX engine: the same seed gives identical weights; tfjs agrees within float32 drift', async () => {
  const data = blobs(1);
  for (const [label, optimizer] of RUNS) {
    const opts: TrainOptions = { epochs: 2, batchSize: 16, optimizer, seed: 4 };
    const { ours: a, reference } = await agreesWithTfjs(label, SPEC, data, opts);
    const b = await trainNetOnnx(SPEC, data, opts);
    for (const name of a.weights.names) assert.deepEqual(a.weights.tensors[name].data, b.weights.tensors[name].data, `${label}: ${name} differs between two runs with the same seed`);
    assert.ok(Math.abs(a.finalLoss - reference.finalLoss) <= 1e-4 * Math.max(1, reference.finalLoss), `${label}: final loss ${a.finalLoss} vs tfjs ${reference.finalLoss}`);
  }
});
test('dropout on the ONNX engine draws the masks trainNet draws: weights agree with tfjs within float32 drift', async () => {
  const data = blobs(2);
  const spec = { ...mlpSpec([32, 16, 8], { dropout: 0.3 }), input: [4, 5, 1] as const, classes: 3 };
  const opts: TrainOptions = { epochs: 2, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, seed: 9 };
  const { ours: a, start, gap } = await agreesWithTfjs('dropout MLP', spec, data, opts);
  // The masks are really applied: the same run without dropout (same init, same batch order) ends elsewhere.
  const plain = await trainNetOnnx({ ...mlpSpec([32, 16, 8]), input: [4, 5, 1] as const, classes: 3 }, data, opts);
  assert.ok(maxGap(a.weights, plain.weights, start).gap > 100 * gap, 'dropout should change the weights far beyond float drift');
});


const LM_OPTIONS = (vocab: number): TrainLMOptions => {
  return {
    steps: 6,
    lr: 3e-3,
    warmupSteps: 2,
    clipNorm: 1,
    weightDecay: 0.01,
    // Two batch shapes (8 and 5 tokens, the second with a loss mask): the engine compiles one graph per shape.
    nextBatch: (step) => {
      const rng = createRng(100 + step);
      const length = step % 2 ? 5 : 8;
      const ids = Int32Array.from({ length: 2 * (length + 1) }, () => rng.int(vocab));
      const lossMask = step % 2 ? Float32Array.from({ length: 2 * length }, (_, i) => (i % 4 === 0 ? 0 : 1)) : undefined;
      return { ids, batch: 2, length, lossMask };
    },
  };
};

async function compareLMTraining(label: string, make: () => SequenceModel): Promise<void> {
  const ltf = tf as unknown as LmTf;
  const weightsOf = (m: SequenceModel) => m.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const a = make();
  const b = make();
  const c = make();
  assert.ok(supportsLM(a), `${label}: the engine has no step graph`);
  const start = weightsOf(a);
  const viaOnnx = await trainLMOnnx(ltf, a, LM_OPTIONS(a.vocabSize));
  const again = await trainLMOnnx(ltf, c, LM_OPTIONS(c.vocabSize));
  assert.deepEqual(viaOnnx.losses, again.losses, `${label}: two runs from the same seed differ`);
  const viaTfjs = await trainLM(ltf, b, LM_OPTIONS(b.vocabSize));
  viaOnnx.losses.forEach((loss, i) => assert.ok(Math.abs(loss - viaTfjs.losses[i]) <= 1e-3 * viaTfjs.losses[i], `${label}: step ${i} loss ${loss} vs tfjs ${viaTfjs.losses[i]}`));
  const [wa, wb] = [weightsOf(a), weightsOf(b)];
  let gap = 0;
  let moved = 0;
  wa.forEach((w, j) => w.forEach((x, i) => ((gap = Math.max(gap, Math.abs(x - wb[j][i]))), (moved = Math.max(moved, Math.abs(wb[j][i] - start[j][i]))))));
  assert.ok(moved > 1e-3, `${label}: training moved the weights by only ${moved}`);
  assert.ok(gap <= 1e-3 * moved, `${label}: weights differ from tfjs by ${gap} (largest change ${moved})`);
  for (const m of [a, b, c]) m.dispose();
}

test('trainLM on the ONNX engine (Transformer with RoPE and with ALiBi, GSS): deterministic, and agrees with tfjs over 6 Adam steps', async () => {
  const ltf = tf as unknown as LmTf;
  await compareLMTraining('transformer rope', () => transformerLM(ltf, { vocabSize: 17, dModel: 16, heads: 2, layers: 2, ffn: 32, positional: 'rope', maxLength: 16 }, createRng(5)));
  await compareLMTraining('transformer alibi', () => transformerLM(ltf, { vocabSize: 17, dModel: 16, heads: 2, layers: 1, ffn: 32, positional: 'alibi', maxLength: 16 }, createRng(6)));
  await compareLMTraining('gss', () => gssLM(ltf, { vocabSize: 17, dModel: 16, ffn: 32, channels: 4, stateSize: 4, layers: 2 }, createRng(7)));
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs an ES-module script from the repository root in a fresh process (the backend choice is
 * process-wide) and parses the JSON of its last output line. */
function childJson<T>(lines: string[]): T {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', lines.join('\n')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as T;
}

test('--backend onnx loads as backend "onnx" with the onnxruntime-node version and switches trainLM to the engine (in a child process: the choice is process-wide)', () => {
  const script = [
    "import { loadTensorBackend, onnxTrainingChosen } from './harness/backends/tensors.ts';",
    "const before = onnxTrainingChosen();",
    "const b = await loadTensorBackend('onnx');",
    "console.log(JSON.stringify({ before, name: b.name, version: b.version, after: onnxTrainingChosen(), tf: typeof b.tf.tensor }));",
  ];
  const out = childJson<{ before: boolean; name: string; version: string; after: boolean; tf: string }>(script);
  const ortVersion = (JSON.parse(spawnSync(process.execPath, ['-p', "JSON.stringify(require('onnxruntime-node/package.json'))"], { cwd: ROOT, encoding: 'utf8' }).stdout) as { version: string }).version;
  assert.deepEqual(out, { before: false, name: 'onnx', version: ortVersion, after: true, tf: 'function' });
});

test("--backend auto picks the ONNX engine when onnxruntime-node loads; trainLM's engine: 'tfjs' keeps a run on tfjs (child process: the choice is process-wide)", () => {
  const script = [
    "import { createRng } from './harness/api/index.ts';",
    "import { loadTensorBackend, onnxTrainingChosen } from './harness/backends/tensors.ts';",
    "import { trainLM } from './harness/nn/lm/train-lm.ts';",
    "import { transformerLM } from './harness/nn/lm/transformer.ts';",
    "import { trainLMOnnx } from './harness/onnx-train/train-lm.ts';",
    "const b = await loadTensorBackend('auto');",
    "const make = () => transformerLM(b.tf, { vocabSize: 11, dModel: 8, heads: 2, layers: 1, ffn: 16, positional: 'rope', maxLength: 8 }, createRng(3));",
    "const opts = () => ({ steps: 4, lr: 3e-3, warmupSteps: 1, nextBatch: (s) => { const r = createRng(50 + s); return { ids: Int32Array.from({ length: 2 * 7 }, () => r.int(11)), batch: 2, length: 6 }; } });",
    "const viaAuto = (await trainLM(b.tf, make(), opts())).losses;",
    "const viaEngine = (await trainLMOnnx(b.tf, make(), opts())).losses;",
    "const viaTfjs = (await trainLM(b.tf, make(), { ...opts(), engine: 'tfjs' })).losses;",
    "console.log(JSON.stringify({ name: b.name, chosen: onnxTrainingChosen(), viaAuto, viaEngine, viaTfjs }));",
  ];
  const out = childJson<{ name: string; chosen: boolean; viaAuto: number[]; viaEngine: number[]; viaTfjs: number[] }>(script);
  assert.equal(out.name, 'onnx');
  assert.equal(out.chosen, true);
  // Under auto, trainLM is the engine's run bit for bit; with engine: 'tfjs' it is tfjs's arithmetic:
  // the same losses within float32 drift, but not the same bits.
  assert.deepEqual(out.viaAuto, out.viaEngine);
  out.viaTfjs.forEach((loss, i) => assert.ok(Math.abs(loss - out.viaEngine[i]) <= 1e-3 * loss, `step ${i}: ${loss} vs ${out.viaEngine[i]}`));
  assert.notDeepEqual(out.viaTfjs, out.viaEngine, 'engine: tfjs should run the tfjs steps, whose rounding differs from the engine');
});

test('trainNet of a small CNN (conv, max-pool, residual, global average pool) on the ONNX engine agrees with tfjs within float32 drift', async () => {
  const data = blobs(2);
  const spec = { input: [4, 5, 1] as const, classes: 3, layers: [{ kind: 'conv' as const, filters: 4, size: 3 }, { kind: 'residual' as const, filters: 6 }, { kind: 'maxpool' as const, size: 2 }, { kind: 'flatten' as const }] };
  const opts: TrainOptions = { epochs: 2, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, schedule: 'triangular' }, seed: 8 };
  const { ours, reference } = await agreesWithTfjs('small CNN', spec, data, opts);
  assert.ok(Math.abs(ours.finalLoss - reference.finalLoss) <= 1e-4 * Math.max(1, reference.finalLoss), `final loss ${ours.finalLoss} vs tfjs ${reference.finalLoss}`);
});
