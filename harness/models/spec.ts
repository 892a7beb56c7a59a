// Model specs: how a user names a model on the command line, in a suite's `models:` list or in a
// models YAML file. Parsing is pure; resolving a spec to a live model is open.ts.
//
//   openai:http://127.0.0.1:8000/v1#served-name         an OpenAI-compatible endpoint
//   openai:http://127.0.0.1:8000/v1#served-name?chat=true&apiKeyEnv=MY_KEY
//   onnx:path/to/folder                                 model.onnx + tokenizer.json (Optimum layout)
//   builtin:gemini-long-context/ppm-6                   a model a plugin ships
//   name=<spec>                                         the same, with a leaderboard name
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { Json, Params } from '../api/types.ts';
import { UserError } from '../errors.ts';

export interface OpenAIModelSpec {
  kind: 'openai';
  name: string;
  /** Base URL including the API prefix, e.g. http://127.0.0.1:8000/v1 (no trailing slash). */
  baseUrl: string;
  /** The served model name sent as `model`. */
  model: string;
  /** Environment variable holding the API key (default OPENAI_API_KEY; unset → no Authorization header). */
  apiKeyEnv?: string;
  /** Use /v1/chat/completions (chat prompt form) instead of /v1/completions. */
  chat?: boolean;
  /** A local tokenizer.json (file or folder) when the server has no /tokenize. */
  tokenizer?: string;
  /** Requests in flight at once, per process (default 4). */
  concurrency?: number;
  /** Per-request timeout in seconds (default 120). */
  timeoutSeconds?: number;
  /** Retries on 429 / 5xx / connection errors (default 6). */
  maxRetries?: number;
  /** The model's context length when the server does not report it. */
  contextLength?: number;
}

export interface OnnxModelSpec {
  kind: 'onnx';
  name: string;
  /** Absolute folder holding model.onnx and tokenizer.json. */
  dir: string;
  /** Use the past_key_values inputs when the graph has them (default true). */
  kvCache?: boolean;
}

export interface BuiltinModelSpec {
  kind: 'builtin';
  name: string;
  /** `plugin/model`: a model exported by a plugin's `models`. */
  ref: string;
  params?: Params;
}

export type ModelSpec = OpenAIModelSpec | OnnxModelSpec | BuiltinModelSpec;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]*$/;

/** Options of a spec string's `?a=b&c=d` tail that an adapter understands, with their types. */
const OPENAI_OPTIONS: Record<string, 'string' | 'boolean' | 'number'> = {
  apiKeyEnv: 'string', chat: 'boolean', tokenizer: 'string', concurrency: 'number', timeoutSeconds: 'number', maxRetries: 'number', contextLength: 'number',
};
const ONNX_OPTIONS: Record<string, 'string' | 'boolean' | 'number'> = { kvCache: 'boolean' };

/** Parses one spec string; `where` names its origin in errors (e.g. `--model` or `file.yaml: /models/2`). */
export function parseModelSpec(text: string, where = '--model', baseDir = process.cwd()): ModelSpec {
  const fail = (why: string): never => {
    const shown = text.replace(/\/\/[^/@\s]*@/, '//…@'); // credentials in a URL never reach a message
    throw new UserError(`${where}: ${JSON.stringify(shown)}: ${why}`, [
      'expected openai:<base-url>#<served-name>, onnx:<folder> or builtin:<plugin>/<model>, optionally prefixed by <name>=',
    ]);
  };
  let name: string | undefined;
  let body = text.trim();
  const eq = body.indexOf('=');
  const colon = body.indexOf(':');
  if (eq > 0 && (colon < 0 || eq < colon)) {
    name = body.slice(0, eq);
    body = body.slice(eq + 1);
    if (!NAME.test(name)) fail(`the name "${name}" may hold only letters, digits and . _ @ : -`);
  }
  const kind = body.slice(0, body.indexOf(':'));
  const target = body.slice(kind.length + 1);
  if (!target) fail('nothing after the kind');
  if (kind === 'openai') {
    const hash = target.indexOf('#');
    if (hash < 0) fail('an openai spec names the served model after "#", e.g. openai:http://127.0.0.1:8000/v1#my-model');
    const url = target.slice(0, hash);
    const [model, query = ''] = target.slice(hash + 1).split('?', 2);
    if (!model) fail('the served model name after "#" is empty');
    const options = parseOptions(query, OPENAI_OPTIONS, fail);
    return openAISpec({ name: name ?? model.replace(/[^A-Za-z0-9._@:-]/g, '-').replace(/^[^A-Za-z0-9]+/, ''), baseUrl: url, model, ...options }, fail, baseDir);
  }
  if (kind === 'onnx') {
    const [path, query = ''] = target.split('?', 2);
    const options = parseOptions(query, ONNX_OPTIONS, fail);
    const dir = resolve(baseDir, path);
    return { kind: 'onnx', name: name ?? defaultOnnxName(dir), dir, ...(options as { kvCache?: boolean }) };
  }
  if (kind === 'builtin') {
    if (!/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*$/.test(target)) fail('a builtin model is named <plugin>/<model>, e.g. builtin:gemini-long-context/ppm-6');
    return { kind: 'builtin', name: name ?? target.split('/')[1], ref: target };
  }
  return fail(`unknown model kind "${kind}"`);
}

