// Timeouts whose milliseconds do not fit a timer (2^31 − 1 ms) are refused: on the command line, in a
// suite file, and by `validate`.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTimeoutSeconds } from '../harness/cli/options.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, hasStackTrace, tempDir } from './helpers.ts';

test('--timeout accepts finite positive seconds up to about 24 days and nothing else', () => {
  assert.equal(parseTimeoutSeconds('0.5'), 0.5);
  assert.equal(parseTimeoutSeconds('2147483'), 2147483);
  for (const bad of ['3000000', '1e309', 'Infinity', 'NaN', '0', '-1', '', 'ten']) {
    assert.throws(() => parseTimeoutSeconds(bad), /at most 2147483/, bad);
  }
});

test('run --timeout 3000000 is exit 2 with the option named, before anything runs', () => {
  const out = join(tempDir(), 'run');
  for (const value of ['3000000', '1e309']) {
    const r = cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--timeout', value]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--timeout/);
    assert.ok(!hasStackTrace(r.stderr));
  }
});

test('timeoutSeconds too large, infinite or NaN in a suite: validate rejects it with the path, plan is exit 2', () => {
  const dir = tempDir();
  const base = readFileSync(join(FIXTURE_SUITES, 'fixture.yaml'), 'utf8');
  for (const value of ['3000000', '.inf', '.nan', '1e309']) {
    for (const [where, text] of [
      ['/timeoutSeconds', `${base}timeoutSeconds: ${value}\n`],
      ['/budgets/smoke/timeoutSeconds', `${base}budgets: { smoke: { timeoutSeconds: ${value} } }\n`],
    ]) {
      const file = join(dir, 'suite.yaml');
      writeFileSync(file, text);
      const v = cli(['validate', file, '--plugin', FIXTURE_PLUGIN]);
      assert.equal(v.status, 1, `${value}: ${v.stdout}${v.stderr}`);
      assert.ok(v.stderr.includes(`${where}: expected value that must be <= 2147483`), v.stderr);
      const p = cli(['plan', file, '--plugin', FIXTURE_PLUGIN]);
      assert.equal(p.status, 2, p.stderr);
      assert.ok(p.stderr.includes(where));
    }
  }
});
