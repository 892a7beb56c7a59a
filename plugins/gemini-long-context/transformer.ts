// `transformer-w256`: the shared causal Transformer (2 layers, d 64, 4 heads, FFN 256, RoPE) over
// UTF-8 bytes, trained on retrieval haystacks of 256 bytes so that it can learn to find a needle inside
// its window, and evaluated with a hard sliding window of 256 tokens. Its weights ship with the plugin
// (train-weights.ts writes them); with the method param `weights: train` it is trained inside the unit
// instead and kept in the artifact cache, so every unit of every task reuses the same weights.
//
// A training row (length 257): filler bytes — a random window of the code corpus's training split or of
// the prose corpus — with 1–3 needles (distinct cities, fresh 7-digit numbers) inserted at random depths
// at byte '.' boundaries, then questions for up to two of them, each with its answer " NNNNNNN". Loss
// weights: 1 on the answer targets, FILLER_WEIGHT on every other target (it still learns to model bytes,
// so its NLL curve means something), 0 on the needles' own random digits. Training starts on 128-byte
// rows with one needle (retrievalCurriculum): the spec's "synthetic haystacks ≤ 256 tokens".
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Params, Rng, RunContext } from '../../harness/api/index.ts';
import { createRng } from '../../harness/api/index.ts';
import { loadCodeCorpus } from '../../datasets/code-corpus.ts';
import { loadProseCorpus } from '../../datasets/prose-corpus.ts';
import { asLanguageModel } from '../../harness/models/sequence-model-lm.ts';
import { loadModelWeights, serializeModel } from '../../harness/nn/lm/serialize.ts';
import { byteTokenizer } from '../../harness/nn/lm/tokenizer.ts';
import type { LMBatch } from '../../harness/nn/lm/train-lm.ts';
import { trainLM } from '../../harness/nn/lm/train-lm.ts';
import { transformerLM, type TransformerConfig } from '../../harness/nn/lm/transformer.ts';
import type { Tf, TF } from '../../harness/nn/lm/tf.ts';
import type { SequenceModel } from '../../harness/nn/lm/sequence-model.ts';
import type { LocalLanguageModel } from '../../harness/models/local.ts';
import { windowed } from './models.ts';
import { drawNeedles, insertNeedles, needleQuestion, needleSentence } from './needle.ts';

export const WINDOW = 256;
export const FILLER_WEIGHT = 0.1;
const MAX_TRAIN_NEEDLES = 3;
const MAX_TRAIN_QUESTIONS = 2;

export const TRANSFORMER_CONFIG: TransformerConfig = {
  vocabSize: 256, dModel: 64, heads: 4, layers: 2, ffn: 256, positional: 'rope', maxLength: WINDOW,
};

/** Rows of the curriculum's first phase: one needle in 128 bytes (half the window). */
export const SHORT_LENGTH = 128;

export interface RetrievalTraining {
  steps: number;
  batch: number;
  lr: number;
  warmupSteps: number;
  /** The first shortSteps steps train on SHORT_LENGTH-byte rows with one needle, the rest on WINDOW-byte rows. */
  shortSteps: number;
  seed: number;
}

/**
 * Training budget per harness budget (method params `trainSteps`, `trainBatch`, `shortSteps` override).
 * `full` is the first stage of the shipped weights' recipe (train-weights.ts): 3000 steps of batch 16,
 * the first 1000 on 128-byte rows (the shipped weights then continued 1100 steps at lr 1e-3 with --init).
 */
export function trainingFor(budget: string, params: Params): RetrievalTraining {
  const steps = (params.trainSteps as number | undefined) ?? (budget === 'full' ? 3000 : budget === 'standard' ? 300 : 20);
  const batch = (params.trainBatch as number | undefined) ?? (budget === 'full' ? 16 : 8);
  const shortSteps = (params.shortSteps as number | undefined) ?? (budget === 'full' ? 1000 : 0);
  return { steps, batch, lr: 3e-3, warmupSteps: Math.min(100, Math.ceil(steps / 10)), shortSteps, seed: 0 };
}

const DOT = 46;
const isDot = (b: number) => b === DOT;

/**
 * Fills `ids` and `mask` (row `row`) with one retrieval example of length+1 bytes: 1–3 needles (one when
 * length < WINDOW), then the questions for up to two of them (in random order), each followed by its answer.
 */
export function retrievalRow(rng: Rng, fillers: Uint8Array[], length: number, ids: Int32Array, mask: Float32Array, row: number): void {
  const enc = (s: string) => byteTokenizer.encode(s);
  const m = 1 + rng.int(length >= WINDOW ? MAX_TRAIN_NEEDLES : 1);
  const needles = drawNeedles(rng, m);
  const asked = rng.shuffle([...needles]).slice(0, Math.min(m, MAX_TRAIN_QUESTIONS));
  const needleIds = needles.map((n) => enc(needleSentence(n)));
  const qa = asked.map((n) => ({ question: enc(needleQuestion(n.city)), answer: enc(` ${n.number}`) }));
  const tail = qa.reduce((s, x) => s + x.question.length + x.answer.length, 0);
  const fillerLen = length + 1 - needleIds.reduce((s, n) => s + n.length, 0) - tail;
  if (fillerLen < 0) throw new RangeError(`retrieval row does not fit in ${length + 1} bytes`);
  const source = fillers[rng.int(fillers.length)];
  const start = rng.int(source.length - fillerLen);
  const filler = source.subarray(start, start + fillerLen);
  const placed = insertNeedles(filler, needleIds.map((n) => ({ ids: n, depth: 100 * rng.next() })), isDot);
  const base = row * (length + 1);
  ids.set(placed.ids, base);
  // targets t = 1..length sit at mask index t − 1
  const mrow = row * length;
  mask.fill(FILLER_WEIGHT, mrow, mrow + length);
  placed.positions.forEach((p, i) => {
    const digits = needleIds[i].length - 8; // " 1234567." — the 7 digits before the final period
    for (let j = digits; j < digits + 7; j++) mask[mrow + p + j - 1] = 0;
  });
  let t = placed.ids.length;
  for (const { question, answer } of qa) {
    ids.set(question, base + t);
    t += question.length;
    ids.set(answer, base + t);
    for (let j = 0; j < answer.length; j++) mask[mrow + t + j - 1] = 1;
    t += answer.length;
  }
}

