// `harness compare`: exact tests against hand-computed binomial tails, a seeded bootstrap that is
// reproducible and covers the truth, pairing by (task, method, params, seed), the verdict's
// orientation by goal and threshold, and the exit codes CI relies on.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command, CommanderError } from 'commander';
import type { ResultRow } from '../harness/api/types.ts';
import { compareCommand, registerCompare, type CompareCommandOptions } from '../harness/cli/compare.ts';
import { binomialTwoSidedP, mcnemarExact, mcnemarFromPairs, signTest } from '../harness/compare/binomial.ts';
import { pairedBootstrap, quantileSorted, unpairedBootstrap } from '../harness/compare/bootstrap.ts';
import { compareRuns, describePairing, verdictOf } from '../harness/compare/compare.ts';
import { chooseMetric } from '../harness/compare/metric.ts';
import { pairCells } from '../harness/compare/pairing.ts';
import { UserError } from '../harness/errors.ts';
import { createRng } from '../harness/plan/seeds.ts';
import { readRows, writeRows } from '../harness/results/csv.ts';
import { cli, FIXTURE_PLUGIN, FIXTURE_SUITES, tempDir } from './helpers.ts';

let unitCounter = 0;
function row(method: string, params: object, seed: number, value: number | null, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    schema_version: 1, suite: 's', suite_version: 1, task: 'p/t', task_version: 1, method, plugin: 'p', plugin_version: '1.0.0',
    params: JSON.stringify(params), seed, metric: 'err', value, unit: '', goal: 'min', status: 'ok', reason: '',
    wall_ms: 0, backend: 'none', backend_version: '', harness_version: '0', git_sha: '', git_dirty: '', node_version: '', cpu: '', os: '',
    started_at: '', unit_key: (unitCounter++).toString(16).padStart(64, '0'), ...extra,
  };
}

/** One row per seed of method `method` with the given values. */
const runOf = (method: string, values: readonly number[], extra: Partial<ResultRow> = {}, firstSeed = 0) =>
  values.map((v, i) => row(method, { n: 1 }, firstSeed + i, v, extra));

describe('exact binomial tests', () => {
  it('sign test: 9 of 10 positive → 2·(1 + 10)/1024 = 22/1024', () => {
    const t = signTest([1, 2, 3, 4, 5, 6, 7, 8, 9, -1]);
    assert.deepEqual([t.positive, t.negative, t.ties], [9, 1, 0]);
    assert.ok(Math.abs(t.p - 0.021484375) < 1e-15, String(t.p));
  });

  it('sign test drops ties: 3 up, 1 down, 2 equal → 2·(1 + 4)/16 = 0.625', () => {
    const t = signTest([0.1, 0.2, 0.3, 0, 0, -0.5]);
    assert.deepEqual([t.positive, t.negative, t.ties], [3, 1, 2]);
    assert.ok(Math.abs(t.p - 0.625) < 1e-15);
  });

  it('two-sided p by hand: 10 of 10 → 2/1024; 2 of 12 → 2·79/4096; 5 of 10 → capped at 1; 0 of 0 → 1', () => {
    assert.ok(Math.abs(binomialTwoSidedP(10, 10) - 2 / 1024) < 1e-16);
    assert.ok(Math.abs(binomialTwoSidedP(0, 10) - 2 / 1024) < 1e-16);
    assert.ok(Math.abs(binomialTwoSidedP(2, 12) - 158 / 4096) < 1e-15);
    assert.equal(binomialTwoSidedP(5, 10), 1);
    assert.equal(binomialTwoSidedP(0, 0), 1);
  });

  it('large n neither overflows nor underflows: 60 of 100 → 0.0568879336 (R binom.test), 1100 of 2000 → 8.457e-6', () => {
    assert.ok(Math.abs(binomialTwoSidedP(60, 100) - 0.05688793364098079) < 1e-12);
    assert.ok(Math.abs(binomialTwoSidedP(1100, 2000) / 8.457089535503927e-6 - 1) < 1e-9);
    assert.equal(binomialTwoSidedP(1000, 2000), 1);
  });

  it('refuses impossible counts', () => {
    assert.throws(() => binomialTwoSidedP(11, 10), RangeError);
    assert.throws(() => binomialTwoSidedP(1.5, 10), RangeError);
  });

  it('McNemar exact: b = 1, c = 9 → the same binomial tail, 22/1024; no discordant pairs → 1', () => {
    assert.ok(Math.abs(mcnemarExact(1, 9).p - 0.021484375) < 1e-15);
    assert.equal(mcnemarExact(0, 0).p, 1);
    assert.equal(mcnemarExact(3, 3).p, 1);
  });

  it('McNemar from paired 0/1 outcomes counts only discordant pairs; non-binary values give none', () => {
    // A = 1, B = 0 once; A = 0, B = 1 nine times; 5 concordant pairs.
    const a = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0];
    const b = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
    const m = mcnemarFromPairs(a, b)!;
    assert.deepEqual([m.b, m.c], [1, 9]);
    assert.ok(Math.abs(m.p - 0.021484375) < 1e-15);
    assert.equal(mcnemarFromPairs([0, 1, 0.5], [1, 1, 1]), null);
  });
});

