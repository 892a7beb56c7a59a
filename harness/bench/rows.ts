// kernels.csv: one row per plugin × kernel × size. The column order is fixed, never inferred.

export const KERNEL_COLUMNS = [
  'plugin', 'kernel', 'size', 'status', 'check', 'mean_ms', 'p50_ms', 'p99_ms', 'rme_pct', 'samples',
  'throughput_per_s', 'side_label', 'side_per_s', 'side_ratio', 'side_note', 'harness_version', 'node_version', 'cpu', 'os', 'started_at',
] as const;

export type KernelColumn = (typeof KERNEL_COLUMNS)[number];

/** `ok`: checked, then timed. `failed-check`: `run` disagrees with `reference`, so it is not timed.
 * `error`: setup, run, reference, check or the timing itself threw. */
export type KernelStatus = 'ok' | 'failed-check' | 'error';

// A type alias (not an interface) so a row is assignable to writeCsv's Record<string, Cell>.
export type KernelRow = {
  plugin: string;
  kernel: string;
  /** Canonical JSON of the size object. */
  size: string;
  status: KernelStatus;
  /** Why the kernel was not timed (the check's problem or the error); '' when timed. */
  check: string;
  mean_ms: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  rme_pct: number | null;
  samples: number | null;
  /** Work items per second: calls per second × `kernel.items(size)` (1 when undeclared). */
  throughput_per_s: number | null;
  /** The kernel's side-by-side system (e.g. `PyTorch 1.13 CPU`), '' when it declares none. */
  side_label: string;
  /** That system's items per second on this machine. */
  side_per_s: number | null;
  /** Ours ÷ theirs (throughput_per_s / side_per_s). */
  side_ratio: number | null;
  /** Why there is no side-by-side number. */
  side_note: string;
  harness_version: string;
  node_version: string;
  cpu: string;
  os: string;
  started_at: string;
};

// Every column is a field of KernelRow and every field a column (compile-time check).
type Mismatch = Exclude<KernelColumn, keyof KernelRow> | Exclude<keyof KernelRow, KernelColumn>;
const columnsMatchRow: [Mismatch] extends [never] ? true : Mismatch = true;
void columnsMatchRow;
