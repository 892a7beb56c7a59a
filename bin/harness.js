#!/usr/bin/env node
// Entry point: registers the TypeScript loader so the core and plugins run from source.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv);
