// Shared test helpers: temporary folders and running the real CLI in a child process.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'harness.js');
export const FIXTURE_PLUGIN = join(ROOT, 'test', 'fixtures', 'pi-plugin');
export const FIXTURE_SUITES = join(ROOT, 'test', 'fixtures', 'suites');

export function tempDir(label = 'harness-test-'): string {
  return mkdtempSync(join(tmpdir(), label));
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `harness …` in a child process with its own cache folder. */
export function cli(args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HARNESS_CACHE_DIR: env.HARNESS_CACHE_DIR ?? tempDir('harness-cache-'), ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function cliAsync(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A message for the user, not a crash: no stack frames. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}

/** A copy of the fixture plugin somewhere else, without its suite (whose path is relative to the fixture folder). */
export function copyFixturePlugin(dest: string): string {
  cpSync(FIXTURE_PLUGIN, dest, { recursive: true });
  const manifestFile = join(dest, 'plugin.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  delete manifest.suites;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return dest;
}
