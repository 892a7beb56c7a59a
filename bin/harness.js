#!/usr/bin/env node
// Entry point: registers the TypeScript loader so the core and plugins run from source.
import { register } from 'tsx/esm/api';

register();
// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv);
