// Finds plugins and suites from their manifests alone; plugin code is imported only when a unit needs it.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { methodTasks, type PluginManifest } from '../api/manifest.ts';
import type { Plugin } from '../api/types.ts';
import { schemaProblems, validateWithSchema } from '../api/validate.ts';
import { PLUGIN_FLAG_HINT, UserError, didYouMean } from '../errors.ts';
import { registerPluginApiResolution } from '../loader/register.ts';

export const HARNESS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HARNESS_VERSION: string = JSON.parse(readFileSync(join(HARNESS_ROOT, 'package.json'), 'utf8')).version;
/** The plugin API version; plugins declare a semver range (`harnessApi`) that must include it. */
export const HARNESS_API_VERSION = '1.0.0';

export type PluginOrigin = 'builtin' | 'package' | 'directory';

export interface PluginRecord {
  manifest: PluginManifest;
  dir: string;
  manifestFile: string;
  origin: PluginOrigin;
  /** Why the plugin cannot run here (a dependency is missing); undefined when it can. */
  notInstalled?: string;
}

export interface SuiteRecord {
  id: string;
  file: string;
  /** Plugin that ships the suite, if any. */
  plugin?: string;
}

export interface Registry {
  plugins: Map<string, PluginRecord>;
  suites: Map<string, SuiteRecord>;
}

export interface DiscoverOptions {
  /** Extra plugin folders (`--plugin DIR`). */
  pluginDirs?: string[];
  /** Where to look for npm-installed plugins (default: the current directory and the harness root). */
  cwd?: string;
}

export function discover(options: DiscoverOptions = {}): Registry {
  const candidates: Array<{ dir: string; manifestFile: string; origin: PluginOrigin }> = [];
  const builtinDir = join(HARNESS_ROOT, 'plugins');
  if (existsSync(builtinDir)) {
    for (const name of readdirSync(builtinDir).sort()) {
      const manifestFile = join(builtinDir, name, 'plugin.json');
      if (existsSync(manifestFile)) candidates.push({ dir: join(builtinDir, name), manifestFile, origin: 'builtin' });
    }
  }
  const moduleRoots = [...new Set([resolve(options.cwd ?? process.cwd()), HARNESS_ROOT])];
  for (const root of moduleRoots) candidates.push(...packagePlugins(join(root, 'node_modules')));
  for (const dir of options.pluginDirs ?? []) {
    const abs = resolve(dir);
    const manifestFile = join(abs, 'plugin.json');
    if (!existsSync(manifestFile)) {
      throw new UserError(`--plugin ${dir}: no plugin.json in ${abs}`, [
        'A plugin folder holds plugin.json and its entry module; `harness new plugin <name>` scaffolds one.',
      ]);
    }
    candidates.push({ dir: abs, manifestFile, origin: 'directory' });
  }

  const plugins = new Map<string, PluginRecord>();
  const seenDirs = new Set<string>();
  for (const candidate of candidates) {
    if (seenDirs.has(candidate.dir)) continue;
    seenDirs.add(candidate.dir);
    const record = readManifest(candidate.dir, candidate.manifestFile, candidate.origin);
    const existing = plugins.get(record.manifest.id);
    if (existing) {
      throw new UserError(`duplicate plugin id "${record.manifest.id}"`, [
        `declared by ${existing.manifestFile}`,
        `and by ${record.manifestFile}`,
        'Plugin ids must be unique: rename one of them or remove the duplicate folder or package.',
      ]);
    }
    plugins.set(record.manifest.id, record);
  }

  const orphans: string[] = [];
  for (const record of plugins.values()) {
    (record.manifest.methods ?? []).forEach((method, i) => {
      for (const task of methodTasks(method)) {
        const target = qualify(record.manifest.id, task);
        const { plugin, local } = splitQualified(target);
        const provider = plugins.get(plugin);
        if (!provider?.manifest.tasks?.some((t) => t.id === local)) {
          const known = [...plugins.values()].flatMap((p) => (p.manifest.tasks ?? []).map((t) => `${p.manifest.id}/${t.id}`));
          orphans.push(`${record.manifestFile}: /methods/${i}/task: no installed plugin provides task "${target}"${didYouMean(target, known)}`);
        }
      }
    });
  }
  if (orphans.length) throw new UserError('a method targets a task that no plugin provides', [...orphans, PLUGIN_FLAG_HINT]);

  const suites = new Map<string, SuiteRecord>();
  const addSuite = (file: string, plugin?: string) => {
    const id = suiteId(file);
    const existing = suites.get(id);
    if (existing && existing.file !== file) {
      throw new UserError(`duplicate suite id "${id}": ${existing.file} and ${file}`, [
        'Suite ids are global. To rank your method on another plugin\'s suite, copy its file, add your method and run the copy by path (harness run ./my-copy.yaml --plugin DIR) without listing it in plugin.json\'s suites.',
      ]);
    }
    suites.set(id, { id, file, plugin });
  };
  const suitesDir = join(HARNESS_ROOT, 'suites');
  if (existsSync(suitesDir)) {
    for (const name of readdirSync(suitesDir).sort()) if (/\.ya?ml$/.test(name)) addSuite(join(suitesDir, name));
  }
  for (const record of plugins.values()) {
    for (const path of record.manifest.suites ?? []) {
      const file = resolve(record.dir, path);
      if (!existsSync(file)) throw new UserError(`${record.manifestFile}: /suites: file not found: ${path}`);
      addSuite(file, record.manifest.id);
    }
  }
  return { plugins, suites };
}

