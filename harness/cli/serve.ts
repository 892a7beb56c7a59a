// `harness serve --model <spec>`: one model behind an OpenAI-compatible HTTP API until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createServer as createNetServer, isIP } from 'node:net';
import { UserError } from '../errors.ts';
import { openModel } from '../models/open.ts';
import { parseModelSpec } from '../models/spec.ts';
import { discover } from '../plan/registry.ts';
import { defaultCacheDir } from '../run/runner.ts';
import { startServer } from '../serve/server.ts';
import { collect, parsePositiveInt } from './options.ts';

interface ServeCommandOptions {
  model: string;
  host: string;
  port: number;
  servedName?: string;
  maxQueue: number;
  concurrency: number;
  plugin: string[];
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a model over an OpenAI-compatible HTTP API (/v1/models, /v1/completions, /v1/chat/completions, /tokenize, /detokenize)')
    .requiredOption('--model <spec>', 'the model: openai:<base-url>#<served-name>, onnx:<folder> or builtin:<plugin>/<model>')
    .option('--host <host>', 'address to listen on; the server has no authentication, so keep it on loopback', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 8000)
    .option('--served-name <name>', 'the name clients send as `model` (default the model\'s name)')
    .option('--max-queue <n>', 'requests waiting beyond the running ones; more are answered 429', parseNonNegativeInt, 64)
    .option('--concurrency <n>', 'model calls at once', parsePositiveInt, 1)
    .option('--plugin <dir>', 'load a plugin from this folder, for builtin: models (repeatable)', collect, [])
    .action(serve);
}

async function serve(opts: ServeCommandOptions): Promise<void> {
  const spec = parseModelSpec(opts.model, '--model');
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!isLoopback(opts.host)) say(`warning: listening on ${opts.host}, beyond this machine; the server has no authentication: anyone who reaches the port can use the model`);
  // Checked before the model loads, which may take minutes.
  if (opts.port !== 0) await checkPortFree(opts.host, opts.port);
  const model = await openModel(spec, { cacheDir: defaultCacheDir(), registry: discover({ pluginDirs: opts.plugin }), log: say });
  let server;
  try {
    server = await startServer(model, { host: opts.host, port: opts.port, servedName: opts.servedName, maxQueue: opts.maxQueue, concurrency: opts.concurrency, log: say });
  } catch (error) {
    await model.close();
    throw listenError(error, opts.host, opts.port);
  }
  process.stdout.write(`serving ${opts.servedName ?? model.descriptor.name} on ${server.url}\n`);
  const signal = await nextSignal();
  say(`${signal}: finishing the requests in flight, then closing the model`);
  await server.close();
  await model.close();
  // Shutdown is done; a handle the model left open (a socket pool, a worker) must not keep the process alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

/** The first SIGTERM or SIGINT; a second one falls back to Node's default and ends the process at once. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', (error) => reject(listenError(error, host, port)));
    probe.listen({ host, port }, () => probe.close(() => resolve()));
  });
}

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UserError(`port ${port} on ${host} is already in use (pick another with --port, or --port 0 for any free port)`);
  if (code === 'EACCES') return new UserError(`not allowed to listen on port ${port} of ${host} (ports below 1024 need privileges; pick another with --port)`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UserError(`cannot listen on ${host}: no such address on this machine`);
  return error;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return Number(value);
}

function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}
