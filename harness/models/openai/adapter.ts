// A model behind an OpenAI-compatible HTTP endpoint (vLLM, llama.cpp server, `harness serve`, a hosted
// API) as a LanguageModel. Plan time asks GET /models once for the model's identity; run time sends
// completions, echo-logprob scoring and tokenize requests through a response cache, so a rerun or a
// resumed run sends no request twice.
import { join } from 'node:path';
import type { ChatMessage, Completion, LanguageModel, ModelDescriptor, SamplingOptions } from '../../api/language-model.ts';
import type { Json } from '../../api/types.ts';
import { UserError, didYouMean } from '../../errors.ts';
import { checkSampling, firstStop } from '../local.ts';
import { createResponseCache } from '../response-cache.ts';
import type { OpenAIModelSpec } from '../spec.ts';
import { EndpointError, createHttpClient, type HttpClient } from './http.ts';
import { tokenizerSha256 } from './local-tokenizer.ts';
import { EXPECTED, MalformedResponseError, parseChatCompletions, parseCompletions, parseEchoLogProbs } from './responses.ts';
import { scoringWindows, stitchWindows } from '../../nn/lm/scoring-windows.ts';
import { remoteTokenization, type CachedPost } from './tokenization.ts';

/** Plan time is a reachability check: fewer retries and a shorter timeout than a run's requests. */
const DESCRIBE_RETRIES = 2;
const DESCRIBE_TIMEOUT_SECONDS = 15;
/** Fields of a /models entry that change from one server start to the next. */
const VOLATILE_FIELDS = new Set(['created', 'permission']);

const apiKeyEnvOf = (spec: OpenAIModelSpec) => spec.apiKeyEnv ?? 'OPENAI_API_KEY';

export async function describeOpenAIModel(spec: OpenAIModelSpec, opts: { signal?: AbortSignal }): Promise<{ identity: Record<string, Json>; contextLength: number | null }> {
  const http = createHttpClient({
    apiKeyEnv: apiKeyEnvOf(spec),
    concurrency: 1,
    timeoutSeconds: Math.min(spec.timeoutSeconds ?? 120, DESCRIBE_TIMEOUT_SECONDS),
    maxRetries: Math.min(spec.maxRetries ?? 6, DESCRIBE_RETRIES),
    signal: opts.signal,
  });
  const entry = await servedEntry(spec, http);
  const fingerprint: Record<string, Json> = {};
  for (const [key, value] of Object.entries(entry)) if (!VOLATILE_FIELDS.has(key)) fingerprint[key] = value as Json;
  const served = entry.max_model_len;
  const contextLength = spec.contextLength ?? (Number.isInteger(served) && (served as number) > 0 ? (served as number) : null);
  const identity: Record<string, Json> = { baseUrl: spec.baseUrl, model: spec.model, chat: !!spec.chat, fingerprint };
  if (spec.tokenizer) identity.tokenizer = tokenizerSha256(spec.tokenizer);
  // A context length set by hand changes how long sequences are windowed, hence the scores.
  if (spec.contextLength !== undefined) identity.contextLength = spec.contextLength;
  return { identity, contextLength };
}

/** The /models entry of the served model, or a one-line UserError saying what is wrong. */
async function servedEntry(spec: OpenAIModelSpec, http: HttpClient): Promise<Record<string, unknown>> {
  const url = `${spec.baseUrl}/models`;
  let json: unknown;
  try {
    json = await http.request('GET', url, undefined, EXPECTED.models);
  } catch (error) {
    if (error instanceof EndpointError && error.status === 404) throw new UserError(`${error.message}; is ${spec.baseUrl} the API base URL (it usually ends in /v1)?`);
    throw error;
  }
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || !data.every((d) => typeof (d as { id?: unknown } | null)?.id === 'string')) {
    throw new UserError(`GET ${url}: malformed response, expected ${EXPECTED.models}`);
  }
  const entries = data as Record<string, unknown>[];
  const entry = entries.find((d) => d.id === spec.model);
  if (!entry) {
    const names = entries.map((d) => d.id as string);
    throw new UserError(`model ${spec.name}: ${spec.baseUrl} serves no model "${spec.model}"${didYouMean(spec.model, names)}; it serves ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'none'}`);
  }
  return entry;
}

