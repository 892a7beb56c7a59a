#!/usr/bin/env node
// Runs every test file with node:test. Node 20 neither expands globs nor finds .ts files by itself,
// so the list is built here: test/*.test.ts and plugins/*/test/*.test.ts (or the files given).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const testFiles = (dir) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f)) : [];

let files = process.argv.slice(2);
if (!files.length) {
  files = testFiles(join(root, 'test'));
  const pluginsDir = join(root, 'plugins');
  if (existsSync(pluginsDir)) for (const plugin of readdirSync(pluginsDir).sort()) files.push(...testFiles(join(pluginsDir, plugin, 'test')));
}
if (!files.length) {
  console.error('no test files found');
  process.exit(1);
}
// Type-check first: the JSON Schemas and the TypeScript types are tied together by the compiler.
if (!process.argv.slice(2).length) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', root], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) {
    console.error('type check failed');
    process.exit(tsc.status ?? 1);
  }
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
