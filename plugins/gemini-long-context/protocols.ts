// What a model does on each task instance, for any LanguageModel (in-box, ONNX, HTTP): build the prompt
// in the model's own tokens (lengths are counted in them), insert the needles in token space, decode
// greedily — completion style for base models, the question form for chat models — or score every
// token of a long document.
import type { ChatMessage, LanguageModel } from '../../harness/api/index.ts';
import { chatQuestion, endsSentence, insertNeedles, multiNeedleDepths, needleQuestion, needleSentence, type Needle } from './needle.ts';

/** Tokens generated after each completion-style question: a space and 7 digits take 8 byte tokens, ≤ 5 BPE tokens. */
export const ANSWER_TOKENS = 12;
/** Tokens a chat model may use per needle in its answer (it may repeat the city, add words). */
export const CHAT_ANSWER_TOKENS = 32;
/** The system instruction of the chat prompt form (spec: system instruction + context + question). */
export const CHAT_SYSTEM = 'You are a helpful assistant. Answer the question using only the document the user gives you. Reply with the number only.';
/** The single-turn instruction of the multi-needle chat form, before the K questions. */
export const CHAT_MULTI_INSTRUCTION = 'Answer every question below, one line per question, in the form "<city>: <number>".';

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
  /** `completion` (base models) or `chat`. */
  form: 'completion' | 'chat';
}

export interface MultiNeedleOutput {
  kind: 'multi-needle';
  /** Per needle, the model's answer to its own city's question (chat: the reply's lines naming that city). */
  answers: string[];
  /** Everything the model generated in the turn (lenient recall looks here). */
  generated: string;
  promptTokens: number;
  form: 'completion' | 'chat';
}