function fillerSources(): Uint8Array[] {
  const prose = byteTokenizer.encode(loadProseCorpus().documents.map((d) => d.text).join('\n\n'));
  return [loadCodeCorpus().train, Uint8Array.from(prose)];
}

export function retrievalBatches(rng: Rng, batch: number, length = WINDOW): (step: number) => LMBatch {
  const fillers = fillerSources();
  return () => {
    const ids = new Int32Array(batch * (length + 1));
    const lossMask = new Float32Array(batch * length);
    for (let b = 0; b < batch; b++) retrievalRow(rng, fillers, length, ids, lossMask, b);
    return { ids, batch, length, lossMask };
  };
}

/**
 * The training stream: steps before `shortSteps` draw SHORT_LENGTH-byte rows with one needle (the copy
 * is learned there at half the cost per step), later steps WINDOW-byte rows with 1–3 needles.
 */
export function retrievalCurriculum(rng: Rng, batch: number, shortSteps: number): (step: number) => LMBatch {
  const short = retrievalBatches(rng.fork('data-short'), batch, SHORT_LENGTH);
  const full = retrievalBatches(rng.fork('data'), batch);
  return (step) => (step < shortSteps ? short(step) : full(step));
}

/**
 * Fraction of rows whose 8 answer bytes are all the argmax under teacher forcing (= what greedy decoding
 * emits when every earlier answer byte was right). The answer targets are the last 8 of each row.
 */
export function answerAccuracy(tf: Tf, model: SequenceModel, batch: LMBatch): number {
  const { batch: B, length: L } = batch;
  const correct = tf.tidy(() => {
    const all = tf.tensor2d(batch.ids, [B, L + 1], 'int32');
    const inputs = all.slice([0, 0], [B, L]) as TF.Tensor2D;
    const predicted = model.logits(inputs).slice([0, L - 8, 0], [B, 8, -1]).argMax(-1);
    const targets = all.slice([0, L + 1 - 8], [B, 8]);
    return predicted.equal(targets).all(1).sum().dataSync()[0];
  });
  return correct / B;
}

/** The weights shipped with the plugin (written by train-weights.ts) and their training record. */
export const SHIPPED_WEIGHTS = fileURLToPath(new URL('./weights/transformer-w256.bin', import.meta.url));

/** The architecture recorded beside the shipped weights (train-weights.ts writes it). */
function shippedConfig(): TransformerConfig {
  const meta = JSON.parse(readFileSync(SHIPPED_WEIGHTS.replace(/\.bin$/, '.json'), 'utf8')) as { config: TransformerConfig };
  return meta.config;
}

/**
 * Loads transformer-w256 as a windowed LanguageModel. By default from the shipped weights (method param
 * `weights: shipped`); with `weights: train`, or when the file is absent, trains it inside the unit with
 * the budget's step count and keeps the result in the artifact cache.
 */
export async function transformerLanguageModel(ctx: RunContext, params: Params): Promise<LocalLanguageModel> {
  const { tf: tfAny } = await ctx.tensors();
  const tf = tfAny as Tf;
  const source = (params.weights as string | undefined) ?? 'shipped';
  if (source !== 'shipped' && source !== 'train') throw new RangeError(`param weights must be "shipped" or "train", got ${JSON.stringify(params.weights)}`);
  const training = trainingFor(ctx.budget, params);
  const rng = createRng(training.seed);
  const shipped = source === 'shipped' && existsSync(SHIPPED_WEIGHTS);
  const config = shipped ? shippedConfig() : TRANSFORMER_CONFIG;
  const model = transformerLM(tf, config, rng.fork('init'));
  let bytes: Uint8Array;
  if (shipped) {
    bytes = new Uint8Array(readFileSync(SHIPPED_WEIGHTS));
  } else {
    const corpus = loadCodeCorpus();
    const key = JSON.stringify({ model: 'transformer-w256', config: TRANSFORMER_CONFIG, training, fillerWeight: FILLER_WEIGHT, code: corpus.sha256, prose: loadProseCorpus().sha256, v: 3 });
    bytes = await ctx.cache.bytes(key, async () => {
      ctx.log.info(`training transformer-w256: ${training.steps} steps × batch ${training.batch} (the first ${training.shortSteps} on ${SHORT_LENGTH}-byte rows, then ${WINDOW} bytes)`);
      const result = await trainLM(tf, model, {
        steps: training.steps, lr: training.lr, warmupSteps: training.warmupSteps, clipNorm: 1,
        nextBatch: retrievalCurriculum(rng, training.batch, training.shortSteps),
        onProgress: (f, note) => ctx.progress(0.9 * f, `training ${note}`),
        signal: ctx.signal,
      });
      ctx.log.info(`trained: final loss ${result.losses.at(-1)?.toFixed(3)}, ${result.msPerStep.toFixed(0)} ms/step`);
      return serializeModel(model);
    });
  }
  loadModelWeights(model, bytes);
  const weights = createHash('sha256').update(bytes).digest('hex');
  return windowed(asLanguageModel(tf, 'transformer-w256', model, byteTokenizer, { window: WINDOW, identity: { weights } }), WINDOW);
}