/** Suite files are named after their id: `suites/<id>.yaml`. */
export function suiteIdFromFile(file: string): string {
  return file.split(sep).pop()!.replace(/\.ya?ml$/, '');
}

/** A suite's id is its `id:` field (a copy may have any file name); the file name when it has none
 * readable, and the file's own problems are reported when it is loaded. */
export function suiteId(file: string): string {
  try {
    const id = (parseYaml(readFileSync(file, 'utf8')) as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id) return id;
  } catch {
    // reported by loadSuite
  }
  return suiteIdFromFile(file);
}

function packagePlugins(nodeModules: string): Array<{ dir: string; manifestFile: string; origin: PluginOrigin }> {
  if (!existsSync(nodeModules)) return [];
  const found: Array<{ dir: string; manifestFile: string; origin: PluginOrigin }> = [];
  const consider = (dir: string, name: string) => {
    const packageFile = join(dir, 'package.json');
    if (!existsSync(packageFile)) return;
    let pkg: { harness?: unknown };
    try {
      pkg = JSON.parse(readFileSync(packageFile, 'utf8'));
    } catch {
      return;
    }
    const named = /^(@[^/]+\/)?harness-plugin-/.test(name);
    if (!named && pkg.harness === undefined) return;
    const manifestPath =
      typeof pkg.harness === 'string'
        ? pkg.harness
        : (pkg.harness as { manifest?: string } | undefined)?.manifest ?? 'plugin.json';
    const manifestFile = join(dir, manifestPath);
    if (!existsSync(manifestFile)) {
      throw new UserError(`${packageFile}: /harness: the plugin manifest ${manifestPath} does not exist`);
    }
    found.push({ dir: dirname(manifestFile), manifestFile, origin: 'package' });
  };
  for (const entry of readdirSync(nodeModules).sort()) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      const scopeDir = join(nodeModules, entry);
      for (const sub of readdirSync(scopeDir).sort()) consider(join(scopeDir, sub), `${entry}/${sub}`);
    } else {
      consider(join(nodeModules, entry), entry);
    }
  }
  return found;
}

function readManifest(dir: string, manifestFile: string, origin: PluginOrigin): PluginRecord {
  let manifest: PluginManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    throw new UserError(`${manifestFile}: not valid JSON: ${(error as Error).message}`);
  }
  const problems = manifestProblems(manifest, manifestFile);
  if (problems.length) throw new UserError(`invalid plugin manifest ${manifestFile}`, problems);
  const missing = (manifest.requires ?? []).filter((pkg) => !packageInstalled(pkg, dir));
  const notInstalled = missing.length ? `missing dependency ${missing.join(', ')} (npm install ${missing.join(' ')})` : undefined;
  return { manifest, dir, manifestFile, origin, notInstalled };
}

