// Alignment and REPAIR on small trained MNIST MLPs: permutations keep the function, matching recovers
// planted permutations, REPAIR is the identity at the endpoints, the closed form is exact at layer 1.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createRng, type RunContext } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';
import { evaluate, mlpSpec, trainNet, type NetSpec, type Tf, type Weights } from '../../../harness/nn/index.ts';
import { splitMnist, type ImageSet } from '../../../datasets/mnist.ts';
import { alignByActivations, alignByWeights } from '../matching.ts';
import { interpolateWeights, permuteHiddenUnits } from '../mlp.ts';
import { closedFormFirstLayer, repairClosedForm, repairForwardPass, resetTargets } from '../repair.ts';
import { hiddenCorrelations, pairedMoments, preactivationMoments } from '../statistics.ts';
import { methods } from '../methods.ts';
import { maxAbsDifference, MNIST_MEAN, MNIST_STD, OPTIMIZER, type PreparedPair } from '../tasks.ts';

let tf: Tf;
let spec: NetSpec;
let train: ImageSet;
let test_: ImageSet;
let A: Weights;
let B: Weights;

const normalized = (s: ImageSet): ImageSet => ({ x: s.x.map((v) => (v - MNIST_MEAN) / MNIST_STD), y: s.y, n: s.n });
const randomPerms = (w: Weights, seed: number) => {
  const rng = createRng(seed);
  return spec.layers.map((l) => Int32Array.from(rng.shuffle(Array.from({ length: (l as { units: number }).units }, (_, i) => i))));
};

before(async () => {
  tf = (await loadTensorBackend('auto')).tf as Tf;
  const split = splitMnist(0, { train: 1000, calib: 0, test: 500 });
  train = normalized(split.train);
  test_ = normalized(split.test);
  spec = mlpSpec([24, 24, 24]);
  const opts = { epochs: 3, batchSize: 64, optimizer: OPTIMIZER };
  A = (await trainNet(tf, spec, train, { ...opts, seed: 1 })).weights;
  B = (await trainNet(tf, spec, train, { ...opts, seed: 2 })).weights;
});

test('permuting hidden units leaves the logits unchanged (< 1e-4) while moving every tensor', () => {
  const perms = randomPerms(B, 7);
  const permuted = permuteHiddenUnits(B, perms);
  const delta = maxAbsDifference(evaluate(tf, spec, B, test_).logits, evaluate(tf, spec, permuted, test_).logits);
  assert.ok(delta < 1e-4, `max |Δlogit| = ${delta}`);
  assert.ok(maxAbsDifference(B.tensors['layer1.kernel'].data, permuted.tensors['layer1.kernel'].data) > 0.01);
});

test('weight matching recovers a planted permutation exactly', () => {
  const planted = permuteHiddenUnits(A, randomPerms(A, 8));
  const { perms } = alignByWeights(A, planted, createRng(1));
  const back = permuteHiddenUnits(planted, perms);
  for (const name of A.names) assert.deepEqual(back.tensors[name].data, A.tensors[name].data, name);
});

test('activation matching recovers a planted permutation on every unit that is not dead', () => {
  const planted = permuteHiddenUnits(A, randomPerms(A, 9));
  const C = hiddenCorrelations(tf, spec, A, planted, train);
  const { perms } = alignByActivations(C);
  const post = hiddenCorrelations(tf, spec, A, A, train); // diagonal ≈ 1 unless the unit never fires
  perms.forEach((p, l) => {
    const h = p.length;
    let alive = 0;
    for (let i = 0; i < h; i++) {
      if (post[l][i * h + i] < 0.99) continue; // σ² ≳ 0.01: well above the 1e-4 guard of the denominator
      alive++;
      // B's unit p[i] must be A's unit i again
      assert.ok(Math.abs(C[l][i * h + p[i]] - post[l][i * h + i]) < 1e-9, `layer ${l} unit ${i}: matched correlation ${C[l][i * h + p[i]]}, self ${post[l][i * h + i]}`);
    }
    assert.ok(alive > h / 2, `layer ${l}: only ${alive} of ${h} units fire enough to be checked`);
  });
});

