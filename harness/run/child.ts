// A unit child process: runs one job at a time — a unit (prepare → run → score), a claim's check, or the
// check that plugin code matches its manifest — and reports the outcome over IPC. The parent kills a
// child whose job exceeds its timeout or memory limit, or that dies, and starts a fresh one.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { discover, loadPlugin, type Registry } from '../plan/registry.ts';
import { evaluateClaim } from '../results/claims.ts';
import { leaderboardView } from '../results/leaderboard.ts';
import { describeError, executeUnit } from './execute.ts';
import { outputMark, type FromWorker, type ToWorker, type WorkerSetup } from './protocol.ts';

const post = (message: FromWorker) => void process.send!(message);
// Blocking writes to the parent's pipes: what a unit prints stays in order with the marks that file it
// under its unit, and a unit that prints without end waits for the parent instead of queueing it in memory.
for (const stream of [process.stdout, process.stderr]) (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => void } })._handle?.setBlocking?.(true);
const given = JSON.parse(process.env.HARNESS_CHILD_SETUP ?? 'null') as WorkerSetup | null;
if (!given) throw new Error('HARNESS_CHILD_SETUP is not set: this module is started by the runner');
const setup: WorkerSetup = given;
let registry: Registry;
try {
  registry = discover({ pluginDirs: setup.pluginDirs, cwd: setup.cwd });
} catch (error) {
  // One line the parent can quote as the reason its units could not run.
  process.stderr.write(`harness child: ${error instanceof UserError ? [error.message, ...error.details].join('; ') : describeError(error)}\n`);
  process.exit(70);
}
if (setup.reportRss) setInterval(() => post({ type: 'rss', bytes: process.memoryUsage().rss }), 250).unref();

/** Tells the parent that what this process prints from now on belongs to job `seq`. */
function markOutput(seq: number) {
  const mark = outputMark(seq);
  for (const fd of [1, 2]) {
    try {
      writeSync(fd, mark);
    } catch {
      // a closed stream: nothing to file
    }
  }
}

async function handle(message: ToWorker): Promise<void> {
  markOutput(message.seq);
  if (message.type === 'unit') {
    const outcome = await executeUnit(message.unit, message.budget, registry, {
      backend: setup.backend,
      artifactDir: join(setup.cacheDir, 'artifacts'),
      cacheDir: setup.cacheDir,
      onProgress: (fraction, note) => post({ type: 'progress', key: message.unit.key, fraction, note }),
      onLog: (level, text) => post({ type: 'log', key: message.unit.key, level, message: text }),
    });
    post({ type: 'done', key: message.unit.key, outcome });
  } else if (message.type === 'claim') {
    const { request } = message;
    const record = registry.plugins.get(request.plugin);
    try {
      if (!record) throw new Error(`plugin "${request.plugin}" is not installed here`);
      const verdict = await evaluateClaim(record, request.claim, leaderboardView(request.board, request.rows, request.budget));
      post({ type: 'claim-done', seq: message.seq, outcome: { status: verdict.status, measured: verdict.measured ?? '', why: verdict.why } });
    } catch (error) {
      post({ type: 'claim-done', seq: message.seq, outcome: { status: 'error', measured: '', why: `the check threw: ${describeError(error)}` } });
    }
  } else if (message.type === 'check-plugins') {
    // Code that exports other tasks or methods than its manifest declares is a UserError; other import
    // failures stay the units' own errors.
    for (const id of message.ids) {
      try {
        await loadPlugin(registry.plugins.get(id)!);
      } catch (error) {
        if (error instanceof UserError) {
          post({ type: 'check-done', seq: message.seq, problem: { message: error.message, details: error.details } });
          return;
        }
      }
    }
    post({ type: 'check-done', seq: message.seq });
  }
}

process.on('message', (message: ToWorker) => {
  handle(message).catch((error) => {
    process.stderr.write(`harness child: ${describeError(error)}\n`);
    process.exit(70);
  });
});
// The parent is gone (killed, or its IPC channel closed): nothing is left to report to.
process.on('disconnect', () => process.exit(0));
// Ctrl-C on a terminal reaches the whole process group: the parent decides (it stops its children and
// records their units as interrupted, not failed).
process.on('SIGINT', () => {});
post({ type: 'ready' });