/** Schema problems plus the checks a schema cannot express. */
export function manifestProblems(manifest: PluginManifest, file: string): string[] {
  const problems = schemaProblems('plugin', manifest, file);
  if (problems.length) return problems;
  if (!semver.validRange(manifest.harnessApi)) {
    problems.push(`${file}: /harnessApi: expected a semver range such as "^1.0.0", got "${manifest.harnessApi}"`);
  } else if (!semver.satisfies(HARNESS_API_VERSION, manifest.harnessApi)) {
    problems.push(
      `${file}: /harnessApi: this harness provides plugin API ${HARNESS_API_VERSION}, outside the plugin's range "${manifest.harnessApi}"`,
    );
  }
  const duplicates = (kind: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`${file}: /${kind}: duplicate id "${id}"`);
      seen.add(id);
    }
  };
  duplicates('tasks', (manifest.tasks ?? []).map((t) => t.id));
  duplicates('methods', (manifest.methods ?? []).map((m) => m.id));
  duplicates('metrics', (manifest.metrics ?? []).map((m) => m.id));
  duplicates('kernels', (manifest.kernels ?? []).map((k) => k.id));
  duplicates('claims', (manifest.claims ?? []).map((c) => c.id));
  problems.push(...pathProblems(manifest, file));
  // The JSON Schemas a task declares must be schemas: they are compiled when a suite is expanded and a unit checked.
  (manifest.tasks ?? []).forEach((task, i) => {
    for (const field of ['params', 'input', 'output'] as const) {
      if (task[field] === undefined) continue;
      try {
        validateWithSchema(task[field], undefined, file);
      } catch (error) {
        problems.push(`${file}: /tasks/${i}/${field}: not a valid JSON Schema: ${(error as Error).message}`);
      }
    }
  });
  for (const [i, metric] of (manifest.metrics ?? []).entries()) {
    const [lo, hi] = metric.range ?? [null, null];
    if (lo !== null && hi !== null && !(lo < hi)) problems.push(`${file}: /metrics/${i}/range: expected [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  }
  return problems;
}

/** Paths in plugin.json stay inside what they name: `entry` and `suites` inside the plugin folder (also
 * after following symlinks), dataset files inside their dataset's folder. */
function pathProblems(manifest: PluginManifest, file: string): string[] {
  const problems: string[] = [];
  const dir = dirname(resolve(file));
  const realDir = existsSync(dir) ? realpathSync(dir) : dir;
  const escapes = (path: string) => isAbsolute(path) || path.split(/[\\/]+/).includes('..') || /^[A-Za-z]:/.test(path);
  const inPluginFolder = (path: string, where: string) => {
    if (escapes(path)) {
      problems.push(`${file}: ${where}: "${path}" leaves the plugin folder; expected a path relative to it, without ".."`);
      return;
    }
    const target = join(dir, path);
    if (!existsSync(target)) {
      // A missing entry is reported when the code is needed; a missing suite when plugins are discovered.
      if (where.startsWith('/suites/')) problems.push(`${file}: ${where}: file not found: ${path}`);
      return;
    }
    const real = realpathSync(target);
    if (real !== realDir && !real.startsWith(realDir + sep)) problems.push(`${file}: ${where}: "${path}" is a symlink to ${real}, outside the plugin folder`);
  };
  if (manifest.entry !== undefined) inPluginFolder(manifest.entry, '/entry');
  (manifest.suites ?? []).forEach((path, i) => inPluginFolder(path, `/suites/${i}`));
  (manifest.datasets ?? []).forEach((dataset, i) =>
    dataset.files.forEach((f, j) => {
      if (escapes(f.path)) problems.push(`${file}: /datasets/${i}/files/${j}/path: "${f.path}" leaves the dataset's folder; expected a path relative to it, without ".."`);
    }),
  );
  return problems;
}

function packageInstalled(name: string, fromDir: string): boolean {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dirname(dir) === dir) break;
  }
  return existsSync(join(HARNESS_ROOT, 'node_modules', name, 'package.json'));
}

