// A claim is checked only on all of its units: on a partial run (a shard, an interruption) it is
// not-checked with how many units are missing, never evaluated on the part that finished.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../harness/results/csv.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';

async function claimRow(out: string) {
  const file = join(out, 'claims.csv');
  const { records } = await parseCsv(readFileSync(file, 'utf8'), file);
  return records.find((r) => r.claim === 'fixture-pi/stratified-beats-uniform')!;
}

test('claims of a run that has only part of its units are not-checked, saying how many are missing', async () => {
  const cache = tempDir('harness-cache-');
  const out = join(tempDir(), 'run');
  const shard = cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', out, '--shard', '0/2', '--budget', 'standard'], { HARNESS_CACHE_DIR: cache });
  assert.equal(shard.status, 0, shard.stderr);
  const ran = Number(/(\d+) units ran/.exec(shard.stdout)![1]);
  assert.ok(ran > 0 && ran < 12, shard.stdout);
  const partial = await claimRow(out);
  assert.equal(partial.status, 'not-checked');
  assert.equal(partial.why, `${12 - ran} of 12 units missing (an interrupted or partial run): not checked on part of the data`);

  const whole = join(tempDir(), 'run');
  assert.equal(cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', whole], { HARNESS_CACHE_DIR: cache }).status, 0);
  assert.notEqual((await claimRow(whole)).status, 'not-checked', 'with every unit the claim is checked');
});
