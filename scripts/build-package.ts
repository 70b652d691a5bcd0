/**
 * `npm run build` (and `npm pack`, through prepack): what the package ships, so a user's CDK app
 * needs neither esbuild nor the TypeScript sources.
 *   dist/bundles/<function>/{plain,traced}/index.mjs  the Lambda bundles, built with the settings
 *                                                      CDK bundles with (esbuildOptions)
 *   dist/cli.mjs                                       the ops CLI, one file, no tsx at runtime
 *   dist/infra/, dist/functions/lib/                   the ReviewAlerts construct, compiled, with types
 * Everything is built in a folder of its own and moved into place at the end, so two builds at
 * once (or one that fails) never leave a dist/ with some bundles missing; progress goes to stderr
 * (`npm pack --json` prints only JSON on stdout). `npm run check-package` says what a dist/ lacks.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLING, bundleDir } from '../infra/constructs/service-function.js';
import { esbuildOptions } from '../infra/esbuild-options.js';
import { missingFromDist } from './package-contents.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${mkdtempSync(`${root}.dist-`)}/`;

const functions = readdirSync(`${root}functions`).filter((name) => existsSync(`${root}functions/${name}/handler.ts`));
for (const name of functions) {
  for (const xRayTracing of [false, true]) {
    await build({
      ...esbuildOptions(xRayTracing),
      entryPoints: [`${root}functions/${name}/handler.ts`],
      outfile: `${bundleDir(dist, name, xRayTracing)}/index.mjs`,
      logLevel: 'warning',
    });
  }
}

await build({
  ...esbuildOptions(false),
  entryPoints: [`${root}cli/bin.ts`],
  outfile: `${dist}cli.mjs`,
  // The CLI prints an error's class ("UpstreamError: ..."): names survive minification.
  keepNames: true,
  // The entry's own #! line comes first; the banner after it.
  banner: { js: BUNDLING.banner },
  logLevel: 'warning',
});
chmodSync(`${dist}cli.mjs`, 0o755);

const tsc = spawnSync(
  process.execPath,
  [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`, '--outDir', dist],
  { stdio: ['ignore', 2, 2] },
);
if (tsc.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  throw new Error('tsc failed to compile the construct');
}
const missing = missingFromDist(dist, functions);
if (missing.length > 0) throw new Error(`the build is missing ${missing.join(', ')}`);
rmSync(`${root}dist`, { recursive: true, force: true });
renameSync(dist, `${root}dist`);
process.stderr.write(`built dist/: ${functions.length} functions × 2 bundles, cli.mjs, the construct\n`);