export async function openOpenAIModel(spec: OpenAIModelSpec, opts: { cacheDir: string; signal?: AbortSignal; log?: (m: string) => void }): Promise<LanguageModel> {
  const { identity, contextLength } = await describeOpenAIModel(spec, { signal: opts.signal });
  const who = `model ${spec.name}`;
  const http = createHttpClient({
    apiKeyEnv: apiKeyEnvOf(spec),
    concurrency: spec.concurrency ?? 4,
    timeoutSeconds: spec.timeoutSeconds ?? 120,
    maxRetries: spec.maxRetries ?? 6,
    signal: opts.signal,
    log: opts.log,
  });
  const cache = createResponseCache(join(opts.cacheDir, 'responses'));
  let closed = false;
  const post: CachedPost = (url, body, expected, parse) => {
    if (closed) return Promise.reject(new Error(`${who}: used after close()`));
    return cache.through({ identity, path: new URL(url).pathname, body }, () => http.request('POST', url, body, expected), parse);
  };
  const { tokenize, detokenize } = remoteTokenization({
    origin: spec.baseUrl.replace(/\/v1$/, ''),
    model: spec.model,
    tokenizerPath: spec.tokenizer,
    who,
    post,
  });

  const completionsUrl = `${spec.baseUrl}/completions`;
  const chatUrl = `${spec.baseUrl}/chat/completions`;

  /** One echo request over `ids` (at most contextLength − 1 of them, leaving room for the one generated token). */
  const scoreWindow = (ids: number[]) =>
    post(
      completionsUrl,
      { model: spec.model, prompt: ids, max_tokens: 1, echo: true, logprobs: 1, temperature: 0, return_tokens_as_token_ids: true },
      EXPECTED.echo,
      (json) => parseEchoLogProbs(json, completionsUrl, ids),
    );

  /**
   * One echo request over the whole sequence with no token generated, for sequences longer than the
   * context the server reports (a context given in the spec means client-side windows): a server that windows them itself (harness serve does, exactly as the model does in
   * process) answers; one that refuses (vLLM checks prompt length against max_model_len) or
   * truncates is scored in client-side windows instead, and remembered for this model.
   */
  let serverWindows: boolean | undefined;
  async function scoreWhole(ids: number[]): Promise<Float64Array | undefined> {
    if (serverWindows === false) return undefined;
    try {
      const body = { model: spec.model, prompt: ids, max_tokens: 0, echo: true, logprobs: 1, temperature: 0, return_tokens_as_token_ids: true };
      const out = await post(completionsUrl, body, EXPECTED.echo, (json) => parseEchoLogProbs(json, completionsUrl, ids));
      serverWindows = true;
      return out;
    } catch (error) {
      const status = (error as EndpointError).status;
      if (!(error instanceof MalformedResponseError) && !(error instanceof EndpointError && status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429)) throw error;
      serverWindows = false;
      opts.log?.(`${who}: the server does not score ${ids.length} tokens in one request (${(error as Error).message.slice(0, 120)}); scoring in windows of ${contextLength! - 2}`);
      return undefined;
    }
  }

  async function tokenLogProbs(input: ArrayLike<number>): Promise<Float64Array> {
    const ids = Array.from(input);
    const n = ids.length;
    if (n < 2) return new Float64Array(0);
    if (contextLength !== null && n + 1 > contextLength && spec.contextLength === undefined) {
      const whole = await scoreWhole(ids);
      if (whole) return whole;
    }
    // A request holds window + 1 prompt tokens and generates one: window + 2 ≤ contextLength.
    const window = contextLength === null ? n - 1 : contextLength - 2;
    if (window < 1) throw new RangeError(`${who}: a context of ${contextLength} tokens is too short to score with echo requests (needs ≥ 3)`);
    const windows = scoringWindows(n, window);
    const perWindow = await Promise.all(windows.starts.map((s) => scoreWindow(ids.slice(s, s + windows.length + 1))));
    return stitchWindows(n, windows, perWindow);
  }

  function samplingBody(opts: SamplingOptions, n: number, temperature: number): { [key: string]: Json } {
    const body: { [key: string]: Json } = { max_tokens: opts.maxTokens, temperature, n };
    if (opts.topP !== undefined) body.top_p = opts.topP;
    if (opts.topK !== undefined) body.top_k = opts.topK;
    const stop = (opts.stop ?? []).filter((s) => s.length > 0);
    if (stop.length) body.stop = stop;
    // Greedy requests leave the seed out: it changes nothing but would split the response cache.
    if (temperature > 0) body.seed = opts.seed!;
    return body;
  }

  /** Servers that ignore `stop` still get their text cut at the first stop string. */
  const cutAtStop = (stop: readonly string[] | undefined) => (c: Completion): Completion => {
    const at = firstStop(c.text, stop);
    return at < 0 ? c : { text: c.text.slice(0, at), finishReason: 'stop' };
  };

  async function complete(prompt: string | ArrayLike<number>, opts: SamplingOptions): Promise<Completion[]> {
    const { n, temperature } = checkSampling(opts, who);
    if (opts.maxTokens === 0) return Array.from({ length: n }, () => ({ text: '', finishReason: 'length' as const }));
    const body = { model: spec.model, prompt: typeof prompt === 'string' ? prompt : Array.from(prompt), ...samplingBody(opts, n, temperature) };
    const choices = await post(completionsUrl, body, EXPECTED.completions, (json) => parseCompletions(json, completionsUrl, n));
    return choices.map(cutAtStop(opts.stop));
  }

  async function chat(messages: ChatMessage[], opts: SamplingOptions): Promise<Completion[]> {
    const { n, temperature } = checkSampling(opts, who);
    if (opts.maxTokens === 0) return Array.from({ length: n }, () => ({ text: '', finishReason: 'length' as const }));
    const body = { model: spec.model, messages: messages.map((m) => ({ role: m.role, content: m.content })), ...samplingBody(opts, n, temperature) };
    const choices = await post(chatUrl, body, EXPECTED.chat, (json) => parseChatCompletions(json, chatUrl, n));
    return choices.map(cutAtStop(opts.stop));
  }

  const descriptor: ModelDescriptor = { name: spec.name, kind: 'openai', identity, contextLength, chat: !!spec.chat, logprobs: true };
  return {
    descriptor,
    tokenize: async (text) => Int32Array.from(await tokenize(text)),
    detokenize: (ids) => detokenize(Array.from(ids)),
    tokenLogProbs,
    complete,
    chat: spec.chat ? chat : undefined,
    async close() {
      await http.idle(); // requests already sent finish (and are cached); new ones are refused after this
      if (closed) return;
      closed = true;
      const { hits, misses, corrupt } = cache.stats;
      opts.log?.(`${who}: response cache ${hits} hit${hits === 1 ? '' : 's'}, ${misses} miss${misses === 1 ? '' : 'es'}${corrupt ? `, ${corrupt} corrupt file${corrupt === 1 ? '' : 's'} replaced` : ''} (${cache.dir})`);
    },
  };
}
