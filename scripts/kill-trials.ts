// `node --import tsx scripts/kill-trials.ts [--trials 20] [--seed 1]`
// Cold-cache kill -9 trials: each trial starts `harness run` of a small suite (16 units, half of them slow)
// with an empty cache, kills the harness process with SIGKILL at a seeded moment mid-run (after k units
// are in the journal, plus a seeded delay), resumes with the same command, and compares the rows with an
// uninterrupted run's, ignoring the columns that say when and where a row was made.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './fuzz-inputs.ts';
import { readRows } from '../harness/results/csv.ts';
import type { ResultRow } from '../harness/api/types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'harness.js');
const PLUGIN = join(ROOT, 'test', 'fixtures', 'reliability-plugin');
const SUITE = join(PLUGIN, 'suites', 'slow.yaml');
const UNITS = 16;

/** Columns that depend on when, where and how fast a row was made, not on what was computed. */
const IGNORED = new Set<keyof ResultRow>(['wall_ms', 'started_at', 'git_sha', 'git_dirty', 'harness_version', 'node_version', 'cpu', 'os', 'backend_version']);

export interface TrialsReport {
  trials: number;
  identical: number;
  /** Trials whose run finished before the kill came (not counted as killed mid-run). */
  finishedBeforeKill: number;
  /** Units in the journal when each kill came. */
  killedAfter: number[];
  differences: string[];
}

function comparable(rows: ResultRow[]): string[] {
  return rows
    .map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([k]) => !IGNORED.has(k as keyof ResultRow)).sort(([a], [b]) => a.localeCompare(b)))))
    .sort();
}

function start(out: string, cache: string) {
  return spawn(process.execPath, [BIN, 'run', SUITE, '--plugin', PLUGIN, '--out', out, '--jobs', '2'], {
    cwd: ROOT,
    env: { ...process.env, HARNESS_CACHE_DIR: cache },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group, so what it leaves running can be ended after the trial
  });
}

function exited(child: ReturnType<typeof start>): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

function journalUnits(out: string): number {
  const file = join(out, 'journal.jsonl');
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}')).length;
}

async function completeRun(out: string, cache: string): Promise<ResultRow[]> {
  const child = start(out, cache);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await exited(child);
  if (code !== 0) throw new Error(`harness run exited ${code}: ${stderr}`);
  return readRows(join(out, 'rows.csv'));
}

export async function killTrials(options: { trials: number; seed: number; log?: (line: string) => void }): Promise<TrialsReport> {
  const log = options.log ?? (() => {});
  const r = rng(options.seed);
  const work = mkdtempSync(join(tmpdir(), 'harness-kill-'));
  const report: TrialsReport = { trials: options.trials, identical: 0, finishedBeforeKill: 0, killedAfter: [], differences: [] };
  try {
    const expected = comparable(await completeRun(join(work, 'uninterrupted'), join(work, 'cache-uninterrupted')));
    if (expected.length !== UNITS) throw new Error(`the uninterrupted run has ${expected.length} rows, expected ${UNITS}`);
    for (let t = 0; t < options.trials; t++) {
      const out = join(work, `trial-${t}`);
      const cache = join(work, `cache-${t}`); // cold: a fresh cache each trial
      const afterUnits = 1 + r.int(UNITS - 2);
      const extraMs = r.int(250);
      const child = start(out, cache);
      const done = exited(child);
      let finished = false;
      done.then(() => (finished = true));
      while (!finished && journalUnits(out) < afterUnits) await new Promise((res) => setTimeout(res, 10));
      await new Promise((res) => setTimeout(res, extraMs));
      const at = journalUnits(out);
      if (finished) {
        report.finishedBeforeKill++;
      } else {
        child.kill('SIGKILL');
        report.killedAfter.push(at);
      }
      await done;
      try {
        process.kill(-child.pid!, 'SIGKILL'); // unit processes it left behind
      } catch {
        // none left
      }
      const rows = comparable(await completeRun(out, cache));
      const same = rows.length === expected.length && rows.every((row, i) => row === expected[i]);
      if (same) report.identical++;
      else report.differences.push(`trial ${t} (killed after ${at} units): ${rows.length} rows; first difference: ${rows.find((row, i) => row !== expected[i]) ?? '(missing rows)'}`);
      log(`trial ${t}: killed after ${at}/${UNITS} units (+${extraMs} ms): ${same ? 'identical' : 'DIFFERENT'}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return report;
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const report = await killTrials({ trials: argValue('--trials', 20), seed: argValue('--seed', 1), log: (line) => process.stderr.write(`${line}\n`) });
  const killed = report.trials - report.finishedBeforeKill;
  process.stdout.write(
    `${report.identical}/${report.trials} trials identical to the uninterrupted run (${killed} killed mid-run, after ${Math.min(...report.killedAfter)}–${Math.max(...report.killedAfter)} of ${UNITS} units; ${report.finishedBeforeKill} finished before the kill); ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  for (const line of report.differences) process.stdout.write(`  ${line}\n`);
  process.exitCode = report.identical === report.trials ? 0 : 1;
}