export function requirePlugin(registry: Registry, id: string, context = ''): PluginRecord {
  const record = registry.plugins.get(id);
  if (!record) {
    throw new UserError(
      `${context}unknown plugin "${id}"${didYouMean(id, registry.plugins.keys())}`,
      [`installed plugins: ${[...registry.plugins.keys()].join(', ') || 'none'}`, PLUGIN_FLAG_HINT],
    );
  }
  return record;
}

export function requireSuite(registry: Registry, idOrPath: string): SuiteRecord {
  if (/\.ya?ml$/.test(idOrPath) || idOrPath.includes('/')) {
    const file = resolve(idOrPath);
    if (!existsSync(file)) throw new UserError(`suite file not found: ${idOrPath}`);
    return { id: suiteId(file), file };
  }
  const record = registry.suites.get(idOrPath);
  if (!record) {
    throw new UserError(`unknown suite "${idOrPath}"${didYouMean(idOrPath, registry.suites.keys())}`, [
      `available suites: ${[...registry.suites.keys()].join(', ') || 'none'}`,
      `A plugin's suites are found once the plugin is: ${PLUGIN_FLAG_HINT}`,
    ]);
  }
  return record;
}

// Unit keys and artifact keys hash a plugin's code: its entry module's import graph (see code-hash.ts).
export { coreCodeHash, pluginCodeHash, sharedImports } from './code-hash.ts';

const loaded = new Map<string, Plugin>();

/** Imports a plugin's entry module and checks that the code provides exactly what the manifest declares. */
export async function loadPlugin(record: PluginRecord): Promise<Plugin> {
  const cached = loaded.get(record.dir);
  if (cached) return cached;
  if (record.notInstalled) throw new UserError(`plugin "${record.manifest.id}" is not installed: ${record.notInstalled}`);
  const entry = join(record.dir, record.manifest.entry ?? 'index.ts');
  if (!existsSync(entry)) throw new UserError(`${record.manifestFile}: /entry: file not found: ${entry}`);
  // Also when the harness is used as a library (tests): `paper-harness/api` is this harness.
  registerPluginApiResolution();
  const module = await import(pathToFileURL(entry).href);
  const plugin = module.default as Plugin | undefined;
  if (!plugin || plugin.__harnessPlugin !== 1) {
    throw new UserError(`${entry}: the default export must be the result of definePlugin({...})`);
  }
  const problems: string[] = [];
  const compare = (kind: 'tasks' | 'methods' | 'kernels' | 'claims' | 'models', declared: string[]) => {
    const provided = Object.keys(plugin[kind] ?? {});
    for (const id of declared) if (!provided.includes(id)) problems.push(`${kind}: "${id}" is declared in plugin.json but not exported by ${entry}`);
    for (const id of provided) if (!declared.includes(id)) problems.push(`${kind}: "${id}" is exported by ${entry} but not declared in plugin.json`);
  };
  const m = record.manifest;
  compare('tasks', (m.tasks ?? []).map((t) => t.id));
  compare('methods', (m.methods ?? []).map((t) => t.id));
  compare('kernels', (m.kernels ?? []).map((t) => t.id));
  compare('claims', (m.claims ?? []).map((t) => t.id));
  compare('models', (m.models ?? []).map((t) => t.id));
  for (const task of m.tasks ?? []) {
    if (task.languageModel && plugin.tasks?.[task.id] && typeof plugin.tasks[task.id].evaluate !== 'function') {
      problems.push(`tasks: "${task.id}" is declared languageModel: true in plugin.json but its code has no evaluate(ctx, prepared, model, params)`);
    }
  }
  if (problems.length) throw new UserError(`plugin "${m.id}" does not match its manifest ${record.manifestFile}`, problems);
  loaded.set(record.dir, plugin);
  return plugin;
}

/** `task` → `plugin/task` relative to the declaring plugin. */
export function qualify(pluginId: string, id: string): string {
  return id.includes('/') ? id : `${pluginId}/${id}`;
}

export function splitQualified(id: string): { plugin: string; local: string } {
  const at = id.indexOf('/');
  return { plugin: id.slice(0, at), local: id.slice(at + 1) };
}
