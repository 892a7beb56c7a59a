// `harness serve`: an OpenAI-compatible HTTP server over any LanguageModel. A tiny random-weight
// Transformer is served and queried with the official `openai` client; every answer must equal what
// the same model answers in process, whatever the concurrency, and every bad field a 400 naming it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import OpenAI, { APIError } from 'openai';
import type { CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { Completion, LanguageModel, SamplingOptions } from '../harness/api/language-model.ts';
import { loadTensorBackend } from '../harness/backends/tensors.ts';
import { plainChatPrompt, type LocalLanguageModel } from '../harness/models/local.ts';
import { asLanguageModel } from '../harness/models/sequence-model-lm.ts';
import { byteTokenizer, transformerLM, type Tf, type TransformerConfig } from '../harness/nn/lm/index.ts';
import { canonicalJson, sha256 } from '../harness/plan/canonical.ts';
import { createRng } from '../harness/plan/seeds.ts';
import { RequestQueue, QueueFullError } from '../harness/serve/queue.ts';
import { startServer, type RunningServer } from '../harness/serve/server.ts';
import { ROOT, hasStackTrace, tempDir } from './helpers.ts';

const CONFIG: TransformerConfig = { vocabSize: 256, dModel: 16, heads: 2, layers: 1, ffn: 32, positional: 'learned', maxLength: 64 };
const WEIGHTS_SEED = 11;
const NAME = 'tiny-serve';

let tf: Tf;
let lm: LocalLanguageModel;
let server: RunningServer;
let client: OpenAI;
const logLines: string[] = [];

function tinyModel(name = NAME): LocalLanguageModel {
  return asLanguageModel(tf, name, transformerLM(tf, CONFIG, createRng(WEIGHTS_SEED)), byteTokenizer);
}

function openaiClient(url: string): OpenAI {
  return new OpenAI({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
}

const ids = (text: string) => Array.from(byteTokenizer.encode(text));

/** A real model whose generation waits for `release()`: requests pile up while one is running. */
function gatedModel(model: LanguageModel) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let calls = 0;
  const wrapped: LanguageModel = {
    ...model,
    complete: async (prompt: string | ArrayLike<number>, opts: SamplingOptions): Promise<Completion[]> => {
      calls++;
      for (const w of waiters) if (calls >= w.count) w.resolve();
      await gate;
      return model.complete(prompt, opts);
    },
  };
  return {
    model: wrapped,
    release: () => open(),
    calls: () => calls,
    /** Resolves once `complete` has been entered `count` times in all. */
    entered: (count: number) => new Promise<void>((resolve) => (calls >= count ? resolve() : waiters.push({ count, resolve }))),
  };
}

/** The fields of a response body these tests read. */
interface ResponseJson {
  error: { message: string; type: string; param: string | null; code: string | null };
  choices: Array<{ text: string }>;
}

interface Posted {
  status: number;
  headers: Headers;
  json: ResponseJson;
}

async function post(url: string, body: unknown): Promise<Posted> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const root = () => server.url.replace(/\/v1$/, '');

before(async () => {
  tf = (await loadTensorBackend('wasm')).tf as Tf;
  lm = tinyModel();
  server = await startServer(lm, { log: (line) => logLines.push(line) });
  client = openaiClient(server.url);
});

after(async () => {
  await server?.close();
  await lm?.close();
});

describe('models, completions and chat through the openai client', () => {
  test('GET /v1/models lists the served model with its context length and identity hash', async () => {
    const startedAt = Math.floor(Date.now() / 1000);
    const page = await client.models.list();
    assert.equal(page.data.length, 1);
    const card = page.data[0] as OpenAI.Model & { max_model_len: number | null; meta: unknown };
    assert.equal(card.id, NAME);
    assert.equal(card.object, 'model');
    assert.equal(card.owned_by, 'harness');
    assert.equal(card.max_model_len, CONFIG.maxLength);
    assert.ok(card.created <= startedAt && card.created > startedAt - 600);
    assert.deepEqual(card.meta, { kind: 'builtin', identity_sha256: sha256(canonicalJson(lm.descriptor.identity)), logprobs: true, chat: false });
    assert.equal((await client.models.retrieve(NAME)).id, NAME);
  });

  test('greedy completion of a text prompt and of token ids equals the in-process completion', async () => {
    const prompt = 'def add(a, b):';
    const [expected] = await lm.complete(prompt, { maxTokens: 12, temperature: 0 });
    const served = await client.completions.create({ model: NAME, prompt, max_tokens: 12, temperature: 0 });
    assert.equal(served.object, 'text_completion');
    assert.equal(served.model, NAME);
    assert.equal(served.choices.length, 1);
    assert.equal(served.choices[0].text, expected.text);
    assert.equal(served.choices[0].finish_reason, expected.finishReason);
    assert.equal(served.choices[0].logprobs, null);
    assert.deepEqual(served.usage, { prompt_tokens: prompt.length, completion_tokens: expected.tokens!.length, total_tokens: prompt.length + expected.tokens!.length });
    const byIds = await client.completions.create({ model: NAME, prompt: ids(prompt), max_tokens: 12, temperature: 0 });
    assert.equal(byIds.choices[0].text, expected.text);
    const wrapped = await client.completions.create({ model: NAME, prompt: [prompt], max_tokens: 12, temperature: 0 });
    assert.equal(wrapped.choices[0].text, expected.text);
  });

  test('echo + logprobs with max_tokens 0 scores the prompt exactly as tokenLogProbs does', async () => {
    const prompt = 'return a + b';
    const expected = await lm.tokenLogProbs(ids(prompt));
    const served = await client.completions.create({ model: NAME, prompt, max_tokens: 0, echo: true, logprobs: 0 });
    const choice = served.choices[0];
    assert.equal(choice.text, prompt);
    const lp = choice.logprobs!;
    assert.deepEqual(lp.tokens, Array.from(prompt));
    assert.deepEqual(lp.text_offset, Array.from(prompt, (_, i) => i));
    assert.equal(lp.token_logprobs![0], null);
    assert.equal(lp.token_logprobs!.length, prompt.length);
    for (let i = 1; i < prompt.length; i++) assert.ok(Math.abs(lp.token_logprobs![i] - expected[i - 1]) < 1e-9, `token ${i}`);
    assert.equal(lp.top_logprobs, null);
    assert.deepEqual(served.usage, { prompt_tokens: prompt.length, completion_tokens: 0, total_tokens: prompt.length });
  });

  test('echo + logprobs with generation: the generated tokens are scored after the prompt', async () => {
    const prompt = 'x = 1';
    const [expected] = await lm.complete(prompt, { maxTokens: 6, temperature: 0 });
    const all = [...ids(prompt), ...expected.tokens!];
    const scores = await lm.tokenLogProbs(all);
    const served = await client.completions.create({ model: NAME, prompt, max_tokens: 6, temperature: 0, echo: true, logprobs: 1 });
    const choice = served.choices[0];
    assert.equal(choice.text, prompt + expected.text);
    assert.equal(choice.logprobs!.token_logprobs!.length, all.length);
    for (let i = 1; i < all.length; i++) assert.ok(Math.abs(choice.logprobs!.token_logprobs![i] - scores[i - 1]) < 1e-9, `token ${i}`);
    const plain = await client.completions.create({ model: NAME, prompt, max_tokens: 6, temperature: 0, logprobs: 0, return_tokens_as_token_ids: true } as CompletionCreateParamsNonStreaming);
    const lp = plain.choices[0].logprobs!;
    assert.deepEqual(lp.tokens, expected.tokens!.map((id) => `token_id:${id}`));
    assert.equal(lp.text_offset![0], 0);
    for (let j = 0; j < expected.tokens!.length; j++) assert.ok(Math.abs(lp.token_logprobs![j] - scores[prompt.length - 1 + j]) < 1e-9);
  });

  test('n = 3 sampled completions with a seed (and top_k, top_p) equal the in-process ones; no seed means seed 0', async () => {
    const prompt = 'for i in range(';
    const opts = { maxTokens: 8, temperature: 0.9, n: 3, seed: 5 };
    const expected = await lm.complete(prompt, opts);
    const served = await client.completions.create({ model: NAME, prompt, max_tokens: 8, temperature: 0.9, n: 3, seed: 5 });
    assert.deepEqual(served.choices.map((c) => c.text), expected.map((c) => c.text));
    assert.deepEqual(served.choices.map((c) => c.index), [0, 1, 2]);
    assert.ok(new Set(expected.map((c) => c.text)).size > 1, 'the three samples differ');
    const unseeded = await client.completions.create({ model: NAME, prompt, max_tokens: 8, temperature: 0.9, n: 3 });
    assert.deepEqual(unseeded.choices.map((c) => c.text), (await lm.complete(prompt, { ...opts, seed: 0 })).map((c) => c.text));
    const truncated = await lm.complete(prompt, { ...opts, topK: 4, topP: 0.8 });
    const servedTruncated = await client.completions.create({ model: NAME, prompt, max_tokens: 8, temperature: 0.9, n: 3, seed: 5, top_k: 4, top_p: 0.8 } as CompletionCreateParamsNonStreaming);
    assert.deepEqual(servedTruncated.choices.map((c) => c.text), truncated.map((c) => c.text));
  });

  test('stop strings cut the text as in process, with finish_reason stop', async () => {
    const prompt = 'while True:';
    const [free] = await lm.complete(prompt, { maxTokens: 20, temperature: 0 });
    const stop = free.text.slice(6, 8);
    const [expected] = await lm.complete(prompt, { maxTokens: 20, temperature: 0, stop: [stop] });
    const served = await client.completions.create({ model: NAME, prompt, max_tokens: 20, temperature: 0, stop });
    assert.equal(served.choices[0].text, expected.text);
    assert.equal(served.choices[0].finish_reason, 'stop');
    assert.ok(served.choices[0].text.length <= 6);
  });

  test('chat completion of a model without chat equals completing the plain chat prompt', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Say hi' },
    ];
    const [expected] = await lm.complete(plainChatPrompt(messages), { maxTokens: 10, temperature: 0 });
    const served = await client.chat.completions.create({ model: NAME, messages, max_tokens: 10, temperature: 0 });
    assert.equal(served.object, 'chat.completion');
    assert.equal(served.choices[0].message.role, 'assistant');
    assert.equal(served.choices[0].message.content, expected.text);
    assert.equal(served.choices[0].finish_reason, expected.finishReason);
    assert.equal(served.usage!.prompt_tokens, ids(plainChatPrompt(messages)).length);
  });
});

