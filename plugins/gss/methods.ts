// Methods `gss`, `dss`, `transformer-rope`, `transformer-alibi`, `transformer-sinusoidal`: each
// trains its model on `language-modeling` (weights cached by configuration and seeds); the first
// three also time training steps of one layer on `step-time`. `kneser-ney-1` … `kneser-ney-3` are
// byte n-gram baselines counted on the same training bytes. `gss-dss-interleaved` times GSS and
// DSS LM steps in alternation. Method `fft-conv` is the convolution op itself, on `fft-conv-check`.
import { createRng, type Method, type RunContext } from '../../harness/api/index.ts';
import { loadModelWeights, serializeModel, trainLM, type Tf } from '../../harness/nn/lm/index.ts';
import { CODE_CORPUS_SHA256, loadCodeCorpus, sampleWindows } from '../../datasets/code-corpus.ts';
import { buildModel, modelConfig, MODEL_IDS, slowestModeBytes, STEP_TIME_MODELS, type ModelId } from './models.ts';
import { checkFftConv, type ConvCheck } from './conv-check.ts';
import { fitKneserNey, ngramSequenceModel } from './ngram.ts';
import type { ConvCheckPrepared, InterleavedOutput, InterleavedPrepared, LMOutput, LMPrepared, StepTimeOutput, StepTimePrepared } from './tasks.ts';

/** Bump when training changes in a way the cache key does not capture.
 * 2: the ONNX engine's long convolution is an FFT (was a Toeplitz product; same values to float32 rounding). */
const TRAINING_VERSION = 2;

/** The tfjs backend the timing tasks run their steps on (`wasm` under `--backend auto`/`onnx`). */
const tfjsEngine = (tf: Tf) => `tfjs-${(tf as unknown as { getBackend(): string }).getBackend()}`;

async function trainLanguageModel(ctx: RunContext, id: ModelId, prepared: LMPrepared): Promise<LMOutput> {
  const backend = await ctx.tensors();
  const tf = backend.tf as Tf;
  const s = prepared.settings;
  const initSeed = ctx.rng.fork('init').seed;
  const model = buildModel(tf, id, createRng(initSeed), { trainLength: s.trainLength });
  const initialDecay = slowestModeBytes(model);
  // the backend is part of the key: the ONNX engine and tfjs train the same model with different arithmetic
  const key = JSON.stringify({ v: TRAINING_VERSION, model: modelConfig(id), settings: s, batchSeed: prepared.batchSeed, initSeed, corpus: CODE_CORPUS_SHA256, backend: backend.name });
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
  const finalDecay = slowestModeBytes(model);
  const extra = initialDecay !== null && finalDecay !== null ? { 'slowest-mode-bytes-init': initialDecay, 'slowest-mode-bytes': finalDecay } : undefined;
  return { model, training: meta, extra };
}

async function timeSteps(ctx: RunContext, id: ModelId, prepared: StepTimePrepared): Promise<StepTimeOutput> {
  const tf = (await ctx.tensors()).tf as Tf;
  const { length: L, batch: B, timedSteps, layers } = prepared;
  const model = buildModel(tf, id, ctx.rng.fork('init'), { layers, trainLength: L });
  try {
    const corpus = loadCodeCorpus();
    const rng = createRng(prepared.batchSeed);
    // trainLM leaves the first (warm-up) step out of msPerStep. The steps stay on tfjs whatever the
    // backend, so every suite version times the same FFT-convolution layers of harness/nn/ssm.
    const result = await trainLM(tf, model, {
      steps: timedSteps + 1, lr: 1e-3, warmupSteps: 0, clipNorm: 0.5, engine: 'tfjs',
      nextBatch: () => ({ ids: sampleWindows(corpus.train, B, L, rng), batch: B, length: L }),
      onProgress: (fraction, note) => ctx.progress(fraction, `${id} L=${L}: ${note}`),
      signal: ctx.signal,
    });
    return { msPerStep: result.msPerStep, tokensPerSecond: result.tokensPerSecond, paramCount: model.paramCount(), engine: tfjsEngine(tf) };
  } finally {
    model.dispose();
  }
}

