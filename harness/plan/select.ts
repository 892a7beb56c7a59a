// `--task` / `--method` selections: glob patterns with optional inline parameter overrides, e.g.
//   --task 'gss/*'   --task 'language-modeling[length=256,steps=[10,20]]'   --method 'gss[order=2]'
// A selection keeps the suite's task entries and methods whose names match any pattern; overrides
// replace a parameter's value (a list `[a,b]` becomes a grid axis). The plan of a selected run is
// recorded in its manifest, so `validate` recomputes the same units.
import type { Json, Params } from '../api/types.ts';
import { UserError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';

export interface Pattern {
  /** The text as given (for messages). */
  text: string;
  glob: string;
  /** Parameter overrides; a `values` list is a grid axis. */
  params: Record<string, Json | { values: Json[] }>;
}

export interface Selection {
  tasks: Pattern[];
  methods: Pattern[];
}

export const EMPTY_SELECTION: Selection = { tasks: [], methods: [] };

export function isEmptySelection(selection: Selection | undefined): boolean {
  return !selection || (!selection.tasks.length && !selection.methods.length);
}

/** Parses `glob[p=v,q=[1,2]]`; `what` names the option in errors (`--task`). */
export function parsePattern(text: string, what: string): Pattern {
  const open = text.indexOf('[');
  if (open < 0) return checkGlob({ text, glob: text.trim(), params: {} }, what);
  if (!text.endsWith(']')) throw new UserError(`${what} ${JSON.stringify(text)}: expected name[param=value,…] with a closing "]"`);
  const glob = text.slice(0, open).trim();
  const params: Pattern['params'] = {};
  for (const item of splitTopLevel(text.slice(open + 1, -1), what, text)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError(`${what} ${JSON.stringify(text)}: "${item}" is not param=value`);
    const name = item.slice(0, eq).trim();
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new UserError(`${what} ${JSON.stringify(text)}: "${name}" is not a parameter name`);
    if (name in params) throw new UserError(`${what} ${JSON.stringify(text)}: parameter "${name}" given twice`);
    const value = parseValue(item.slice(eq + 1).trim());
    params[name] = Array.isArray(value) ? { values: value } : value;
  }
  return checkGlob({ text, glob, params }, what);
}

function checkGlob(pattern: Pattern, what: string): Pattern {
  if (!pattern.glob) throw new UserError(`${what} ${JSON.stringify(pattern.text)}: a name or glob is needed before "["`);
  if (!/^[\w.:/*?@-]+$/.test(pattern.glob)) throw new UserError(`${what} ${JSON.stringify(pattern.text)}: "${pattern.glob}" may contain only names, "/", "*" and "?"`);
  return pattern;
}

/** Splits on commas outside brackets and quotes. */
function splitTopLevel(body: string, what: string, text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"') quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      items.push(body.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) break;
  }
  if (depth !== 0 || quote) throw new UserError(`${what} ${JSON.stringify(text)}: unbalanced brackets or quotes`);
  items.push(body.slice(start));
  return items.map((s) => s.trim()).filter((s) => s.length);
}

/** JSON when it parses (numbers, booleans, null, lists, quoted strings), else the bare text as a string. */
function parseValue(text: string): Json {
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1);
    try {
      return JSON.parse(text) as Json;
    } catch {
      return splitTopLevel(inner, 'value', text).map(parseValue);
    }
  }
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Does `pattern` name this thing? Any of its names may match (qualified id, local id, leaderboard name). */
export function matches(pattern: Pattern, names: readonly string[]): boolean {
  const re = globToRegExp(pattern.glob);
  return names.some((n) => re.test(n));
}

/** The patterns among `patterns` that match (all of them when there are none: no filter). */
export function matching(patterns: readonly Pattern[], names: readonly string[]): Pattern[] | undefined {
  if (!patterns.length) return [];
  const hits = patterns.filter((p) => matches(p, names));
  return hits.length ? hits : undefined;
}

/** Applies the overrides of the matching patterns to one param set, expanding list overrides into a grid. */
export function overrideParams(sets: Params[], patterns: readonly Pattern[]): Params[] {
  let out = sets;
  for (const pattern of patterns) {
    for (const [name, value] of Object.entries(pattern.params)) {
      const axis = value && typeof value === 'object' && !Array.isArray(value) && 'values' in value ? (value.values as Json[]) : [value as Json];
      out = out.flatMap((set) => axis.map((v) => ({ ...set, [name]: v })));
    }
  }
  const seen = new Set<string>();
  return out.filter((set) => {
    const key = canonicalJson(set);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A selection as plain JSON (for the manifest) and back. */
export function selectionToJson(selection: Selection): Json {
  return { tasks: selection.tasks.map((p) => p.text), methods: selection.methods.map((p) => p.text) };
}

export function selectionFromJson(value: unknown, where: string): Selection {
  if (value === undefined || value === null) return EMPTY_SELECTION;
  const v = value as { tasks?: unknown; methods?: unknown };
  const list = (x: unknown, key: string) => {
    if (x === undefined) return [];
    if (!Array.isArray(x) || x.some((s) => typeof s !== 'string')) throw new UserError(`${where}/selection/${key}: expected a list of strings`);
    return x as string[];
  };
  return {
    tasks: list(v.tasks, 'tasks').map((t) => parsePattern(t, `${where}/selection/tasks`)),
    methods: list(v.methods, 'methods').map((m) => parsePattern(m, `${where}/selection/methods`)),
  };
}

/** The selection given by repeatable `--task` / `--method` options. */
export function selectionFromOptions(tasks: readonly string[] = [], methods: readonly string[] = []): Selection {
  return { tasks: tasks.map((t) => parsePattern(t, '--task')), methods: methods.map((m) => parsePattern(m, '--method')) };
}

export const TASK_OPTION_HELP = 'only suite tasks matching this glob (qualified or bare id), with optional overrides: name[p=v,q=[1,2]] (repeatable)';
export const METHOD_OPTION_HELP = 'only methods (or --model names) matching this glob, with optional overrides: name[p=v] (repeatable)';
