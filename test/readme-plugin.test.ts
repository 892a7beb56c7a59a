// The README's "complete minimal plugin" runs exactly as written: its files, copied verbatim into an
// empty folder (no package.json, no node_modules), validate, run and pass the conformance kit.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { cli, ROOT, tempDir } from './helpers.ts';

/** The files of a README section: each "`path`:" line followed by a fenced block. */
function filesOfSection(heading: string): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has "${heading}"`);
  const end = readme.indexOf('\n#', start + heading.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const files = new Map<string, string>();
  for (const match of section.matchAll(/^`([^`\n]+)`:\n\n```\w*\n([\s\S]*?)```$/gm)) files.set(match[1], match[2]);
  return files;
}

test('the README\'s complete minimal plugin, copied verbatim into an empty folder, validates and runs', async () => {
  const files = filesOfSection('### A complete minimal plugin');
  assert.deepEqual([...files.keys()], ['plugin.json', 'index.ts', 'suites/pi-estimates.yaml']);
  const dir = join(tempDir('readme-plugin-'), 'pi-estimates');
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const validate = cli(['validate', dir]);
  assert.equal(validate.status, 0, validate.stderr);
  const out = join(tempDir(), 'run');
  const run = cli(['run', 'pi-estimates', '--plugin', dir, '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  const rows = await readRows(join(out, 'rows.csv'));
  assert.equal(rows.length, 6, '2 sizes × 3 seeds');
  assert.ok(rows.every((r) => r.status === 'ok' && r.method === 'pi-estimates/uniform'), rows.map((r) => r.reason).join('\n'));
  const kit = cli(['plugin', 'test', dir]);
  assert.equal(kit.status, 0, kit.stdout + kit.stderr);
});
