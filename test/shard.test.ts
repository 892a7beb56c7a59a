// Scale-out: a suite run as 4 shards in separate processes and merged equals a single-process run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { stableRows } from '../harness/api/rows.ts';
import { parseShard } from '../harness/plan/shard.ts';
import { readRows } from '../harness/results/csv.ts';
import { UserError } from '../harness/errors.ts';
import { cli, cliAsync, FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';


test('4 shards in separate processes, merged, give exactly the rows of a single-process run', async () => {
  const suite = join(FIXTURE_SUITES, 'fixture.yaml');
  const single = join(tempDir(), 'single');
  assert.equal(cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', single, '--budget', 'standard']).status, 0);

  const root = tempDir('shards-');
  const shards = [0, 1, 2, 3].map((i) => join(root, String(i)));
  const codes = await Promise.all(
    shards.map((out, i) => {
      const child = cliAsync(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', out, '--budget', 'standard', '--shard', `${i}/4`, '--jobs', '1'], { HARNESS_CACHE_DIR: tempDir('cache-') });
      return new Promise<number | null>((resolve) => child.once('exit', resolve));
    }),
  );
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const perShard = await Promise.all(shards.map((dir) => readRows(join(dir, 'rows.csv'))));
  assert.equal(perShard.reduce((n, rows) => n + rows.length, 0), 24);

  const merged = join(root, 'merged');
  const merge = cli(['merge', ...shards, '--out', merged, '--plugin', FIXTURE_PLUGIN]);
  assert.equal(merge.status, 0, merge.stderr);
  assert.deepEqual(stableRows(await readRows(join(merged, 'rows.csv'))), stableRows(await readRows(join(single, 'rows.csv'))));

  const unitsPerShard = perShard.map((rows) => new Set(rows.map((r) => r.unit_key)).size);
  const dropped = unitsPerShard.indexOf(Math.max(...unitsPerShard));
  const incomplete = cli(['merge', ...shards.filter((_, i) => i !== dropped), '--out', join(root, 'm2'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(incomplete.status, 2);
  assert.match(incomplete.stderr, new RegExp(`${unitsPerShard[dropped]} of 12 planned units are in none of the inputs`));
  const overlapping = cli(['merge', ...shards, shards[1], '--out', join(root, 'm3'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(overlapping.status, 2);
  assert.match(overlapping.stderr, /appear in more than one input/);
});

test('merge refuses shards of different plans', () => {
  const suite = join(FIXTURE_SUITES, 'fixture.yaml');
  const a = join(tempDir(), 'a');
  const b = join(tempDir(), 'b');
  assert.equal(cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', a, '--shard', '0/2']).status, 0);
  assert.equal(cli(['run', suite, '--plugin', FIXTURE_PLUGIN, '--out', b, '--shard', '1/2', '--seeds', '5,6']).status, 0);
  const r = cli(['merge', a, b, '--out', join(tempDir(), 'm'), '--plugin', FIXTURE_PLUGIN]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /planned units differ/);
});

test('shard indices come from --shard i/n, Kubernetes Indexed Jobs and Slurm job arrays', () => {
  assert.deepEqual(parseShard('2/4', {}), { index: 2, count: 4 });
  assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '3', HARNESS_SHARD_COUNT: '8' }), { index: 3, count: 8 });
  assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '1' }, 2), { index: 1, count: 2 });
  assert.deepEqual(parseShard('auto', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '6' }), { index: 4, count: 6 });
  assert.throws(() => parseShard('4/4', {}), UserError);
  assert.throws(() => parseShard('auto', { JOB_COMPLETION_INDEX: '0' }), /shard count is not/);
  assert.throws(() => parseShard('auto', {}), /neither JOB_COMPLETION_INDEX/);
  assert.throws(() => parseShard('x', {}), /expected i\/n/);
});
