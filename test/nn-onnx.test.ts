// ONNX export: the same network gives the same logits through tfjs and ONNX Runtime, for every
// layer kind; the model passes onnx.checker when /usr/bin/python3 has the onnx package.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type * as TF from '@tensorflow/tfjs';
import { createRng } from '../harness/api/index.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { splitMnist } from '../datasets/mnist.ts';
import { ARCHITECTURES, evaluate, initWeights, mlpSpec, onnxEvaluate, toOnnx, trainNet } from '../harness/nn/index.ts';
import { nnKernels } from '../harness/nn/kernels.ts';

let tf: typeof TF;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as typeof TF;
});

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('toOnnx + onnxEvaluate', () => {
  const { train, test } = splitMnist(5, { train: 500, calib: 0, test: 300 });
  it('a trained MLP gives the same logits in tfjs and ONNX Runtime (max |Δ| ≤ 1e-4)', async () => {
    const spec = mlpSpec([64, 32]);
    const { weights } = await trainNet(tf, spec, train, { epochs: 3, batchSize: 50, optimizer: { kind: 'adam', lr: 3e-3 }, seed: 2 });
    const ours = evaluate(tf, spec, weights, test);
    const ort = await onnxEvaluate(toOnnx(spec, weights), test, 128);
    assert.equal(ort.length, test.n * 10);
    assert.ok(maxAbsDiff(ort, ours.logits) <= 1e-4, `max |Δ| ${maxAbsDiff(ort, ours.logits)}`);
    // Trained, so the logits are far from 0 and the agreement means something.
    assert.ok(ours.acc > 0.6 && ours.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0) > 3, `accuracy ${ours.acc}`);
  });
  for (const name of Object.keys(ARCHITECTURES) as Array<keyof typeof ARCHITECTURES>) {
    it(`${name}: conv/pool/residual/flatten/pool layouts agree (random weights scaled up)`, async () => {
      const spec = ARCHITECTURES[name];
      const weights = initWeights(spec, createRng(3));
      // PyTorch-default init gives near-zero logits; scale kernels so disagreements would show.
      for (const n of weights.names) if (n.endsWith('kernel')) weights.tensors[n].data.forEach((v, i, a) => (a[i] = 2.5 * v));
      const ours = evaluate(tf, spec, weights, test);
      const ort = await onnxEvaluate(toOnnx(spec, weights), test);
      const scale = ours.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(scale > 0.3, `logit scale ${scale}`);
      assert.ok(maxAbsDiff(ort, ours.logits) <= 1e-4 * Math.max(1, scale), `max |Δ| ${maxAbsDiff(ort, ours.logits)}`);
    });
  }
  it('the bench kernels pass their own reference checks', async () => {
    for (const [id, kernel] of Object.entries(nnKernels)) {
      const input = await kernel.setup(kernel.sizes[0], createRng(1));
      assert.equal(kernel.check(await kernel.run(input), await kernel.reference(input)), null, id);
    }
  });
  const python = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
  it('passes onnx.checker (full check) when python3-onnx is installed', { skip: python.status !== 0 ? 'python3 onnx package not installed' : false }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-onnx-'));
    for (const name of ['mlp-4', 'resnet-mini', 'lenet-5'] as const) {
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, toOnnx(ARCHITECTURES[name], initWeights(ARCHITECTURES[name], createRng(1))));
      const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version)', path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), '13');
    }
  });
});
