// Request bodies of the OpenAI-compatible endpoints, checked field by field: every problem is a 400
// naming the field and what was expected. Null stands for "absent" as it does in OpenAI's API.
import type { ChatMessage, SamplingOptions } from '../api/language-model.ts';
import { badRequest } from './api-error.ts';

type Body = Record<string, unknown>;

/** What the completions and chat endpoints default to, and why. */
export const DEFAULTS = {
  /** OpenAI's default for /v1/completions. */
  completionMaxTokens: 16,
  /** OpenAI lets a chat reply run to the context's end; a served local model gets a finite default. */
  chatMaxTokens: 256,
  /** OpenAI's default: sampling, not greedy. Send temperature 0 for greedy decoding. */
  temperature: 1,
  /** Every draw in the harness is seeded: sampling without a seed uses this one. */
  seed: 0,
} as const;

export type PromptInput = { text: string } | { ids: number[] };

export interface CompletionRequest {
  model: string;
  prompt: PromptInput;
  sampling: SamplingOptions;
  echo: boolean;
  /** null: no log-probs; a number ≥ 0: the chosen tokens' log-probs (no alternatives). */
  logprobs: number | null;
  /** vLLM's return_tokens_as_token_ids: token strings become `token_id:<id>`. */
  tokenIdsAsStrings: boolean;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  sampling: SamplingOptions;
}

export function requestBody(body: unknown): Body {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(null, `the request body must be a JSON object, got ${describe(body)}`);
  return body as Body;
}

/** The `model` field (required on generation requests, optional on tokenize). */
export function modelField(body: Body, required: boolean): string | undefined {
  const value = present(body, 'model');
  if (value === undefined) {
    if (required) throw badRequest('model', 'model: expected the served model name (a string); it is required');
    return undefined;
  }
  if (typeof value !== 'string') throw expected('model', 'a string naming the served model', value);
  return value;
}

export function parseCompletionRequest(raw: unknown, vocabSize: number | undefined): CompletionRequest {
  const body = requestBody(raw);
  rejectUnsupported(body, ['stream', 'suffix', 'logit_bias', 'presence_penalty', 'frequency_penalty', 'best_of']);
  const model = modelField(body, true)!;
  const logprobs = integer(body, 'logprobs', 0) ?? null;
  return {
    model,
    prompt: promptField(body, vocabSize),
    sampling: samplingOptions(body, integer(body, 'max_tokens', 0) ?? DEFAULTS.completionMaxTokens),
    echo: boolean(body, 'echo') ?? false,
    logprobs,
    tokenIdsAsStrings: boolean(body, 'return_tokens_as_token_ids') ?? false,
  };
}

export function parseChatRequest(raw: unknown): ChatRequest {
  const body = requestBody(raw);
  rejectUnsupported(body, ['stream', 'logit_bias', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'tools', 'functions', 'response_format']);
  const model = modelField(body, true)!;
  const maxTokens = integer(body, 'max_completion_tokens', 0) ?? integer(body, 'max_tokens', 0) ?? DEFAULTS.chatMaxTokens;
  return { model, messages: messagesField(body), sampling: samplingOptions(body, maxTokens) };
}

/** `prompt` (vLLM) or `content` (llama.cpp) of /tokenize. */
export function parseTokenizeRequest(raw: unknown): { model?: string; text: string } {
  const body = requestBody(raw);
  const model = modelField(body, false);
  const param = present(body, 'prompt') !== undefined || present(body, 'content') === undefined ? 'prompt' : 'content';
  const text = body[param];
  if (typeof text !== 'string') throw expected(param, 'the text to tokenize as a string (field prompt, or content as llama.cpp names it)', text);
  return { model, text };
}

export function parseDetokenizeRequest(raw: unknown, vocabSize: number | undefined): { model?: string; ids: number[] } {
  const body = requestBody(raw);
  const model = modelField(body, false);
  return { model, ids: tokenIds(body.tokens, 'tokens', vocabSize) };
}

