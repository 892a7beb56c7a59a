// Methods `gss`, `dss`, `transformer`: each trains its model on `language-modeling` (weights cached
// by configuration and seeds) and times training steps of one layer on `step-time`. Method
// `fft-conv` is the convolution op itself, checked on `fft-conv-check`.
import { createRng, type Method, type RunContext } from '../../harness/api/index.ts';
import { loadModelWeights, serializeModel, trainLM, type Tf } from '../../harness/nn/lm/index.ts';
import { CODE_CORPUS_SHA256, loadCodeCorpus, sampleWindows } from '../../datasets/code-corpus.ts';
import { buildModel, modelConfig, MODEL_IDS, type ModelId } from './models.ts';
import { checkFftConv, type ConvCheck } from './conv-check.ts';
import type { ConvCheckPrepared, LMOutput, LMPrepared, StepTimeOutput, StepTimePrepared } from './tasks.ts';

/** Bump when training changes in a way the cache key does not capture. */
const TRAINING_VERSION = 1;

async function trainLanguageModel(ctx: RunContext, id: ModelId, prepared: LMPrepared): Promise<LMOutput> {
  const tf = (await ctx.tensors()).tf as Tf;
  const s = prepared.settings;
  const initSeed = ctx.rng.fork('init').seed;
  const model = buildModel(tf, id, createRng(initSeed), { trainLength: s.trainLength });
  const key = JSON.stringify({ v: TRAINING_VERSION, model: modelConfig(id), settings: s, batchSeed: prepared.batchSeed, initSeed, corpus: CODE_CORPUS_SHA256 });
  let trainedNow = false;
  const meta = await ctx.cache.json(`trained ${key}`, async () => {
    const corpus = loadCodeCorpus();
    const rng = createRng(prepared.batchSeed);
    const result = await trainLM(tf, model, {
      steps: s.steps, lr: s.lr, warmupSteps: s.warmupSteps, minLrFraction: 0.1, clipNorm: s.clipNorm,
      nextBatch: () => ({ ids: sampleWindows(corpus.train, s.batch, s.trainLength, rng), batch: s.batch, length: s.trainLength }),
      onProgress: (fraction, note) => ctx.progress(0.95 * fraction, `${id}: ${note}`),
      signal: ctx.signal,
    });
    trainedNow = true;
    await ctx.cache.bytes(`weights ${key}`, () => serializeModel(model));
    const tail = result.losses.slice(-Math.max(1, Math.ceil(result.losses.length / 10)));
    return {
      msPerStep: result.msPerStep,
      tokensPerSecond: result.tokensPerSecond,
      finalTrainBpb: tail.reduce((a, b) => a + b, 0) / tail.length / Math.LN2,
    };
  });
  if (!trainedNow) {
    const bytes = await ctx.cache.bytes(`weights ${key}`, () => {
      throw new Error('the artifact cache holds the training record but not the weights: clear the cache folder and run again');
    });
    loadModelWeights(model, bytes);
    ctx.log.info(`${id}: trained weights loaded from the cache`);
  }
  return { model, ...meta };
}

async function timeSteps(ctx: RunContext, id: ModelId, prepared: StepTimePrepared): Promise<StepTimeOutput> {
  const tf = (await ctx.tensors()).tf as Tf;
  const { length: L, batch: B, timedSteps, layers } = prepared;
  const model = buildModel(tf, id, ctx.rng.fork('init'), { layers, trainLength: L });
  try {
    const corpus = loadCodeCorpus();
    const rng = createRng(prepared.batchSeed);
    // trainLM leaves the first (warm-up) step out of msPerStep
    const result = await trainLM(tf, model, {
      steps: timedSteps + 1, lr: 1e-3, warmupSteps: 0, clipNorm: 0.5,
      nextBatch: () => ({ ids: sampleWindows(corpus.train, B, L, rng), batch: B, length: L }),
      onProgress: (fraction, note) => ctx.progress(fraction, `${id} L=${L}: ${note}`),
      signal: ctx.signal,
    });
    return { msPerStep: result.msPerStep, tokensPerSecond: result.tokensPerSecond, paramCount: model.paramCount() };
  } finally {
    model.dispose();
  }
}

function method(id: ModelId): Method<LMPrepared | StepTimePrepared, LMOutput | StepTimeOutput> {
  return {
    task: ['language-modeling', 'step-time'],
    run: (ctx, prepared) => (prepared.kind === 'language-modeling' ? trainLanguageModel(ctx, id, prepared) : timeSteps(ctx, id, prepared)),
  };
}

/** The FFT causal convolution op (fft.js + custom gradient) on `fft-conv-check`. */
const fftConv: Method<ConvCheckPrepared, ConvCheck> = {
  task: 'fft-conv-check',
  run: (_ctx, p) => checkFftConv(createRng(p.seed), p.batch, p.length, p.channels),
};

export const methods: Record<string, Method<any, any>> = { ...Object.fromEntries(MODEL_IDS.map((id) => [id, method(id)])), 'fft-conv': fftConv };
