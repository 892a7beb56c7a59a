// Registers the plugin-API resolution hooks once per thread (main thread and each unit worker).
import { register } from 'node:module';

/** The npm name of the harness; plugins import its API as `paper-harness/api`. */
export const PACKAGE_NAME = 'paper-harness';

/** What a plugin may write to import the API: the package's name, and the name it had before (`harness`,
 * an unrelated package on the npm registry, so never resolved through node_modules). */
export const PLUGIN_API_SPECIFIERS = [`${PACKAGE_NAME}/api`, 'harness/api'] as const;

export const PLUGIN_API_URL = new URL('../api/index.ts', import.meta.url).href;

let registered = false;

export function registerPluginApiResolution(): void {
  if (registered) return;
  registered = true;
  register('./api-hooks.mjs', import.meta.url, { data: { apiUrl: PLUGIN_API_URL, specifiers: [...PLUGIN_API_SPECIFIERS] } });
}
