// Schema validation with messages a person can act on: file, path inside it, what was expected.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { pluginManifestSchema } from './manifest.ts';
import { rowSchema } from './rows.ts';
import { suiteSchema } from './suite.ts';

// ajv-formats is CommonJS: under NodeNext its callable export sits on `.default`.
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// Tasks hand methods typed arrays (Float64Array, Int32Array…), which JSON Schema has no type for.
ajv.addKeyword({
  keyword: 'typedArray',
  schemaType: 'string',
  errors: true,
  validate: function typedArray(expected: string, data: unknown): boolean {
    const ok = ArrayBuffer.isView(data) && !(data instanceof DataView) && (expected === 'any' || data.constructor.name === expected);
    if (!ok) {
      const found = data === null ? 'null' : ArrayBuffer.isView(data) ? data.constructor.name : Array.isArray(data) ? 'an array' : typeof data;
      (typedArray as unknown as { errors: Partial<ErrorObject>[] }).errors = [
        { keyword: 'typedArray', params: { expected, found }, message: `expected a ${expected === 'any' ? 'typed array' : expected}, got ${found}` },
      ];
    }
    return ok;
  },
});

const validators = {
  plugin: ajv.compile(pluginManifestSchema),
  suite: ajv.compile(suiteSchema),
  row: ajv.compile(rowSchema),
};

export type SchemaKind = keyof typeof validators;

export const schemas = { plugin: pluginManifestSchema, suite: suiteSchema, row: rowSchema };

/** Validates `value` and returns one human-readable line per problem (empty when valid). */
export function schemaProblems(kind: SchemaKind, value: unknown, file: string, pathPrefix = ''): string[] {
  const validate = validators[kind] as ValidateFunction;
  if (validate(value)) return [];
  return describeErrors(validate.errors ?? [], file, pathPrefix);
}

export function validateWithSchema(schema: object, value: unknown, file: string, pathPrefix = ''): string[] {
  const validate = ajv.compile(schema);
  if (validate(value)) return [];
  return describeErrors(validate.errors ?? [], file, pathPrefix);
}

function describeErrors(errors: ErrorObject[], file: string, pathPrefix: string): string[] {
  // oneOf failures repeat every branch's complaint; keep the most specific ones.
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  const lines = (specific.length ? specific : errors).map((error) => {
    const path = pathPrefix + (error.instancePath || '') || '/';
    return `${file}: ${path}: ${explain(error)}`;
  });
  return [...new Set(lines)];
}

function explain(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `missing required field "${p.missingProperty}"`;
    case 'additionalProperties':
      return `unknown field "${p.additionalProperty}"`;
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `expected ${p.type}`;
    case 'pattern':
      return `expected a string matching ${p.pattern}`;
    case 'typedArray':
      return error.message ?? 'expected a typed array';
    default:
      return `expected value that ${error.message ?? 'matches the schema'}`;
  }
}
