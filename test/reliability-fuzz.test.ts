// Small versions of the reliability figures in README.md ("Reliability"): a few seeded mutants of each
// input through the real CLI, and two cold-cache kill -9 trials. The README's counts come from the
// scripts with their defaults (scripts/fuzz-inputs.ts --mutants 300, scripts/kill-trials.ts --trials 20).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzInputs } from '../scripts/fuzz-inputs.ts';
import { killTrials } from '../scripts/kill-trials.ts';

test('mutated suites, plugin.json, manifest.json and rows.csv: no crash, no hang, every rejected input exit 2', async () => {
  const reports = await fuzzInputs({ mutants: 4, seed: 7, planSample: 2, runSample: 0, batch: 4, timeoutMs: 120_000 });
  for (const [kind, report] of Object.entries(reports)) {
    assert.equal(report.mutants, 4, kind);
    assert.equal(report.accepted + report.rejected, 4, `${kind}: every mutant gets a verdict`);
    assert.deepEqual([...report.crashes, ...report.hangs, ...report.notExit2], [], kind);
  }
});

test('a cold-cache run killed with SIGKILL mid-run resumes to the rows of an uninterrupted run', async () => {
  const report = await killTrials({ trials: 2, seed: 3 });
  assert.deepEqual(report.differences, []);
  assert.equal(report.identical, 2);
});
