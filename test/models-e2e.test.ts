// Bring your own model, end to end as a user runs it: `harness export` writes the shipped long-context
// Transformer as an Optimum-layout ONNX folder, `harness serve` serves that folder over HTTP (a real
// server process on loopback), and the long-context smoke suite runs through the OpenAI-compatible
// adapter: its rows equal those of the same ONNX model run in-process. A run killed with SIGKILL
// resumes without re-sending the requests whose answers it had cached.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseModelSpec } from '../harness/models/spec.ts';
import { runSuite } from '../harness/run/runner.ts';
import { BIN, ROOT, cli, tempDir } from './helpers.ts';

interface Served {
  url: string;
  /** One line per request the server answered (`POST /v1/completions 200 3 ms`). */
  log: string[];
  stop(): Promise<number | null>;
}

/** `harness serve` in a child process; resolves once it prints its "serving … on URL" line. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    log.push(...chunk.split('\n').filter((l) => /^(GET|POST) /.test(l)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /^serving \S+ on (http:\/\/127\.0\.0\.1:\d+\/v1)$/m.exec(out);
      if (m) resolve({ url: m[1], log, stop: async () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((code) => reject(new Error(`harness serve exited (${code}) before serving: ${err}`)));
  });
}

const posts = (s: Served) => s.log.filter((l) => l.startsWith('POST')).length;

function exportW256(): string {
  const dir = join(tempDir('w256-'), 'onnx');
  const r = cli(['export', '--model', 'builtin:gemini-long-context/transformer-w256', '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  for (const file of ['model.onnx', 'tokenizer.json', 'config.json']) assert.ok(existsSync(join(dir, file)), file);
  return dir;
}

test('the long-context smoke suite through harness serve and the HTTP adapter equals the in-process ONNX model', async () => {
  const onnx = exportW256();
  const served = await serve(['--model', `onnx:${onnx}`, '--served-name', 'w256']);
  try {
    const result = await runSuite({
      suite: 'long-context', budget: 'smoke', out: join(tempDir(), 'run'), pluginDirs: [], jobs: 2, backend: 'auto', failFast: false, force: true,
      cacheDir: tempDir('cache-'), log: () => {},
      models: [parseModelSpec(`local=onnx:${onnx}`), parseModelSpec(`remote=openai:${served.url}#w256`)],
    });
    const failed = result.rows.filter((r) => r.status !== 'ok');
    assert.equal(failed.length, 0, failed.map((r) => `${r.method} ${r.params}: ${r.reason}`).join('\n'));
    const values = (method: string) =>
      new Map(result.rows.filter((r) => r.method === method && r.unit !== 'ms').map((r) => [`${r.task} ${r.params} ${r.seed} ${r.metric}`, r.value]));
    const [local, remote] = [values('local'), values('remote')];
    assert.ok(local.size >= 40, `${local.size} metric values`);
    assert.deepEqual(remote, local);
    // every task kind ran: needles, multi-needle, NLL (a 4096-byte document, longer than the 256-token context)
    assert.ok([...local.keys()].some((k) => k.includes('cumulative-nll') && k.endsWith('powerlaw-r2')));
    assert.ok([...local.keys()].some((k) => k.includes('multi-needle') && k.endsWith('recall-strict')));
    assert.equal(local.get('gemini-long-context/cumulative-nll {"corpus":"code","maxTokens":4096} 0 scoring-window'), 256);
    // the rows name the model: backend model:<kind>, backend_version = its identity's sha256 prefix
    const remoteRow = result.rows.find((r) => r.method === 'remote')!;
    assert.equal(remoteRow.backend, 'model:openai');
    assert.match(remoteRow.backend_version, /^[0-9a-f]{16}$/);
    assert.notEqual(remoteRow.backend_version, result.rows.find((r) => r.method === 'local')!.backend_version);
  } finally {
    assert.equal(await served.stop(), 0);
  }
});

test('kill -9 during a run against an endpoint: the rerun resumes and re-sends nothing it had cached', async (t) => {
  const onnx = exportW256();
  const served = await serve(['--model', `onnx:${onnx}`, '--served-name', 'w256']);
  const cache = tempDir('cache-');
  const out = join(tempDir(), 'run');
  const args = ['run', 'long-context', '--model', `remote=openai:${served.url}#w256`, '--out', out, '--jobs', '1'];
  const env = { ...process.env, HARNESS_CACHE_DIR: cache };
  try {
    // 1. start, wait until eight of the 18 units are journaled, SIGKILL
    const first = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: 'ignore' });
    const killed = await new Promise<NodeJS.Signals | null>((resolve) => {
      const poll = setInterval(() => {
        const lines = existsSync(join(out, 'journal.jsonl')) ? readFileSync(join(out, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).length : 0;
        if (lines >= 8) first.kill('SIGKILL');
      }, 10);
      first.on('exit', (_code, signal) => (clearInterval(poll), resolve(signal)));
    });
    assert.equal(killed, 'SIGKILL', 'the first run was killed before it finished');
    const sentBeforeKill = posts(served);
    assert.ok(sentBeforeKill > 0);

    // 2. the same command resumes and finishes
    const resumed = await exit(spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: 'ignore' }));
    assert.equal(resumed, 0);
    const sentByResume = posts(served) - sentBeforeKill;

    // 3. a forced rerun in a new folder recomputes every unit from the response cache: no request at all
    const again = await exit(spawn(process.execPath, [BIN, ...args.slice(0, -4), '--out', join(tempDir(), 'again'), '--jobs', '1', '--force'], { cwd: ROOT, env, stdio: 'ignore' }));
    assert.equal(again, 0);
    assert.equal(posts(served), sentBeforeKill + sentByResume, 'a fully cached rerun sends no request');

    // 4. the same plan from an empty cache: how many requests the run needs in all
    const before = posts(served);
    const fresh = await exit(spawn(process.execPath, [BIN, ...args.slice(0, -4), '--out', join(tempDir(), 'fresh'), '--jobs', '1'], { cwd: ROOT, env: { ...env, HARNESS_CACHE_DIR: tempDir('cache-') }, stdio: 'ignore' }));
    assert.equal(fresh, 0);
    const needed = posts(served) - before;
    t.diagnostic(`requests: ${sentBeforeKill} before the kill, ${sentByResume} by the resumed run, 0 by the cached rerun, ${needed} for one run from an empty cache`);
    // killed + resumed sent at most what one run needs, plus the requests in flight at the kill
    // (at most the adapter's concurrency of 4 with one job), which had no answer to cache
    assert.ok(sentBeforeKill + sentByResume <= needed + 4, `${sentBeforeKill} + ${sentByResume} requests against ${needed} for one run`);
    const rows = readFileSync(join(out, 'rows.csv'), 'utf8').trim().split('\n');
    assert.ok(rows.length > 40 && rows.slice(1).every((r) => r.includes(',ok,')), 'the resumed run wrote every row');
  } finally {
    assert.equal(await served.stop(), 0);
  }
});

function exit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}
