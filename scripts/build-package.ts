/**
 * `npm run build` (and `npm pack`, through prepack): what the package ships, so a user's CDK app
 * needs neither esbuild nor the TypeScript sources.
 *   dist/bundles/<function>/{plain,traced}/index.mjs  the Lambda bundles, built with the settings
 *                                                      CDK bundles with (esbuildOptions)
 *   dist/cli.mjs                                       the ops CLI, one file, no tsx at runtime
 *   dist/infra/, dist/functions/lib/                   the ReviewAlerts construct, compiled, with types
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLING, bundleDir } from '../infra/constructs/service-function.js';
import { esbuildOptions } from '../infra/esbuild-options.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/`;
rmSync(dist, { recursive: true, force: true });

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
  [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) throw new Error('tsc failed to compile the construct');
process.stdout.write(`built dist/: ${functions.length} functions × 2 bundles, cli.mjs, the construct\n`);
