// A LanguageModel over any model that runs in this process and works on token ids (an in-harness
// network, an ONNX Runtime session, an n-gram model): text ↔ ids through a synchronous tokenizer,
// n completions with per-completion seeds, stop strings cut from the text, and a context cap.
import type { ChatMessage, Completion, LanguageModel, ModelDescriptor, SamplingOptions } from '../api/language-model.ts';
import type { Rng } from '../api/types.ts';
import type { Tokenizer } from '../nn/lm/tokenizer.ts';
import { createRng } from '../plan/seeds.ts';

/** What generation asks of a token model: the next ids until `maxTokens`, an end id or `shouldStop`. */
export interface TokenGenerateOptions {
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  rng?: Rng;
  /** Token ids that end generation (end of sequence); the id is included in the returned ids. */
  stop?: number[];
  /** Checked after every token with the ids generated so far; true ends generation. */
  shouldStop?: (generated: readonly number[]) => boolean;
}

export interface TokenModel {
  tokenLogProbs(ids: ArrayLike<number>): Promise<Float64Array> | Float64Array;
  generate(prompt: ArrayLike<number>, opts: TokenGenerateOptions): Promise<number[]> | number[];
  /**
   * Optional: several prompts decoded together (e.g. a batched KV cache); row r samples with rngs[r]
   * and must give what generate() gives for it. complete() with n > 1 and completeMany() use it.
   */
  generateBatch?(prompts: readonly ArrayLike<number>[], opts: Omit<TokenGenerateOptions, 'rng' | 'shouldStop'> & { shouldStop?: (row: number, generated: readonly number[]) => boolean }, rngs: readonly (Rng | undefined)[]): Promise<number[][]> | number[][];
  /** End-of-sequence ids: generation stops there and they are left out of the text. */
  readonly eos?: readonly number[];
  close?(): Promise<void> | void;
}

/** A LanguageModel that also exposes its synchronous tokenizer (every local model has one). */
export interface LocalLanguageModel extends LanguageModel {
  readonly tokenizer: Tokenizer;
  /**
   * complete() for several prompts in one call, each with its own seed: result j equals
   * complete(requests[j].prompt, { ...opts, seed: requests[j].seed }); decoded together when the
   * token model has generateBatch. A wrapper that rewrites complete() (e.g. a context window) must
   * drop or rewrite this too.
   */
  completeMany?(requests: readonly { prompt: string | ArrayLike<number>; seed?: number }[], opts: SamplingOptions): Promise<Completion[][]>;
}

/** Checks sampling options once, for every adapter. */
export function checkSampling(opts: SamplingOptions, who: string): { n: number; temperature: number } {
  const n = opts.n ?? 1;
  const temperature = opts.temperature ?? 0;
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 0) throw new RangeError(`${who}: maxTokens must be a non-negative integer, got ${opts.maxTokens}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${who}: n must be a positive integer, got ${opts.n}`);
  if (!(temperature >= 0)) throw new RangeError(`${who}: temperature must be ≥ 0, got ${opts.temperature}`);
  if (temperature > 0 && opts.seed === undefined) throw new RangeError(`${who}: sampling with temperature > 0 needs a seed (every draw in the harness is seeded)`);
  if (opts.topP !== undefined && !(opts.topP > 0 && opts.topP <= 1)) throw new RangeError(`${who}: topP must be in (0, 1], got ${opts.topP}`);
  if (opts.topK !== undefined && !(Number.isInteger(opts.topK) && opts.topK >= 1)) throw new RangeError(`${who}: topK must be a positive integer, got ${opts.topK}`);
  return { n, temperature };
}

/** The generator of completion `index` of a request with `seed`: the same on every adapter. */
export function completionRng(seed: number, index: number): Rng {
  return createRng(seed).fork(`completion-${index}`);
}

