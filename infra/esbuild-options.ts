/**
 * The functions' esbuild settings as esbuild API options: the package build, `npm run bench` and
 * the bundle tests build with exactly what CDK bundles with (BUNDLING, BUILTIN_ALIASES, tracing).
 */
import type { BuildOptions } from 'esbuild';
import { BUILTIN_ALIASES, BUNDLING, defineTracing } from './constructs/service-function.js';

export const esbuildOptions = (xRayTracing: boolean): BuildOptions => ({
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: BUNDLING.target,
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  sourcesContent: BUNDLING.sourcesContent,
  mainFields: [...BUNDLING.mainFields],
  banner: { js: BUNDLING.banner },
  define: defineTracing(xRayTracing),
  alias: BUILTIN_ALIASES,
});