function defaultOnnxName(dir: string): string {
  const base = dir.split(/[\\/]/).filter(Boolean).pop() ?? 'onnx';
  return `onnx-${base.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

function parseOptions(query: string, allowed: Record<string, 'string' | 'boolean' | 'number'>, fail: (why: string) => never): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (!query) return out;
  for (const [key, raw] of new URLSearchParams(query)) {
    const type = allowed[key];
    if (!type) fail(`unknown option "${key}" (known: ${Object.keys(allowed).join(', ')})`);
    if (type === 'boolean') {
      if (!['true', 'false', '1', '0', ''].includes(raw)) fail(`option ${key} must be true or false, got "${raw}"`);
      out[key] = raw === 'true' || raw === '1' || raw === '';
    } else if (type === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v) || v <= 0) fail(`option ${key} must be a positive number, got "${raw}"`);
      out[key] = v;
    } else {
      out[key] = raw;
    }
  }
  return out;
}

function openAISpec(spec: Omit<OpenAIModelSpec, 'kind'>, fail: (why: string) => never, baseDir: string): OpenAIModelSpec {
  let url: URL;
  try {
    url = new URL(spec.baseUrl);
  } catch {
    return fail(`"${spec.baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`the base URL must be http or https, got ${url.protocol}`);
  if (url.username || url.password) fail('put credentials in an environment variable named by apiKeyEnv, not in the URL');
  if (!NAME.test(spec.name)) fail(`the name "${spec.name}" may hold only letters, digits and . _ @ : - (prefix the spec with <name>=)`);
  for (const key of ['concurrency', 'maxRetries', 'contextLength'] as const) {
    if (spec[key] !== undefined && !Number.isInteger(spec[key])) fail(`option ${key} must be an integer`);
  }
  return {
    ...spec,
    kind: 'openai',
    baseUrl: url.toString().replace(/\/+$/, ''),
    tokenizer: spec.tokenizer === undefined ? undefined : resolve(baseDir, spec.tokenizer),
  };
}

/** A `models:` entry of a suite or a models file: a spec string, or an object with `spec` and an optional `as`. */
export type ModelEntry = string | { spec: string; as?: string };

export function parseModelEntry(entry: unknown, where: string, baseDir: string): ModelSpec {
  if (typeof entry === 'string') return parseModelSpec(entry, where, baseDir);
  if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof (entry as { spec?: unknown }).spec === 'string') {
    const { spec, as, ...rest } = entry as { spec: string; as?: unknown };
    const extra = Object.keys(rest);
    if (extra.length) throw new UserError(`${where}: unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (a model entry has spec and as)`);
    const parsed = parseModelSpec(spec, `${where}/spec`, baseDir);
    if (as !== undefined) {
      if (typeof as !== 'string' || !NAME.test(as)) throw new UserError(`${where}/as: expected a name of letters, digits and . _ @ : -, got ${JSON.stringify(as)}`);
      return { ...parsed, name: as };
    }
    return parsed;
  }
  throw new UserError(`${where}: expected a model spec string or { spec, as }, got ${JSON.stringify(entry)}`);
}

/** A models YAML file: a list of entries, or `{ models: [...] }`. Paths resolve against the file's folder. */
export function readModelsFile(file: string): ModelSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read models file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length) throw new UserError(`${file}: invalid YAML`, doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`));
  const value = doc.toJS() as unknown;
  const list = Array.isArray(value) ? value : (value as { models?: unknown } | null)?.models;
  if (!Array.isArray(list) || !list.length) throw new UserError(`${file}: expected a non-empty list of models (or { models: [...] })`);
  return list.map((entry, i) => parseModelEntry(entry, `${file}: /${Array.isArray(value) ? '' : 'models/'}${i}`, dirname(resolve(file))));
}

/** `--model` values: spec strings, or paths of models YAML files (.yaml / .yml). */
export function parseModelOptions(values: readonly string[], baseDir = process.cwd()): ModelSpec[] {
  const specs = values.flatMap((v) => (/\.ya?ml$/i.test(v) && !v.includes(':') ? readModelsFile(resolve(baseDir, v)) : [parseModelSpec(v, `--model`, baseDir)]));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new UserError(`--model: two models are named "${s.name}"; prefix one spec with <name>=`);
    seen.add(s.name);
  }
  return specs;
}
