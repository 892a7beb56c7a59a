// PyTorch (CPU, one thread) running the same training steps as the nn bench kernels: a side-by-side
// yardstick for benchmarks, never a runtime dependency. PyTorch comes from the Debian package
// python3-torch (`apt-get install -y python3-torch`), run with /usr/bin/python3.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

export type TorchReference =
  | { model: 'mlp'; batch: number }
  | { model: 'transformer' | 'gss'; batch: number; length: number };

export type TorchMeasurement = { stepsPerSecond: number; cpuMsPerStep: number; version: string } | { unavailable: string };

/** Steps per second of a reference training step (see torch-reference.py for the models), with
 * torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1 (Debian's PyTorch multiplies through the
 * system BLAS, whose thread pool set_num_threads does not govern); best of three windows over
 * `seconds`. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the child's environment only
 * (this machine's settings halve OpenBLAS matmul speed). */
export async function torchStepsPerSecond(reference: TorchReference, seconds: number): Promise<TorchMeasurement> {
  if (!existsSync(PYTHON)) return { unavailable: `${PYTHON} not found` };
  const script = fileURLToPath(new URL('./torch-reference.py', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const args = reference.model === 'mlp' ? ['mlp', String(reference.batch), String(seconds)] : [reference.model, String(reference.batch), String(reference.length), String(seconds)];
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', (error) => resolve({ unavailable: `could not start ${PYTHON}: ${error.message}` }));
    child.on('close', (code) => {
      try {
        const parsed = JSON.parse(out.trim().split('\n').pop() ?? '') as { stepsPerSecond?: number; cpuMsPerStep?: number; version?: string; unavailable?: string };
        if (parsed.unavailable) resolve({ unavailable: parsed.unavailable });
        else if (typeof parsed.stepsPerSecond === 'number') resolve({ stepsPerSecond: parsed.stepsPerSecond, cpuMsPerStep: parsed.cpuMsPerStep ?? NaN, version: `torch ${parsed.version}` });
        else resolve({ unavailable: `unexpected output from the PyTorch reference: ${out.slice(0, 200)}` });
      } catch {
        resolve({ unavailable: `PyTorch reference exited with ${code}: ${(err || out).trim().split('\n').pop() ?? ''}` });
      }
    });
  });
}

/** Steps per second of the 784-256-256-10 MLP, batch `batch` (default 128), SGD momentum. */
export async function torchMlpStepsPerSecond(opts?: { batch?: number; seconds?: number }): Promise<{ stepsPerSecond: number; version: string } | { unavailable: string }> {
  return torchStepsPerSecond({ model: 'mlp', batch: opts?.batch ?? 128 }, opts?.seconds ?? 2);
}
