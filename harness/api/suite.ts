// Suite files (YAML): the standardized, versioned definition of what runs and how it is ranked.
import type { Json } from './types.ts';

export type BudgetKey = 'smoke' | 'standard' | 'full';

/** A param is a fixed value or an axis of the grid (`{ values: [...] }`). */
export type ParamSpec = Json | { values: Json[] };

export interface EachSpec {
  /** `plugin/source`: a named param-set source exported by a plugin. */
  from: string;
  /** Keep only sets whose listed params equal these values (a list means any of them). */
  where?: Record<string, Json>;
  /** Keep the first N sets (after `where`). */
  limit?: number;
}

export interface SuiteTaskOverride {
  params?: Record<string, ParamSpec>;
  each?: EachSpec;
  seeds?: number[];
}

export interface SuiteTask {
  task: string;
  params?: Record<string, ParamSpec>;
  each?: EachSpec;
  /** Seeds of this task when they differ from the suite's (a deterministic task needs only one). */
  seeds?: number[];
  /** This task's boards are ranked by another metric than the suite's (a suite mixing tasks). */
  primary?: SuitePrimary;
  /** Run this task at this budget whatever budget the suite runs at (how `include` pins a budget). */
  budget?: BudgetKey;
  budgets?: Partial<Record<BudgetKey, SuiteTaskOverride>>;
}

/** The metric a board is ranked by, and how wins are decided on it. */
export interface SuitePrimary {
  metric: string;
  wins?: { truncateDecimals?: number; missingAs?: number };
}

export interface SuiteMethod {
  method: string;
  /** Leaderboard name when the same method appears with several params. */
  as?: string;
  params?: Record<string, ParamSpec>;
}

export interface SuiteBudget {
  seeds?: number[];
  timeoutSeconds?: number;
}

export interface SuiteFile {
  id: string;
  version: number;
  title: string;
  description: string;
  primary: SuitePrimary;
  leaderboard?: { groupBy?: string[]; metrics?: string[] };
  tasks: SuiteTask[];
  methods: Array<string | SuiteMethod>;
  seeds: number[];
  timeoutSeconds?: number;
  budgets?: Partial<Record<BudgetKey, SuiteBudget>>;
  /** Other suites whose tasks and methods this one runs too, each at a fixed budget (`smoke` gathers
   * every plugin's smoke budget this way). Their methods compete on every task here they solve;
   * their claims stay with them. */
  include?: SuiteInclude[];
  /** Language models (spec strings or `{ spec, as }`) that compete on every task evaluating any language model. */
  models?: Array<string | { spec: string; as?: string }>;
}

export interface SuiteInclude {
  suite: string;
  budget: BudgetKey;
}

const paramMap = { type: 'object', additionalProperties: true } as const;
const each = {
  type: 'object',
  additionalProperties: false,
  required: ['from'],
  properties: {
    from: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$' },
    where: { type: 'object' },
    limit: { type: 'integer', minimum: 1 },
  },
} as const;
const taskOverride = {
  type: 'object',
  additionalProperties: false,
  properties: { params: paramMap, each, seeds: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } } },
} as const;
/** The longest per-unit timeout: its milliseconds must fit a timer (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMEOUT_SECONDS = 2_147_483;
const timeoutSchema = { type: 'number', exclusiveMinimum: 0, maximum: MAX_TIMEOUT_SECONDS } as const;
const budget = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seeds: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
    timeoutSeconds: timeoutSchema,
  },
} as const;
const primary = {
  type: 'object',
  additionalProperties: false,
  required: ['metric'],
  properties: {
    metric: { type: 'string', minLength: 1 },
    wins: {
      type: 'object',
      additionalProperties: false,
      properties: {
        truncateDecimals: { type: 'integer', minimum: 0, maximum: 15 },
        missingAs: { type: 'number' },
      },
    },
  },
} as const;
const qualifiedId = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$' } as const;

export const suiteSchema = {
  $id: 'https://harness.dev/schemas/suite.json',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'title', 'description', 'primary', 'tasks', 'methods', 'seeds'],
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    version: { type: 'integer', minimum: 1 },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 1 },
    primary,
    include: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['suite', 'budget'],
        properties: { suite: { type: 'string', minLength: 1 }, budget: { enum: ['smoke', 'standard', 'full'] } },
      },
    },
    leaderboard: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groupBy: { type: 'array', items: { type: 'string', minLength: 1 } },
        metrics: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
    tasks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['task'],
        properties: {
          task: qualifiedId,
          params: paramMap,
          each,
          seeds: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
          primary,
          budget: { enum: ['smoke', 'standard', 'full'] },
          budgets: {
            type: 'object',
            additionalProperties: false,
            properties: { smoke: taskOverride, standard: taskOverride, full: taskOverride },
          },
        },
      },
    },
    methods: {
      type: 'array',
      items: {
        oneOf: [
          qualifiedId,
          {
            type: 'object',
            additionalProperties: false,
            required: ['method'],
            properties: { method: qualifiedId, as: { type: 'string', minLength: 1 }, params: paramMap },
          },
        ],
      },
    },
    seeds: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
    timeoutSeconds: timeoutSchema,
    models: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'object', additionalProperties: false, required: ['spec'], properties: { spec: { type: 'string', minLength: 1 }, as: { type: 'string', minLength: 1 } } },
        ],
      },
    },
    budgets: {
      type: 'object',
      additionalProperties: false,
      properties: { smoke: budget, standard: budget, full: budget },
    },
  },
} as const;

// The schema and the type list the same top-level fields (checked by the compiler).
type SchemaFields<S> = S extends { properties: infer P } ? Exclude<keyof P, '$schema'> : never;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const suiteFieldsMatch: SameKeys<SchemaFields<typeof suiteSchema>, keyof SuiteFile> = true;
void suiteFieldsMatch;
