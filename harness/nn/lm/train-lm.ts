// Next-token training loop for any SequenceModel: Adam (bias-corrected, optional decoupled weight
// decay = AdamW), linear warm-up then cosine decay to minLrFraction·lr, global-norm gradient
// clipping, an optional per-target loss mask, progress callbacks and abort through an AbortSignal.
import { onnxTrainingChosen } from '../../backends/tensors.ts';
import type { SequenceModel } from './sequence-model.ts';
import type { Tf, TF } from './tf.ts';

export interface LMBatch {
  /** B×(L+1) token ids, row-major: inputs are ids[:, 0..L−1], targets ids[:, 1..L]. */
  ids: Int32Array;
  batch: number;
  length: number;
  /**
   * B×L weights, 1 = count this target (e.g. answer tokens only), 0 = ignore (prompt, padding).
   * The loss is Σ mask·nll / Σ mask. Pad on the RIGHT: causal attention then never lets padding
   * influence the real tokens before it.
   */
  lossMask?: Float32Array;
}

export interface TrainLMOptions {
  steps: number;
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  /** Cosine floor as a fraction of lr (default 0.1). */
  minLrFraction?: number;
  /** Global-norm clipping threshold (default: none). */
  clipNorm?: number;
  /** Decoupled weight decay on matrices (≥ 2-D variables) only (default 0). */
  weightDecay?: number;
  /** Adam betas (default 0.9, 0.999) and epsilon (default 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  nextBatch(step: number): LMBatch;
  /** Called about every 1 % of the steps with the fraction done and a short note (loss, lr). */
  onProgress?(fraction: number, note: string): void;
  /** Aborting stops before the next step and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Calls onEval(step) after every evalEvery steps (step counts completed steps). */
  evalEvery?: number;
  onEval?(step: number): void | Promise<void>;
  /** Early stopping: checked after every onEval; true ends training there (a normal return with the losses so far). */
  shouldStop?(step: number): boolean;
  /** 'tfjs' runs the steps on the tfjs backend even when the ONNX engine is chosen (to time the tfjs
   * implementation itself); default 'auto'. */
  engine?: 'auto' | 'tfjs';
}

export interface TrainLMResult {
  /** Training loss (nats/target) of every step. */
  losses: number[];
  /** Mean wall time per step, excluding the first (warm-up/compile) step when steps > 1. */
  msPerStep: number;
  /** Counted (input) tokens per second: batch·length / msPerStep. */
  tokensPerSecond: number;
}

/** The learning rate at `step` (0-based): linear warm-up lr·(step+1)/warmupSteps over the first
 * warmupSteps steps, then cosine from lr down to minLrFraction·lr at the last step. */
export function lmLearningRate(step: number, opts: Pick<TrainLMOptions, 'steps' | 'lr' | 'warmupSteps' | 'minLrFraction'>): number {
  const { steps, lr, warmupSteps } = opts;
  const floor = opts.minLrFraction ?? 0.1;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const decaySteps = steps - warmupSteps;
  const progress = decaySteps <= 1 ? 1 : Math.min(1, (step - warmupSteps) / (decaySteps - 1));
  return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

function checkBatch(model: SequenceModel, batch: LMBatch): void {
  const { ids, batch: B, length: L, lossMask } = batch;
  if (!Number.isInteger(B) || B < 1 || !Number.isInteger(L) || L < 1) throw new RangeError(`LM batch: batch and length must be positive integers, got ${B} × ${L}`);
  if (ids.length !== B * (L + 1)) throw new RangeError(`LM batch: ids must hold batch × (length + 1) = ${B * (L + 1)} tokens, got ${ids.length}`);
  if (lossMask && lossMask.length !== B * L) throw new RangeError(`LM batch: lossMask must hold batch × length = ${B * L} weights, got ${lossMask.length}`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= model.vocabSize) throw new RangeError(`LM batch: token ${ids[i]} at index ${i} is outside the vocabulary 0..${model.vocabSize - 1}`);
  }
}

/** Splits B×(L+1) ids into input [B, L] and target [B·L] arrays. */
function inputsAndTargets(batch: LMBatch): { inputs: Int32Array; targets: Int32Array } {
  const { ids, batch: B, length: L } = batch;
  const inputs = new Int32Array(B * L);
  const targets = new Int32Array(B * L);
  for (let b = 0; b < B; b++) {
    inputs.set(ids.subarray(b * (L + 1), b * (L + 1) + L), b * L);
    targets.set(ids.subarray(b * (L + 1) + 1, (b + 1) * (L + 1)), b * L);
  }
  return { inputs, targets };
}

