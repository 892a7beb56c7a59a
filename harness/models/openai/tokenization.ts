// tokenize / detokenize of a served model. vLLM and harness serve take POST /tokenize {model, prompt,
// add_special_tokens}; llama.cpp's server takes {content, add_special} (and answers {tokens: []} to a
// body without content, so an empty answer to a non-empty text means "wrong dialect"). The first call
// finds the dialect and later calls reuse it. A server without /tokenize falls back to a local
// tokenizer.json when the spec names one.
import type { Json } from '../../api/types.ts';
import { UserError } from '../../errors.ts';
import { EndpointError } from './http.ts';
import { loadLocalTokenizer, type LocalTokenizer } from './local-tokenizer.ts';
import { EXPECTED, parseDetokenized, parseTokens } from './responses.ts';

/** One POST through the response cache: `parse` decides whether the body is a usable answer. */
export type CachedPost = <T>(url: string, body: { [key: string]: Json }, expected: string, parse: (json: unknown) => T) => Promise<T>;

export interface Tokenization {
  tokenize(text: string): Promise<number[]>;
  detokenize(ids: readonly number[]): Promise<string>;
}

interface TokenizationOptions {
  /** Server root: the base URL without its trailing /v1 (vLLM and llama.cpp serve /tokenize there). */
  origin: string;
  model: string;
  /** A local tokenizer.json (file or folder) for servers without /tokenize. */
  tokenizerPath?: string;
  /** Names the model in errors. */
  who: string;
  post: CachedPost;
}

type Encode = (text: string) => Promise<number[]>;

/** The answer of a server that speaks another dialect: try the next one. */
class WrongDialect extends Error {}

/** Statuses meaning "no such endpoint" or "not this request shape". */
const notFound = (error: unknown) => error instanceof EndpointError && (error.status === 404 || error.status === 405);
const rejectedShape = (error: unknown) => error instanceof EndpointError && (error.status === 400 || error.status === 422);

export function remoteTokenization(options: TokenizationOptions): Tokenization {
  const { origin, model, post } = options;
  const tokenizeUrl = `${origin}/tokenize`;
  const detokenizeUrl = `${origin}/detokenize`;
  let local: Promise<LocalTokenizer> | undefined;
  const localTokenizer = () => (local ??= loadLocalTokenizer(options.tokenizerPath!));

  const dialects: { name: string; body: (text: string) => { [key: string]: Json } }[] = [
    { name: 'vllm', body: (text) => ({ model, prompt: text, add_special_tokens: false }) },
    { name: 'llama.cpp', body: (text) => ({ content: text, add_special: false }) },
  ];
  const remote = (dialect: (typeof dialects)[number]): Encode => (text) =>
    post(tokenizeUrl, dialect.body(text), EXPECTED.tokenize, (json) => {
      const tokens = parseTokens(json, tokenizeUrl);
      if (!tokens.length && text) throw new WrongDialect(`${dialect.name}: no tokens for a non-empty text`);
      return tokens;
    });

  /** Tries each dialect on `text`; the first that answers is the route from now on. */
  async function probe(text: string): Promise<{ encode: Encode; tokens: number[] }> {
    const failures: unknown[] = [];
    for (const dialect of dialects) {
      const encode = remote(dialect);
      try {
        return { encode, tokens: await encode(text) };
      } catch (error) {
        if (!(error instanceof WrongDialect || notFound(error) || rejectedShape(error))) throw error;
        failures.push(error);
      }
    }
    const shapeError = failures.find(rejectedShape);
    if (shapeError) throw shapeError;
    if (!options.tokenizerPath) {
      throw new UserError(`${options.who}: ${origin} has no usable /tokenize; pass ?tokenizer=path/to/tokenizer.json in the model spec to tokenize on this machine`);
    }
    const tokenizer = await localTokenizer();
    const encode: Encode = async (t) => tokenizer.encode(t);
    return { encode, tokens: await encode(text) };
  }

  let route: Promise<Encode> | undefined;
  let detokenizeLocally = false;

  return {
    async tokenize(text) {
      if (!text) return [];
      if (route) return (await route)(text);
      const first = probe(text);
      route = first.then((r) => r.encode);
      route.catch(() => (route = undefined)); // a failed probe (server down) is tried again next call
      return (await first).tokens;
    },
    async detokenize(ids) {
      if (!ids.length) return '';
      if (!detokenizeLocally) {
        try {
          return await post(detokenizeUrl, { model, tokens: [...ids] }, EXPECTED.detokenize, (json) => parseDetokenized(json, detokenizeUrl));
        } catch (error) {
          if (!notFound(error)) throw error;
          if (!options.tokenizerPath) {
            throw new UserError(`${options.who}: ${origin} has no /detokenize; pass ?tokenizer=path/to/tokenizer.json in the model spec to detokenize on this machine`);
          }
          detokenizeLocally = true;
        }
      }
      return (await localTokenizer()).decode(ids);
    },
  };
}
