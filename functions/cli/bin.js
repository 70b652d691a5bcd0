#!/usr/bin/env node
// The ops CLI runs its TypeScript sources directly, through tsx, with the project's own Node.
import { register } from 'tsx/esm/api';

register();
const { run, processIo } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2), processIo());
