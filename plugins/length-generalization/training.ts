// Training a tiny causal Transformer from scratch on short instances of one task and format, with
// the weights cached under a key of everything that determines them (re-runs never retrain).
import type { Json, Rng, RunContext } from '../../harness/api/index.ts';
import { trainLM, trainOrLoadCached, transformerLM, type Positional, type Tf, type TransformerLM } from '../../harness/nn/lm/index.ts';
import { makeBatch, vocabulary, type Vocabulary } from './batching.ts';
import { exampleLength, type Example } from './examples.ts';

/** The positional variants of the benchmark axis (spec names) and the shared stack's names for them. */
export const POSITIONALS = { rope: 'rope', alibi: 'alibi', nope: 'none', sinusoidal: 'sinusoidal', 'learned-absolute': 'learned' } as const satisfies Record<string, Positional>;
export type PositionalName = keyof typeof POSITIONALS;

export function positionalOf(name: string): Positional {
  const p = (POSITIONALS as Record<string, Positional>)[name];
  if (!p) throw new Error(`unknown positional variant "${name}"; expected one of ${Object.keys(POSITIONALS).join(', ')}`);
  return p;
}

export interface ModelShape {
  dModel: number;
  heads: number;
  layers: number;
  ffn: number;
}

export interface TrainSchedule {
  steps: number;
  batch: number;
  lr: number;
  warmupSteps: number;
}

export interface TrainSpec {
  /** What the examples are (part of the cache key: task, format, training split). */
  data: Json;
  alphabet: string;
  positional: PositionalName;
  shape: ModelShape;
  schedule: TrainSchedule;
  /** Draws one training example. */
  sample(rng: Rng): Example;
  /** Longest training sequence in tokens (the learned position table's size). */
  maxLength: number;
}

export interface Trained {
  model: TransformerLM;
  vocab: Vocabulary;
  msPerStep: number;
  /** Mean training loss over the last 10 % of the steps. */
  finalLoss: number;
  cached: boolean;
}

/** Bump when anything that changes trained weights for the same spec changes. */
const TRAINING_VERSION = 1;

/** Trains (or loads from the artifact cache) one model for `spec`, seeded by `rng`. */
export async function trainOrLoad(ctx: RunContext, tf: Tf, spec: TrainSpec, rng: Rng): Promise<Trained> {
  const vocab = vocabulary(spec.alphabet);
  const model = transformerLM(
    tf,
    { vocabSize: vocab.tokenizer.vocabSize, ...spec.shape, positional: positionalOf(spec.positional), maxLength: spec.maxLength },
    rng.fork('init'),
  );
  const key = `lg-v${TRAINING_VERSION}-${JSON.stringify({ data: spec.data, positional: spec.positional, shape: spec.shape, schedule: spec.schedule, vocab: vocab.tokenizer.id, maxLength: spec.maxLength, seed: rng.seed })}`;
  const trained = await trainOrLoadCached(ctx.cache, key, model, async () => {
    const batches = rng.fork('batches');
    return trainLM(tf, model, {
      steps: spec.schedule.steps,
      lr: spec.schedule.lr,
      warmupSteps: spec.schedule.warmupSteps,
      minLrFraction: 0.1,
      clipNorm: 1,
      signal: ctx.signal,
      nextBatch: () => {
        const examples = Array.from({ length: spec.schedule.batch }, () => spec.sample(batches));
        for (const ex of examples) {
          if (exampleLength(ex) > spec.maxLength + 1) throw new Error(`training example of ${exampleLength(ex)} tokens exceeds the declared maximum ${spec.maxLength + 1}`);
        }
        return makeBatch(vocab, examples);
      },
      onProgress: (f, note) => ctx.progress(0.9 * f, `training ${note}`),
    });
  });
  return { model, vocab, ...trained };
}
