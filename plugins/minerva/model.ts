// The in-box model: a tiny character-level causal Transformer (the shared stack's transformerLM,
// RoPE) trained from scratch on worked solutions of generated MATH-style problems in the Minerva
// answer format, packed as "Problem:\n…\n\nSolution:\n…" blocks like the 4-shot prompt. The
// `mathFraction` of training characters that are math solutions (the rest: Markdown prose from
// node_modules) is the knob of the paper's second claim: equal steps, more technical tokens.
//
// It sees the last WINDOW characters: the prompt is cut to its last WINDOW − maxTokens characters
// (the test problem and the end of the fourth exemplar), and one completion is at most GENERATION_CAP
// characters (a generated solution is < 130). Weights live in the artifact cache, keyed by
// everything that determines them.
import { createHash } from 'node:crypto';
import type { Completion, Params, Rng, RunContext, SamplingOptions } from '../../harness/api/index.ts';
import { createRng } from '../../harness/api/index.ts';
import { generateMathProblems, minervaSolution, type MathProblem } from '../../datasets/math-problems.ts';
import { loadProseCorpus } from '../../datasets/prose-corpus.ts';
import type { LocalLanguageModel } from '../../harness/models/local.ts';
import { asLanguageModel } from '../../harness/models/sequence-model-lm.ts';
import { loadModelWeights, serializeModel } from '../../harness/nn/lm/serialize.ts';
import { charTokenizer, type Tokenizer } from '../../harness/nn/lm/tokenizer.ts';
import { trainLM, type LMBatch } from '../../harness/nn/lm/train-lm.ts';
import { transformerLM, type TransformerConfig } from '../../harness/nn/lm/transformer.ts';
import type { Tf } from '../../harness/nn/lm/tf.ts';

export const WINDOW = 256;
export const GENERATION_CAP = 144;

/** Newline and printable ASCII: every character of the prompts and generated problems. */
const ALPHABET = `\n${Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('')}`;
const chars = charTokenizer(ALPHABET);

/** The char tokenizer, with any character outside the alphabet read as "?" (users' files may hold Unicode). */
export const mathCharTokenizer: Tokenizer = {
  id: `${chars.id}|other→?`,
  vocabSize: chars.vocabSize,
  encode: (text) => chars.encode(text.replace(/[^\n -~]/g, '?')),
  decode: (ids) => chars.decode(ids),
};

export const MODEL_CONFIG: TransformerConfig = {
  vocabSize: chars.vocabSize, dModel: 64, heads: 4, layers: 2, ffn: 256, positional: 'rope', maxLength: WINDOW,
};

export interface MathLMTraining {
  steps: number;
  batch: number;
  lr: number;
  warmupSteps: number;
  /** Fraction of training rows that are math solutions; the rest are prose. */
  mathFraction: number;
  /** Distinct generated training problems (drawn with their own seed, never the evaluation's). */
  trainProblems: number;
  seed: number;
}

/** Training per budget; method params `trainSteps`, `mathFraction` override. */
export function trainingFor(budget: string, params: Params, mathFraction: number): MathLMTraining {
  const steps = (params.trainSteps as number | undefined) ?? (budget === 'full' ? 400 : budget === 'standard' ? 150 : 2);
  return {
    steps, batch: budget === 'smoke' ? 4 : 12, lr: 3e-3, warmupSteps: Math.min(50, Math.ceil(steps / 10)),
    mathFraction: (params.mathFraction as number | undefined) ?? mathFraction, trainProblems: 20000, seed: 0,
  };
}

/** One Minerva-format block, as the prompt lays out its exemplars. */
export const trainingBlock = (p: MathProblem, rng: Rng) => `Problem:\n${p.problem}\n\nSolution:\n${minervaSolution(p, rng)}\n\n`;

/**
 * Batches of `length + 1` characters: each row is a stream of blocks, math with probability
 * mathFraction (a random training problem with a random answer form) else a prose paragraph,
 * started at a random offset of its first block (the prompt's window also starts mid-block).
 */
