// Module-resolution hooks (node:module register): a plugin's import of the plugin API resolves to the
// harness that is running, wherever the plugin lives (plugins/, --plugin DIR, node_modules) and whatever
// copy of the harness — or unrelated package of the same name — an install left beside it.
// Plain JavaScript: hooks run in a thread of their own, before any TypeScript loader applies there.
let apiUrl;
let specifiers = new Set();

export function initialize(data) {
  apiUrl = data.apiUrl;
  specifiers = new Set(data.specifiers);
}

export async function resolve(specifier, context, nextResolve) {
  if (apiUrl && specifiers.has(specifier)) return nextResolve(apiUrl, context);
  return nextResolve(specifier, context);
}
