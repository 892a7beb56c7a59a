// The OpenAI-compatible HTTP adapter against real servers on 127.0.0.1: fault servers written here
// (rate limits, server errors, hangs, refused connections, bad keys, malformed bodies), the response
// cache across adapter instances, tokenize dialects, and echo-logprob scoring of a real tiny model
// compared with in-process scoring.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createRng } from '../harness/api/index.ts';
import type { LanguageModel } from '../harness/api/language-model.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { describeOpenAIModel, openOpenAIModel } from '../harness/models/openai/adapter.ts';
import { retryAfterMs } from '../harness/models/openai/http.ts';
import { scoringWindows } from '../harness/nn/lm/scoring-windows.ts';
import { createResponseCache } from '../harness/models/response-cache.ts';
import type { OpenAIModelSpec } from '../harness/models/spec.ts';
import { charTokenizer, tokenId, tokenLogProbs, transformerLM, type Tf } from '../harness/nn/lm/index.ts';
import { asLanguageModel } from '../harness/models/sequence-model-lm.ts';
import { tempDir } from './helpers.ts';

const KEY_ENV = 'HARNESS_OPENAI_TEST_KEY';
const FAKE_KEY = 'sk-test-0123456789abcdef';

/** The request fields the fake servers read (whatever else a body holds is kept too). */
interface FakeBody {
  [key: string]: unknown;
  prompt: string | number[];
  n: number;
  seed?: number;
  echo?: boolean;
  max_tokens: number;
  content?: string;
  tokens: number[];
}

interface Seen {
  method: string;
  path: string;
  body: FakeBody;
  headers: IncomingHttpHeaders;
}
type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

interface FakeServer {
  url: string;
  /** Requests other than GET /v1/models, in arrival order. */
  seen: Seen[];
  maxInFlight: () => number;
  close(): Promise<void>;
}

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const modelEntry = (id: string, extra: Record<string, unknown> = {}) => ({ id, object: 'model', created: Date.now(), owned_by: 'test', max_model_len: 64, ...extra });

