// `harness new plugin <name>`: writes a working plugin folder from the templates beside this file
// and links the harness into its node_modules, so `import … from 'paper-harness/api'` resolves offline
// for the plugin's own tests and type check (the harness itself resolves it at run time, see harness/loader).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';
import { PACKAGE_NAME } from '../loader/register.ts';
import { HARNESS_ROOT, HARNESS_VERSION } from '../plan/registry.ts';

export const PLUGIN_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'plugin');

/** Packages linked from the harness into a new plugin's node_modules: the API and the tools that run its tests. */
const LINKED_PACKAGES = [PACKAGE_NAME, 'tsx', 'typescript', '@types/node'] as const;

/** Files only a plugin outside the harness repository needs. Inside it, the root package.json
 * (`"type": "module"`, `exports["./api"]`), tsconfig.json and .gitignore already serve the plugin, and
 * a package.json of its own would even break `paper-harness/api`, which resolves there by self-reference
 * to the nearest package.json. */
const STANDALONE_ONLY = new Set(['package.json', 'tsconfig.json', '.gitignore']);

export interface ScaffoldOptions {
  name: string;
  /** Target folder (default `./<name>`). */
  dir?: string;
}

export interface ScaffoldLink {
  path: string;
  target: string;
}

export interface ScaffoldResult {
  dir: string;
  /** Written files, relative to `dir`. */
  files: string[];
  links: ScaffoldLink[];
  /** Packages not linked because the harness has no copy of them (e.g. devDependencies of an installed harness). */
  missing: string[];
}

export function scaffoldPlugin(options: ScaffoldOptions): ScaffoldResult {
  const { name } = options;
  if (!PLUGIN_NAME_PATTERN.test(name)) {
    throw new UserError(`invalid plugin name "${name}"`, [
      'A plugin name is its id: lower-case letters, digits and hyphens, starting with a letter or digit (e.g. scaling-laws).',
    ]);
  }
  const dir = resolve(options.dir ?? name);
  refuseToOverwrite(dir);
  refuseTakenId(name);
  const standalone = !insideHarness(dir);
  const files = [...renderTemplates(name)].filter(([path]) => standalone || !STANDALONE_ONLY.has(path));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const { links, missing } = standalone ? linkHarness(dir) : { links: [], missing: [] };
  return { dir, files: files.map(([path]) => path), links, missing };
}

function refuseToOverwrite(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} exists and is not a folder`);
  if (readdirSync(dir).length) {
    throw new UserError(`${dir} exists and is not empty; refusing to overwrite it`, ['Choose another folder with --dir, or remove this one.']);
  }
}

/** Plugin ids and suite ids are global: a plugin or suite of the same id in the harness would make
 * every discovery fail with "duplicate id" once this plugin is passed with --plugin. */
function refuseTakenId(name: string): void {
  const taken = [join(HARNESS_ROOT, 'plugins', name, 'plugin.json'), join(HARNESS_ROOT, 'suites', `${name}.yaml`)].find((f) => existsSync(f));
  if (taken) throw new UserError(`the harness already has a plugin or suite with id "${name}" (${taken}); choose another name`);
}

/** Template path → file content, with `{{name}}` replaced in both; `gitignore` becomes `.gitignore`
 * (npm leaves .gitignore files out of published packages, so a template cannot carry the dot). */
export function renderTemplates(name: string): Map<string, string> {
  const rendered = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!entry.name.endsWith('.tmpl')) continue;
      const target = relative(TEMPLATE_DIR, path)
        .slice(0, -'.tmpl'.length)
        .replaceAll('{{name}}', name)
        .replace(/^gitignore$/, '.gitignore')
        .split(sep)
        .join('/');
      rendered.set(target, readFileSync(path, 'utf8').replaceAll('{{name}}', name).replaceAll('{{harnessVersion}}', HARNESS_VERSION));
    }
  };
  walk(TEMPLATE_DIR);
  return rendered;
}

/** A plugin inside the harness repository (e.g. plugins/<name>) uses the repository's own
 * node_modules: it needs no links (and a link back to the root would be a cycle). */
function insideHarness(dir: string): boolean {
  const path = relative(HARNESS_ROOT, dir);
  return !isAbsolute(path) && path !== '..' && !path.startsWith(`..${sep}`);
}

function linkHarness(dir: string): { links: ScaffoldLink[]; missing: string[] } {
  const links: ScaffoldLink[] = [];
  const missing: string[] = [];
  for (const name of LINKED_PACKAGES) {
    const target = name === PACKAGE_NAME ? HARNESS_ROOT : packageDirFromHarness(name);
    if (!target) {
      missing.push(name);
      continue;
    }
    const path = join(dir, 'node_modules', ...name.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    // 'junction' makes a directory link without administrator rights on Windows; elsewhere it is ignored.
    symlinkSync(target, path, 'junction');
    links.push({ path, target });
  }
  return { links, missing };
}

/** The folder of a package as Node would find it from the harness (its node_modules, then its parents'). */
function packageDirFromHarness(name: string): string | undefined {
  for (let dir = HARNESS_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