describe('errors in OpenAI\'s shape', () => {
  async function rejection(call: Promise<unknown>): Promise<APIError> {
    try {
      await call;
    } catch (error) {
      assert.ok(error instanceof APIError, `expected an APIError, got ${error}`);
      return error;
    }
    assert.fail('the request succeeded');
  }

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['n', { n: 0 }, /n: expected an integer ≥ 1, got 0/],
    ['max_tokens', { max_tokens: -1 }, /max_tokens: expected an integer ≥ 0/],
    ['temperature', { temperature: -0.5 }, /temperature: expected a number ≥ 0/],
    ['top_p', { top_p: 1.5 }, /top_p: expected a number in \(0, 1\]/],
    ['prompt', { prompt: [1, 999] }, /prompt: expected token ids that are integers in 0\.\.255, got 999 at index 1/],
    ['prompt', { prompt: [1, 2.5] }, /got 2\.5 at index 1/],
    ['prompt', { prompt: 42 }, /prompt: expected a string, an array of token ids/],
    ['prompt', { prompt: ['a', 'b'] }, /batch of 2/],
    ['prompt', { prompt: '' }, /at least one token/],
    ['stop', { stop: 5 }, /stop: expected a string or an array of strings/],
    ['echo', { echo: 'yes' }, /echo: expected true or false/],
    ['logprobs', { logprobs: -1 }, /logprobs: expected an integer ≥ 0/],
    ['seed', { seed: 1.5 }, /seed: expected an integer, got 1.5/],
    ['top_k', { top_k: -2 }, /top_k: expected an integer ≥ 1, or -1 \(or 0\) for no top-k, got -2/],
    ['model', { model: 7 }, /model: expected a string/],
    ['presence_penalty', { presence_penalty: 0.5 }, /presence_penalty: not supported/],
  ];
  for (const [param, fields, message] of bad) {
    test(`completions: a bad ${param} (${JSON.stringify(fields)}) is a 400 naming it`, async () => {
      const error = await rejection(client.completions.create({ model: NAME, prompt: 'a', max_tokens: 2, temperature: 0, ...fields } as CompletionCreateParamsNonStreaming));
      assert.equal(error.status, 400);
      assert.equal(error.param, param);
      assert.equal(error.type, 'invalid_request_error');
      assert.match(error.message, message);
    });
  }

  test('chat: empty messages, an unknown role and a non-string content are 400s naming the field', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [[], 'messages', /at least one message/],
      [[{ role: 'robot', content: 'x' }], 'messages[0].role', /one of system, user, assistant, got "robot"/],
      [[{ role: 'user', content: 'a' }, { role: 'user', content: 3 }], 'messages[1].content', /expected a string/],
    ];
    for (const [messages, param, message] of cases) {
      const error = await rejection(client.chat.completions.create({ model: NAME, messages } as OpenAI.ChatCompletionCreateParamsNonStreaming));
      assert.equal(error.status, 400);
      assert.equal(error.param, param);
      assert.match(error.message, message);
    }
  });

  test('an unknown model is a 404 listing the served names', async () => {
    const error = await rejection(client.completions.create({ model: 'gpt-7', prompt: 'a', max_tokens: 1 }));
    assert.equal(error.status, 404);
    assert.equal(error.param, 'model');
    assert.match(error.message, /"gpt-7" is not served here; served models: tiny-serve/);
    assert.equal((await rejection(client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'a' }] }))).status, 404);
  });

  test('invalid JSON, a non-object body, an unknown route, a wrong method and a huge body', async () => {
    const invalid = await post(`${server.url}/completions`, '{"model": ');
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json, { error: { message: 'the request body is not valid JSON', type: 'invalid_request_error', param: null, code: null } });
    assert.match((await post(`${server.url}/completions`, '[1]')).json.error.message, /must be a JSON object/);
    const unknown = await post(`${server.url}/embeddings`, {});
    assert.equal(unknown.status, 404);
    const wrong = await fetch(`${server.url}/completions`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    const huge = await post(`${server.url}/completions`, JSON.stringify({ model: NAME, prompt: 'x'.repeat(33 * 1024 * 1024) }));
    assert.equal(huge.status, 413);
    assert.match(huge.json.error.message, /larger than 32 MB/);
  });

  test('an exception from the model is a 500 with its message and no stack', async () => {
    const failing: LanguageModel = { ...lm, complete: async () => { throw new RangeError('the weights are on fire'); } };
    const other = await startServer(failing, { servedName: 'failing' });
    try {
      const response = await post(`${other.url}/completions`, { model: 'failing', prompt: 'a', max_tokens: 2 });
      assert.equal(response.status, 500);
      assert.deepEqual(response.json, { error: { message: 'the weights are on fire', type: 'server_error', param: null, code: null } });
      assert.ok(!hasStackTrace(JSON.stringify(response.json)));
    } finally {
      await other.close();
    }
  });
});

