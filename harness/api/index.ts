// The plugin API: everything a plugin may import from the harness.
import type { Plugin, PluginDefinition } from './types.ts';

export type * from './types.ts';
export type * from './language-model.ts';
export type { PluginManifest } from './manifest.ts';
export { DatasetMissingError } from '../errors.ts';

/** Wraps a plugin's definition; the default export of a plugin's entry module. */
export function definePlugin(definition: PluginDefinition): Plugin {
  return Object.freeze({ ...definition, __harnessPlugin: 1 as const });
}
export { createRng, deriveSeed } from '../plan/seeds.ts';