/** Index of the earliest stop string in `text`, or -1. */
export function firstStop(text: string, stop: readonly string[] | undefined): number {
  let at = -1;
  for (const s of stop ?? []) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}

export function localLanguageModel(descriptor: ModelDescriptor, tokenizer: Tokenizer, model: TokenModel): LocalLanguageModel {
  const eos = new Set(model.eos ?? []);
  const who = `model ${descriptor.name}`;
  const toIds = (prompt: string | ArrayLike<number>) => (typeof prompt === 'string' ? tokenizer.encode(prompt) : prompt);
  const stopped = (stop: string[] | undefined) => (stop?.length ? (generated: readonly number[]) => firstStop(tokenizer.decode(generated), stop) >= 0 : undefined);
  const toCompletion = (generated: number[], stop: string[] | undefined): Completion => {
    const endedByEos = generated.length > 0 && eos.has(generated[generated.length - 1]);
    const kept = endedByEos ? generated.slice(0, -1) : generated;
    let text = tokenizer.decode(kept);
    const cut = firstStop(text, stop);
    if (cut >= 0) text = text.slice(0, cut);
    return { text, tokens: kept, finishReason: endedByEos || cut >= 0 ? 'stop' : 'length' };
  };
  async function completeMany(requests: readonly { prompt: string | ArrayLike<number>; seed?: number }[], opts: SamplingOptions): Promise<Completion[][]> {
    const { n, temperature } = checkSampling({ ...opts, seed: opts.seed ?? requests[0]?.seed }, who);
    const prompts: ArrayLike<number>[] = [];
    const rngs: (Rng | undefined)[] = [];
    for (const request of requests) {
      if (temperature > 0 && request.seed === undefined) throw new RangeError(`${who}: sampling with temperature > 0 needs a seed for every prompt`);
      const ids = toIds(request.prompt);
      if (ids.length < 1) throw new RangeError(`${who}: the prompt must hold at least one token`);
      for (let i = 0; i < n; i++) {
        prompts.push(ids);
        rngs.push(temperature > 0 ? completionRng(request.seed!, i) : undefined);
      }
    }
    const base = { maxTokens: opts.maxTokens, temperature, topK: opts.topK, topP: opts.topP, stop: [...eos] };
    const shouldStop = stopped(opts.stop);
    let generated: number[][];
    if (model.generateBatch && prompts.length > 1) {
      generated = await model.generateBatch(prompts, { ...base, shouldStop: shouldStop ? (_row, g) => shouldStop(g) : undefined }, rngs);
    } else {
      generated = [];
      for (let r = 0; r < prompts.length; r++) generated.push(await model.generate(prompts[r], { ...base, rng: rngs[r], shouldStop }));
    }
    return requests.map((_, j) => generated.slice(j * n, (j + 1) * n).map((g) => toCompletion(g, opts.stop)));
  }
  async function complete(prompt: string | ArrayLike<number>, opts: SamplingOptions): Promise<Completion[]> {
    checkSampling(opts, who);
    return (await completeMany([{ prompt, seed: opts.seed }], opts))[0];
  }
  return {
    descriptor,
    tokenizer,
    tokenize: async (text) => tokenizer.encode(text),
    detokenize: async (ids) => tokenizer.decode(ids),
    tokenLogProbs: async (ids) => model.tokenLogProbs(ids),
    complete,
    completeMany,
    chat: descriptor.chat ? (messages: ChatMessage[], opts: SamplingOptions) => complete(plainChatPrompt(messages), opts) : undefined,
    close: async () => {
      await model.close?.();
    },
  };
}

/**
 * The chat template of models that have none: each message on its own lines as `Role: content`,
 * ending with `Assistant:` for the model to continue. Servers of real chat models apply their own.
 */
export function plainChatPrompt(messages: readonly ChatMessage[]): string {
  const role = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return `${messages.map((m) => `${role[m.role]}: ${m.content}`).join('\n\n')}\n\nAssistant:`;
}