describe('tokenize and detokenize (vLLM and llama.cpp forms)', () => {
  test('POST /tokenize and /v1/tokenize return the model\'s token ids; /detokenize inverts them', async () => {
    const text = 'print("ü")';
    const expected = ids(text);
    for (const [path, body] of [['/tokenize', { prompt: text }], ['/v1/tokenize', { content: text, model: NAME }]] as const) {
      const response = await post(root() + path, body);
      assert.equal(response.status, 200, path);
      assert.deepEqual(response.json, { tokens: expected, count: expected.length, max_model_len: CONFIG.maxLength });
    }
    for (const path of ['/detokenize', '/v1/detokenize']) {
      const response = await post(root() + path, { tokens: expected });
      assert.deepEqual(response.json, { prompt: text, content: text });
    }
    const outside = await post(`${root()}/detokenize`, { tokens: [1, 256] });
    assert.equal(outside.status, 400);
    assert.equal(outside.json.error.param, 'tokens');
    assert.match(outside.json.error.message, /0\.\.255, got 256 at index 1/);
    assert.equal((await post(`${root()}/tokenize`, { text: 'a' })).json.error.param, 'prompt');
    assert.equal((await post(`${root()}/tokenize`, { prompt: 'a', model: 'other' })).status, 404);
  });

  test('every request is logged as one line: method, path, status, milliseconds', () => {
    assert.ok(logLines.some((line) => /^POST \/tokenize 200 \d+ ms$/.test(line)), logLines.join('\n'));
    assert.ok(logLines.some((line) => /^GET \/v1\/models 200 \d+ ms$/.test(line)));
  });
});

