/**
 * How far the suite's endpoint networks are from convergence: trains one network of the
 * `interpolation-barrier` task (same split, normalization, init, batch order and optimizer as
 * tasks.ts, on the ONNX training engine that `--backend auto` uses) and, after each listed epoch,
 * evaluates it on the whole training split (8,000 digits, eval mode) and the test split (2,000).
 *
 *   node --import tsx plugins/repair/scripts/convergence.ts <width> <depth> <seed> <epochs,...> [adam|sgd|<lr>:<epochs>,...]
 *
 * `adam` (default): Adam 1e-3, constant, batch 128 — one run, checkpoints after the listed epochs
 * (a constant learning rate makes the first e epochs of a longer run the e-epoch run itself, batch
 * order included). `sgd`: the official notebooks' recipe (SGD 0.05, momentum 0.9, triangular
 * schedule 0 → peak over 5 epochs then to 0, batch 1,000); its schedule depends on the total, so
 * each listed epoch count is a run of its own. `<lr>:<epochs>,...` (e.g. `1e-3:20,1e-4:10`): Adam
 * stages at batch 128 as tasks.ts trains them (trainNetCached per stage, each from the previous
 * stage's weights with fresh Adam moments and the same seed); checkpoints are counted in epochs from
 * the start of the first stage. Prints one line per checkpoint.
 */
import { createRng } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import { evaluate, initWeights, learningRate, mlpSpec, type NetSpec, type Optimizer, type Tf, type Weights } from '../../../harness/nn/index.ts';
import { OnnxTrainer, netStepModel } from '../../../harness/onnx-train/index.ts';
import { splitMnist, type ImageSet } from '../../../datasets/mnist.ts';
import { MNIST_MEAN, MNIST_STD, SPLIT_SEED } from '../tasks.ts';

const [width, depth, seed] = process.argv.slice(2, 5).map(Number);
const checkpoints = (process.argv[5] ?? '8,20,40').split(',').map(Number);
const recipe = process.argv[6] ?? 'adam';
const stages = /^[0-9.e-]+:[0-9]+(,[0-9.e-]+:[0-9]+)*$/.test(recipe) ? recipe.split(',').map((s) => s.split(':').map(Number) as [number, number]) : [];
if (![width, depth, seed, ...checkpoints].every(Number.isInteger) || !(['adam', 'sgd'].includes(recipe) || stages.length > 0)) {
  console.error('usage: convergence.ts <width> <depth> <seed> <epochs,...> [adam|sgd|<lr>:<epochs>,...]');
  process.exit(2);
}

const normalized = (set: ImageSet): ImageSet => ({ x: set.x.map((v) => (v - MNIST_MEAN) / MNIST_STD), y: set.y, n: set.n });
const split = splitMnist(SPLIT_SEED, { train: 8000, calib: 0, test: 2000 });
const train = normalized(split.train);
const test = normalized(split.test);
const spec = mlpSpec(Array.from({ length: depth }, () => width));
const tf = (await loadTensorBackend('wasm')).tf as Tf;

/** Trains like trainNetOnnx (harness/onnx-train/train-net.ts) and calls `at` after each listed epoch. */
async function run(opt: Optimizer, batch: number, epochs: number, at: number[], report: (epoch: number, w: Weights, lastEpochLoss: number, seconds: number) => void, from?: Weights): Promise<Weights> {
  const rng = createRng(seed);
  const init = from ?? initWeights(spec, rng.fork('init'));
  const orderRng = rng.fork('order');
  rng.fork('dropout');
  const model = netStepModel(spec, batch);
  const graphOpt = opt.kind === 'sgd' ? { kind: 'sgd' as const, momentum: opt.momentum } : { kind: 'adam' as const };
  const trainer = await OnnxTrainer.create(model, graphOpt, Object.fromEntries(init.names.map((n) => [n, init.tensors[n].data])));
  const d = train.x.length / train.n;
  const x = new Float32Array(batch * d);
  const labels = new Int32Array(batch);
  const weights = new Float32Array(batch).fill(1 / batch);
  const order = Array.from({ length: train.n }, (_, i) => i);
  const stepsPerEpoch = Math.floor(train.n / batch);
  const total = stepsPerEpoch * epochs;
  let step = 0;
  let seconds = 0;
  const read = (): Weights => {
    const values = trainer.read();
    const tensors: Weights['tensors'] = {};
    for (const p of model.params) tensors[p.name] = { shape: [...p.shape], data: Float32Array.from(values[p.name]) };
    return { names: model.params.map((p) => p.name), tensors };
  };
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      orderRng.shuffle(order);
      let loss = 0;
      for (let s = 0; s < stepsPerEpoch; s++, step++) {
        for (let i = 0; i < batch; i++) {
          const j = order[s * batch + i];
          x.set(train.x.subarray(j * d, (j + 1) * d), i * d);
          labels[i] = train.y[j];
        }
        loss += await trainer.step({ x, labels, weights }, learningRate(opt, step, total));
      }
      seconds += (performance.now() - t0) / 1000;
      if (at.includes(epoch)) report(epoch, read(), loss / stepsPerEpoch, seconds);
    }
    return read();
  } finally {
    await trainer.release();
  }
}

const print = (epoch: number, w: Weights, lastEpochLoss: number, seconds: number) => {
  const tr = evaluate(tf, spec, w, train);
  const te = evaluate(tf, spec, w, test);
  console.log(
    `width ${width} depth ${depth} seed ${seed} ${recipe} epoch ${epoch}: last-epoch batch loss ${lastEpochLoss.toExponential(3)}, ` +
      `train loss ${tr.loss.toExponential(3)} acc ${(100 * tr.acc).toFixed(2)} %, test loss ${te.loss.toFixed(4)} acc ${(100 * te.acc).toFixed(2)} %, ` +
      `training ${seconds.toFixed(1)} s`,
  );
};

if (recipe === 'adam') {
  await run({ kind: 'adam', lr: 1e-3 }, 128, Math.max(...checkpoints), checkpoints, print);
} else if (stages.length > 0) {
  let done = 0;
  let weights: Weights | undefined;
  for (const [lr, epochs] of stages) {
    const offset = done;
    const at = checkpoints.filter((e) => e > offset && e <= offset + epochs).map((e) => e - offset);
    weights = await run({ kind: 'adam', lr }, 128, epochs, at, (e, w, l, t) => print(offset + e, w, l, t), weights);
    done += epochs;
  }
} else {
  for (const epochs of checkpoints) {
    await run({ kind: 'sgd', lr: 0.05, momentum: 0.9, schedule: 'triangular', warmupFraction: Math.min(1, 5 / epochs) }, 1000, epochs, [epochs], print);
  }
}
