// The language-model contract: what every model a task can evaluate implements, whatever runs it
// (an in-harness network, an ONNX Runtime session, an OpenAI-compatible HTTP endpoint). Tasks that
// evaluate "any language model" speak only this interface; `--model <spec>` plugs a user's model in.
import type { Json } from './types.ts';

/** Who a model is: shown on the leaderboard and hashed into unit keys, response-cache keys and rows. */
export interface ModelDescriptor {
  /** Leaderboard name (the method column), e.g. `tiny-lm` or the suite's `as`. */
  readonly name: string;
  /** Adapter kind: `builtin`, `onnx`, `openai`. */
  readonly kind: string;
  /**
   * What makes two models the same model: file sha256s, base URL + served name + the server's
   * fingerprint, plugin code hash. Never holds a secret (API keys stay in the environment).
   */
  readonly identity: { [key: string]: Json };
  /** Longest context the model conditions on (prompt + generated), or null when unbounded or unknown. */
  readonly contextLength: number | null;
  /** True for chat models: tasks should prefer `chat()` with the chat prompt form. */
  readonly chat: boolean;
  /** True when `tokenLogProbs` works (needed by likelihood metrics such as NLL). */
  readonly logprobs: boolean;
}

export interface SamplingOptions {
  /** Most tokens to generate per completion. */
  maxTokens: number;
  /** 0 (default) = greedy; > 0 samples. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest most-likely set reaching this probability. */
  topP?: number;
  /** Keep the k most likely tokens. */
  topK?: number;
  /** Stop strings: generation ends before the first occurrence of any of them (not included in `text`). */
  stop?: string[];
  /** Completions per prompt (default 1). */
  n?: number;
  /** Seed of the sampling; completion i of n uses a generator derived from (seed, i). Required when temperature > 0. */
  seed?: number;
}

export interface Completion {
  text: string;
  /** The generated token ids, when the model reports them. */
  tokens?: number[];
  /** `stop`: a stop string or an end-of-sequence token ended it; `length`: maxTokens or the context did. */
  finishReason: 'stop' | 'length';
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LanguageModel {
  readonly descriptor: ModelDescriptor;
  /** The model's own tokenization (no special tokens added). */
  tokenize(text: string): Promise<Int32Array>;
  detokenize(ids: ArrayLike<number>): Promise<string>;
  /** ln p(x_t | x_<t) for t = 1..n−1 (n − 1 values); models with a bounded context slide a window. */
  tokenLogProbs(ids: ArrayLike<number>): Promise<Float64Array>;
  /** `n` continuations of a prompt given as text or as token ids. */
  complete(prompt: string | ArrayLike<number>, opts: SamplingOptions): Promise<Completion[]>;
  /** Chat models only (descriptor.chat): continuations of a conversation. */
  chat?(messages: ChatMessage[], opts: SamplingOptions): Promise<Completion[]>;
  /** Frees sessions, sockets and tensors. */
  close(): Promise<void>;
}

/**
 * A model a plugin ships (`builtin:<plugin>/<id>`): built inside a unit from its context, so it may
 * train or load weights through the artifact cache.
 */
export type LanguageModelFactory = (ctx: import('./types.ts').RunContext, params: import('./types.ts').Params) => Promise<LanguageModel>;