describe('bootstrap intervals', () => {
  it('quantiles interpolate between order statistics (type 7)', () => {
    const sorted = [1, 2, 3, 4, 5];
    assert.equal(quantileSorted(sorted, 0), 1);
    assert.equal(quantileSorted(sorted, 1), 5);
    assert.equal(quantileSorted(sorted, 0.5), 3);
    assert.equal(quantileSorted(sorted, 0.1), 1.4);
  });

  it('constant differences give a point interval; differences {0, 1} span [0, 1]', () => {
    assert.deepEqual(pairedBootstrap([0.25, 0.25, 0.25], createRng(1)), { estimate: 0.25, lo: 0.25, hi: 0.25 });
    // Resampled means are 0, ½ or 1 with probabilities ¼, ½, ¼: both 2.5 % tails sit on the extremes.
    assert.deepEqual(pairedBootstrap([0, 1], createRng(1)), { estimate: 0.5, lo: 0, hi: 1 });
  });

  it('paired: contains the true mean difference 0.5 of a constructed example, excludes 0, and repeats exactly for a seed', () => {
    const noise = createRng(7);
    const differences = Array.from({ length: 40 }, () => 0.5 + 0.2 * noise.normal());
    const ci = pairedBootstrap(differences, createRng(42));
    assert.ok(ci.lo < 0.5 && 0.5 < ci.hi, `[${ci.lo}, ${ci.hi}]`);
    assert.ok(ci.lo > 0.35 && ci.hi < 0.65, `[${ci.lo}, ${ci.hi}] is far wider than ±2·0.2/√40`);
    assert.deepEqual(pairedBootstrap(differences, createRng(42)), ci);
    assert.notDeepEqual(pairedBootstrap(differences, createRng(43)), ci);
  });

  it('paired: covers the true difference in about 95 % of 200 simulated experiments', () => {
    const data = createRng(2024);
    let covered = 0;
    for (let experiment = 0; experiment < 200; experiment++) {
      const differences = Array.from({ length: 30 }, () => 1 + data.normal());
      const ci = pairedBootstrap(differences, createRng(experiment), { resamples: 2000 });
      if (ci.lo <= 1 && 1 <= ci.hi) covered++;
    }
    // Percentile intervals run slightly short at n = 30; 0.88–0.99 still catches a broken interval.
    assert.ok(covered >= 176 && covered <= 198, `covered ${covered} of 200`);
  });

  it('unpaired: the Welch-style interval of mean(B) − mean(A) lies around 10 for samples 10 apart', () => {
    const a = [1, 2, 3, 4, 5];
    const b = [11, 12, 13, 14, 15, 16, 17];
    const ci = unpairedBootstrap(a, b, createRng(3));
    assert.equal(ci.estimate, 14 - 3);
    assert.ok(ci.lo > 9 && ci.hi < 13 && ci.lo < 11 && 11 < ci.hi, `[${ci.lo}, ${ci.hi}]`);
    assert.deepEqual(unpairedBootstrap(a, b, createRng(3)), ci);
  });

  it('refuses fewer than 2000 resamples', () => {
    assert.throws(() => pairedBootstrap([1, 2], createRng(0), { resamples: 100 }), RangeError);
  });
});

