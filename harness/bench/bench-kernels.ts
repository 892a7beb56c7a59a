// `harness bench`: every selected kernel × size is checked against its reference, then timed,
// one at a time; the rows go to kernels.csv.
import type { Kernel, KernelSize, SideBySide } from '../api/types.ts';
import { canonicalJson } from '../plan/canonical.ts';
import { discover, loadPlugin } from '../plan/registry.ts';
import { readProvenance, type Provenance } from '../results/provenance.ts';
import { measureKernel, resolveMeasureOptions, type KernelOutcome, type MeasureOptions } from './measure.ts';
import type { KernelRow } from './rows.ts';
import { selectKernels } from './select.ts';

export interface BenchKernelsOptions extends MeasureOptions {
  /** `plugin` or `plugin:kernel`; empty for every installed plugin's kernels. */
  selectors: readonly string[];
  /** Extra plugin folders (`--plugin DIR`). */
  pluginDirs?: readonly string[];
  /** Called before a kernel × size is set up (progress). */
  onStart?(plugin: string, kernel: string, size: KernelSize): void;
  /** Called with each row as soon as its kernel × size is done. */
  onRow?(row: KernelRow): void;
}

export interface BenchKernelsResult {
  rows: KernelRow[];
  notInstalled: string[];
  /** The signal fired: the rows hold what finished before it. */
  aborted: boolean;
}

export async function benchKernels(options: BenchKernelsOptions): Promise<BenchKernelsResult> {
  const measure = resolveMeasureOptions(options);
  const registry = discover({ pluginDirs: [...(options.pluginDirs ?? [])] });
  const { selections, notInstalled } = selectKernels(registry, options.selectors);
  const provenance = readProvenance();
  const rows: KernelRow[] = [];
  for (const selection of selections) {
    const pluginId = selection.id;
    const available = selection.core ? await selection.core.load() : (await loadPlugin(selection.record!)).kernels!;
    for (const kernelId of selection.kernels) {
      const kernel = available[kernelId];
      for (const size of kernel.sizes) {
        // Kernels are often synchronous: without a turn of the event loop here, a Ctrl-C handler
        // would only run once every kernel is done.
        await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
        if (measure.signal?.aborted) return { rows, notInstalled, aborted: true };
        options.onStart?.(pluginId, kernelId, size);
        const startedAt = new Date().toISOString();
        const outcome = await measureKernel(pluginId, kernelId, kernel, size, measure);
        if (outcome.status === 'aborted') return { rows, notInstalled, aborted: true };
        const items = kernel.items?.(size) ?? 1;
        const side = outcome.status === 'ok' && kernel.sideBySide ? await measureSideBySide(kernel, size) : undefined;
        const row = kernelRow(pluginId, kernelId, size, outcome, items, provenance, startedAt, side);
        rows.push(row);
        options.onRow?.(row);
      }
    }
  }
  return { rows, notInstalled, aborted: false };
}

export function kernelRow(
  plugin: string,
  kernel: string,
  size: KernelSize,
  outcome: Exclude<KernelOutcome, { status: 'aborted' }>,
  items: number,
  provenance: Provenance,
  startedAt: string,
  side?: SideBySide,
): KernelRow {
  const base = {
    plugin,
    kernel,
    size: canonicalJson(size),
    harness_version: provenance.harness_version,
    node_version: provenance.node_version,
    cpu: provenance.cpu,
    os: provenance.os,
    started_at: startedAt,
  };
  const noSide = { side_label: '', side_per_s: null, side_ratio: null, side_note: '' };
  const untimed = { mean_ms: null, p50_ms: null, p99_ms: null, rme_pct: null, samples: null, throughput_per_s: null, ...noSide };
  switch (outcome.status) {
    case 'failed-check':
      return { ...base, status: 'failed-check', check: outcome.problem, ...untimed };
    case 'error':
      return { ...base, status: 'error', check: outcome.reason, ...untimed };
    case 'ok': {
      const t = outcome.timing;
      return {
        ...base,
        status: 'ok',
        check: '',
        mean_ms: t.meanMs,
        p50_ms: t.p50Ms,
        p99_ms: t.p99Ms,
        rme_pct: t.rmePct,
        samples: t.samples,
        throughput_per_s: t.callsPerSecond * items,
        ...sideColumns(side, t.callsPerSecond * items),
      };
    }
  }
}

function sideColumns(side: SideBySide | undefined, ours: number): Pick<KernelRow, 'side_label' | 'side_per_s' | 'side_ratio' | 'side_note'> {
  if (!side) return { side_label: '', side_per_s: null, side_ratio: null, side_note: '' };
  if (side.state === 'unavailable') return { side_label: side.label, side_per_s: null, side_ratio: null, side_note: side.reason };
  return { side_label: side.label, side_per_s: side.itemsPerSecond, side_ratio: ours / side.itemsPerSecond, side_note: '' };
}

/** The kernel's outside measurement; a throw becomes `unavailable` with its message. */
async function measureSideBySide(kernel: Kernel, size: KernelSize): Promise<SideBySide> {
  try {
    return await kernel.sideBySide!(size);
  } catch (error) {
    return { state: 'unavailable', label: 'side-by-side', reason: (error as Error).message };
  }
}
