// Reading the JSON bodies of an OpenAI-compatible server: completions, chat completions, echo
// log-probs, tokenize and detokenize. Pure functions; a body of the wrong shape throws an error that
// names the endpoint and what was expected (the response cache never keeps such a body).
import type { Completion } from '../../api/language-model.ts';
import { UserError } from '../../errors.ts';

export const EXPECTED = {
  models: '{"data": [{"id": "<served name>", …}, …]}',
  completions: '{"choices": [{"index", "text", "finish_reason"}, …]}',
  chat: '{"choices": [{"index", "message": {"content"}, "finish_reason"}, …]}',
  echo: '{"choices": [{"logprobs": {"token_logprobs": [null, …]}}]}',
  tokenize: '{"tokens": [<id>, …]}',
  detokenize: '{"prompt": "<text>"} or {"content": "<text>"}',
} as const;

export class MalformedResponseError extends UserError {
  constructor(url: string, what: string) {
    super(`POST ${url}: malformed response: ${what}`);
    this.name = 'MalformedResponseError';
  }
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function choicesOf(json: unknown, url: string, expected: string, n: number): Obj[] {
  const choices = isObject(json) ? json.choices : undefined;
  if (!Array.isArray(choices) || !choices.every(isObject)) throw new MalformedResponseError(url, `expected ${expected}`);
  if (choices.length !== n) throw new MalformedResponseError(url, `asked for ${n} choice${n === 1 ? '' : 's'}, got ${choices.length}`);
  const indexed = choices.map((c, i) => ({ c, index: typeof c.index === 'number' ? c.index : i }));
  indexed.sort((a, b) => a.index - b.index);
  return indexed.map((x) => x.c);
}

/** `length` when the server says so, else `stop` (stop string, end of sequence, llama.cpp's `eos`). */
function finishReason(choice: Obj): Completion['finishReason'] {
  return choice.finish_reason === 'length' ? 'length' : 'stop';
}

/** The n choices of /v1/completions in index order. */
export function parseCompletions(json: unknown, url: string, n: number): Completion[] {
  return choicesOf(json, url, EXPECTED.completions, n).map((c) => {
    if (typeof c.text !== 'string') throw new MalformedResponseError(url, `expected a string "text" in each choice, ${EXPECTED.completions}`);
    return { text: c.text, finishReason: finishReason(c) };
  });
}

/** The n choices of /v1/chat/completions in index order. */
export function parseChatCompletions(json: unknown, url: string, n: number): Completion[] {
  return choicesOf(json, url, EXPECTED.chat, n).map((c) => {
    const content = isObject(c.message) ? c.message.content : undefined;
    if (content !== null && typeof content !== 'string') throw new MalformedResponseError(url, `expected "message": {"content": "…"} in each choice, ${EXPECTED.chat}`);
    return { text: content ?? '', finishReason: finishReason(c) };
  });
}

/**
 * ln p(ids[t] | ids[<t]) for t = 1..P−1 from an echo request over the P tokens `ids` (with one
 * generated token, whose value is ignored). The echoed tokens must be `ids`: a server that
 * re-tokenized the prompt would score something else.
 */
export function parseEchoLogProbs(json: unknown, url: string, ids: readonly number[]): Float64Array {
  const [choice] = choicesOf(json, url, EXPECTED.echo, 1);
  const logprobs = choice.logprobs;
  if (!isObject(logprobs) || !Array.isArray(logprobs.token_logprobs)) {
    throw new UserError(`POST ${url}: the response holds no logprobs; token log-probabilities need an endpoint that returns echo logprobs (vLLM, llama.cpp server, harness serve)`);
  }
  const values = logprobs.token_logprobs as unknown[];
  const P = ids.length;
  if (values.length !== P && values.length !== P + 1) {
    throw new MalformedResponseError(url, `${values.length} echoed log-probs for a prompt of ${P} token ids (expected ${P + 1}); the server re-tokenized the prompt or did not echo it`);
  }
  if (Array.isArray(logprobs.tokens)) {
    for (let i = 0; i < P; i++) {
      const match = /^token_id:(-?\d+)$/.exec(String(logprobs.tokens[i]));
      if (match && Number(match[1]) !== ids[i]) {
        throw new MalformedResponseError(url, `echoed token ${i} is id ${match[1]}, the prompt's is ${ids[i]}; the server re-tokenized the prompt`);
      }
    }
  }
  const out = new Float64Array(P - 1);
  for (let t = 1; t < P; t++) {
    const v = values[t];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new MalformedResponseError(url, `echoed log-prob ${t} is ${JSON.stringify(v)}, expected a number`);
    out[t - 1] = v;
  }
  return out;
}

/** Ids of /tokenize (vLLM's and llama.cpp's `tokens`). */
export function parseTokens(json: unknown, url: string): number[] {
  const tokens = isObject(json) ? json.tokens : undefined;
  if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t) && (t as number) >= 0)) throw new MalformedResponseError(url, `expected ${EXPECTED.tokenize}`);
  return tokens as number[];
}

/** Text of /detokenize (vLLM's `prompt`, llama.cpp's `content`). */
export function parseDetokenized(json: unknown, url: string): string {
  const text = isObject(json) ? (json.prompt ?? json.content) : undefined;
  if (typeof text !== 'string') throw new MalformedResponseError(url, `expected ${EXPECTED.detokenize}`);
  return text;
}
