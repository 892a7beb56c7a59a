// JSON over HTTP to an OpenAI-compatible endpoint: a bounded number of requests in flight, retries
// with exponential backoff and full jitter on 429 / 5xx / connection errors (honouring Retry-After),
// a timeout per attempt, and failures as one line that names the URL and never shows the API key.
import type { Json } from '../../api/types.ts';
import { UserError } from '../../errors.ts';

export interface HttpClientOptions {
  /** Environment variable holding the API key; unset or empty → no Authorization header. */
  apiKeyEnv: string;
  /** Requests in flight at once (a request holds its slot through its retries). */
  concurrency: number;
  /** Limit of one attempt, from sending the request to the end of the body. */
  timeoutSeconds: number;
  /** Retries on 429, 408, 5xx, connection errors and timeouts. */
  maxRetries: number;
  /** The caller's cancellation: never retried, rethrown as its reason. */
  signal?: AbortSignal;
  /** Backoff without Retry-After: a uniform draw in [0, min(capMs, baseMs·2^retry)]. */
  backoff?: { baseMs: number; capMs: number };
  log?: (message: string) => void;
}

export interface HttpClient {
  /** The parsed JSON body of a 2xx response; `expected` names its shape in errors. */
  request(method: 'GET' | 'POST', url: string, body: Json | undefined, expected: string): Promise<unknown>;
  /** Resolves once no request is in flight or waiting for a slot. */
  idle(): Promise<void>;
  /** Removes the API key from a text that may quote it (a server's error message). */
  redact(text: string): string;
}

/** A request that failed for good: `status` is the HTTP status (undefined when no response came), `code` the connection error. */
export class EndpointError extends UserError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

const DEFAULT_BACKOFF = { baseMs: 500, capMs: 30_000 };
/** A server asking for more than this is retried after this anyway (a run should not sleep for an hour). */
export const MAX_RETRY_AFTER_MS = 60_000;
/** Malformed or cut-off bodies are often a proxy's hiccup: retried this many times at most. */
const MALFORMED_RETRIES = 2;
const MESSAGE_CHARS = 300;

/** Milliseconds a `Retry-After` header asks for (delay-seconds, fractional accepted, or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Statuses worth another try: rate limits, request timeouts and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const key = process.env[options.apiKeyEnv] || undefined;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const slots = new Semaphore(options.concurrency);
  const timeoutMs = options.timeoutSeconds * 1000;
  const redact = (text: string) => (key && key.length >= 4 ? text.split(key).join('<redacted>') : text);
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;

  async function attempts(method: 'GET' | 'POST', url: string, body: Json | undefined, expected: string): Promise<unknown> {
    const caller = options.signal;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let retries = 0;
    let malformed = 0;
    const retriesText = () => (retries ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '');
    const retry = async (why: string, waitMs?: number) => {
      const wait = Math.min(waitMs ?? Math.random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** retries), MAX_RETRY_AFTER_MS);
      retries++;
      options.log?.(`${method} ${url}: ${why}; retry ${retries} of ${options.maxRetries} in ${(wait / 1000).toFixed(2)} s`);
      await sleep(wait, caller);
    };
    for (;;) {
      caller?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { method, headers, body: payload, signal });
      } catch (error) {
        if (caller?.aborted) throw caller.reason;
        const code = timeout.aborted ? 'timeout' : connectionCode(error);
        const why = timeout.aborted ? `no response within ${options.timeoutSeconds} s` : code;
        if (retries < options.maxRetries) {
          await retry(why);
          continue;
        }
        throw new EndpointError(`${method} ${url}: ${why}${retriesText()}${timeout.aborted ? '' : ' (is the server running?)'}`, undefined, code);
      }
      try {
        text = await response.text();
      } catch (error) {
        if (caller?.aborted) throw caller.reason;
        const why = timeout.aborted ? `response not finished within ${options.timeoutSeconds} s` : `response cut off (${connectionCode(error)})`;
        if (retries < options.maxRetries && (timeout.aborted || malformed++ < MALFORMED_RETRIES)) {
          await retry(why);
          continue;
        }
        throw new EndpointError(`${method} ${url}: ${why}${retriesText()}; expected ${expected}`, response.status, timeout.aborted ? 'timeout' : 'truncated');
      }
      if (!response.ok) {
        const message = redact(serverMessage(text));
        if (isRetryableStatus(response.status) && retries < options.maxRetries) {
          await retry(`${response.status}`, retryAfterMs(response.headers.get('retry-after')));
          continue;
        }
        const hint = response.status === 401 || response.status === 403 ? `; ${key ? `the key in ${options.apiKeyEnv} was refused` : `set the environment variable ${options.apiKeyEnv} to the endpoint's API key`}` : '';
        throw new EndpointError(`${method} ${url}: ${response.status}${retriesText()}: ${message || response.statusText}${hint}`, response.status);
      }
      try {
        return JSON.parse(text);
      } catch {
        if (retries < options.maxRetries && malformed++ < MALFORMED_RETRIES) {
          await retry('malformed JSON');
          continue;
        }
        throw new EndpointError(`${method} ${url}: malformed JSON response${retriesText()}, expected ${expected}; got ${JSON.stringify(oneLine(redact(text), 80))}`, response.status, 'malformed');
      }
    }
  }

  return {
    async request(method, url, body, expected) {
      const release = await slots.acquire(options.signal);
      try {
        return await attempts(method, url, body, expected);
      } finally {
        release();
      }
    },
    idle: () => slots.idle(),
    redact,
  };
}

/** The server's complaint from an error body: OpenAI's {error: {message}}, {error: "…"}, {message} or FastAPI's {detail}. */
function serverMessage(text: string): string {
  let message = text;
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = json.error as { message?: unknown } | string | undefined;
    const found = typeof error === 'string' ? error : (error?.message ?? json.message ?? json.detail);
    if (found !== undefined) message = typeof found === 'string' ? found : JSON.stringify(found);
  } catch {
    // not JSON: the raw text is the message
  }
  return oneLine(message, MESSAGE_CHARS);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET (other side closed) …: what fetch's cause says. */
function connectionCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code && /^E[A-Z]+$/.test(code)) return code;
  const message = cause?.message ?? (error as Error).message;
  return code ? `${code} (${message})` : message;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** At most `limit` holders at once, first come first served. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          this.settle();
          reject(signal!.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(wake);
      });
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else {
        this.active--;
        this.settle();
      }
    };
  }

  idle(): Promise<void> {
    if (this.active === 0 && !this.waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settle(): void {
    if (this.active > 0 || this.waiting.length) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
