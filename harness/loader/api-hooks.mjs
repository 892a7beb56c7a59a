// Module-resolution hooks (node:module register): a plugin's import of the plugin API resolves to the
// harness that is running, wherever the plugin lives (plugins/, --plugin DIR, node_modules) and whatever
// copy of the harness — or unrelated package of the same name — an install left beside it.
// It also loads a TypeScript file that no package.json gives a module type to as ES module, the only way
// a plugin's `import`/`export` can mean anything: a plugin folder needs no package.json.
// Plain JavaScript: hooks run in a thread of their own, before any TypeScript loader applies there.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let apiUrl;
let specifiers = new Set();

export function initialize(data) {
  apiUrl = data.apiUrl;
  specifiers = new Set(data.specifiers);
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(apiUrl && specifiers.has(specifier) ? apiUrl : specifier, context);
  if (/^commonjs/.test(resolved.format ?? '') && /^file:.*\.tsx?$/.test(resolved.url) && !resolved.url.includes('/node_modules/') && !packageType(fileURLToPath(resolved.url))) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}

/** The `type` of the nearest package.json, or undefined when there is none or it says nothing. */
function packageType(file) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8')).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
