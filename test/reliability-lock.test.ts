// One writer per run folder: two runs on one --out never both compute; a lock left by a dead process
// does not block; cache entries are computed once when two processes want them at the same time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUN_LOCK_FILE, tryLock } from '../harness/run/lock.ts';
import { cli, cliAsync, hasStackTrace, ROOT, tempDir } from './helpers.ts';

const PLUGIN = join(ROOT, 'test', 'fixtures', 'reliability-plugin');
const SUITE = join(PLUGIN, 'suites', 'slow.yaml');

function finished(child: ReturnType<typeof cliAsync>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** Problems of `validate` other than the working tree being dirty (which these tests cannot control). */
function validateProblems(out: string): string[] {
  const r = cli(['validate', out, '--plugin', PLUGIN]);
  return r.stderr.trim().split('\n').slice(1).map((l) => l.trim()).filter((l) => l && !l.includes('git_dirty = true'));
}

test('two runs started together on one --out: exactly one computes, the other is refused naming the holder; the folder validates', async () => {
  const out = join(tempDir(), 'run');
  const env = { HARNESS_CACHE_DIR: tempDir('harness-cache-') };
  const args = ['run', SUITE, '--plugin', PLUGIN, '--out', out, '--jobs', '1'];
  const [a, b] = await Promise.all([finished(cliAsync(args, env)), finished(cliAsync(args, env))]);
  const computed = [a, b].filter((r) => /\b([1-9]\d*) units ran/.test(r.stdout));
  assert.equal(computed.length, 1, `${a.stdout}${a.stderr}\n----\n${b.stdout}${b.stderr}`);
  const other = computed[0] === a ? b : a;
  if (other.status === 2) {
    assert.match(other.stderr, new RegExp(`--out ${out} is in use by another run: process \\d+ on ${hostname()} since`));
    assert.ok(!hasStackTrace(other.stderr));
  } else {
    // It started after the first had finished: it found every unit done.
    assert.equal(other.status, 0, other.stderr);
    assert.match(other.stdout, /0 units ran, 16 resumed/);
  }
  assert.equal(computed[0].status, 0, computed[0].stderr);
  assert.ok(!existsSync(join(out, RUN_LOCK_FILE)), 'the lock is released');
  assert.deepEqual(validateProblems(out), []);
});

test('a lock left by a process that died (kill -9) is taken over', () => {
  const out = join(tempDir(), 'run');
  mkdirSync(out, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  writeFileSync(join(out, RUN_LOCK_FILE), JSON.stringify({ pid, host: hostname(), processStart: '1', thread: 0, since: '2020-01-01T00:00:00.000Z', command: 'run' }));
  const r = cli(['run', SUITE, '--plugin', PLUGIN, '--out', out, '--jobs', '1', '--seeds', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(join(out, RUN_LOCK_FILE)));
});

test('a lock held by a live process is refused and names it; released, it can be taken', () => {
  const file = join(tempDir(), 'x.lock');
  const first = tryLock(file);
  assert.ok('release' in first);
  const second = tryLock(file);
  assert.ok('holder' in second && second.holder?.pid === process.pid);
  first.release();
  assert.ok(!existsSync(file));
  const third = tryLock(file);
  assert.ok('release' in third);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
  third.release();
});

test('an artifact wanted twice at once is computed once; the second caller waits and reads it', async () => {
  const { createArtifactCache } = await import('../harness/run/artifacts.ts');
  const dir = tempDir();
  const cache = createArtifactCache(dir, 'test');
  let computed = 0;
  const compute = async () => {
    computed++;
    await new Promise((r) => setTimeout(r, 200));
    return { weights: [1, 2, 3] };
  };
  const [x, y] = await Promise.all([cache.json('k', compute), cache.json('k', compute)]);
  assert.equal(computed, 1);
  assert.deepEqual(x, y);
  assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.json')), [], 'no lock or temporary file is left');
});
