// Worker bootstrap: registers the TypeScript loader and the plugin-API resolution inside the worker
// thread (hooks are per thread), then runs the worker.
import { register } from 'tsx/esm/api';

register();
const { registerPluginApiResolution } = await import('../loader/register.ts');
registerPluginApiResolution();
await import('./worker.ts');