/** A server answering GET /v1/models with `served` (unless `handleModels`) and everything else with `handler`. */
async function fakeServer(handler: Handler, options: { served?: object[]; handleModels?: boolean } = {}): Promise<FakeServer> {
  const seen: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: Seen = { method: req.method!, path: req.url!, body: text ? JSON.parse(text) : {}, headers: req.headers };
    if (!options.handleModels && req.method === 'GET' && req.url === '/v1/models') return sendJson(res, 200, { object: 'list', data: options.served ?? [modelEntry('tiny')] });
    seen.push(request);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.on('close', () => inFlight--);
    await handler(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

const spec = (baseUrl: string, extra: Partial<OpenAIModelSpec> = {}): OpenAIModelSpec => ({ kind: 'openai', name: 'tiny', baseUrl, model: 'tiny', apiKeyEnv: KEY_ENV, ...extra });

/** A /v1/completions answer: one choice per text, finish reason `length`. */
const completionBody = (...texts: string[]) => ({ id: 'cmpl-1', object: 'text_completion', model: 'tiny', choices: texts.map((text, index) => ({ index, text, finish_reason: 'length', logprobs: null })) });

async function open(baseUrl: string, extra: Partial<OpenAIModelSpec> = {}, cacheDir = tempDir('openai-cache-'), log: string[] = []): Promise<LanguageModel> {
  return openOpenAIModel(spec(baseUrl, extra), { cacheDir, log: (m) => log.push(m) });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Rejects with an error whose message (not its name) matches. */
async function rejectsWithMessage(promise: Promise<unknown>, pattern: RegExp | ((error: Error) => boolean)): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    if (typeof pattern === 'function') return pattern(error);
    assert.match(error.message, pattern);
    return true;
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

// ---------------------------------------------------------------- retries and failures

test('a 429 storm with Retry-After is waited out, then the request succeeds', async () => {
  let calls = 0;
  const server = await fakeServer((_req, res) => {
    if (++calls <= 3) return sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '0.2' });
    sendJson(res, 200, completionBody('ok'));
  });
  const log: string[] = [];
  const lm = await open(server.url, {}, undefined, log);
  const started = performance.now();
  const [c] = await lm.complete('hi', { maxTokens: 3 });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(c.text, 'ok');
  assert.equal(server.seen.length, 4);
  assert.ok(seconds >= 0.55, `Retry-After of 0.2 s three times honoured, took ${seconds} s`);
  assert.ok(seconds < 3, `took ${seconds} s`);
  assert.equal(log.filter((m) => / 429; retry \d of 6 in 0\.20 s/.test(m)).length, 3);
  await lm.close();
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  assert.equal(retryAfterMs('3', now), 3000);
  assert.equal(retryAfterMs('0.5', now), 500);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:07 GMT', now), 7000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(null, now), undefined);
});

test('503 twice, then success: backs off and finishes', async () => {
  let calls = 0;
  const server = await fakeServer((_req, res) => (++calls <= 2 ? sendJson(res, 503, { error: { message: 'loading' } }) : sendJson(res, 200, completionBody('fine'))));
  const lm = await open(server.url);
  const [c] = await lm.complete('hi', { maxTokens: 3 });
  assert.equal(c.text, 'fine');
  assert.equal(server.seen.length, 3);
  await lm.close();
});

test('a 500 that persists fails after maxRetries with the path, the status and the server message', async () => {
  const server = await fakeServer((_req, res) => sendJson(res, 500, { error: { message: 'CUDA out of memory\n  at layer 3' } }));
  const lm = await open(server.url, { maxRetries: 2 });
  await rejectsWithMessage(lm.complete('hi', { maxTokens: 3 }), (error: Error) => {
    assert.equal(error.message, `POST ${server.url}/completions: 500 after 2 retries: CUDA out of memory at layer 3`);
    return true;
  });
  assert.equal(server.seen.length, 3);
});

test('a server that hangs: the per-request timeout fires, is retried, then fails clearly', async () => {
  const server = await fakeServer(() => {
    // never answers
  });
  const lm = await open(server.url, { timeoutSeconds: 0.3, maxRetries: 1 });
  const started = performance.now();
  await rejectsWithMessage(lm.complete('hi', { maxTokens: 3 }), new RegExp(`^POST ${server.url}/completions: no response within 0.3 s after 1 retry$`));
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds >= 0.6 && seconds < 3, `two attempts of 0.3 s, took ${seconds} s`);
  assert.equal(server.seen.length, 2);
});

test("an abort from the caller is not retried", async () => {
  const server = await fakeServer(() => {});
  const controller = new AbortController();
  const lm = await openOpenAIModel(spec(server.url, { timeoutSeconds: 5 }), { cacheDir: tempDir(), signal: controller.signal });
  setTimeout(() => controller.abort(new Error('stopped by the user')), 100);
  const started = performance.now();
  await rejectsWithMessage(lm.complete('hi', { maxTokens: 3 }), /stopped by the user/);
  assert.ok(performance.now() - started < 1000);
  assert.equal(server.seen.length, 1);
});

