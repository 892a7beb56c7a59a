// Interleaved speed comparison of the ONNX training engine with PyTorch CPU (one thread each) on a
// loaded machine: `rounds` times, one timed window of the engine's step and then one run of the
// PyTorch reference (torch-reference.py); wall and process-CPU milliseconds per step, medians over
// rounds. CPU time is the steadier number when other processes share the cores.
//   node --import tsx harness/bench/onnx-train-speed.ts mlp|lm|gss256|gss1024 [rounds]
import { createRng } from '../api/index.ts';
import { GSS_LM_SMALL, gssLM } from '../nn/ssm/ssm-lm.ts';
import { torchStepsPerSecond, type TorchReference } from '../nn/torch-reference.ts';
import { transformerLM } from '../nn/lm/transformer.ts';
import type { Tf as LmTf } from '../nn/lm/tf.ts';
import { initWeights, mlpSpec } from '../nn/vision.ts';
import { loadTensorBackend } from '../backends/tensors.ts';
import { OnnxTrainer, type StepModel } from '../onnx-train/engine.ts';
import { BENCH_TRANSFORMER, lmFeeds } from '../onnx-train/kernels.ts';
import { transformerStepModel } from '../onnx-train/lm.ts';
import { gssStepModel } from '../onnx-train/ssm.ts';
import { netStepModel } from '../onnx-train/vision.ts';

const which = process.argv[2] ?? 'mlp';
const rounds = Number(process.argv[3] ?? 3);

async function setup(): Promise<{ trainer: OnnxTrainer; batch: Record<string, ArrayLike<number>>; lr: number; torch: TorchReference; window: number }> {
  const rng = createRng(0);
  if (which === 'mlp') {
    const spec = mlpSpec([256, 256]);
    const w = initWeights(spec, rng.fork('init'));
    const trainer = await OnnxTrainer.create(netStepModel(spec, 128), { kind: 'sgd', momentum: 0.9 }, Object.fromEntries(w.names.map((n) => [n, w.tensors[n].data])));
    const x = Float32Array.from({ length: 128 * 784 }, () => rng.next());
    const labels = Int32Array.from({ length: 128 }, () => rng.int(10));
    return { trainer, batch: { x, labels, weights: new Float32Array(128).fill(1 / 128) }, lr: 0.05, torch: { model: 'mlp', batch: 128 }, window: 3 };
  }
  const L = which === 'lm' ? 256 : which === 'gss256' ? 256 : 1024;
  const tf = (await loadTensorBackend('auto')).tf as LmTf;
  const model = which === 'lm' ? transformerLM(tf, BENCH_TRANSFORMER, rng.fork('init')) : gssLM(tf, GSS_LM_SMALL, rng.fork('init'));
  const step: StepModel = which === 'lm' ? transformerStepModel(BENCH_TRANSFORMER, 8, L) : gssStepModel(GSS_LM_SMALL, 8, L);
  const init = Object.fromEntries(model.variables.map((v) => [v.name.slice(v.name.indexOf('/') + 1), v.dataSync() as Float32Array]));
  const trainer = await OnnxTrainer.create(step, { kind: 'adam', clipNorm: 1 }, init);
  const ids = Int32Array.from({ length: 8 * (L + 1) }, () => rng.int(256));
  return { trainer, batch: lmFeeds(ids, 8, L), lr: 1e-3, torch: { model: which === 'lm' ? 'transformer' : 'gss', batch: 8, length: L }, window: L === 1024 ? 20 : 8 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { trainer, batch, lr, torch, window } = await setup();
await trainer.step(batch, lr);
const ours: Array<{ wall: number; cpu: number }> = [];
const theirs: Array<{ wall: number; cpu: number }> = [];
for (let r = 0; r < rounds; r++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let steps = 0;
  while (steps < 2 || performance.now() - t0 < (window * 1000) / 3) {
    await trainer.step(batch, lr);
    steps++;
  }
  const cpu = process.cpuUsage(cpu0);
  ours.push({ wall: (performance.now() - t0) / steps, cpu: (cpu.user + cpu.system) / 1000 / steps });
  const t = await torchStepsPerSecond(torch, window);
  if ('unavailable' in t) throw new Error(`PyTorch reference unavailable: ${t.unavailable}`);
  theirs.push({ wall: 1000 / t.stepsPerSecond, cpu: t.cpuMsPerStep });
  console.log(`round ${r + 1}: onnx-train ${ours[r].wall.toFixed(1)} ms wall, ${ours[r].cpu.toFixed(1)} ms CPU per step; PyTorch ${theirs[r].wall.toFixed(1)} ms wall (best window), ${theirs[r].cpu.toFixed(1)} ms CPU`);
}
const [ow, oc, tw, tc] = [median(ours.map((o) => o.wall)), median(ours.map((o) => o.cpu)), median(theirs.map((o) => o.wall)), median(theirs.map((o) => o.cpu))];
console.log(`${which}: medians over ${rounds} rounds — onnx-train ${ow.toFixed(1)} ms wall / ${oc.toFixed(1)} ms CPU; PyTorch ${tw.toFixed(1)} ms wall / ${tc.toFixed(1)} ms CPU; speed ratio onnx-train ÷ PyTorch: ×${(tw / ow).toFixed(2)} by wall time, ×${(tc / oc).toFixed(2)} by CPU time`);
await trainer.release();