function method(id: ModelId): Method<LMPrepared | StepTimePrepared, LMOutput | StepTimeOutput> {
  return {
    task: STEP_TIME_MODELS.includes(id) ? ['language-modeling', 'step-time'] : 'language-modeling',
    run: (ctx, prepared) => (prepared.kind === 'language-modeling' ? trainLanguageModel(ctx, id, prepared) : timeSteps(ctx, id, prepared)),
  };
}

/** A byte n-gram model of `order` with interpolated Kneser-Ney smoothing, counted on the training split. */
function kneserNey(order: number): Method<LMPrepared, LMOutput> {
  return {
    task: 'language-modeling',
    async run(ctx) {
      const tf = (await ctx.tensors()).tf as Tf;
      const kn = fitKneserNey(loadCodeCorpus().train, order);
      ctx.log.info(`kneser-ney-${order}: ${kn.entries} n-grams, discounts ${kn.discounts.map((d) => d.toFixed(3)).join(', ')}`);
      return { model: ngramSequenceModel(tf, kn) };
    },
  };
}

/**
 * The GSS and DSS LMs of the language-modeling task (4 layers, batch × length) trained in
 * alternation: one untimed step each, then `rounds` rounds of one timed step each, GSS first in
 * even rounds and DSS first in odd ones, so that a change of machine load hits both models alike.
 */
const gssDssInterleaved: Method<InterleavedPrepared, InterleavedOutput> = {
  task: 'interleaved-step-time',
  async run(ctx, p) {
    const tf = (await ctx.tensors()).tf as Tf;
    const corpus = loadCodeCorpus();
    const models = { gss: buildModel(tf, 'gss', ctx.rng.fork('gss'), { trainLength: p.length }), dss: buildModel(tf, 'dss', ctx.rng.fork('dss'), { trainLength: p.length }) };
    const rng = createRng(p.batchSeed);
    const step = async (which: 'gss' | 'dss'): Promise<number> => {
      const started = performance.now();
      // on tfjs whatever the backend (see timeSteps); the ONNX engine would also build a session per call
      await trainLM(tf, models[which], {
        steps: 1, lr: 1e-3, warmupSteps: 0, clipNorm: 0.5, signal: ctx.signal, engine: 'tfjs',
        nextBatch: () => ({ ids: sampleWindows(corpus.train, p.batch, p.length, rng), batch: p.batch, length: p.length }),
      });
      return performance.now() - started;
    };
    try {
      await step('gss');
      await step('dss');
      const out: InterleavedOutput = { gssMs: [], dssMs: [], gssParams: models.gss.paramCount(), dssParams: models.dss.paramCount(), engine: tfjsEngine(tf) };
      for (let r = 0; r < p.rounds; r++) {
        const order: Array<'gss' | 'dss'> = r % 2 === 0 ? ['gss', 'dss'] : ['dss', 'gss'];
        for (const which of order) (which === 'gss' ? out.gssMs : out.dssMs).push(await step(which));
        ctx.progress((r + 1) / p.rounds, `round ${r + 1}/${p.rounds}`);
      }
      return out;
    } finally {
      models.gss.dispose();
      models.dss.dispose();
    }
  },
};

/** The FFT causal convolution op (fft.js + custom gradient) on `fft-conv-check`. */
const fftConv: Method<ConvCheckPrepared, ConvCheck> = {
  task: 'fft-conv-check',
  run: (_ctx, p) => checkFftConv(createRng(p.seed), p.batch, p.length, p.channels),
};

export const methods: Record<string, Method<any, any>> = {
  ...Object.fromEntries(MODEL_IDS.map((id) => [id, method(id)])),
  ...Object.fromEntries([1, 2, 3].map((k) => [`kneser-ney-${k}`, kneserNey(k)])),
  'gss-dss-interleaved': gssDssInterleaved,
  'fft-conv': fftConv,
};