test('REPAIR at α = 0 and α = 1 is the identity up to ε: test loss changes by < 1e-3', () => {
  const aligned = permuteHiddenUnits(B, alignByActivations(hiddenCorrelations(tf, spec, A, B, train)).perms);
  const mA = preactivationMoments(tf, spec, A, train);
  const mB = preactivationMoments(tf, spec, aligned, train);
  const paired = pairedMoments(tf, spec, A, aligned, train);
  for (const [alpha, endpoint] of [[0, A], [1, aligned]] as const) {
    const reference = evaluate(tf, spec, endpoint, test_).loss;
    const theta = interpolateWeights(A, aligned, alpha);
    const forward = evaluate(tf, spec, repairForwardPass(tf, theta, resetTargets(mA, mB, alpha), train), test_).loss;
    const closed = evaluate(tf, spec, repairClosedForm(theta, paired, alpha), test_).loss;
    assert.ok(Math.abs(forward - reference) < 1e-3, `forward pass at α = ${alpha}: ${forward} vs ${reference}`);
    assert.ok(Math.abs(closed - reference) < 1e-3, `closed form at α = ${alpha}: ${closed} vs ${reference}`);
  }
});

test('closed-form first-layer statistics equal the measured ones; the forward pass hits its targets', () => {
  const aligned = permuteHiddenUnits(B, alignByActivations(hiddenCorrelations(tf, spec, A, B, train)).perms);
  const alpha = 0.3;
  const theta = interpolateWeights(A, aligned, alpha);
  const predicted = closedFormFirstLayer(pairedMoments(tf, spec, A, aligned, train)[0], alpha);
  const measured = preactivationMoments(tf, spec, theta, train)[0];
  for (let j = 0; j < 24; j++) {
    assert.ok(Math.abs(predicted.mean[j] - measured.mean[j]) < 1e-4 * (1 + Math.abs(measured.mean[j])), `mean ${j}`);
    assert.ok(Math.abs(predicted.variance[j] - measured.variance[j]) < 1e-4 * (1 + measured.variance[j]), `variance ${j}`);
  }
  const targets = resetTargets(preactivationMoments(tf, spec, A, train), preactivationMoments(tf, spec, aligned, train), alpha);
  const repaired = preactivationMoments(tf, spec, repairForwardPass(tf, theta, targets, train), train);
  // ε = 1e-5 shrinks the reset std by √(Var/(Var + ε)): under 0.1 % for units whose std is ≥ 0.1
  repaired.forEach((m, l) => {
    for (let j = 0; j < 24; j++) {
      const [mean, std] = [targets[l].mean[j], targets[l].std[j]];
      assert.ok(Math.abs(m.mean[j] - mean) < 1e-3 * (1 + Math.abs(mean)), `layer ${l} unit ${j}: mean ${m.mean[j]} vs ${mean}`);
      if (std >= 0.1) assert.ok(Math.abs(Math.sqrt(m.variance[j]) / std - 1) < 2e-3, `layer ${l} unit ${j}: std ${Math.sqrt(m.variance[j])} vs ${std}`);
    }
  });
});

test('permute-weights gives the same alignment whatever the unit seed (so every suite agrees on a pair)', async () => {
  const calib: ImageSet = { x: train.x.subarray(0, 300 * 784), y: train.y.subarray(0, 300), n: 300 };
  const evalB = evaluate(tf, spec, B, test_);
  const evalA = evaluate(tf, spec, A, test_);
  const pair = {
    params: { width: 24, depth: 3 }, spec, alphas: [0, 0.5, 1], calib, test: test_, a: A, b: B, seeds: [1, 2],
    endpoints: { lossA: evalA.loss, lossB: evalB.loss, accA: evalA.acc, accB: evalB.acc }, logitsB: evalB.logits,
    momentsA: preactivationMoments(tf, spec, A, calib), momentsB: preactivationMoments(tf, spec, B, calib),
    correlations: hiddenCorrelations(tf, spec, A, B, calib),
  } as unknown as PreparedPair;
  const run = (seed: number) =>
    methods['permute-weights'].run(
      { rng: createRng(seed), tensors: async () => ({ tf }), progress: () => {}, signal: new AbortController().signal } as unknown as RunContext,
      pair, {},
    );
  const [x, y] = [await run(1), await run(987654)];
  assert.deepEqual(x.loss, y.loss);
  assert.equal(x.lapObjective, y.lapObjective);
  assert.equal(x.sweeps, y.sweeps);
});
