// A unit worker: runs one unit at a time (prepare → run → score) and reports the outcome.
// The runner terminates a worker whose unit exceeds its timeout and starts a fresh one.
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { executeUnit } from './execute.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.ts';
import { discover } from '../plan/registry.ts';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const registry = discover({ pluginDirs: setup.pluginDirs, cwd: setup.cwd });

port.on('message', async (message: ToWorker) => {
  if (message.type !== 'unit') return;
  const outcome = await executeUnit(message.unit, message.budget, registry, {
    backend: setup.backend,
    artifactDir: join(setup.cacheDir, 'artifacts'),
    cacheDir: setup.cacheDir,
    onProgress: (fraction, note) => post({ type: 'progress', key: message.unit.key, fraction, note }),
    onLog: (level, text) => post({ type: 'log', key: message.unit.key, level, message: text }),
  });
  post({ type: 'done', key: message.unit.key, outcome });
});
post({ type: 'ready' });
