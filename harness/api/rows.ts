// The long-format result row: one per unit × metric. The column order is fixed and versioned.
import type { ResultRow } from './types.ts';

export const ROW_SCHEMA_VERSION = 1;

export const ROW_COLUMNS = [
  'schema_version', 'suite', 'suite_version', 'task', 'task_version', 'method', 'plugin', 'plugin_version',
  'params', 'seed', 'metric', 'value', 'unit', 'goal', 'status', 'reason', 'wall_ms', 'backend',
  'backend_version', 'harness_version', 'git_sha', 'git_dirty', 'node_version', 'cpu', 'os', 'started_at',
  'unit_key',
] as const satisfies readonly (keyof ResultRow)[];

// Every column of ResultRow must be listed above (compile-time check).
type Missing = Exclude<keyof ResultRow, (typeof ROW_COLUMNS)[number]>;
const allColumnsListed: Missing extends never ? true : Missing = true;
void allColumnsListed;

const str = { type: 'string' } as const;

export const rowSchema = {
  $id: 'https://harness.dev/schemas/row.json',
  type: 'object',
  additionalProperties: false,
  required: [...ROW_COLUMNS],
  properties: {
    schema_version: { const: ROW_SCHEMA_VERSION },
    suite: { type: 'string', minLength: 1 },
    suite_version: { type: 'integer', minimum: 1 },
    task: { type: 'string', pattern: '^[a-z0-9-]+/[a-z0-9-]+$' },
    task_version: { type: 'integer', minimum: 1 },
    method: { type: 'string', minLength: 1 },
    plugin: { type: 'string', minLength: 1 },
    plugin_version: str,
    params: { type: 'string', minLength: 2 },
    seed: { type: 'integer', minimum: 0 },
    metric: str,
    value: { type: ['number', 'null'] },
    unit: str,
    goal: { enum: ['min', 'max', 'info', ''] },
    status: { enum: ['ok', 'error', 'timeout', 'skipped'] },
    reason: str,
    wall_ms: { type: 'number', minimum: 0 },
    backend: str,
    backend_version: str,
    harness_version: str,
    git_sha: str,
    git_dirty: { enum: [true, false, ''] },
    node_version: str,
    cpu: str,
    os: str,
    started_at: str,
    unit_key: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
} as const;

// The row schema lists exactly the columns of ResultRow (checked by the compiler).
type RowSchemaFields = keyof (typeof rowSchema)['properties'];
const rowFieldsMatch: [RowSchemaFields] extends [keyof ResultRow] ? ([keyof ResultRow] extends [RowSchemaFields] ? true : false) : false = true;
void rowFieldsMatch;

/** Columns that say when and where a row was computed, not what it says: they differ between reruns. */
export const VOLATILE_COLUMNS: readonly (keyof ResultRow)[] = ['wall_ms', 'started_at', 'git_sha', 'git_dirty', 'cpu', 'os', 'node_version', 'backend', 'backend_version'];

/** Rows without their volatile columns, as sorted text: equal for two runs of the same plan and seeds. */
export function stableRows(rows: readonly ResultRow[]): string[] {
  return rows
    .map((row) => {
      const copy: Partial<ResultRow> = { ...row };
      for (const column of VOLATILE_COLUMNS) delete copy[column];
      return JSON.stringify(copy);
    })
    .sort();
}
