// trainLM (harness/nn/lm/train-lm.ts) on the ONNX training engine for the models it has step
// graphs for (the Transformer LM, every positional scheme; the GSS and DSS LMs): the same Adam (bias
// correction, decoupled decay on matrices, global-norm clipping), warm-up + cosine schedule, loss
// masks, progress, abort and onEval (the tfjs variables are brought up to date before each
// evaluation and at the end). A batch of a new shape compiles its own step graph.
import { lmLearningRate, type LMBatch, type TrainLMOptions, type TrainLMResult } from '../nn/lm/train-lm.ts';
import type { SequenceModel } from '../nn/lm/sequence-model.ts';
import type { Tf, TF } from '../nn/lm/tf.ts';
import type { TransformerConfig } from '../nn/lm/transformer.ts';
import type { DSSLMConfig, GSSLMConfig } from '../nn/ssm/ssm-lm.ts';
import { OnnxTrainer, type StepModel } from './engine.ts';
import { transformerStepModel } from './lm.ts';
import { dssStepModel, gssStepModel } from './ssm.ts';

type WithConfig = SequenceModel & { config?: unknown };

/** The step model of `model` at batch shape B × L, or null when the engine has none for it. */
function stepModelOf(model: WithConfig): ((B: number, L: number) => StepModel) | null {
  if (model.kind.startsWith('transformer-') && model.config) {
    const cfg = model.config as TransformerConfig;
    return (B, L) => transformerStepModel(cfg, B, L);
  }
  if (model.kind === 'gss' && model.config) {
    const cfg = model.config as GSSLMConfig;
    return (B, L) => gssStepModel(cfg, B, L);
  }
  if (model.kind === 'dss' && model.config) {
    const cfg = model.config as DSSLMConfig;
    return (B, L) => dssStepModel(cfg, B, L);
  }
  return null;
}

/** Whether trainLM can run `model`'s steps on the engine. */
export const supportsLM = (model: SequenceModel): boolean => stepModelOf(model) !== null;

/** A variable's name without the per-instance prefix (`transformer3/h0.ffn.w1` → `h0.ffn.w1`). */
const shortName = (v: TF.Variable) => v.name.slice(v.name.indexOf('/') + 1);

function feedsOf(batch: LMBatch): Record<string, ArrayLike<number>> {
  const { ids, batch: B, length: L, lossMask } = batch;
  const inputs = new Int32Array(B * L);
  const targets = new Int32Array(B * L);
  for (let b = 0; b < B; b++) {
    inputs.set(ids.subarray(b * (L + 1), b * (L + 1) + L), b * L);
    targets.set(ids.subarray(b * (L + 1) + 1, (b + 1) * (L + 1)), b * L);
  }
  const weights = new Float32Array(B * L);
  let total = 0;
  for (let i = 0; i < B * L; i++) total += lossMask ? lossMask[i] : 1;
  if (!(total > 0)) throw new RangeError('LM batch: lossMask selects no target (all weights are 0)');
  for (let i = 0; i < B * L; i++) weights[i] = (lossMask ? lossMask[i] : 1) / total;
  for (let i = 0; i < ids.length; i++) if (ids[i] < 0) throw new RangeError(`LM batch: token ${ids[i]} at index ${i} is outside the vocabulary`);
  return { inputs, targets, weights };
}

/** trainLM with every step run by ONNX Runtime; the model's variables hold the trained weights at the end. */
export async function trainLMOnnx(tf: Tf, model: SequenceModel, opts: TrainLMOptions): Promise<TrainLMResult> {
  const stepModel = stepModelOf(model);
  if (!stepModel) throw new Error(`trainLMOnnx: no step graph for a ${model.kind} model`);
  const { steps } = opts;
  const variables = model.variables;
  const byName = new Map(variables.map((v) => [shortName(v), v]));
  let trainer: OnnxTrainer | undefined;
  const sync = () => {
    if (!trainer) return;
    for (const [name, values] of Object.entries(trainer.read())) {
      const v = byName.get(name)!;
      const t = tf.tensor(Float32Array.from(values), v.shape);
      v.assign(t);
      t.dispose();
    }
  };
  const losses: number[] = [];
  const progressEvery = Math.max(1, Math.floor(steps / 100));
  let timedMs = 0;
  let timedSteps = 0;
  let tokens = 0;
  try {
    for (let step = 0; step < steps; step++) {
      if (opts.signal?.aborted) {
        const reason: unknown = opts.signal.reason;
        throw reason instanceof Error ? reason : new Error(typeof reason === 'string' ? reason : 'training aborted');
      }
      const batch = opts.nextBatch(step);
      if (batch.ids.length !== batch.batch * (batch.length + 1)) throw new RangeError(`LM batch: ids must hold batch × (length + 1) = ${batch.batch * (batch.length + 1)} tokens, got ${batch.ids.length}`);
      for (let i = 0; i < batch.ids.length; i++) if (batch.ids[i] >= model.vocabSize) throw new RangeError(`LM batch: token ${batch.ids[i]} at index ${i} is outside the vocabulary 0..${model.vocabSize - 1}`);
      const shaped = stepModel(batch.batch, batch.length);
      const lr = lmLearningRate(step, opts);
      const started = performance.now();
      if (!trainer) {
        const init = Object.fromEntries(variables.map((v) => [shortName(v), v.dataSync() as Float32Array]));
        trainer = await OnnxTrainer.create(shaped, { kind: 'adam', beta1: opts.beta1, beta2: opts.beta2, epsilon: opts.epsilon, decoupledWeightDecay: opts.weightDecay, clipNorm: opts.clipNorm }, init);
      }
      const loss = await trainer.step(feedsOf(batch), lr, shaped);
      if (!Number.isFinite(loss)) throw new Error(`trainLM: the loss became ${loss} at step ${step} (lower the learning rate or clip gradients)`);
      losses.push(loss);
      const elapsed = performance.now() - started;
      if (step > 0 || steps === 1) {
        timedMs += elapsed;
        timedSteps++;
        tokens += batch.batch * batch.length;
      }
      if (opts.onProgress && ((step + 1) % progressEvery === 0 || step + 1 === steps)) {
        opts.onProgress((step + 1) / steps, `step ${step + 1}/${steps} loss ${loss.toFixed(4)} lr ${lr.toExponential(2)}`);
      }
      if (opts.evalEvery && opts.onEval && (step + 1) % opts.evalEvery === 0) {
        sync();
        await opts.onEval(step + 1);
        if (opts.shouldStop?.(step + 1)) break;
      }
    }
    sync();
  } finally {
    await trainer?.release();
  }
  const msPerStep = timedMs / Math.max(1, timedSteps);
  return { losses, msPerStep, tokensPerSecond: timedMs > 0 ? (tokens / timedMs) * 1000 : 0 };
}
