/**
 * The production bundles, built the way the CDK app builds them: the tracing switch really
 * removes the Tracer, and the slow-to-import builtins are read through CommonJS.
 */

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { BUILTIN_ALIASES } from '../../infra/constructs/service-function.js';
import { esbuildOptions } from '../../infra/esbuild-options.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const bundle = async (fn: string, xRayTracing: boolean) => {
  const result = await build({
    ...esbuildOptions(xRayTracing),
    entryPoints: [`${root}functions/${fn}/handler.ts`],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { text: result.outputFiles[0]?.text ?? '', inputs: Object.keys(result.metafile.inputs) };
};

describe('bundles', () => {
  it('leave the Tracer and the X-Ray SDK out unless tracing is on', async () => {
    const off = await bundle('ingest', false);
    expect(off.inputs.filter((input) => /aws-xray-sdk|powertools\/tracer\/lib\/esm\/Tracer/.test(input))).toEqual([]);
    const on = await bundle('ingest', true);
    expect(on.inputs.some((input) => input.includes('aws-xray-sdk-core'))).toBe(true);
  });

  it('import no aliased builtin as an ES module', async () => {
    const { text } = await bundle('check', false);
    const esmBuiltins = [...text.matchAll(/from\s*"(?:node:)?([a-z_/]+)"/g)].map((m) => m[1]);
    expect(esmBuiltins.length).toBeGreaterThan(0);
    for (const name of Object.keys(BUILTIN_ALIASES)) expect(esmBuiltins).not.toContain(name.replace(/^node:/, ''));
  });

  it('alias every builtin to a shim that hands out its CommonJS export', () => {
    const require = createRequire(import.meta.url);
    for (const [name, shim] of Object.entries(BUILTIN_ALIASES)) {
      expect(require(shim)).toBe(process.getBuiltinModule(name.startsWith('node:') ? name : `node:${name}`));
    }
  });
});
