// Trains transformer-w256 on retrieval haystacks and writes its weights (serializeModel's HLM1 format)
// plus a JSON sidecar with the training settings and the held-out answer accuracy. The suite loads these
// shipped weights instead of training inside a unit (training costs about as much CPU as the rest of a
// `full` run). The shipped weights come from two runs (the sidecar's `command` and `init.command`): the
// defaults (the same as method param `weights: train` at `full`), then a continuation on fresh rows:
//
//   node --import tsx plugins/gemini-long-context/train-weights.ts --steps 3000 --batch 16 --lr 0.003 --short-steps 1000 --out /tmp/w/stage1
//   node --import tsx plugins/gemini-long-context/train-weights.ts --init /tmp/w/stage1.bin --steps 2000 --batch 16 --lr 0.001 --short-steps 0 --seed 1 --out plugins/gemini-long-context/weights/transformer-w256
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '../../harness/api/index.ts';
import { loadTensorBackend } from '../../harness/backends/tensors.ts';
import { trainLM } from '../../harness/nn/lm/train-lm.ts';
import { transformerLM } from '../../harness/nn/lm/transformer.ts';
import type { Tf } from '../../harness/nn/lm/tf.ts';
import { loadModelWeights, serializeModel } from '../../harness/nn/lm/serialize.ts';
import { answerAccuracy, retrievalBatches, retrievalCurriculum, TRANSFORMER_CONFIG, WINDOW } from './transformer.ts';

async function main() {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '3000' }, batch: { type: 'string', default: '16' }, lr: { type: 'string', default: '0.003' },
      seed: { type: 'string', default: '0' }, out: { type: 'string', default: 'plugins/gemini-long-context/weights/transformer-w256' },
      every: { type: 'string', default: '50' }, d: { type: 'string', default: String(TRANSFORMER_CONFIG.dModel) }, ffn: { type: 'string', default: String(TRANSFORMER_CONFIG.ffn) }, 'short-steps': { type: 'string', default: '1000' }, init: { type: 'string' },
    },
  });
  const steps = Number(values.steps);
  const batch = Number(values.batch);
  const lr = Number(values.lr);
  const seed = Number(values.seed);
  const backend = await loadTensorBackend('auto');
  const tf = backend.tf as Tf;
  const rng = createRng(seed);
  const config = { ...TRANSFORMER_CONFIG, dModel: Number(values.d), ffn: Number(values.ffn) };
  const model = transformerLM(tf, config, rng.fork('init'));
  // --init continues from saved weights (same architecture) with a fresh schedule
  if (values.init) loadModelWeights(model, new Uint8Array(readFileSync(values.init)));
  const initSidecar = values.init?.replace(/\.bin$/, '.json');
  const initRecord: unknown = initSidecar && existsSync(initSidecar) ? JSON.parse(readFileSync(initSidecar, 'utf8')) : undefined;
  const heldOut = retrievalBatches(createRng(1_000_003 + seed).fork('held-out'), 64)(0);
  const t0 = performance.now();
  let best = -1;
  const save = (step: number, accuracy: number) => {
    mkdirSync(dirname(values.out!), { recursive: true });
    writeFileSync(`${values.out}.bin.tmp`, serializeModel(model));
    renameSync(`${values.out}.bin.tmp`, `${values.out}.bin`);
    const meta = {
      config, window: WINDOW, seed, batch, lr, warmupSteps: Math.min(100, Math.ceil(steps / 10)), plannedSteps: steps, steps: step,
      heldOutAnswerAccuracy: accuracy, backend: backend.name, minutes: (performance.now() - t0) / 60000,
      command: `node --import tsx plugins/gemini-long-context/train-weights.ts --steps ${steps} --batch ${batch} --lr ${lr} --seed ${seed} --d ${config.dModel} --ffn ${config.ffn} --short-steps ${values['short-steps']}${values.init ? ` --init ${values.init}` : ''}`,
      // the record of the weights this run continued from (their own sidecar), so the whole recipe stays written down
      ...(initRecord ? { init: initRecord } : {}),
    };
    writeFileSync(`${values.out}.json`, JSON.stringify(meta, null, 2) + '\n');
  };
  await trainLM(tf, model, {
    steps, lr, warmupSteps: Math.min(100, Math.ceil(steps / 10)), clipNorm: 1,
    // curriculum: the first `short-steps` steps use 128-byte rows with one needle (half the cost per step)
    nextBatch: retrievalCurriculum(rng, batch, Number(values['short-steps'])),
    onProgress: (f, note) => console.log(`${(100 * f).toFixed(0)} % ${note} (${((performance.now() - t0) / 1000).toFixed(0)} s)`),
    evalEvery: Number(values.every),
    onEval: (step) => {
      const acc = answerAccuracy(tf, model, heldOut);
      console.log(`step ${step}: held-out answer accuracy ${acc.toFixed(3)}`);
      if (acc >= best) {
        best = acc;
        save(step, acc);
      }
    },
  });
}

if (process.argv[1]?.endsWith('train-weights.ts')) await main();