test('connection refused: the error names the URL and the code', async () => {
  const url = `http://127.0.0.1:${await closedPort()}/v1`;
  await rejectsWithMessage(describeOpenAIModel(spec(url, { maxRetries: 1 }), {}), (error: Error) => {
    assert.equal(error.name, 'EndpointError');
    assert.match(error.message, new RegExp(`^GET ${url}/models: ECONNREFUSED after 1 retry`));
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
});

test('401: the error names the environment variable and never shows the key', async () => {
  const auth: (string | undefined)[] = [];
  const server = await fakeServer(
    (req, res) => {
      auth.push(req.headers.authorization);
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${req.headers.authorization?.slice(7) ?? ''}` } });
    },
    { handleModels: true },
  );
  process.env[KEY_ENV] = FAKE_KEY;
  try {
    await rejectsWithMessage(describeOpenAIModel(spec(server.url), {}), (error: Error) => {
      assert.match(error.message, new RegExp(`^GET ${server.url}/models: 401: Incorrect API key provided: <redacted>; the key in ${KEY_ENV} was refused$`));
      assert.ok(!error.message.includes(FAKE_KEY));
      return true;
    });
    assert.deepEqual(auth, [`Bearer ${FAKE_KEY}`]); // 401 is not retried
  } finally {
    delete process.env[KEY_ENV];
  }
  await rejectsWithMessage(describeOpenAIModel(spec(server.url), {}), new RegExp(`set the environment variable ${KEY_ENV} to the endpoint's API key$`));
  assert.equal(auth[1], undefined, 'no Authorization header without a key');
});

test('an unknown served model: the error lists the served names with a did-you-mean', async () => {
  const server = await fakeServer(() => {}, { served: [modelEntry('tiny-lm'), modelEntry('other')] });
  await rejectsWithMessage(
    describeOpenAIModel(spec(server.url, { model: 'tiny-ln' }), {}),
    new RegExp(`^model tiny: ${server.url} serves no model "tiny-ln" \\(did you mean "tiny-lm"\\?\\); it serves "tiny-lm", "other"$`),
  );
});

test('describe: a malformed /models answer and a wrong base URL are named', async () => {
  const malformed = await fakeServer((_req, res) => sendJson(res, 200, { models: ['tiny'] }), { handleModels: true });
  await rejectsWithMessage(describeOpenAIModel(spec(malformed.url), {}), new RegExp(`^GET ${malformed.url}/models: malformed response, expected \\{"data": \\[\\{"id"`));
  const notFound = await fakeServer((_req, res) => sendJson(res, 404, { detail: 'Not Found' }), { handleModels: true });
  const root = notFound.url.replace(/\/v1$/, '');
  await rejectsWithMessage(describeOpenAIModel(spec(root), {}), new RegExp(`^GET ${root}/models: 404: Not Found; is ${root} the API base URL`));
});

test('describe: the identity holds the served fingerprint without volatile fields, and no key', async () => {
  const server = await fakeServer(() => {}, { served: [modelEntry('tiny', { root: '/models/tiny', permission: [{ id: 'modelperm-1', created: 5 }], meta: { kind: 'builtin' } })] });
  process.env[KEY_ENV] = FAKE_KEY;
  try {
    const first = await describeOpenAIModel(spec(server.url), {});
    assert.deepEqual(first, {
      identity: { baseUrl: server.url, model: 'tiny', chat: false, fingerprint: { id: 'tiny', object: 'model', owned_by: 'test', max_model_len: 64, root: '/models/tiny', meta: { kind: 'builtin' } } },
      contextLength: 64,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(await describeOpenAIModel(spec(server.url), {}), first, 'a later call (new `created`) gives the same identity');
    assert.ok(!JSON.stringify(first).includes(FAKE_KEY));
    const capped = await describeOpenAIModel(spec(server.url, { contextLength: 16 }), {});
    assert.equal(capped.contextLength, 16);
    assert.equal(capped.identity.contextLength, 16);
  } finally {
    delete process.env[KEY_ENV];
  }
});

test('malformed JSON is retried twice, then named with what was expected', async () => {
  const server = await fakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"choices": [{"text": "a');
  });
  const lm = await open(server.url);
  await rejectsWithMessage(lm.complete('hi', { maxTokens: 3 }), new RegExp(`^POST ${server.url}/completions: malformed JSON response after 2 retries, expected \\{"choices": \\[\\{"index", "text", "finish_reason"\\}`));
  assert.equal(server.seen.length, 3);
});

test('a body cut off before its Content-Length is retried, then succeeds', async () => {
  let calls = 0;
  const server = await fakeServer((_req, res) => {
    if (++calls > 1) return sendJson(res, 200, completionBody('whole'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    res.write('{"choices": [{"te');
    setTimeout(() => res.destroy(), 20);
  });
  const lm = await open(server.url);
  const [c] = await lm.complete('hi', { maxTokens: 3 });
  assert.equal(c.text, 'whole');
  assert.equal(server.seen.length, 2);
});

test('a wrong-shaped body is an error naming the endpoint and the expected shape, and is not cached', async () => {
  const server = await fakeServer((_req, res) => sendJson(res, 200, { choices: [{ index: 0, txt: 'x' }] }));
  const cacheDir = tempDir();
  const lm = await open(server.url, {}, cacheDir);
  await rejectsWithMessage(lm.complete('hi', { maxTokens: 3 }), new RegExp(`^POST ${server.url}/completions: malformed response: expected a string "text"`));
  assert.deepEqual(filesUnder(join(cacheDir, 'responses')), []);
});

test('400 is not retried and its message names the server complaint', async () => {
  const server = await fakeServer((_req, res) => sendJson(res, 400, { object: 'error', message: "This model's maximum context length is 64 tokens", type: 'BadRequestError', code: 400 }));
  const lm = await open(server.url);
  await rejectsWithMessage(lm.complete('hi', { maxTokens: 3 }), new RegExp(`^POST ${server.url}/completions: 400: This model's maximum context length is 64 tokens$`));
  assert.equal(server.seen.length, 1);
});

test('at most `concurrency` requests are in flight', async () => {
  const server = await fakeServer((req, res) => void setTimeout(() => sendJson(res, 200, completionBody(String(req.body.prompt))), 30));
  const lm = await open(server.url, { concurrency: 2 });
  const texts = await Promise.all(Array.from({ length: 8 }, (_, i) => lm.complete(`p${i}`, { maxTokens: 1 }).then(([c]) => c.text)));
  assert.deepEqual(texts, Array.from({ length: 8 }, (_, i) => `p${i}`));
  assert.equal(server.maxInFlight(), 2);
  await lm.close();
});

// ---------------------------------------------------------------- completions and chat

test('complete: the request carries what was asked, choices come back in index order, stop strings are cut client-side', async () => {
  const server = await fakeServer((req, res) =>
    sendJson(res, 200, {
      choices: [
        { index: 1, text: 'second END tail', finish_reason: 'length' },
        { index: 0, text: 'first', finish_reason: 'stop' },
      ].slice(2 - req.body.n),
    }),
  );
  const lm = await open(server.url);
  const out = await lm.complete(Int32Array.from([5, 6, 7]), { maxTokens: 4, temperature: 0.7, topK: 5, stop: ['END'], n: 2, seed: 11 });
  assert.deepEqual(out, [
    { text: 'first', finishReason: 'stop' },
    { text: 'second ', finishReason: 'stop' },
  ]);
  assert.equal(server.seen[0].path, '/v1/completions');
  assert.deepEqual(server.seen[0].body, { model: 'tiny', prompt: [5, 6, 7], max_tokens: 4, temperature: 0.7, top_k: 5, stop: ['END'], n: 2, seed: 11 });
  await lm.complete('text', { maxTokens: 2, seed: 4 });
  assert.deepEqual(server.seen[1].body, { model: 'tiny', prompt: 'text', max_tokens: 2, temperature: 0, n: 1 }, 'greedy: no seed, no top_k, no stop');
  await rejectsWithMessage(lm.complete('x', { maxTokens: 2, temperature: 1 }), /needs a seed/);
  assert.equal(server.seen.length, 2);
});

test('chat goes to /v1/chat/completions when the spec says chat', async () => {
  const server = await fakeServer((_req, res) => sendJson(res, 200, { choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }] }));
  const lm = await open(server.url, { chat: true });
  assert.equal(lm.descriptor.chat, true);
  const [c] = await lm.chat!([{ role: 'user', content: 'Capital of France?' }], { maxTokens: 5 });
  assert.deepEqual(c, { text: 'Paris.', finishReason: 'stop' });
  assert.equal(server.seen[0].path, '/v1/chat/completions');
  assert.deepEqual(server.seen[0].body.messages, [{ role: 'user', content: 'Capital of France?' }]);
  assert.equal((await open(server.url)).chat, undefined);
});

// ---------------------------------------------------------------- the response cache

test('response cache: a deterministic request is sent once, also by a second adapter sharing the cache (a rerun)', async () => {
  const server = await fakeServer((req, res) => sendJson(res, 200, completionBody(`seed ${req.body.seed ?? '-'}`)));
  const cacheDir = tempDir();
  process.env[KEY_ENV] = FAKE_KEY;
  try {
    const log: string[] = [];
    const first = await open(server.url, {}, cacheDir, log);
    const greedy = await first.complete('hi', { maxTokens: 3 });
    assert.deepEqual(await first.complete('hi', { maxTokens: 3 }), greedy);
    assert.equal(server.seen.length, 1);
    const sampled = await first.complete('hi', { maxTokens: 3, temperature: 1, seed: 1 });
    assert.equal(sampled[0].text, 'seed 1');
    assert.equal(server.seen.length, 2, 'a sampled request with a seed is a new request');
    await first.close();
    assert.match(log.at(-1)!, /response cache 1 hit, 2 misses/);

    const rerun = await open(server.url, {}, cacheDir);
    assert.deepEqual(await rerun.complete('hi', { maxTokens: 3 }), greedy);
    assert.deepEqual(await rerun.complete('hi', { maxTokens: 3, temperature: 1, seed: 1 }), sampled);
    assert.equal(server.seen.length, 2, 'the rerun sends nothing');
    assert.equal((await rerun.complete('hi', { maxTokens: 3, temperature: 1, seed: 2 }))[0].text, 'seed 2');
    assert.equal(server.seen.length, 3, 'another seed is another request');

    const files = filesUnder(join(cacheDir, 'responses'));
    assert.equal(files.length, 3);
    for (const file of files) {
      assert.match(file, /responses\/([0-9a-f]{2})\/\1[0-9a-f]{62}\.json$/);
      assert.ok(!readFileSync(file, 'utf8').includes(FAKE_KEY), `${file} holds the API key`);
    }
    assert.ok(server.seen.every((r) => r.headers.authorization === `Bearer ${FAKE_KEY}`));
  } finally {
    delete process.env[KEY_ENV];
  }
});

test('response cache: a corrupt file is ignored and overwritten; equal requests in flight share one send', async () => {
  const dir = tempDir();
  const cache = createResponseCache(dir);
  const request = { identity: { model: 'm' }, path: '/v1/completions', body: { prompt: 'a' } };
  const key = cache.keyOf(request);
  mkdirSync(join(dir, key.slice(0, 2)), { recursive: true });
  writeFileSync(join(dir, key.slice(0, 2), `${key}.json`), '{"key": "trunc');
  let sends = 0;
  const send = async () => {
    sends++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { value: 42 };
  };
  const parse = (json: unknown) => (json as { value: number }).value;
  const results = await Promise.all([cache.through(request, send, parse), cache.through(request, send, parse)]);
  assert.deepEqual(results, [42, 42]);
  assert.equal(sends, 1);
  assert.deepEqual({ ...cache.stats }, { hits: 1, misses: 1, corrupt: 2 });
  assert.equal(JSON.parse(readFileSync(join(dir, key.slice(0, 2), `${key}.json`), 'utf8')).response.value, 42);
  assert.equal(await cache.through(request, send, parse), 42);
  assert.equal(sends, 1);
  // a stored response that the reader rejects is fetched again
  await rejectsWithMessage(cache.through({ ...request, body: { prompt: 'b' } }, async () => ({ wrong: true }), (json) => {
    if (!(json as { value?: number }).value) throw new Error('bad shape');
    return 1;
  }), /bad shape/);
  assert.equal(filesUnder(dir).length, 1, 'a rejected response is not stored');
});

// ---------------------------------------------------------------- tokenize / detokenize

test('tokenize: vLLM shape at the server root, without special tokens; detokenize round-trips', async () => {
  const server = await fakeServer((req, res) => {
    if (req.path === '/tokenize') return sendJson(res, 200, { tokens: [...(req.body.prompt as string)].map((ch) => ch.charCodeAt(0)), count: req.body.prompt.length, max_model_len: 64 });
    if (req.path === '/detokenize') return sendJson(res, 200, { prompt: String.fromCharCode(...req.body.tokens) });
    sendJson(res, 404, { detail: 'Not Found' });
  });
  const lm = await open(server.url);
  assert.deepEqual([...(await lm.tokenize('hey'))], [104, 101, 121]);
  assert.deepEqual(server.seen[0].body, { model: 'tiny', prompt: 'hey', add_special_tokens: false });
  assert.equal(await lm.detokenize([104, 105]), 'hi');
  assert.deepEqual(server.seen[1], { ...server.seen[1], path: '/detokenize', body: { model: 'tiny', tokens: [104, 105] } });
  assert.deepEqual([...(await lm.tokenize(''))], []);
  assert.equal(server.seen.length, 2);
});

test("tokenize: llama.cpp's server ({content}) is found after an empty answer and used from then on", async () => {
  const server = await fakeServer((req, res) => {
    if (req.path === '/tokenize') return sendJson(res, 200, { tokens: req.body.content === undefined ? [] : [...req.body.content].map((ch) => ch.charCodeAt(0) - 96) });
    if (req.path === '/detokenize') return sendJson(res, 200, { content: String.fromCharCode(...req.body.tokens.map((t: number) => t + 96)) });
    sendJson(res, 404, {});
  });
  const lm = await open(server.url);
  assert.deepEqual([...(await lm.tokenize('abc'))], [1, 2, 3]);
  assert.deepEqual([...(await lm.tokenize('ba'))], [2, 1]);
  assert.deepEqual(server.seen.map((r) => r.body.content ?? null), [null, 'abc', 'ba']);
  assert.deepEqual(server.seen[1].body, { content: 'abc', add_special: false });
  assert.equal(await lm.detokenize([3, 1]), 'ca');
});

test('tokenize: without /tokenize the local tokenizer.json is used; without one the error says how to pass it', async () => {
  const server = await fakeServer((_req, res) => sendJson(res, 404, { detail: 'Not Found' }));
  const dir = tempDir();
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0', truncation: null, padding: null, normalizer: null, post_processor: null, decoder: null,
      added_tokens: [{ id: 3, content: '<eos>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
      pre_tokenizer: { type: 'Whitespace' },
      model: { type: 'WordLevel', vocab: { hello: 0, world: 1, '[UNK]': 2, '<eos>': 3 }, unk_token: '[UNK]' },
    }),
  );
  const lm = await open(server.url, { tokenizer: dir });
  assert.match(String(lm.descriptor.identity.tokenizer), /^[0-9a-f]{64}$/);
  assert.deepEqual([...(await lm.tokenize('hello world hello'))], [0, 1, 0]);
  assert.equal(await lm.detokenize([1, 0, 3]), 'world hello <eos>');
  const bare = await open(server.url);
  await rejectsWithMessage(bare.tokenize('hello'), /has no usable \/tokenize; pass \?tokenizer=path\/to\/tokenizer\.json/);
  await rejectsWithMessage(bare.detokenize([1]), /has no \/detokenize; pass \?tokenizer=path\/to\/tokenizer\.json/);
});

// ---------------------------------------------------------------- scoring with echo log-probs

test('scoring windows are laid out like evaluate-lm: full first window, later ones aligned to the end', () => {
  assert.deepEqual(scoringWindows(5, 8), { length: 4, starts: [0] });
  assert.deepEqual(scoringWindows(21, 8), { length: 8, starts: [0, 4, 8, 12] });
  assert.deepEqual(scoringWindows(20, 8), { length: 8, starts: [0, 4, 8, 11] });
});

test('tokenLogProbs: a server without echo logprobs is a clear error; one that re-tokenized is caught', async () => {
  const plain = await fakeServer((_req, res) => sendJson(res, 200, completionBody('x')));
  await rejectsWithMessage((await open(plain.url)).tokenLogProbs([1, 2, 3]), /holds no logprobs; token log-probabilities need an endpoint that returns echo logprobs \(vLLM, llama\.cpp server, harness serve\)/);
  const retokenizing = await fakeServer((_req, res) => sendJson(res, 200, { choices: [{ index: 0, text: 'x', logprobs: { tokens: ['token_id:1', 'token_id:9', 'token_id:3', 'token_id:4'], token_logprobs: [null, -1, -2, -0.5] } }] }));
  await rejectsWithMessage((await open(retokenizing.url)).tokenLogProbs([1, 2, 3]), /echoed token 1 is id 9, the prompt's is 2; the server re-tokenized the prompt/);
  const short = await fakeServer((_req, res) => sendJson(res, 200, { choices: [{ index: 0, text: 'x', logprobs: { token_logprobs: [null, -1] } }] }));
  await rejectsWithMessage((await open(short.url)).tokenLogProbs([1, 2, 3]), /2 echoed log-probs for a prompt of 3 token ids/);
});

let tf: Tf;
before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
});

/** A minimal echo-scoring server over an in-process model: /v1/completions with echo, the way vLLM answers. */
async function echoServer(score: (ids: number[]) => ArrayLike<number>, maxModelLen: number) {
  return fakeServer(
    (req, res) => {
      const ids = req.body.prompt as number[];
      if (!req.body.echo || !Array.isArray(ids)) return sendJson(res, 400, { message: 'this server only scores' });
      if (ids.length + req.body.max_tokens > maxModelLen) return sendJson(res, 400, { message: `maximum context length is ${maxModelLen} tokens` });
      sendJson(res, 200, {
        choices: [{ index: 0, text: 'z', finish_reason: 'length', logprobs: { tokens: [...ids, 0].map((t) => `token_id:${t}`), token_logprobs: [null, ...Array.from(score(ids)), -0.25], top_logprobs: null, text_offset: [] } }],
      });
    },
    { served: [modelEntry('tiny', { max_model_len: maxModelLen })] },
  );
}

test('tokenLogProbs over echo requests equals in-process scoring, whole and in sliding windows', async () => {
  const model = transformerLM(tf, { vocabSize: 11, dModel: 16, heads: 2, layers: 2, ffn: 32, positional: 'rope', maxLength: 24 }, createRng(3));
  const rng = createRng(9);
  const ids = Array.from({ length: 40 }, () => Math.floor(rng.next() * 11));
  const server = await echoServer((prompt) => tokenLogProbs(tf, model, prompt, { window: 24 }), 24);
  const lm = await open(server.url);
  assert.equal(lm.descriptor.contextLength, 24);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    assert.equal(a.length, b.length);
    return Math.max(0, ...Array.from(a, (v, i) => Math.abs(v - b[i])));
  };
  // fits in one request (≤ contextLength − 1 prompt tokens)
  const short = ids.slice(0, 20);
  assert.ok(maxDiff(await lm.tokenLogProbs(short), tokenLogProbs(tf, model, short, { window: 24 })) < 1e-6);
  assert.equal(server.seen.length, 1);
  // longer than the context: windows of contextLength − 2 inputs, the same as in-process scoring with that window
  const windowed = await open(server.url, { contextLength: 10 });
  const before = server.seen.length;
  const got = await windowed.tokenLogProbs(ids);
  assert.equal(server.seen.length - before, scoringWindows(40, 8).starts.length);
  assert.ok(server.seen.slice(before).every((r) => r.body.prompt.length <= 9));
  assert.ok(maxDiff(got, tokenLogProbs(tf, model, ids, { window: 8 })) < 1e-6);
  assert.ok(maxDiff(got, tokenLogProbs(tf, model, ids, { window: 24 })) > 1e-3, 'the window matters: less context gives other values');
  // longer than the context the server reports: one whole-sequence request, refused as vLLM refuses it,
  // then windows of 24 − 2; the refusal is remembered (the next long sequence goes straight to windows)
  const seenBefore = server.seen.length;
  assert.ok(maxDiff(await lm.tokenLogProbs(ids), tokenLogProbs(tf, model, ids, { window: 22 })) < 1e-6);
  assert.equal(server.seen.length - seenBefore, 1 + scoringWindows(40, 22).starts.length);
  const again = server.seen.length;
  await lm.tokenLogProbs(ids.map((x) => (x + 1) % 11));
  assert.equal(server.seen.length - again, scoringWindows(40, 22).starts.length);
  model.dispose();
});

// ---------------------------------------------------------------- end to end against `harness serve`

/** startServer of harness/serve/server.ts, typed here so this file compiles before that one lands. */
type StartServer = (
  model: LanguageModel,
  options: { host?: string; port?: number; servedName?: string; maxQueue?: number; log?: (line: string) => void },
) => Promise<{ url: string; close(): Promise<void> }>;
const SERVER_MODULE = new URL('../harness/serve/server.ts', import.meta.url);

test('end to end against harness serve: identity, tokenize, scoring and completions equal the in-process model', { skip: existsSync(SERVER_MODULE) ? false : 'harness/serve/server.ts is not there yet' }, async () => {
  const { startServer } = (await import(SERVER_MODULE.href)) as { startServer: StartServer };
  const tok = charTokenizer('abcdefgh ', ['<eos>']);
  const model = transformerLM(tf, { vocabSize: tok.vocabSize, dModel: 16, heads: 2, layers: 2, ffn: 32, positional: 'rope', maxLength: 24 }, createRng(5));
  const local = asLanguageModel(tf, 'tiny', model, tok, { window: 24, eos: [tokenId(tok, '<eos>')] });
  const lines: string[] = [];
  const served = await startServer(local, { host: '127.0.0.1', port: 0, servedName: 'tiny-lm', maxQueue: 16, log: (l) => lines.push(l) });
  const cacheDir = tempDir();
  try {
    const lm = await openOpenAIModel(spec(served.url, { model: 'tiny-lm' }), { cacheDir });
    assert.equal(lm.descriptor.contextLength, 24);
    assert.equal((lm.descriptor.identity.fingerprint as { meta: { kind: string } }).meta.kind, 'builtin');

    const text = 'abc defg hab';
    assert.deepEqual([...(await lm.tokenize(text))], [...tok.encode(text)]);
    assert.equal(await lm.detokenize(tok.encode(text)), text);

    const rng = createRng(2);
    const ids = Array.from({ length: 40 }, () => Math.floor(rng.next() * 9));
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      assert.equal(a.length, b.length);
      return Math.max(0, ...Array.from(a, (v, i) => Math.abs(v - b[i])));
    };
    const short = ids.slice(0, 23); // 23 prompt tokens + 1 generated = the context of 24
    assert.ok(maxDiff(await lm.tokenLogProbs(short), await local.tokenLogProbs(short)) < 1e-6);

    const plain = (cs: { text: string; finishReason: string }[]) => cs.map(({ text, finishReason }) => ({ text, finishReason }));
    for (const opts of [
      { maxTokens: 8 },
      { maxTokens: 8, temperature: 1, seed: 7, n: 3 },
      { maxTokens: 10, temperature: 0.8, topK: 4, topP: 0.9, seed: 1, n: 2, stop: ['a'] },
    ]) {
      assert.deepEqual(await lm.complete('abc', opts), plain(await local.complete('abc', opts)), JSON.stringify(opts));
      assert.deepEqual(await lm.complete(tok.encode('hg'), opts), plain(await local.complete(tok.encode('hg'), opts)), JSON.stringify(opts));
    }

    const windowed = await openOpenAIModel(spec(served.url, { model: 'tiny-lm', contextLength: 10 }), { cacheDir });
    assert.ok(maxDiff(await windowed.tokenLogProbs(ids), tokenLogProbs(tf, model, ids, { window: 8 })) < 1e-6);
    // longer than the served context (24): harness serve windows it itself, exactly as in process, in one request
    const long = Array.from({ length: 60 }, (_, i) => (i * 7) % tok.vocabSize);
    const beforeLong = lines.filter((l) => l.startsWith('POST')).length;
    assert.ok(maxDiff(await lm.tokenLogProbs(long), await local.tokenLogProbs(long)) < 1e-6);
    assert.equal(lines.filter((l) => l.startsWith('POST')).length - beforeLong, 1);
    await lm.close();
    await windowed.close();

    // a rerun over the same cache asks the server for nothing but the model list
    const posts = () => lines.filter((l) => l.startsWith('POST')).length;
    const before = posts();
    const rerun = await openOpenAIModel(spec(served.url, { model: 'tiny-lm' }), { cacheDir });
    await rerun.tokenLogProbs(short);
    await rerun.complete('abc', { maxTokens: 8, temperature: 1, seed: 7, n: 3 });
    await rerun.close();
    assert.equal(posts(), before);
  } finally {
    await served.close();
    model.dispose();
  }
});
