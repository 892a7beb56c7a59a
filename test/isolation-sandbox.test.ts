// --sandbox: a unit cannot read $HOME, write outside the cache, start a process, see a secret in the
// environment or reach the network (a server on loopback), and a claim cannot write outside either;
// without --sandbox the same plugin can do all of it (the README's "a plugin is code you run").
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { networkNamespace, sandboxEnv } from '../harness/run/sandbox.ts';
import { cliAsync, ROOT, tempDir } from './helpers.ts';

const PLUGIN = join(ROOT, 'test', 'fixtures', 'misbehaving-plugin');

function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = cliAsync(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

test('the sandbox environment keeps an allow-list and drops secrets even there', () => {
  const env = sandboxEnv({ PATH: '/bin', AWS_SECRET_ACCESS_KEY: 'x', OPENAI_API_KEY: 'x', HARNESS_DATA_DIR: '/d', HARNESS_UPLOAD_TOKEN: 'x', NODE_OPTIONS: '--require x', LANG: 'C' }, '/scratch');
  assert.deepEqual(env, { PATH: '/bin', HARNESS_DATA_DIR: '/d', LANG: 'C', HOME: '/scratch', TMPDIR: '/scratch' });
});

test('under --sandbox every attempt to leave the unit fails; without it every attempt succeeds', async () => {
  const home = tempDir('home-');
  mkdirSync(join(home, '.ssh'));
  const key = join(home, '.ssh', 'id_ed25519');
  writeFileSync(key, 'PRIVATE KEY\n');
  const outside = join(tempDir('outside-'), 'written.txt');
  const claimTarget = join(tempDir('outside-'), 'claim.txt');
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const suite = join(tempDir('suite-'), 'fixture-escape.yaml');
  const attempts: Array<[string, string]> = [
    ['read-home', key],
    ['write-outside', outside],
    ['spawn', 'id'],
    ['env', 'MY_SERVICE_API_KEY'],
    ['http', `http://127.0.0.1:${port}/`],
  ];
  writeFileSync(
    suite,
    [
      'id: fixture-escape',
      'version: 1',
      'title: Attempts to leave the unit',
      'description: One unit per attempt.',
      'primary: { metric: succeeded }',
      'tasks:',
      ...attempts.map(([attempt, target]) => `  - { task: fixture-misbehave/escape, params: { attempt: ${attempt}, target: ${JSON.stringify(target)} } }`),
      'methods: [fixture-misbehave/try]',
      'seeds: [0]',
    ].join('\n'),
  );
  const env = { HOME: home, MY_SERVICE_API_KEY: 'sk-not-for-plugins', HARNESS_FIXTURE_WRITE_TO: claimTarget };
  try {
    const sandboxed = join(tempDir(), 'sandboxed');
    const s = await run(['run', suite, '--plugin', PLUGIN, '--out', sandboxed, '--sandbox', '--jobs', '2'], { ...env, HARNESS_CACHE_DIR: tempDir('cache-') });
    assert.equal(s.status, 1, s.stderr);
    assert.match(s.stderr, /--sandbox: file system: read .*; write only /);
    const netIsolated = networkNamespace().works;
    assert.match(s.stderr, netIsolated ? /--sandbox: network: none/ : /--sandbox: network: NOT isolated/);
    const rows = await readRows(join(sandboxed, 'rows.csv'));
    const reason = (attempt: string) => {
      const row = rows.find((r) => JSON.parse(r.params).attempt === attempt)!;
      return `${row.status}: ${row.reason}`;
    };
    assert.match(reason('read-home'), /^error: .*(ERR_ACCESS_DENIED|Access to this API has been restricted)/);
    assert.match(reason('write-outside'), /^error: .*(ERR_ACCESS_DENIED|Access to this API has been restricted)/);
    assert.match(reason('spawn'), /^error: .*(ERR_ACCESS_DENIED|Access to this API has been restricted)/);
    assert.match(reason('env'), /^error: Error: MY_SERVICE_API_KEY is not in the environment/);
    if (netIsolated) assert.match(reason('http'), /^error: TypeError: fetch failed/);
    assert.ok(!existsSync(outside));
    if (netIsolated) assert.equal(requests, 0);
    const claims = (await import('node:fs')).readFileSync(join(sandboxed, 'claims.csv'), 'utf8');
    assert.match(claims, /fixture-misbehave\/writes,.*,error,the check threw: .*(ERR_ACCESS_DENIED|Access to this API has been restricted)/);
    assert.ok(!existsSync(claimTarget));

    // Without --sandbox the plugin has the privileges of whoever runs it.
    const open = join(tempDir(), 'open');
    const o = await run(['run', suite, '--plugin', PLUGIN, '--out', open, '--jobs', '2'], { ...env, HARNESS_CACHE_DIR: tempDir('cache-') });
    assert.equal(o.status, 0, o.stderr);
    const openRows = await readRows(join(open, 'rows.csv'));
    assert.deepEqual(openRows.map((r) => [r.status, r.value]), attempts.map(() => ['ok', 1]));
    assert.ok(existsSync(outside) && existsSync(claimTarget));
    assert.ok(requests >= 1);
  } finally {
    server.close();
  }
});