describe('pairing', () => {
  it('pairs by task, method, params and seed; counts instances only in A and only in B', () => {
    const a = runOf('m', [1, 2, 3, 4, 5]); // seeds 0–4
    const b = runOf('m', [1, 2, 3, 4, 5, 6], {}, 2); // seeds 2–7
    const [cell] = pairCells(a, b, 'err');
    assert.deepEqual([cell.common.length, cell.onlyA.length, cell.onlyB.length], [3, 2, 3]);
    const report = compareRuns(a, b, { resamples: 2000 });
    assert.equal(report.cells[0].pairing, 'paired');
    assert.equal(describePairing(report.cells[0]), 'paired on 3 instances; 2 only in A, 3 only in B');
  });

  it('params match whatever their key order; different params are different instances', () => {
    const a = [row('m', { x: 1, y: 2 }, 0, 1), row('m', { x: 1, y: 2 }, 1, 2)];
    const same = [row('m', { y: 2, x: 1 }, 0, 1), row('m', { y: 2, x: 1 }, 1, 2)];
    const other = [row('m', { x: 9, y: 2 }, 0, 1), row('m', { x: 9, y: 2 }, 1, 2)];
    assert.equal(pairCells(a, same, 'err')[0].common.length, 2);
    const unpaired = compareRuns(a, other, { resamples: 2000 }).cells[0];
    assert.equal(unpaired.pairing, 'unpaired');
    assert.deepEqual([unpaired.common, unpaired.onlyA, unpaired.onlyB, unpaired.nA, unpaired.nB], [0, 2, 2, 2, 2]);
    assert.equal(unpaired.sign, null);
    assert.match(describePairing(unpaired), /^unpaired \(no instance in common/);
  });

  it('decides per method: one method paired, another unpaired, a third only in A', () => {
    const a = [...runOf('paired', [1, 2, 3]), ...runOf('unpaired', [1, 2, 3]), ...runOf('gone', [1, 2])];
    const b = [...runOf('paired', [1, 2, 3]), ...runOf('unpaired', [1, 2, 3], {}, 10)];
    const pairing = Object.fromEntries(compareRuns(a, b, { resamples: 2000 }).cells.map((c) => [c.method, [c.pairing, c.verdict]]));
    assert.deepEqual(pairing, { gone: ['only-in-A', 'not-compared'], paired: ['paired', 'no-significant-difference'], unpaired: ['unpaired', 'no-significant-difference'] });
  });

  it('a failed unit or a missing value is not an instance; it is counted as without a value', () => {
    const a = runOf('m', [1, 2, 3, 4]);
    const b = [...runOf('m', [1, 2, 3]), row('m', { n: 1 }, 3, null, { metric: '', goal: '', status: 'error', reason: 'boom' })];
    const cell = compareRuns(a, b, { resamples: 2000 }).cells[0];
    assert.deepEqual([cell.common, cell.onlyA, cell.onlyB, cell.withoutValueA, cell.withoutValueB], [3, 1, 0, 0, 1]);
    assert.equal(describePairing(cell), 'paired on 3 instances; 1 only in A, 0 only in B (1 unit(s) without a value in B)');
  });

  it('refuses an instance that appears twice in one run', () => {
    const a = [...runOf('m', [1, 2]), ...runOf('m', [1])];
    assert.throws(() => compareRuns(a, runOf('m', [1, 2])), (e: unknown) => e instanceof UserError && /appears more than once/.test(e.message));
  });

  it('paired statistics: mean difference, sign test and McNemar on 0/1 outcomes', () => {
    const a = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const b = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const cell = compareRuns(runOf('m', a, { metric: 'acc', goal: 'max' }), runOf('m', b, { metric: 'acc', goal: 'max' }), { resamples: 2000 }).cells[0];
    assert.equal(cell.difference.estimate, 0.8);
    assert.deepEqual([cell.meanA, cell.meanB], [0.1, 0.9]);
    assert.ok(Math.abs(cell.sign!.p - 0.021484375) < 1e-15);
    assert.deepEqual([cell.mcnemar!.b, cell.mcnemar!.c], [1, 9]);
    assert.equal(cell.verdict, 'better');
  });
});

describe('metric and orientation', () => {
  const twoMetrics = (method: string, values: number[]) => [
    ...runOf(method, values, { metric: 'estimate', goal: 'info' }),
    ...runOf(method, values, { metric: 'err', goal: 'min' }),
    ...runOf(method, values, { metric: 'acc', goal: 'max' }),
  ];

  it('defaults to the suite primary when both runs have it, else the first min/max metric', () => {
    const rows = twoMetrics('m', [1, 2]);
    assert.deepEqual(chooseMetric(rows, rows, undefined, { metric: 'acc', goal: 'max' }), { metric: 'acc', goal: 'max', source: 'suite primary' });
    assert.deepEqual(chooseMetric(rows, rows), { metric: 'err', goal: 'min', source: 'first ranked metric' });
    assert.deepEqual(chooseMetric(rows, rows, undefined, { metric: 'absent' }), { metric: 'err', goal: 'min', source: 'first ranked metric' });
  });

  it('an unknown metric is bad input with a suggestion; so is a metric in one run only, an info metric, or no common metric', () => {
    const rows = twoMetrics('m', [1, 2]);
    assert.throws(() => chooseMetric(rows, rows, 'eror'), (e: unknown) => e instanceof UserError && /unknown metric "eror" \(did you mean "err"\?\)/.test(e.message));
    assert.throws(() => chooseMetric(rows, runOf('m', [1]), 'acc'), (e: unknown) => e instanceof UserError && /only in A/.test(e.message));
    assert.throws(() => chooseMetric(rows, rows, 'estimate'), (e: unknown) => e instanceof UserError && /goal "info"/.test(e.message));
    assert.throws(() => chooseMetric(runOf('m', [1], { metric: 'x' }), runOf('m', [1], { metric: 'y' })), (e: unknown) => e instanceof UserError && /no common metric/.test(e.message));
  });

  it('worse is higher for min-goal metrics and lower for max-goal ones', () => {
    assert.equal(verdictOf({ lo: 0.1, hi: 0.3 }, 'min'), 'worse');
    assert.equal(verdictOf({ lo: 0.1, hi: 0.3 }, 'max'), 'better');
    assert.equal(verdictOf({ lo: -0.3, hi: -0.1 }, 'min'), 'better');
    assert.equal(verdictOf({ lo: -0.3, hi: -0.1 }, 'max'), 'worse');
    assert.equal(verdictOf({ lo: -0.1, hi: 0.3 }, 'min'), 'no-significant-difference');
    assert.equal(verdictOf({ lo: 0, hi: 0 }, 'min'), 'no-significant-difference');
  });

  it('the threshold is absolute: worse only when the whole interval is beyond it', () => {
    assert.equal(verdictOf({ lo: 0.1, hi: 0.3 }, 'min', 0.05), 'worse');
    assert.equal(verdictOf({ lo: 0.1, hi: 0.3 }, 'min', 0.2), 'worse-within-threshold');
    assert.equal(verdictOf({ lo: -0.3, hi: -0.1 }, 'max', 0.2), 'worse-within-threshold');
    assert.equal(verdictOf({ lo: -0.3, hi: -0.1 }, 'max', 0.05), 'worse');
    assert.equal(verdictOf({ lo: NaN, hi: NaN }, 'min'), 'too-few-instances');
  });

  it('exit code 1 only when some method is worse beyond the threshold', () => {
    const a = runOf('m', [1, 2, 3, 4, 5, 6]);
    const worseB = runOf('m', [1.5, 2.4, 3.6, 4.5, 5.5, 6.5]); // +0.4 … +0.6
    assert.equal(compareRuns(a, worseB, { resamples: 2000 }).exitCode, 1);
    assert.equal(compareRuns(a, worseB, { resamples: 2000, threshold: 0.45 }).exitCode, 0);
    assert.equal(compareRuns(a, worseB, { resamples: 2000, threshold: 0.45 }).cells[0].verdict, 'worse-within-threshold');
    assert.equal(compareRuns(worseB, a, { resamples: 2000 }).exitCode, 0);
    // The same numbers on a max-goal metric: B higher is better.
    const max = (rows: ResultRow[]) => rows.map((r) => ({ ...r, goal: 'max' as const }));
    assert.equal(compareRuns(max(a), max(worseB), { resamples: 2000 }).cells[0].verdict, 'better');
  });

  it('one common instance is paired but too few for an interval, and never fails CI', () => {
    const cell = compareRuns(runOf('m', [1]), runOf('m', [5]), { resamples: 2000 });
    assert.deepEqual([cell.cells[0].pairing, cell.cells[0].verdict, cell.cells[0].difference.estimate, cell.exitCode], ['paired', 'too-few-instances', 4, 0]);
  });

  it('--method selects methods and suggests a name for a typo', () => {
    const a = [...runOf('fast', [1, 2, 3]), ...runOf('slow', [1, 2, 3])];
    const b = [...runOf('fast', [1, 2, 3]), ...runOf('slow', [9, 9, 9])];
    assert.equal(compareRuns(a, b, { resamples: 2000 }).exitCode, 1);
    const onlyFast = compareRuns(a, b, { resamples: 2000, methods: ['fast'] });
    assert.deepEqual([onlyFast.cells.map((c) => c.method), onlyFast.exitCode], [['fast'], 0]);
    assert.throws(() => compareRuns(a, b, { methods: ['fats'] }), (e: unknown) => e instanceof UserError && /did you mean "fast"/.test(e.message));
  });

  it('the bootstrap seed makes the report reproducible', () => {
    const noise = createRng(5);
    const a = runOf('m', Array.from({ length: 20 }, () => noise.next()));
    const b = runOf('m', Array.from({ length: 20 }, () => noise.next()));
    assert.deepEqual(compareRuns(a, b, { seed: 9 }), compareRuns(a, b, { seed: 9 }));
    assert.notDeepEqual(compareRuns(a, b, { seed: 9 }).cells[0].difference, compareRuns(a, b, { seed: 10 }).cells[0].difference);
  });
});

describe('harness compare on real runs of the fixture suite', () => {
  const dir = tempDir('harness-compare-');
  const cache = join(dir, 'cache');
  const runDir = (name: string) => join(dir, name);
  const rowsOf = (name: string) => join(runDir(name), 'rows.csv');
  const options: CompareCommandOptions = { threshold: 0, method: [], seed: 0, resamples: 2000 };
  const run = async (a: string, b: string, opts: Partial<CompareCommandOptions> = {}) => {
    let stdout = '';
    const code = await compareCommand(a, b, { ...options, ...opts }, { stdout: (text) => (stdout += text) });
    return { code, stdout };
  };

  before(async () => {
    const harnessRun = (name: string, ...args: string[]) => {
      const result = cli(['run', join(FIXTURE_SUITES, 'fixture.yaml'), '--plugin', FIXTURE_PLUGIN, '--out', runDir(name), ...args], { HARNESS_CACHE_DIR: cache });
      assert.equal(result.status, 0, result.stderr);
    };
    harnessRun('a', '--seeds', '0,1,2');
    harnessRun('shifted', '--seeds', '1,2,3');
    harnessRun('standard', '--seeds', '0,1,2', '--budget', 'standard');
    // A regressed copy of run a: every abs-error 0.5 higher, the manifest kept beside it.
    mkdirSync(runDir('regressed'));
    copyFileSync(join(runDir('a'), 'manifest.json'), join(runDir('regressed'), 'manifest.json'));
    const rows = await readRows(rowsOf('a'));
    await writeRows(rowsOf('regressed'), rows.map((r) => (r.metric === 'abs-error' && r.value !== null ? { ...r, value: r.value + 0.5 } : r)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('same budget, overlapping seeds: paired on the 2 common seeds, identical values, exit 0', async () => {
    const { code, stdout } = await run(rowsOf('a'), rowsOf('shifted'));
    assert.equal(code, 0);
    assert.match(stdout, /metric: abs-error \(lower is better; suite primary\)/);
    assert.equal(stdout.match(/paired on 2 instances; 1 only in A, 1 only in B/g)?.length, 2);
    assert.match(stdout, /fixture-pi\/uniform\s+paired\s+2\s+\S+\s+\S+\s+0 \[0, 0\]\s+1\s+–\s+no significant difference/);
    assert.match(stdout, /summary: B is not worse than A on abs-error beyond threshold 0; 2 task × method compared \(2 paired, 0 unpaired\)/);
  });

  it('a different budget shares no instance: unpaired, and says so', async () => {
    const { code, stdout } = await run(rowsOf('a'), rowsOf('standard'));
    assert.equal(code, 0);
    assert.equal(stdout.match(/unpaired \(no instance in common; Welch-style bootstrap of the difference of means\): 3 value\(s\) in A, 6 in B/g)?.length, 2);
  });

  it('B worse by 0.5 everywhere: exit 1, and 0 with a threshold above the shift', async () => {
    const worse = await run(rowsOf('a'), rowsOf('regressed'));
    assert.equal(worse.code, 1);
    assert.match(worse.stdout, /fixture-pi\/stratified\s+paired\s+3\s+.*0\.5 \[0\.5, 0\.5\]\s+0\.25\s+–\s+worse/);
    assert.match(worse.stdout, /summary: B is worse than A on abs-error beyond threshold 0 for fixture-pi\/stratified on fixture-pi\/estimate-pi, fixture-pi\/uniform on fixture-pi\/estimate-pi; .* → exit 1/);
    assert.equal((await run(rowsOf('a'), rowsOf('regressed'), { threshold: 0.6 })).code, 0);
    assert.equal((await run(rowsOf('regressed'), rowsOf('a'))).code, 0);
  });

  it('--json gives the same verdicts and exit code as data', async () => {
    const worse = await run(rowsOf('a'), rowsOf('regressed'), { json: true });
    assert.equal(worse.code, 1);
    const report = JSON.parse(worse.stdout);
    assert.equal(report.exitCode, 1);
    assert.equal(report.metric.metric, 'abs-error');
    const stratified = report.cells.find((c: { method: string }) => c.method === 'fixture-pi/stratified');
    assert.equal(stratified.verdict, 'worse');
    assert.equal(stratified.pairing, 'paired');
    assert.ok(Math.abs(stratified.difference.estimate - 0.5) < 1e-12);
  });

  it('bad input is a UserError (exit 2): unreadable file, unknown metric', async () => {
    await assert.rejects(run(join(dir, 'nope.csv'), rowsOf('a')), (e: unknown) => e instanceof UserError && /cannot read .*nope\.csv: ENOENT/.test(e.message));
    await assert.rejects(run(rowsOf('a'), rowsOf('a'), { metric: 'abs-eror' }), (e: unknown) => e instanceof UserError && /did you mean "abs-error"/.test(e.message));
  });

  it('registered as a command: options parse, exit codes reach the process, bad options give 2', async () => {
    // Mirrors main(): the action's exit code lands in process.exitCode; UserError and commander's
    // errors become 2 (reportError's mapping, without its printing).
    const invoke = async (args: string[]) => {
      const program = new Command('harness').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerCompare(program, { stdout: () => {} });
      const saved = process.exitCode;
      try {
        await program.parseAsync(['node', 'harness', 'compare', ...args]);
        return typeof process.exitCode === 'number' ? process.exitCode : 0;
      } catch (error) {
        if (error instanceof UserError || error instanceof CommanderError) return 2;
        throw error;
      } finally {
        process.exitCode = saved;
      }
    };
    assert.equal(await invoke([rowsOf('a'), rowsOf('regressed')]), 1);
    assert.equal(await invoke([rowsOf('a'), rowsOf('regressed'), '--threshold', '0.6', '--seed', '3']), 0);
    assert.equal(await invoke([rowsOf('a'), rowsOf('regressed'), '--method', 'fixture-pi/uniform', '--metric', 'abs-error']), 1);
    assert.equal(await invoke([rowsOf('a'), rowsOf('regressed'), '--threshold', '-1']), 2);
    assert.equal(await invoke([rowsOf('a'), rowsOf('regressed'), '--metric', 'estimate']), 2);
    assert.equal(await invoke([rowsOf('a'), join(dir, 'nope.csv')]), 2);
  });
});

describe('mixed suites', () => {
  // Task p/t is ranked by err (min); task p/u by acc (max); task p/v has only an info metric.
  const mixed = (shift: number) => [
    ...runOf('m', [1, 2, 3, 4, 5].map((v) => v + shift)),
    ...runOf('m', [0.9, 0.8, 0.7, 0.6, 0.5].map((v) => v - shift / 10), { task: 'p/u', metric: 'acc', goal: 'max' }),
    ...runOf('m', [5, 6], { task: 'p/v', metric: 'ms', goal: 'info' }),
  ];

  it("compares each task on its own primary metric and lists the tasks it skipped, with the reason", () => {
    const report = compareRuns(mixed(0), mixed(1), { primary: { metric: 'err', goal: 'min' }, byTask: { 'p/u': { metric: 'acc', goal: 'max' } }, resamples: 2000 });
    const byTask = Object.fromEntries(report.cells.map((c) => [c.task, [c.metric, c.goal, c.verdict]]));
    // B is higher on err (worse, lower is better) and lower on acc (worse, higher is better): both worse.
    assert.deepEqual(byTask, { 'p/t': ['err', 'min', 'worse'], 'p/u': ['acc', 'max', 'worse'] });
    assert.deepEqual(report.skipped, [{ task: 'p/v', why: 'its primary metric err has no rows in either run' }]);
    assert.equal(report.exitCode, 1);
  });

  it('with --metric, every task is compared on it and the tasks without it are listed as skipped', () => {
    const report = compareRuns(mixed(0), mixed(1), { metric: 'acc', resamples: 2000 });
    assert.deepEqual(report.cells.map((c) => c.task), ['p/u']);
    assert.deepEqual(report.skipped.map((s) => s.task), ['p/t', 'p/v']);
    assert.match(report.skipped[0].why, /no rows of acc/);
  });
});