describe('queue, concurrency and shutdown', { timeout: 20_000 }, () => {
  test('the queue runs tasks in arrival order, at most `concurrency` at once, and refuses beyond maxQueue', async () => {
    const queue = new RequestQueue(2, 3);
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const task = (i: number) => () => new Promise<number>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      gates.push(() => {
        running--;
        resolve(i);
      });
    });
    const done = [0, 1, 2, 3, 4].map((i) => queue.run(task(i)));
    await assert.rejects(queue.run(task(5)), QueueFullError);
    assert.deepEqual([queue.runningCount, queue.waitingCount], [2, 3]);
    while (gates.length) {
      gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(done), [0, 1, 2, 3, 4]);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(peak, 2);
    assert.deepEqual([queue.runningCount, queue.waitingCount], [0, 0]);
  });

  test('32 concurrent clients each get their own answer: none dropped, mixed or reordered', async () => {
    const busy = await startServer(lm, { concurrency: 3 });
    try {
      const requests = Array.from({ length: 32 }, (_, i) => ({ prompt: `request ${i}:`, temperature: i % 2 ? 0.8 : 0, seed: i, max_tokens: 4 + (i % 5) }));
      const expected: string[] = [];
      for (const r of requests) expected.push((await lm.complete(r.prompt, { maxTokens: r.max_tokens, temperature: r.temperature, seed: r.seed }))[0].text);
      const served = await Promise.all(requests.map((r) => openaiClient(busy.url).completions.create({ model: NAME, ...r })));
      assert.deepEqual(served.map((s) => s.choices[0].text), expected);
      assert.equal(new Set(served.map((s) => s.id)).size, 32);
      assert.deepEqual(served.map((s) => s.usage!.prompt_tokens), requests.map((r) => r.prompt.length));
    } finally {
      await busy.close();
    }
  });

  test('beyond maxQueue waiting requests the server answers 429 with Retry-After, and the queued ones complete', async () => {
    const gated = gatedModel(lm);
    const busy = await startServer(gated.model, { concurrency: 1, maxQueue: 2 });
    try {
      const body = (i: number) => ({ model: NAME, prompt: `queued ${i}`, max_tokens: 3, temperature: 0 });
      const first = post(`${busy.url}/completions`, body(0));
      await gated.entered(1);
      const settled: Posted[] = [];
      const rest = [1, 2, 3, 4, 5].map((i) => post(`${busy.url}/completions`, body(i)).then((r) => (settled.push(r), r)));
      await until(() => settled.length >= 3, 'three requests refused');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(settled.length, 3, 'exactly three requests are refused while two wait');
      for (const r of settled) {
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('retry-after'), '1');
        assert.equal(r.json.error.type, 'rate_limit_error');
      }
      assert.equal(gated.calls(), 1);
      gated.release();
      const results = await Promise.all([first, ...rest]);
      assert.equal(results.filter((r) => r.status === 200).length, 3);
      for (const [i, r] of results.entries()) {
        if (r.status === 200) assert.equal(r.json.choices[0].text, (await lm.complete(`queued ${i}`, { maxTokens: 3, temperature: 0 }))[0].text);
      }
      assert.equal(gated.calls(), 3);
    } finally {
      gated.release();
      await busy.close();
    }
  });

  test('close() stops accepting connections but finishes the request in flight', async () => {
    const gated = gatedModel(lm);
    const closing = await startServer(gated.model);
    const inFlight = post(`${closing.url}/completions`, { model: NAME, prompt: 'last one', max_tokens: 5, temperature: 0 });
    await gated.entered(1);
    let closed = false;
    const done = closing.close().then(() => (closed = true));
    await assert.rejects(fetch(`${closing.url}/models`, { headers: { Connection: 'close' } }));
    assert.equal(closed, false, 'close() waits for the request in flight');
    gated.release();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(response.json.choices[0].text, (await lm.complete('last one', { maxTokens: 5, temperature: 0 }))[0].text);
    await done;
    assert.equal(closed, true);
  });
});

