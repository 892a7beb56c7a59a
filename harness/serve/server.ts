// An OpenAI-compatible HTTP server over any LanguageModel: reads and parses bodies, routes, queues
// model calls, answers errors in OpenAI's shape, logs one line per request, and shuts down cleanly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LanguageModel } from '../api/language-model.ts';
import { ApiError, asApiError, errorBody } from './api-error.ts';
import { createContext, type ServeContext } from './context.ts';
import { QueueFullError, RequestQueue } from './queue.ts';
import { findRoute } from './routes.ts';

export interface ServeOptions {
  /** Default 127.0.0.1: the server has no authentication. */
  host?: string;
  /** 0 = any free port (default). */
  port?: number;
  /** The name clients send as `model` (default the descriptor's name). */
  servedName?: string;
  /** Requests waiting beyond the running ones (default 64); more are answered 429 with Retry-After. */
  maxQueue?: number;
  /** Model calls at once (default 1). */
  concurrency?: number;
  /** One line per request: method, path, status, milliseconds (never a body). */
  log?: (line: string) => void;
  /** Do not keep the process alive for the server alone (a benchmark's helper server). */
  unref?: boolean;
}

export interface RunningServer {
  /** Base URL with the API prefix, e.g. http://127.0.0.1:8000/v1. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight and queued requests finish (at most SHUTDOWN_GRACE_MS). The caller closes the model. */
  close(): Promise<void>;
}

/** Largest request body read; OpenAI-style prompts of token ids stay far below it. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** How long close() waits for in-flight requests before dropping their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

export async function startServer(model: LanguageModel, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const ctx = createContext(model, options.servedName ?? model.descriptor.name);
  const queue = new RequestQueue(options.concurrency ?? 1, options.maxQueue ?? 64);
  const log = options.log ?? (() => {});
  let closing = false;
  const server = createServer((req, res) => {
    const started = performance.now();
    void answer(req, res, ctx, queue, () => closing).then((status) => {
      log(`${req.method} ${pathOf(req)} ${status} ${Math.round(performance.now() - started)} ms`);
    });
  });
  const port = await listen(server, host, options.port ?? 0);
  if (options.unref) server.unref();
  // After listening, a socket-level failure (too many open files) is logged rather than fatal.
  server.on('error', (error) => log(`server error: ${error.message}`));
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Answers one request; resolves with the status sent. */
async function answer(req: IncomingMessage, res: ServerResponse, ctx: ServeContext, queue: RequestQueue, closing: () => boolean): Promise<number> {
  try {
    if (closing()) throw new ApiError(503, 'the server is shutting down', null, 'server_error');
    const path = pathOf(req);
    const route = findRoute(req.method ?? 'GET', path);
    const body = route.method === 'POST' ? await readJson(req) : undefined;
    const result = route.queued ? await queue.run(() => route.handle(ctx, body, path)) : await route.handle(ctx, body, path);
    return send(res, 200, result, {}, closing());
  } catch (caught) {
    const error = caught instanceof QueueFullError ? new ApiError(429, caught.message, null, 'rate_limit_error', null, { 'Retry-After': '1' }) : asApiError(caught);
    return send(res, error.status, errorBody(error), error.headers, closing() || error.status === 413);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>>, closeConnection: boolean): number {
  if (res.headersSent || res.destroyed) return status;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
    ...(closeConnection ? { Connection: 'close' } : {}),
  });
  res.end(text);
  return status;
}

/** The path without query string or trailing slash. */
function pathOf(req: IncomingMessage): string {
  const path = (req.url ?? '/').split('?', 1)[0];
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The body as JSON; 413 past MAX_BODY_BYTES (the rest is drained, not buffered, so the answer still reaches the client). */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new ApiError(413, `the request body is larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB`);
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      reject(tooLarge());
    };
    const onEnd = () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new ApiError(400, 'the request body is not valid JSON', null));
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
    // Settles nothing once `end` has resolved; otherwise a client that hung up mid-body.
    req.on('close', () => reject(new ApiError(400, 'the client closed the connection before sending the whole body')));
  });
}
