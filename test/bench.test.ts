// `harness bench`: a kernel is timed only after it agrees with its reference, and kernels.csv keeps
// fixed columns. Timing budgets are tiny here; no test asserts a speed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { benchKernels, type BenchKernelsResult } from '../harness/bench/bench-kernels.ts';
import { CORE_KERNEL_SETS } from '../harness/bench/core-kernels.ts';
import { KERNEL_COLUMNS, type KernelRow } from '../harness/bench/rows.ts';
import { benchCommand } from '../harness/cli/bench.ts';
import { UserError } from '../harness/errors.ts';
import { HARNESS_ROOT } from '../harness/plan/registry.ts';
import { parseCsv } from '../harness/results/csv.ts';
import { runCalls } from './fixtures/bench-plugin/index.ts';

const fixtureDir = join(HARNESS_ROOT, 'test', 'fixtures', 'bench-plugin');
const fast = { pluginDirs: [fixtureDir], minTimeMs: 20, minSamples: 64 };
const tmp = mkdtempSync(join(tmpdir(), 'harness-bench-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function only(result: BenchKernelsResult, kernel: string): KernelRow[] {
  return result.rows.filter((r) => r.kernel === kernel);
}

describe('harness bench', () => {
  it('reports a kernel that disagrees with its reference as failed-check and never times it', async () => {
    const callsBefore = runCalls['off-by-one-sum'];
    const result = await benchKernels({ ...fast, selectors: ['bench-fixture:off-by-one-sum'] });
    const [row] = only(result, 'off-by-one-sum');
    assert.equal(result.rows.length, 1);
    assert.equal(row.status, 'failed-check');
    assert.match(row.check, /differs from reference/);
    assert.deepEqual([row.mean_ms, row.p50_ms, row.p99_ms, row.rme_pct, row.samples, row.throughput_per_s], [null, null, null, null, null, null]);
    assert.equal(runCalls['off-by-one-sum'] - callsBefore, 1, 'run is called once, for the check, and not timed');
  });

  it('puts a side-by-side measurement beside ours, as a ratio, or says why it is missing', async () => {
    const [small, large] = only(await benchKernels({ ...fast, selectors: ['bench-fixture:sum'] }), 'sum');
    assert.equal(small.side_label, 'other system');
    assert.equal(small.side_per_s, 1e6);
    assert.equal(small.side_ratio, small.throughput_per_s! / 1e6);
    assert.deepEqual([large.side_per_s, large.side_ratio, large.side_note], [null, null, 'not installed here']);
  });

  it('lists the core kernel sets by the same ids their modules export', async () => {
    for (const set of CORE_KERNEL_SETS) assert.deepEqual(Object.keys(await set.load()).sort(), [...set.kernels].sort(), set.id);
  });

  it('times a correct kernel at every size with at least min-samples calls and a finite mean', async () => {
    const result = await benchKernels({ ...fast, selectors: ['bench-fixture:sum'] });
    const rows = only(result, 'sum');
    assert.deepEqual(rows.map((r) => r.size), ['{"n":16}', '{"n":256}']);
    for (const row of rows) {
      assert.equal(row.status, 'ok');
      assert.equal(row.check, '');
      assert.ok(row.samples !== null && row.samples >= 64, `samples ${row.samples}`);
      assert.ok(row.mean_ms !== null && Number.isFinite(row.mean_ms) && row.mean_ms >= 0, `mean ${row.mean_ms}`);
      assert.ok(row.p50_ms !== null && row.p99_ms !== null && row.p50_ms <= row.p99_ms);
      assert.ok(row.throughput_per_s !== null && row.throughput_per_s > 0);
      // items/s is items per call over the mean time per call, not a median in disguise.
      const n = JSON.parse(row.size).n;
      assert.ok(Math.abs((row.throughput_per_s * row.mean_ms!) / 1000 - n) < 1e-9 * n, `${row.throughput_per_s} items/s × ${row.mean_ms} ms ≠ ${n} items`);
    }
  });

  it('turns a kernel whose setup throws into an error row and goes on', async () => {
    const result = await benchKernels({ ...fast, selectors: ['bench-fixture:throwing-setup', 'bench-fixture:off-by-one-sum'] });
    assert.deepEqual(result.rows.map((r) => [r.kernel, r.status, r.check]), [
      ['off-by-one-sum', 'failed-check', result.rows[0].check],
      ['throwing-setup', 'error', 'no input for you'],
    ]);
  });

  it('stops before the next kernel × size once its signal fires, keeping the rows already done', async () => {
    const interrupt = new AbortController();
    const result = await benchKernels({ ...fast, selectors: ['bench-fixture'], signal: interrupt.signal, onRow: () => interrupt.abort() });
    assert.equal(result.aborted, true);
    assert.deepEqual(result.rows.map((r) => `${r.kernel} ${r.size}`), ['sum {"n":16}']);
  });

  it('answers an unknown kernel or plugin with "did you mean"', async () => {
    await assert.rejects(benchKernels({ ...fast, selectors: ['bench-fixture:summ'] }), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /has no kernel "summ" \(did you mean "sum"\?\)/);
      return true;
    });
    await assert.rejects(benchKernels({ ...fast, selectors: ['bench-fixtur'] }), /unknown plugin "bench-fixtur" \(did you mean "bench-fixture"\?\)/);
  });

  it('writes kernels.csv with the fixed columns, prints a table and returns exit code 1 when a kernel fails its check', async () => {
    const out = join(tmp, 'nested', 'kernels.csv');
    const printed = { stdout: '', stderr: '' };
    const exitCode = await benchCommand(['bench-fixture'], { plugin: [fixtureDir], out, minTime: 20, minSamples: 64 }, {
      stdout: (text) => (printed.stdout += text),
      stderr: (text) => (printed.stderr += text),
    });
    assert.equal(exitCode, 1);
    assert.match(printed.stdout, /bench-fixture:sum\s+\{"n":16\}\s+ok/);
    assert.match(printed.stdout, /failed-check: bench-fixture:off-by-one-sum \{"n":16\}: sum .* differs from reference/);
    assert.match(printed.stderr, /checking and timing bench-fixture:sum \{"n":256\}/);
    const { headers, records } = await parseCsv(readFileSync(out, 'utf8'), out);
    assert.deepEqual(headers, [...KERNEL_COLUMNS]);
    assert.deepEqual(records.map((r) => `${r.kernel} ${r.size} ${r.status}`), [
      'sum {"n":16} ok',
      'sum {"n":256} ok',
      'off-by-one-sum {"n":16} failed-check',
      'throwing-setup {"n":4} error',
    ]);
    const timed = records[0];
    assert.ok(Number(timed.samples) >= 64 && Number.isFinite(Number(timed.mean_ms)));
    assert.equal(records[2].mean_ms, '');
    assert.ok(records.every((r) => r.node_version === process.version && r.harness_version !== '' && r.started_at !== ''));
  });
});
