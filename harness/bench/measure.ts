// One kernel at one size: build the input, check `run` against `reference`, and only then time `run`.
// Only `run` is inside the timed window; setup and the check are not.
import { Bench } from 'tinybench';
import type { Kernel, KernelSize } from '../api/types.ts';
import { createRng, deriveSeed } from '../plan/seeds.ts';

export interface MeasureOptions {
  /** Least time spent timing, in ms (tinybench `time`). */
  minTimeMs?: number;
  /** Least number of timed calls (tinybench `iterations`). */
  minSamples?: number;
  signal?: AbortSignal;
}

export interface ResolvedMeasureOptions {
  minTimeMs: number;
  minSamples: number;
  /** Warm-up budget: a quarter of a second, or less when the timing budget itself is smaller. */
  warmupTimeMs: number;
  signal?: AbortSignal;
}

export const DEFAULT_MIN_TIME_MS = 1000;
export const DEFAULT_MIN_SAMPLES = 64;
const DEFAULT_WARMUP_TIME_MS = 250;

export function resolveMeasureOptions(options: MeasureOptions = {}): ResolvedMeasureOptions {
  const minTimeMs = options.minTimeMs ?? DEFAULT_MIN_TIME_MS;
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  if (!(minTimeMs > 0)) throw new RangeError(`minTimeMs must be > 0, got ${minTimeMs}`);
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new RangeError(`minSamples must be a positive integer, got ${minSamples}`);
  return { minTimeMs, minSamples, warmupTimeMs: Math.min(DEFAULT_WARMUP_TIME_MS, minTimeMs), signal: options.signal };
}

export interface KernelTiming {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  rmePct: number;
  samples: number;
  /** Calls per second: 1000 / meanMs. */
  callsPerSecond: number;
}

export type KernelOutcome =
  | { status: 'ok'; timing: KernelTiming }
  | { status: 'failed-check'; problem: string }
  | { status: 'error'; reason: string }
  | { status: 'aborted' };

/** The seed of a kernel's input depends only on what identifies it, never on run order. */
export function kernelSeed(pluginId: string, kernelId: string, size: KernelSize): number {
  return deriveSeed([pluginId, kernelId, size]);
}

export async function measureKernel(
  pluginId: string,
  kernelId: string,
  kernel: Kernel<unknown, unknown>,
  size: KernelSize,
  options: ResolvedMeasureOptions,
): Promise<KernelOutcome> {
  const checked = await checkKernel(pluginId, kernelId, kernel, size);
  if (checked.status !== 'ok') return checked;
  if (options.signal?.aborted) return { status: 'aborted' };
  return timeCalls(`${pluginId}/${kernelId}`, () => kernel.run(checked.input), options);
}

/** Builds the kernel's input for `size` and compares `run` with `reference` on it (nothing is timed). */
export async function checkKernel(
  pluginId: string,
  kernelId: string,
  kernel: Kernel<unknown, unknown>,
  size: KernelSize,
): Promise<{ status: 'ok'; input: unknown } | { status: 'failed-check'; problem: string } | { status: 'error'; reason: string }> {
  try {
    const input = await kernel.setup(size, createRng(kernelSeed(pluginId, kernelId, size)));
    const actual = await kernel.run(input);
    const expected = await kernel.reference(input);
    const problem = kernel.check(actual, expected);
    return problem === null ? { status: 'ok', input } : { status: 'failed-check', problem };
  } catch (error) {
    return { status: 'error', reason: describe(error) };
  }
}

/** Times `call` alone in its own Bench, so no other task shares its warm-up or its heap. */
export async function timeCalls(name: string, call: () => unknown, options: ResolvedMeasureOptions): Promise<KernelOutcome> {
  // Each Bench listens on the signal it gets; relaying through a local one keeps listeners from
  // piling up on the caller's signal over hundreds of kernels.
  const local = new AbortController();
  const relay = () => local.abort();
  if (options.signal?.aborted) local.abort();
  options.signal?.addEventListener('abort', relay, { once: true });
  const bench = new Bench({
    time: options.minTimeMs,
    iterations: options.minSamples,
    warmup: true,
    warmupTime: options.warmupTimeMs,
    throws: false,
    signal: local.signal,
  });
  bench.add(name, call);
  const [task] = await bench.run().finally(() => options.signal?.removeEventListener('abort', relay));
  const result = task.result;
  switch (result.state) {
    case 'completed': {
      // Calls per second from the mean time per call, so items/s and mean ms describe the same runs
      // (tinybench's throughput.mean averages 1/latency per sample, which follows the fast samples).
      const { latency } = result;
      return {
        status: 'ok',
        timing: {
          meanMs: latency.mean,
          p50Ms: latency.p50,
          p99Ms: latency.p99,
          rmePct: latency.rme,
          samples: latency.samplesCount,
          callsPerSecond: 1000 / latency.mean,
        },
      };
    }
    case 'errored':
      return { status: 'error', reason: `while timing: ${describe(result.error)}` };
    case 'aborted':
    case 'aborted-with-statistics':
      return { status: 'aborted' };
    case 'not-started':
    case 'started':
      return { status: 'error', reason: `tinybench left the task in state "${result.state}"` };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