export interface NllOutput {
  kind: 'nll';
  tokenizer: string;
  /** −ln p(x_t | x_<t), t = 1..n−1. */
  nll: Float64Array;
  ms: number;
  /** The model's context length when the document was longer (scored in sliding windows), else 0. */
  window: number;
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
async function haystackTokens(lm: LanguageModel, text: string, budget: number, length: number): Promise<Int32Array> {
  const name = lm.descriptor.name;
  if (budget < 1) throw new RangeError(`context length ${length} is too short for the needle(s) and question in ${name}'s tokens`);
  const ids = await lm.tokenize(text);
  if (ids.length < budget) throw new RangeError(`the haystack has ${ids.length} of ${name}'s tokens, fewer than the ${budget} needed for length ${length}`);
  return ids.subarray(0, budget);
}

/**
 * "Does this token end a sentence", decoding each token once. The walk back from each depth runs here
 * (the tokenizer may be a server's), so insertNeedles' synchronous test only reads what was decoded.
 */
async function sentenceBoundaries(lm: LanguageModel, haystack: Int32Array, depths: number[]): Promise<(token: number) => boolean> {
  const memo = new Map<number, boolean>();
  const test = async (token: number) => {
    let b = memo.get(token);
    if (b === undefined) {
      b = endsSentence(await lm.detokenize([token]));
      memo.set(token, b);
    }
    return b;
  };
  for (const depth of depths) {
    if (depth >= 100) continue;
    let pos = Math.floor((haystack.length * Math.max(0, depth)) / 100);
    while (pos > 0 && !(await test(haystack[pos - 1]))) pos--;
  }
  return (token) => memo.get(token) ?? false;
}

const greedy = (maxTokens: number, stop?: string[]) => ({ maxTokens, temperature: 0, ...(stop ? { stop } : {}) });

export async function runNeedle(lm: LanguageModel, inst: NeedleInstance): Promise<NeedleOutput> {
  const chat = lm.descriptor.chat && !!lm.chat;
  const [needle, question] = await Promise.all([lm.tokenize(needleSentence(inst.needle)), lm.tokenize(needleQuestion(inst.needle.city))]);
  const hay = await haystackTokens(lm, inst.haystack, inst.length - needle.length - question.length, inst.length);
  const boundary = await sentenceBoundaries(lm, hay, [inst.depth]);
  const { ids, positions } = insertNeedles(hay, [{ ids: needle, depth: inst.depth }], boundary);
  const common = { kind: 'needle' as const, insertedAt: positions[0], haystackTokens: hay.length, needleTokens: needle.length };
  if (chat) {
    const context = await lm.detokenize(ids);
    const messages: ChatMessage[] = [{ role: 'system', content: CHAT_SYSTEM }, { role: 'user', content: `${context}\n\n${chatQuestion(inst.needle.city)}` }];
    const [reply] = await lm.chat!(messages, greedy(CHAT_ANSWER_TOKENS));
    return { ...common, answer: reply.text, promptTokens: ids.length + question.length, form: 'chat' };
  }
  const prompt = concat(ids, question);
  const [completion] = await lm.complete(prompt, greedy(ANSWER_TOKENS));
  return { ...common, answer: completion.text, promptTokens: prompt.length, form: 'completion' };
}

/**
 * All K questions in one turn, as the paper asks them. A chat model gets one message with the K
 * questions and answers them in one reply. A base model writes one transcript: after the context,
 * the question for each city in turn, each followed by the model's own greedy answer (up to a newline),
 * so every answer is conditioned on the context and on the answers before it.
 */
export async function runMultiNeedle(lm: LanguageModel, inst: MultiNeedleInstance): Promise<MultiNeedleOutput> {
  const chat = lm.descriptor.chat && !!lm.chat;
  const needles = await Promise.all(inst.needles.map((n) => lm.tokenize(needleSentence(n))));
  const questions = await Promise.all(inst.needles.map((n) => lm.tokenize(needleQuestion(n.city))));
  const longestQuestion = Math.max(...questions.map((q) => q.length));
  const budget = inst.length - needles.reduce((s, n) => s + n.length, 0) - longestQuestion;
  const hay = await haystackTokens(lm, inst.haystack, budget, inst.length);
  const depths = multiNeedleDepths(inst.needles.length);
  const boundary = await sentenceBoundaries(lm, hay, depths);
  const { ids } = insertNeedles(hay, needles.map((n, i) => ({ ids: n, depth: depths[i] })), boundary);
  if (chat) {
    const context = await lm.detokenize(ids);
    const asked = inst.needles.map((n) => chatQuestion(n.city)).join('\n');
    const messages: ChatMessage[] = [{ role: 'system', content: CHAT_SYSTEM }, { role: 'user', content: `${context}\n\n${CHAT_MULTI_INSTRUCTION}\n${asked}` }];
    const [reply] = await lm.chat!(messages, greedy(CHAT_ANSWER_TOKENS * inst.needles.length));
    const lines = reply.text.split('\n');
    const answers = inst.needles.map((n) => lines.filter((line) => line.includes(n.city)).join('\n'));
    return { kind: 'multi-needle', answers, generated: reply.text, promptTokens: ids.length + longestQuestion, form: 'chat' };
  }
  let transcript: Int32Array = ids;
  const answers: string[] = [];
  for (const question of questions) {
    transcript = concat(transcript, question);
    const [completion] = await lm.complete(transcript, greedy(ANSWER_TOKENS, ['\n']));
    answers.push(completion.text);
    transcript = concat(transcript, completion.tokens ?? (await lm.tokenize(completion.text)));
  }
  return { kind: 'multi-needle', answers, generated: answers.join('\n'), promptTokens: ids.length + longestQuestion, form: 'completion' };
}

/** Per-token NLL of the first maxTokens + 1 tokens of the document (fewer when a model caps it). */
export async function runNll(lm: LanguageModel, inst: NllInstance, maxTokens = inst.maxTokens, clock: () => number = () => performance.now()): Promise<NllOutput> {
  if (!lm.descriptor.logprobs) throw new RangeError(`cumulative-nll needs token log-probabilities, and model ${lm.descriptor.name} does not provide them`);
  const ids = await lm.tokenize(inst.text);
  const n = Math.min(ids.length, maxTokens + 1);
  const t0 = clock();
  const lp = await lm.tokenLogProbs(ids.subarray(0, n));
  const ms = clock() - t0;
  const context = lm.descriptor.contextLength;
  return { kind: 'nll', tokenizer: lm.descriptor.name, nll: lp.map((v) => -v), ms, window: context !== null && n - 1 > context ? context : 0 };
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

