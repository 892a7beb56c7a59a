// Sandboxed unit child bootstrap (`--sandbox`): the process runs under Node's permission model, so the
// TypeScript loader is the in-process one (sandbox-hooks.mjs), then the plugin-API resolution and the child.
import { register } from 'node:module';

register('./sandbox-hooks.mjs', import.meta.url);
const { registerPluginApiResolution } = await import('../loader/register.ts');
registerPluginApiResolution();
await import('./child.ts');