export function mathBatches(rng: Rng, t: MathLMTraining, length = WINDOW): (step: number) => LMBatch {
  const problems = generateMathProblems(createRng(t.seed).fork('train-problems'), t.trainProblems);
  const prose = t.mathFraction < 1 ? loadProseCorpus().documents.flatMap((d) => d.text.split('\n\n')).filter((p) => p.length > 40) : [];
  return () => {
    const ids = new Int32Array(t.batch * (length + 1));
    for (let b = 0; b < t.batch; b++) {
      let text = '';
      while (text.length < 2 * (length + 1)) {
        text += rng.next() < t.mathFraction || prose.length === 0 ? trainingBlock(problems[rng.int(problems.length)], rng) : `${prose[rng.int(prose.length)]}\n\n`;
      }
      const start = rng.int(length);
      ids.set(mathCharTokenizer.encode(text.slice(start, start + length + 1)), b * (length + 1));
    }
    return { ids, batch: t.batch, length };
  };
}

/** Cuts the prompt to the model's window and caps the generation (see the header). */
export function windowed(lm: LocalLanguageModel): LocalLanguageModel {
  const complete = (prompt: string | ArrayLike<number>, g: SamplingOptions): Promise<Completion[]> => {
    const maxTokens = Math.min(g.maxTokens, GENERATION_CAP);
    const ids = typeof prompt === 'string' ? lm.tokenizer.encode(prompt) : prompt;
    const keep = WINDOW - maxTokens;
    const cut = ids.length > keep ? Array.prototype.slice.call(ids, ids.length - keep) : ids;
    return lm.complete(cut, { ...g, maxTokens });
  };
  return { ...lm, descriptor: { ...lm.descriptor, contextLength: WINDOW, identity: { ...lm.descriptor.identity, window: WINDOW, generationCap: GENERATION_CAP } }, complete, completeMany: undefined };
}

/** Trains (or loads from the artifact cache) the char model with `mathFraction` of math rows. */
export async function mathCharLanguageModel(ctx: RunContext, params: Params, name: string, mathFraction: number): Promise<LocalLanguageModel> {
  const { tf: tfAny } = await ctx.tensors();
  const tf = tfAny as Tf;
  const training = trainingFor(ctx.budget, params, mathFraction);
  const rng = createRng(training.seed);
  const model = transformerLM(tf, MODEL_CONFIG, rng.fork('init'));
  const prose = training.mathFraction < 1 ? loadProseCorpus().sha256 : null;
  const key = JSON.stringify({ model: 'minerva-char-lm', config: MODEL_CONFIG, training, tokenizer: mathCharTokenizer.id, prose, v: 1 });
  const bytes = await ctx.cache.bytes(key, async () => {
    ctx.log.info(`training ${name}: ${training.steps} steps × batch ${training.batch} × ${WINDOW} chars, ${(100 * training.mathFraction).toFixed(0)} % math`);
    const result = await trainLM(tf, model, {
      steps: training.steps, lr: training.lr, warmupSteps: training.warmupSteps, clipNorm: 1,
      nextBatch: mathBatches(rng.fork('data'), training),
      onProgress: (f, note) => ctx.progress(0.5 * f, `training ${note}`),
      signal: ctx.signal,
    });
    ctx.log.info(`trained ${name}: final loss ${result.losses.at(-1)?.toFixed(3)}, ${result.msPerStep.toFixed(0)} ms/step`);
    return serializeModel(model);
  });
  loadModelWeights(model, bytes);
  const weights = createHash('sha256').update(bytes).digest('hex');
  const lm = windowed(asLanguageModel(tf, name, model, mathCharTokenizer, { window: WINDOW, identity: { weights, mathFraction: training.mathFraction } }));
  return { ...lm, close: async () => model.dispose() };
}
