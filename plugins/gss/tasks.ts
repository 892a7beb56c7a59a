// Tasks: `language-modeling` (byte-level LM on the TypeScript compiler's source, bits/byte at 1×, 2×
// and 4× the training length, loss vs position at 4×), `step-time` (ms per training step of one
// layer vs length), `interleaved-step-time` (GSS and DSS LM training steps alternating in one unit)
// and `fft-conv-check` (the FFT convolution and its gradient against direct computation).
import type { Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import type { SequenceModel } from '../../harness/nn/lm/index.ts';
import type { ConvCheck } from './conv-check.ts';
import { alignedEvaluation, meanAndSe } from './evaluate.ts';

export const EVAL_MULTIPLES = [1, 2, 4];

export interface LMSettings {
  trainLength: number;
  steps: number;
  batch: number;
  /** Scored test bytes (rounded down to whole blocks of trainLength). */
  evalTokens: number;
  lr: number;
  warmupSteps: number;
  clipNorm: number;
}

export interface LMPrepared {
  kind: 'language-modeling';
  settings: LMSettings;
  /** Seed of the training batches: shared by every method of a seed (paired comparisons). */
  batchSeed: number;
}

export interface LMOutput {
  model: SequenceModel;
  /** Training statistics of a trained network (absent for the counted n-gram baselines). */
  training?: {
    msPerStep: number;
    tokensPerSecond: number;
    /** Mean training loss over the last 10 % of the steps, in bits per byte. */
    finalTrainBpb: number;
  };
  /** Extra metrics of the method (e.g. the DSS kernels' slowest decay), by metric id. */
  extra?: Record<string, number>;
}

const int = (params: Params, key: string, fallback?: number): number => {
  const value = params[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
};
const positive = (params: Params, key: string, fallback: number): number => {
  const value = params[key] ?? fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`${key} must be a positive number, got ${JSON.stringify(value)}`);
  return value;
};

export function lmSettings(params: Params): LMSettings {
  const steps = int(params, 'steps');
  return {
    trainLength: int(params, 'trainLength', 256),
    steps,
    batch: int(params, 'batch', 8),
    evalTokens: int(params, 'evalTokens', 8192),
    lr: positive(params, 'lr', 1e-3),
    // the spec's 100-step warm-up, shortened for short runs
    warmupSteps: typeof params.warmupSteps === 'number' ? params.warmupSteps : Math.min(100, Math.ceil(steps / 10)),
    clipNorm: positive(params, 'clipNorm', 0.5),
  };
}

export const languageModeling: Task<LMPrepared, LMOutput> = {
  version: 1,
  prepare(ctx: RunContext, params) {
    return { kind: 'language-modeling', settings: lmSettings(params), batchSeed: ctx.rng.fork('batches').seed };
  },
  async score(ctx, prepared, output): Promise<ScoreResult> {
    const { tf } = await ctx.tensors();
    const { loadCodeCorpus } = await import('../../datasets/code-corpus.ts');
    const { trainLength: T, evalTokens } = prepared.settings;
    const blocks = Math.max(1, Math.floor(evalTokens / T));
    try {
      const result = alignedEvaluation(tf as never, output.model, loadCodeCorpus().test, {
        trainLength: T, multiples: EVAL_MULTIPLES, blocks, tokensPerPass: 4096,
      });
      const [at1, at2, at4] = result.bpb;
      const gain = meanAndSe(result.lastOctaveGains);
      const paired = meanAndSe(result.pairedGains);
      const t = output.training;
      return {
        metrics: {
          'bpb-at-1x': at1,
          'bpb-at-2x': at2,
          'bpb-at-4x': at4,
          'bpb-growth-2x': at2 - at1,
          'bpb-growth-4x': at4 - at1,
          'context-gain-last-octave': gain.mean,
          'context-gain-last-octave-se': gain.se,
          'context-gain-paired': paired.mean,
          'context-gain-paired-se': paired.se,
          ...(t ? { 'train-bpb': t.finalTrainBpb, 'train-ms-per-step': t.msPerStep, 'tokens-per-s': t.tokensPerSecond } : {}),
          'param-count': output.model.paramCount(),
          ...output.extra,
        },
        records: [
          { kind: output.model.kind, scoredBytes: blocks * T, lengths: EVAL_MULTIPLES.map((m) => m * T), bpb: [at1, at2, at4], lastOctaveGains: result.lastOctaveGains, pairedGains: result.pairedGains },
          ...result.curve.map((b) => ({ curve: 'loss-vs-position', from: b.from, to: b.to, bpb: b.bpb, windows: blocks, windowLength: result.curveLength, trainLength: T })),
        ],
      };
    } finally {
      output.model.dispose();
    }
  },
};

export interface StepTimePrepared {
  kind: 'step-time';
  length: number;
  batch: number;
  timedSteps: number;
  layers: number;
  batchSeed: number;
}

export interface StepTimeOutput {
  msPerStep: number;
  tokensPerSecond: number;
  paramCount: number;
  /** What ran the timed steps (e.g. `tfjs-wasm`), which the row's backend column may not say. */
  engine: string;
}

export const stepTime: Task<StepTimePrepared, StepTimeOutput> = {
  version: 1,
  prepare(ctx, params) {
    return {
      kind: 'step-time',
      length: int(params, 'length'),
      batch: int(params, 'batch', 1),
      timedSteps: int(params, 'timedSteps', 3),
      layers: int(params, 'layers', 1),
      batchSeed: ctx.rng.fork('batches').seed,
    };
  },
  score(_ctx, _prepared, output) {
    return { metrics: { 'ms-per-step': output.msPerStep, 'tokens-per-s': output.tokensPerSecond, 'param-count': output.paramCount }, records: [{ engine: output.engine }] };
  },
};

export interface InterleavedPrepared {
  kind: 'interleaved-step-time';
  length: number;
  batch: number;
  /** Timed rounds; each round times one GSS and one DSS step, in alternating order. */
  rounds: number;
  batchSeed: number;
}

export interface InterleavedOutput {
  /** Wall ms of each timed step, in round order. */
  gssMs: number[];
  dssMs: number[];
  gssParams: number;
  dssParams: number;
  /** What ran the timed steps (e.g. `tfjs-wasm`). */
  engine: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const interleavedStepTime: Task<InterleavedPrepared, InterleavedOutput> = {
  version: 1,
  prepare(ctx, params) {
    return {
      kind: 'interleaved-step-time',
      length: int(params, 'length', 256),
      batch: int(params, 'batch', 8),
      rounds: int(params, 'rounds', 6),
      batchSeed: ctx.rng.fork('batches').seed,
    };
  },
  score(_ctx, _prepared, output) {
    const [g, d] = [median(output.gssMs), median(output.dssMs)];
    return {
      metrics: {
        'gss-ms-per-step': g,
        'dss-ms-per-step': d,
        'dss-over-gss': d / g,
        'gss-faster-rounds': output.gssMs.filter((ms, i) => ms < output.dssMs[i]).length / output.gssMs.length,
      },
      records: output.gssMs.map((ms, i) => ({ round: i, gssMs: ms, dssMs: output.dssMs[i], engine: output.engine })),
    };
  },
};

export interface ConvCheckPrepared {
  kind: 'fft-conv-check';
  batch: number;
  length: number;
  channels: number;
  seed: number;
}

export const fftConvCheck: Task<ConvCheckPrepared, ConvCheck> = {
  version: 1,
  prepare(ctx, params) {
    return { kind: 'fft-conv-check', batch: int(params, 'batch', 3), length: int(params, 'length'), channels: int(params, 'channels', 4), seed: ctx.rng.fork('data').seed };
  },
  score(_ctx, _prepared, output) {
    return {
      metrics: {
        'conv-max-abs-diff': output.forwardMaxAbsDiff,
        'grad-max-rel-diff': output.gradMaxRelDiff,
        'grad-fd-rel-err': output.gradFiniteDiffRelErr,
      },
    };
  },
};
