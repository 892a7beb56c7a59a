// manifest.json of a run folder: what `harness run` writes and `harness validate` checks before trusting
// any field. Fields added later by newer harness versions are allowed; the ones read here are typed.
const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const text = { type: 'string', minLength: 1 } as const;
const seedList = { type: 'array', items: { type: 'integer', minimum: 0 } } as const;
const budget = { type: 'string', enum: ['smoke', 'standard', 'full'] } as const;
const ranking = {
  type: 'object',
  required: ['primary', 'goal'],
  properties: {
    primary: text,
    goal: { type: 'string', enum: ['min', 'max'] },
    truncateDecimals: { type: 'integer', minimum: 0 },
    missingAs: { type: 'number' },
  },
} as const;

export const runManifestSchema = {
  $id: 'https://harness.dev/schemas/run-manifest.json',
  type: 'object',
  required: ['schema_version', 'suite', 'budget', 'seeds', 'leaderboard', 'plugins', 'units', 'checksums'],
  properties: {
    schema_version: { type: 'integer', minimum: 1 },
    suite: {
      type: 'object',
      required: ['id', 'version', 'file'],
      properties: { id: text, version: { type: 'integer', minimum: 1 }, file: text, sha256: hex64 },
    },
    budget,
    seeds: seedList,
    seeds_override: { anyOf: [{ type: 'null' }, seedList] },
    models: {
      type: 'array',
      items: { type: 'object', required: ['name', 'identity'], properties: { name: text, spec: { type: 'object' }, identity: { type: 'object' } } },
    },
    backend: { type: 'string' },
    jobs: { type: 'integer', minimum: 1 },
    leaderboard: {
      type: 'object',
      required: ['suite', 'suiteVersion', 'primary', 'goal', 'groupBy'],
      properties: {
        ...ranking.properties,
        suite: text,
        suiteVersion: { type: 'integer', minimum: 1 },
        groupBy: { type: 'array', items: { type: 'string' } },
        shown: { type: 'array', items: { type: 'string' } },
        byTask: { type: 'object', additionalProperties: ranking },
        scales: { type: 'object' },
      },
    },
    plugins: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['version', 'code_sha256'],
        properties: { version: text, origin: { type: 'string' }, code_sha256: hex64 },
      },
    },
    provenance: { type: 'object' },
    command: { type: 'array', items: { type: 'string' } },
    shard: {
      anyOf: [
        { type: 'null' },
        { type: 'object', required: ['index', 'count'], properties: { index: { type: 'integer', minimum: 0 }, count: { type: 'integer', minimum: 1 } } },
      ],
    },
    finished_at: { type: 'string' },
    units: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'task', 'method', 'params', 'seed', 'status'],
        properties: {
          key: hex64,
          task: text,
          method: text,
          params: { type: 'object' },
          seed: { type: 'integer', minimum: 0 },
          status: { type: 'string', enum: ['ok', 'error', 'timeout', 'skipped', 'pending', 'other-shard'] },
          rows_sha256: { anyOf: [{ type: 'null' }, hex64] },
          cached_from: { anyOf: [{ type: 'null' }, { type: 'string' }] },
        },
      },
    },
    checksums: { type: 'object', additionalProperties: hex64 },
  },
} as const;