function samplingOptions(body: Body, maxTokens: number): SamplingOptions {
  const temperature = number(body, 'temperature', (x) => x >= 0, 'a number ≥ 0') ?? DEFAULTS.temperature;
  const topP = number(body, 'top_p', (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  const topK = integer(body, 'top_k', -1, 'an integer ≥ 1, or -1 (or 0) for no top-k');
  const n = integer(body, 'n', 1) ?? 1;
  const seed = integer(body, 'seed');
  return {
    maxTokens,
    temperature,
    ...(topP === undefined ? {} : { topP }),
    // vLLM spells "no top-k" as -1 (or 0).
    ...(topK === undefined || topK < 1 ? {} : { topK }),
    ...stopField(body),
    n,
    ...(seed !== undefined ? { seed } : temperature > 0 ? { seed: DEFAULTS.seed } : {}),
  };
}

function promptField(body: Body, vocabSize: number | undefined): PromptInput {
  let value = body.prompt;
  const shape = 'a string, an array of token ids, or a one-element array of either';
  if (Array.isArray(value) && value.length === 1 && (typeof value[0] === 'string' || Array.isArray(value[0]))) value = value[0];
  if (typeof value === 'string') return { text: value };
  if (Array.isArray(value)) {
    if (value.length > 1 && value.every((v) => typeof v === 'string' || Array.isArray(v))) {
      throw badRequest('prompt', `prompt: expected one prompt, got a batch of ${value.length}; send one request per prompt`);
    }
    return { ids: tokenIds(value, 'prompt', vocabSize) };
  }
  throw expected('prompt', shape, value);
}

const ROLES = ['system', 'user', 'assistant'] as const;

function messagesField(body: Body): ChatMessage[] {
  const value = body.messages;
  if (!Array.isArray(value)) throw expected('messages', 'an array of { role, content } messages', value);
  if (!value.length) throw badRequest('messages', 'messages: expected at least one message, got an empty array');
  return value.map((m, i) => {
    const at = `messages[${i}]`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw expected(at, 'an object { role, content }', m);
    const { role, content } = m as Body;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw expected(`${at}.role`, `one of ${ROLES.join(', ')}`, role);
    return { role: role as ChatMessage['role'], content: messageContent(content, `${at}.content`) };
  });
}

/** A string, or OpenAI's array of content parts when every part is text. */
function messageContent(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part, j) => {
        const p = part as Body | null;
        if (!p || p.type !== 'text' || typeof p.text !== 'string') throw expected(`${param}[${j}]`, 'a text part { type: "text", text } (only text is served)', part);
        return p.text;
      })
      .join('');
  }
  throw expected(param, 'a string (or an array of text parts)', content);
}

function stopField(body: Body): { stop?: string[] } {
  const value = present(body, 'stop');
  if (value === undefined) return {};
  if (typeof value === 'string') return { stop: [value] };
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return { stop: value as string[] };
  throw expected('stop', 'a string or an array of strings', value);
}

export function tokenIds(value: unknown, param: string, vocabSize: number | undefined): number[] {
  const range = vocabSize === undefined ? 'non-negative integers' : `integers in 0..${vocabSize - 1}`;
  if (!Array.isArray(value)) throw expected(param, `an array of token ids (${range})`, value);
  value.forEach((id, i) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || (vocabSize !== undefined && id >= vocabSize)) {
      throw badRequest(param, `${param}: expected token ids that are ${range}, got ${describe(id)} at index ${i}`);
    }
  });
  return value as number[];
}

/** Fields this server cannot honour: present with a non-default value, they are refused rather than ignored. */
function rejectUnsupported(body: Body, fields: readonly string[]): void {
  const neutral: Record<string, (v: unknown) => boolean> = {
    stream: (v) => v === false,
    suffix: (v) => v === '',
    logit_bias: (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0,
    presence_penalty: (v) => v === 0,
    frequency_penalty: (v) => v === 0,
    best_of: (v) => v === 1 || v === body.n,
    logprobs: (v) => v === false,
    top_logprobs: (v) => v === 0,
    tools: (v) => Array.isArray(v) && v.length === 0,
    functions: (v) => Array.isArray(v) && v.length === 0,
    response_format: (v) => (v as Body | null)?.type === 'text',
  };
  for (const field of fields) {
    const value = present(body, field);
    if (value !== undefined && !neutral[field](value)) {
      throw badRequest(field, `${field}: not supported by this server, got ${describe(value)}; leave it out`);
    }
  }
}

function present(body: Body, key: string): unknown {
  const value = body[key];
  return value === null ? undefined : value;
}

function integer(body: Body, key: string, min = Number.MIN_SAFE_INTEGER, what = min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer ≥ ${min}`): number | undefined {
  const value = present(body, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw expected(key, what, value);
  return value;
}

function number(body: Body, key: string, ok: (x: number) => boolean, what: string): number | undefined {
  const value = present(body, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw expected(key, what, value);
  return value;
}

function boolean(body: Body, key: string): boolean | undefined {
  const value = present(body, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw expected(key, 'true or false', value);
  return value;
}

function expected(param: string, what: string, got: unknown) {
  return badRequest(param, `${param}: expected ${what}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
