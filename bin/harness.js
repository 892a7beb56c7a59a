#!/usr/bin/env node
// Entry point: registers the TypeScript loader so the core and plugins run from source, and the hook
// that resolves a plugin's `paper-harness/api` import to this harness, however the plugin was installed.
import { register } from 'tsx/esm/api';

register();
const { registerPluginApiResolution } = await import('../harness/loader/register.ts');
registerPluginApiResolution();
// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv);
