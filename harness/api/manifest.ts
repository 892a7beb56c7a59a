// plugin.json: what `harness list` shows and what the core validates before importing any plugin code.
// The TypeScript type and the JSON Schema are tied by ajv's JSONSchemaType: the compiler rejects drift.
import type { JSONSchemaType } from 'ajv';
import type { MetricGoal } from './types.ts';

export interface DatasetFile {
  path: string;
  sha256: string;
}

export interface DatasetDeclaration {
  id: string;
  title: string;
  source: string;
  licence: string;
  /** One line telling a user how to obtain the files. */
  obtain: string;
  files: DatasetFile[];
}

export interface TaskDeclaration {
  id: string;
  version: number;
  title: string;
  /** JSON Schema of the task's params, checked when a suite is loaded. */
  params?: Record<string, unknown>;
  /** The task evaluates any language model (its code has `evaluate`): each `--model` becomes a method row. */
  languageModel?: boolean;
  /** JSON Schema of what `prepare` hands a method (checked on each prepared instance; a mismatch is the task's fault). */
  input?: Record<string, unknown>;
  /** JSON Schema of what `score` expects from a method (checked before `score`; a mismatch is the method's fault).
   * Typed arrays are described with `{ "typedArray": "Float64Array" }` (or `"any"`). */
  output?: Record<string, unknown>;
}

export interface MethodDeclaration {
  id: string;
  /** The task(s) it solves: `task` (own plugin) or `plugin/task` (another plugin's task). */
  task: string | string[];
  title: string;
}

/** The tasks a method declares, as a list. */
export function methodTasks(method: MethodDeclaration): string[] {
  return Array.isArray(method.task) ? method.task : [method.task];
}

/** What a metric's values are: a fraction of successes (accuracy, pass@k, coverage), a rate per
 * unit of something (tokens/s, errors per 1000), or any other real quantity. It chooses the
 * interval a leaderboard prints: Wilson for proportions of 0/1 outcomes, Student t otherwise. */
export type MetricKind = 'proportion' | 'rate' | 'real';

/** Bounds a metric's values cannot leave, `null` for an open end: `[0, 1]`, `[0, null]` (NLL), `[null, 1]` (R²).
 * Leaderboard intervals are clipped to them. */
export type MetricRange = [number | null, number | null];

export interface MetricDeclaration {
  id: string;
  goal: MetricGoal;
  unit: string;
  description: string;
  kind?: MetricKind;
  range?: MetricRange;
}

export interface KernelDeclaration {
  id: string;
  title: string;
}

export interface ClaimDeclaration {
  id: string;
  suite: string;
  statement: string;
  /** The paper's number or wording, with its source (section, table, figure). */
  paper: string;
  /** Smallest budget on which the claim is meaningful; smaller runs report not-checked. */
  budget?: 'smoke' | 'standard' | 'full';
}

export interface ModelDeclaration {
  id: string;
  title: string;
}

export interface PluginManifest {
  id: string;
  title: string;
  version: string;
  harnessApi: string;
  paper: { arxiv: string; title: string; year: number };
  entry?: string;
  requires?: string[];
  datasets?: DatasetDeclaration[];
  suites?: string[];
  tasks?: TaskDeclaration[];
  methods?: MethodDeclaration[];
  metrics?: MetricDeclaration[];
  kernels?: KernelDeclaration[];
  claims?: ClaimDeclaration[];
  /** Language models the plugin ships, usable anywhere as `builtin:<plugin>/<id>`. */
  models?: ModelDeclaration[];
}

const idPattern = '^[a-z0-9][a-z0-9-]*$';
const id = { type: 'string', pattern: idPattern } as const;
const text = { type: 'string', minLength: 1 } as const;
const taskRef = '^([a-z0-9][a-z0-9-]*/)?[a-z0-9][a-z0-9-]*$';
/** A list of `{ id, title }` (kernels, models). */
const idTitleList = {
  type: 'array',
  nullable: true,
  items: { type: 'object', additionalProperties: false, required: ['id', 'title'], properties: { id, title: text } },
} as const;

export const pluginManifestSchema: JSONSchemaType<PluginManifest> = {
  $id: 'https://harness.dev/schemas/plugin.json',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'version', 'harnessApi', 'paper'],
  properties: {
    $schema: { type: 'string', nullable: true },
    id,
    title: text,
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$' },
    harnessApi: text,
    paper: {
      type: 'object',
      additionalProperties: false,
      required: ['arxiv', 'title', 'year'],
      properties: {
        arxiv: { type: 'string', pattern: '^\\d{4}\\.\\d{4,5}$' },
        title: text,
        year: { type: 'integer', minimum: 1900 },
      },
    },
    entry: { type: 'string', nullable: true },
    requires: { type: 'array', nullable: true, items: text },
    datasets: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'source', 'licence', 'obtain', 'files'],
        properties: {
          id,
          title: text,
          source: text,
          licence: text,
          obtain: text,
          files: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['path', 'sha256'],
              properties: { path: text, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
            },
          },
        },
      },
    },
    suites: { type: 'array', nullable: true, items: text },
    tasks: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'version', 'title'],
        properties: {
          id,
          version: { type: 'integer', minimum: 1 },
          title: text,
          params: { type: 'object', nullable: true, required: [] },
          languageModel: { type: 'boolean', nullable: true },
          input: { type: 'object', nullable: true, required: [] },
          output: { type: 'object', nullable: true, required: [] },
        },
      },
    },
    methods: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'task', 'title'],
        properties: {
          id,
          task: {
            type: ['string', 'array'],
            oneOf: [{ type: 'string', pattern: taskRef }, { type: 'array', minItems: 1, items: { type: 'string', pattern: taskRef } }],
          } as never,
          title: text,
        },
      },
    },
    metrics: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'goal', 'unit', 'description'],
        properties: {
          id,
          goal: { type: 'string', enum: ['min', 'max', 'info'] },
          unit: { type: 'string' },
          description: text,
          kind: { type: 'string', nullable: true, enum: ['proportion', 'rate', 'real'] },
          range: {
            type: 'array',
            nullable: true,
            minItems: 2,
            maxItems: 2,
            items: [{ type: 'number', nullable: true }, { type: 'number', nullable: true }],
          } as never,
        },
      },
    },
    models: idTitleList,
    kernels: idTitleList,
    claims: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'suite', 'statement', 'paper'],
        properties: {
          id,
          suite: id,
          statement: text,
          paper: text,
          budget: { type: 'string', nullable: true, enum: ['smoke', 'standard', 'full'] },
        },
      },
    },
  },
};