/** Masked mean next-token cross-entropy (nats) of a batch; a scalar tensor (Σ mask·nll / Σ mask). */
export function lmLoss(tf: Tf, model: SequenceModel, batch: LMBatch, training = false): TF.Scalar {
  checkBatch(model, batch);
  const { batch: B, length: L, lossMask } = batch;
  const { inputs, targets } = inputsAndTargets(batch);
  return tf.tidy(() => {
    const logits = tf.reshape(model.logits(tf.tensor2d(inputs, [B, L], 'int32'), { training }), [B * L, model.vocabSize]) as TF.Tensor2D;
    const logProbs = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(targets, 'int32'), model.vocabSize)), 1);
    if (!lossMask) return tf.neg(tf.mean(picked)) as TF.Scalar;
    let total = 0;
    for (let i = 0; i < lossMask.length; i++) total += lossMask[i];
    if (!(total > 0)) throw new RangeError('LM batch: lossMask selects no target (all weights are 0)');
    return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(lossMask)))), total) as TF.Scalar;
  });
}

/** Rescales gradients so that their global L2 norm is at most clipNorm; returns the norm before clipping. */
export function clipByGlobalNorm(tf: Tf, grads: TF.Tensor[], clipNorm: number): { clipped: TF.Tensor[]; norm: TF.Scalar } {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as TF.Scalar;
    const scale = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
    return { clipped: grads.map((g) => tf.mul(g, scale)), norm };
  }) as { clipped: TF.Tensor[]; norm: TF.Scalar };
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === 'string' ? reason : 'training aborted');
}

export async function trainLM(tf: Tf, model: SequenceModel, opts: TrainLMOptions): Promise<TrainLMResult> {
  const { steps, warmupSteps } = opts;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`trainLM: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new RangeError(`trainLM: warmupSteps must be a non-negative integer, got ${warmupSteps}`);
  if (!(opts.lr > 0)) throw new RangeError(`trainLM: lr must be positive, got ${opts.lr}`);
  if (opts.clipNorm !== undefined && !(opts.clipNorm > 0)) throw new RangeError(`trainLM: clipNorm must be positive, got ${opts.clipNorm}`);
  // `--backend onnx`: the steps run on ONNX Runtime when that engine has the model's step graph.
  if (opts.engine !== 'tfjs' && onnxTrainingChosen()) {
    const onnx = await import('../../onnx-train/train-lm.ts');
    if (onnx.supportsLM(model)) return onnx.trainLMOnnx(tf, model, opts);
  }
  const beta1 = opts.beta1 ?? 0.9;
  const beta2 = opts.beta2 ?? 0.999;
  const epsilon = opts.epsilon ?? 1e-8;
  const weightDecay = opts.weightDecay ?? 0;
  const variables = model.variables;
  const zeroState = () =>
    variables.map((v) => {
      const zeros = tf.zerosLike(v);
      const state = tf.variable(zeros, false);
      zeros.dispose();
      return state;
    });
  const m = zeroState();
  const s = zeroState();
  const losses: number[] = [];
  const progressEvery = Math.max(1, Math.floor(steps / 100));
  let timedMs = 0;
  let timedSteps = 0;
  let tokens = 0;
  try {
    for (let step = 0; step < steps; step++) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      const batch = opts.nextBatch(step);
      const lr = lmLearningRate(step, opts);
      const started = performance.now();
      const t = step + 1;
      const stepSize = lr / (1 - Math.pow(beta1, t)); // bias corrections folded into the step size
      const vCorrection = 1 / (1 - Math.pow(beta2, t));
      const lossTensor = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => lmLoss(tf, model, batch, true), variables);
        let gradList = variables.map((v) => grads[v.name]);
        if (opts.clipNorm !== undefined) gradList = clipByGlobalNorm(tf, gradList, opts.clipNorm).clipped;
        variables.forEach((v, i) => {
          const g = gradList[i];
          m[i].assign(tf.add(tf.mul(m[i], beta1), tf.mul(g, 1 - beta1)));
          s[i].assign(tf.add(tf.mul(s[i], beta2), tf.mul(tf.square(g), 1 - beta2)));
          let update = tf.div(tf.mul(m[i], stepSize), tf.add(tf.sqrt(tf.mul(s[i], vCorrection)), epsilon));
          if (weightDecay > 0 && v.rank >= 2) update = tf.add(update, tf.mul(v, lr * weightDecay));
          v.assign(tf.sub(v, update));
        });
        return value;
      });
      const loss = (await lossTensor.data())[0];
      lossTensor.dispose();
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
        await opts.onEval(step + 1);
        if (opts.shouldStop?.(step + 1)) break;
      }
    }
  } finally {
    tf.dispose(m);
    tf.dispose(s);
  }
  const msPerStep = timedMs / Math.max(1, timedSteps);
  return { losses, msPerStep, tokensPerSecond: timedMs > 0 ? (tokens / timedMs) * 1000 : 0 };
}
