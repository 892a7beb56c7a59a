// What a result depends on, as code: a module and every module it imports, transitively, wherever they
// live (the plugin's folder, a helper beside it, harness/nn, harness/models, datasets/). Unit keys and
// artifact keys hash exactly this, so an edit to any of it misses the cache and nothing else does
// (tests, READMEs, tsconfig and package.json metadata are not imported by the code).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './canonical.ts';

const HARNESS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLUGIN_API = join(HARNESS_ROOT, 'harness', 'api', 'index.ts');
/** Bare specifiers that the harness resolves to its own plugin API (see harness/loader). */
const API_SPECIFIERS = new Set(['paper-harness/api', 'harness/api']);
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** A plugin as far as its code is concerned. */
export interface PluginCode {
  dir: string;
  manifest: { entry?: string; suites?: string[] };
}

// `import x from '…'`, `import '…'`, `export … from '…'`; group 1 is `type` for imports erased at compile time.
const STATIC_IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?['"]([^'"\n]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*[,)]/g;

/** The files `entries` import (relative paths and the plugin API), transitively, with the entries themselves. */
export function moduleGraph(entries: readonly string[]): string[] {
  const found = new Set<string>();
  const queue = entries.filter((f) => existsSync(f));
  for (const f of queue) found.add(f);
  while (queue.length) {
    const file = queue.pop()!;
    if (!CODE.test(file)) continue; // JSON and other imported data count by content only
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...[...text.matchAll(STATIC_IMPORT)].filter((m) => !m[1]).map((m) => m[2]),
      ...[...text.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]),
    ];
    for (const specifier of specifiers) {
      const target = resolveSpecifier(file, specifier);
      if (!target || found.has(target)) continue;
      found.add(target);
      queue.push(target);
    }
  }
  return [...found].sort();
}

/** A relative import or the plugin API as a file; packages from node_modules are left out (not ours to hash). */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (API_SPECIFIERS.has(specifier)) return PLUGIN_API;
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(from), specifier.split('?')[0]);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** How a file is named in a hash: by its place, not by where the plugin happens to be installed. */
function label(file: string, pluginDir?: string): string {
  const within = (dir: string) => {
    const path = relative(dir, file);
    return !isAbsolute(path) && !path.startsWith(`..${sep}`) && path !== '..' ? path.split(sep).join('/') : undefined;
  };
  const own = pluginDir && within(pluginDir);
  if (own) return `plugin:${own}`;
  const core = within(HARNESS_ROOT);
  if (core) return `core:${core}`;
  return `beside:${relative(pluginDir ?? HARNESS_ROOT, file).split(sep).join('/')}`;
}

function hashFiles(files: readonly string[], pluginDir?: string): string {
  return sha256(
    files
      .map((f) => `${label(f, pluginDir)}\0${sha256(readFileSync(f))}`)
      .sort()
      .join('\n'),
  );
}

/** Not code and not data a unit reads: documentation, tests, package metadata, figures, run outputs. */
const NOT_DATA = /^(readme|licen[cs]e|changelog|notice|contributing)(\..*)?$|\.(md|markdown|txt|tmpl)$|^(package|package-lock|plugin|tsconfig(\..*)?)\.json$|\.vl\.json$|\.tgz$/i;
/** Suites enter unit keys by what they mean (id, version, params, seeds); charts only draw results. */
const SKIPPED_DIRS = new Set(['node_modules', 'test', 'tests', 'results', 'scripts', 'suites', 'charts']);

/** Data files shipped in the plugin's folder (weights, tables): a unit may read them by path, so they count. */
function dataFiles(plugin: PluginCode): string[] {
  const suites = new Set((plugin.manifest.suites ?? []).map((s) => resolve(plugin.dir, s)));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(path);
      } else if (!CODE.test(name) && !NOT_DATA.test(name) && !suites.has(path)) {
        files.push(path);
      }
    }
  };
  walk(plugin.dir);
  return files;
}

/** Hash of a plugin's code (its entry module's import graph) and the data files it ships. */
export function pluginCodeHash(plugin: PluginCode): string {
  const graph = moduleGraph([join(plugin.dir, plugin.manifest.entry ?? 'index.ts')]);
  return hashFiles([...new Set([...graph, ...dataFiles(plugin)])], plugin.dir);
}

/** Hash of a core module and everything it imports (a model adapter's part of a unit key). */
export function coreCodeHash(file: string): string {
  return hashFiles(moduleGraph([file]));
}

/** The files under the shared code folders (harness/nn, harness/models, datasets/) that `files` import. */
export function sharedImports(files: readonly string[]): string[] {
  const shared = ['harness/nn', 'harness/models', 'datasets'].map((d) => join(HARNESS_ROOT, d) + sep);
  return moduleGraph(files).filter((f) => shared.some((d) => f.startsWith(d)));
}

