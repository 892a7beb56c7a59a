// Unit child bootstrap: registers the TypeScript loader and the plugin-API resolution in this process,
// then runs the child (harness/run/child.ts).
import { register } from 'tsx/esm/api';

register();
const { registerPluginApiResolution } = await import('../loader/register.ts');
registerPluginApiResolution();
await import('./child.ts');