describe('the serve command', { concurrency: true, timeout: 60_000 }, () => {
  // main.ts registers its commands; until `serve` is among them the driver adds it to the same program.
  const driver = `
    import { buildProgram, reportError } from ${JSON.stringify(pathToFileURL(join(ROOT, 'harness/cli/main.ts')).href)};
    import { registerServe } from ${JSON.stringify(pathToFileURL(join(ROOT, 'harness/cli/serve.ts')).href)};
    const program = buildProgram();
    if (!program.commands.some((c) => c.name() === 'serve')) registerServe(program);
    try {
      await program.parseAsync(process.argv.slice(1), { from: 'user' });
      process.exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (error) {
      process.exitCode = reportError(error);
    }`;

  function serveCli(args: string[]): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', driver, '--', 'serve', ...args], {
      cwd: ROOT,
      env: { ...process.env, HARNESS_CACHE_DIR: tempDir('harness-serve-cache-') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, stdout: () => stdout, stderr: () => stderr, exit };
  }

  async function waitFor(read: () => string, pattern: RegExp, exit: Promise<number | null>): Promise<RegExpMatchArray> {
    // Generous: a cold start (tsx compile, plugin check, model build) takes seconds idle, far more on a loaded machine.
    const deadline = Date.now() + 90_000;
    let exited = false;
    void exit.then(() => (exited = true));
    while (Date.now() < deadline) {
      const match = read().match(pattern);
      if (match) return match;
      if (exited) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail(`no ${pattern} in: ${read()}`);
  }

  /** A plugin folder shipping the test's tiny model as builtin:serve-fixture/tiny. */
  function fixturePlugin(): string {
    const dir = join(tempDir('harness-serve-plugin-'), 'serve-fixture');
    mkdirSync(dir);
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify({
      id: 'serve-fixture', title: 'A tiny random-weight Transformer to serve', version: '1.0.0', harnessApi: '^1.0.0',
      paper: { arxiv: '1706.03762', title: 'Attention is all you need', year: 2017 }, entry: 'index.ts',
      models: [{ id: 'tiny', title: 'tiny byte-level Transformer with random weights' }],
    }));
    const from = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
    writeFileSync(join(dir, 'index.ts'), `
      import { definePlugin } from ${from('harness/api/index.ts')};
      import { asLanguageModel } from ${from('harness/models/sequence-model-lm.ts')};
      import { byteTokenizer, transformerLM } from ${from('harness/nn/lm/index.ts')};
      import { createRng } from ${from('harness/plan/seeds.ts')};
      export default definePlugin({
        models: {
          tiny: async (ctx) => {
            const tf = (await ctx.tensors()).tf;
            return asLanguageModel(tf, 'tiny', transformerLM(tf, ${JSON.stringify(CONFIG)}, createRng(${WEIGHTS_SEED})), byteTokenizer);
          },
        },
      });`);
    return dir;
  }

  test('serves a builtin model: one "serving" line, answers as in process, logs requests, exits 0 on SIGTERM', async () => {
    const run = serveCli(['--model', 'builtin:serve-fixture/tiny', '--plugin', fixturePlugin(), '--port', '0', '--served-name', 'fixture']);
    try {
      const [line, url] = await waitFor(run.stdout, /^serving fixture on (http:\/\/127\.0\.0\.1:\d+\/v1)\n/, run.exit);
      assert.ok(line);
      const served = await openaiClient(url).completions.create({ model: 'fixture', prompt: 'hello', max_tokens: 8, temperature: 0 });
      assert.equal(served.choices[0].text, (await lm.complete('hello', { maxTokens: 8, temperature: 0 }))[0].text);
      run.child.kill('SIGTERM');
      assert.equal(await run.exit, 0);
      assert.match(run.stderr(), /^POST \/v1\/completions 200 \d+ ms$/m);
      assert.match(run.stderr(), /SIGTERM: finishing the requests in flight/);
      assert.ok(!/warning/.test(run.stderr()));
      assert.equal(run.stdout().split('\n').filter(Boolean).length, 1);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('a non-loopback host prints a warning that there is no authentication; SIGINT also shuts down cleanly', async () => {
    const run = serveCli(['--model', 'builtin:serve-fixture/tiny', '--plugin', fixturePlugin(), '--host', '0.0.0.0', '--port', '0']);
    try {
      await waitFor(run.stdout, /^serving tiny on http:\/\/0\.0\.0\.0:\d+\/v1\n/, run.exit);
      assert.match(run.stderr(), /warning: .*no authentication/);
      run.child.kill('SIGINT');
      assert.equal(await run.exit, 0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('a port in use is one clear error line and exit code 2', async () => {
    const holder: NetServer = createNetServer();
    const port = await new Promise<number>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, () => resolve((holder.address() as { port: number }).port)));
    try {
      const run = serveCli(['--model', 'builtin:serve-fixture/tiny', '--plugin', fixturePlugin(), '--port', String(port)]);
      assert.equal(await run.exit, 2);
      assert.equal(run.stderr(), `error: port ${port} on 127.0.0.1 is already in use (pick another with --port, or --port 0 for any free port)\n`);
      assert.equal(run.stdout(), '');
    } finally {
      holder.close();
    }
  });

  test('argument errors: no --model, a malformed spec, an unknown builtin plugin, a bad port', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /required option '--model <spec>' not specified/],
      [["--model", "nonsense:x"], /--model: "nonsense:x": unknown model kind "nonsense"/],
      [['--model', 'builtin:no-such-plugin/tiny', '--port', '0'], /unknown plugin "no-such-plugin"/],
      [['--model', 'builtin:serve-fixture/tiny', '--port', '70000'], /expected a port number 0\.\.65535/],
    ];
    const runs = cases.map(([args]) => serveCli(args));
    for (const [i, [args, message]] of cases.entries()) {
      assert.equal(await runs[i].exit, 2, args.join(' '));
      assert.match(runs[i].stderr(), message);
      assert.ok(!hasStackTrace(runs[i].stderr()));
    }
  });
});
