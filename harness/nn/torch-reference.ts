// PyTorch (CPU, one thread) running the same MLP training step as the `nn:mlp-train-step` kernel:
// a side-by-side yardstick for benchmarks, never a runtime dependency. PyTorch comes from the
// Debian package python3-torch (`apt-get install -y python3-torch`), run with /usr/bin/python3.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

/** Steps per second of the 784-256-256-10 MLP, batch `batch`, SGD momentum, torch.set_num_threads(1);
 * best of three windows over `seconds`. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the
 * child's environment only (this machine's settings halve OpenBLAS matmul speed). */
export async function torchMlpStepsPerSecond(opts?: { batch?: number; seconds?: number }): Promise<{ stepsPerSecond: number; version: string } | { unavailable: string }> {
  if (!existsSync(PYTHON)) return { unavailable: `${PYTHON} not found` };
  const script = fileURLToPath(new URL('./torch-reference.py', import.meta.url));
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [script, String(opts?.batch ?? 128), String(opts?.seconds ?? 2)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', (error) => resolve({ unavailable: `could not start ${PYTHON}: ${error.message}` }));
    child.on('close', (code) => {
      try {
        const parsed = JSON.parse(out.trim().split('\n').pop() ?? '') as { stepsPerSecond?: number; version?: string; unavailable?: string };
        if (parsed.unavailable) resolve({ unavailable: parsed.unavailable });
        else if (typeof parsed.stepsPerSecond === 'number') resolve({ stepsPerSecond: parsed.stepsPerSecond, version: `torch ${parsed.version}` });
        else resolve({ unavailable: `unexpected output from the PyTorch reference: ${out.slice(0, 200)}` });
      } catch {
        resolve({ unavailable: `PyTorch reference exited with ${code}: ${(err || out).trim().split('\n').pop() ?? ''}` });
      }
    });
  });
}
