#!/usr/bin/env node
// The ops CLI's entry: bundled to dist/cli.mjs for the package, run through tsx in this checkout.
import { processIo } from './io.js';
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2), processIo());
