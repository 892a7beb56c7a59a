// What a model does on each task instance, for any LanguageModel: build the prompt in the model's own
// tokens (lengths are counted in them), insert the needles in token space, decode greedily, or score
// every token of a long document.
import type { LanguageModel } from '../../harness/nn/lm/language-model.ts';
import { endsSentence, insertNeedles, multiNeedleDepths, needleQuestion, needleSentence, type Needle } from './needle.ts';
import { sentenceBoundaryTest } from './tokenizers.ts';

/** Tokens generated after each question: a space and 7 digits take 8 byte tokens, ≤ 5 BPE tokens. */
export const ANSWER_TOKENS = 12;

export interface NeedleInstance {
  kind: 'needle';
  /** Total prompt length in the model's tokens (haystack + needle + question). */
  length: number;
  /** Percent of the haystack before the needle (before the sentence-boundary backoff). */
  depth: number;
  needle: Needle;
  haystack: string;
}

export interface MultiNeedleInstance {
  kind: 'multi-needle';
  length: number;
  needles: Needle[];
  haystack: string;
}

export interface NllInstance {
  kind: 'nll';
  corpus: string;
  maxTokens: number;
  text: string;
}

export type Instance = NeedleInstance | MultiNeedleInstance | NllInstance;

export interface NeedleOutput {
  kind: 'needle';
  answer: string;
  promptTokens: number;
  /** Token index where the needle starts and the haystack length it was inserted into. */
  insertedAt: number;
  haystackTokens: number;
  needleTokens: number;
}

export interface MultiNeedleOutput {
  kind: 'multi-needle';
  /** One greedy completion per needle's question, each from the same context. */
  answers: string[];
  promptTokens: number;
}

export interface NllOutput {
  kind: 'nll';
  tokenizer: string;
  /** −ln p(x_t | x_<t), t = 1..n−1. */
  nll: Float64Array;
  ms: number;
}

export type Output = NeedleOutput | MultiNeedleOutput | NllOutput;

function concat(...parts: ArrayLike<number>[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The haystack in the model's tokens, cut to `budget` tokens; a clear error when the text is too short. */
function haystackTokens(lm: LanguageModel, text: string, budget: number, length: number): Int32Array {
  if (budget < 1) throw new RangeError(`context length ${length} is too short for the needle(s) and question in ${lm.tokenizer.id} tokens`);
  const ids = lm.tokenizer.encode(text);
  if (ids.length < budget) throw new RangeError(`the haystack has ${ids.length} ${lm.tokenizer.id} tokens, fewer than the ${budget} needed for length ${length}`);
  return ids.subarray(0, budget);
}

export async function runNeedle(lm: LanguageModel, inst: NeedleInstance): Promise<NeedleOutput> {
  const tok = lm.tokenizer;
  const needle = tok.encode(needleSentence(inst.needle));
  const question = tok.encode(needleQuestion(inst.needle.city));
  const hay = haystackTokens(lm, inst.haystack, inst.length - needle.length - question.length, inst.length);
  const { ids, positions } = insertNeedles(hay, [{ ids: needle, depth: inst.depth }], sentenceBoundaryTest(tok, endsSentence));
  const prompt = concat(ids, question);
  const out = await lm.generate(prompt, { maxTokens: ANSWER_TOKENS, temperature: 0 });
  return { kind: 'needle', answer: tok.decode(out), promptTokens: prompt.length, insertedAt: positions[0], haystackTokens: hay.length, needleTokens: needle.length };
}

export async function runMultiNeedle(lm: LanguageModel, inst: MultiNeedleInstance): Promise<MultiNeedleOutput> {
  const tok = lm.tokenizer;
  const needles = inst.needles.map((n) => tok.encode(needleSentence(n)));
  const questions = inst.needles.map((n) => tok.encode(needleQuestion(n.city)));
  const longestQuestion = Math.max(...questions.map((q) => q.length));
  const budget = inst.length - needles.reduce((s, n) => s + n.length, 0) - longestQuestion;
  const hay = haystackTokens(lm, inst.haystack, budget, inst.length);
  const depths = multiNeedleDepths(inst.needles.length);
  const { ids } = insertNeedles(hay, needles.map((n, i) => ({ ids: n, depth: depths[i] })), sentenceBoundaryTest(tok, endsSentence));
  const answers: string[] = [];
  for (const q of questions) answers.push(tok.decode(await lm.generate(concat(ids, q), { maxTokens: ANSWER_TOKENS, temperature: 0 })));
  return { kind: 'multi-needle', answers, promptTokens: ids.length + longestQuestion };
}

/** Per-token NLL of the first maxTokens + 1 tokens of the document (fewer when a model caps it). */
export async function runNll(lm: LanguageModel, inst: NllInstance, maxTokens = inst.maxTokens): Promise<NllOutput> {
  const ids = lm.tokenizer.encode(inst.text);
  const n = Math.min(ids.length, maxTokens + 1);
  const t0 = performance.now();
  const lp = await lm.tokenLogProbs(ids.subarray(0, n));
  const ms = performance.now() - t0;
  return { kind: 'nll', tokenizer: lm.tokenizer.id, nll: lp.map((v) => -v), ms };
}

export async function runInstance(lm: LanguageModel, inst: Instance, opts: { maxNllTokens?: number } = {}): Promise<Output> {
  switch (inst.kind) {
    case 'needle':
      return runNeedle(lm, inst);
    case 'multi-needle':
      return runMultiNeedle(lm, inst);
    case 'nll':
      return runNll(lm, inst, Math.min(inst.maxTokens, opts.maxNllTokens ?? Infinity));
  }
}
