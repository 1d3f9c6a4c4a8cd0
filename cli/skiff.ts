#!/usr/bin/env node
// Entry point. Imports stay dynamic: tuneProcess may replace this process before anything else
// loads, and the compile cache (stripped TypeScript and compiled code kept on disk by Node) must be
// on before main.ts and the engine are read, or every start strips and compiles them again.
// Worker threads look for the cache in the NODE_COMPILE_CACHE they inherit, not in this call, so
// it goes into the environment too: without it each worker loads Node's TypeScript stripper
// (about 35 MiB per worker thread) and strips the engine's modules again.
import module from 'node:module';
import { compileCacheDir, tuneProcess } from './tuning.ts';

tuneProcess(process.argv.slice(2));
const dir = compileCacheDir();
const cache = module.enableCompileCache?.(dir).status;
const { ENABLED, ALREADY_ENABLED } = module.constants.compileCacheStatus;
if (cache === ENABLED || cache === ALREADY_ENABLED) process.env['NODE_COMPILE_CACHE'] = dir;
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
