// The route table: which handler answers which method and path, and whether it waits its turn in the
// model queue. Tokenize, detokenize and the model list are cheap and answer at once.
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import { ApiError } from './api-error.ts';
import { createChatCompletion } from './chat.ts';
import { createCompletion } from './completions.ts';
import { checkModelName, type ServeContext } from './context.ts';
import { parseDetokenizeRequest, parseTokenizeRequest } from './validate.ts';

export interface Route {
  method: 'GET' | 'POST';
  /** Generation and scoring run through the bounded queue; the rest answer at once. */
  queued: boolean;
  handle(ctx: ServeContext, body: unknown, path: string): Promise<unknown>;
}

const ROUTES: Record<string, Route> = {
  '/health': { method: 'GET', queued: false, handle: async () => ({ status: 'ok' }) },
  '/v1/models': { method: 'GET', queued: false, handle: async (ctx) => ({ object: 'list', data: [modelCard(ctx)] }) },
  '/v1/completions': { method: 'POST', queued: true, handle: createCompletion },
  '/v1/chat/completions': { method: 'POST', queued: true, handle: createChatCompletion },
  '/tokenize': { method: 'POST', queued: false, handle: tokenize },
  '/v1/tokenize': { method: 'POST', queued: false, handle: tokenize },
  '/detokenize': { method: 'POST', queued: false, handle: detokenize },
  '/v1/detokenize': { method: 'POST', queued: false, handle: detokenize },
};

const MODEL_PATH = '/v1/models/';

/** The route of a request; 404 for an unknown path, 405 (with Allow) for a known path and another method. */
export function findRoute(method: string, path: string): Route {
  const route = ROUTES[path] ?? (path.startsWith(MODEL_PATH) && path.length > MODEL_PATH.length ? RETRIEVE_MODEL : undefined);
  if (!route) throw new ApiError(404, `no route ${path}; served: ${Object.keys(ROUTES).join(', ')}, ${MODEL_PATH}{model}`, null, 'not_found_error');
  if (route.method !== method) {
    throw new ApiError(405, `${path} answers ${route.method}, not ${method}`, null, 'invalid_request_error', null, { Allow: route.method });
  }
  return route;
}

/** GET /v1/models/{model}: the OpenAI client's models.retrieve. */
const RETRIEVE_MODEL: Route = {
  method: 'GET',
  queued: false,
  handle: async (ctx, _body, path) => {
    const raw = path.slice(MODEL_PATH.length);
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      name = raw;
    }
    checkModelName(ctx, name);
    return modelCard(ctx);
  },
};

function modelCard(ctx: ServeContext) {
  const d = ctx.model.descriptor;
  return {
    id: ctx.servedName,
    object: 'model',
    created: ctx.created,
    owned_by: 'harness',
    max_model_len: d.contextLength,
    meta: { kind: d.kind, identity_sha256: sha256(canonicalJson(d.identity)), logprobs: d.logprobs, chat: d.chat },
  };
}

async function tokenize(ctx: ServeContext, body: unknown) {
  const request = parseTokenizeRequest(body);
  checkModelName(ctx, request.model);
  const tokens = Array.from(await ctx.model.tokenize(request.text));
  return { tokens, count: tokens.length, max_model_len: ctx.model.descriptor.contextLength };
}

async function detokenize(ctx: ServeContext, body: unknown) {
  const request = parseDetokenizeRequest(body, ctx.vocabSize);
  checkModelName(ctx, request.model);
  const text = await ctx.model.detokenize(request.ids);
  return { prompt: text, content: text };
}
