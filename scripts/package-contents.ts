/**
 * What a built dist/ must hold for the package to work: every function's two bundles, the CLI and
 * the compiled construct with its types; and what a published package must say about itself
 * (Construct Hub and jsii read `repository`; users look for `homepage` and `bugs`).
 * `npm run check-package` (and prepublishOnly) runs it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDir } from '../infra/constructs/service-function.js';

/** The fields a published package.json must have that this repository cannot invent. */
export const missingFromManifest = (manifest: Record<string, unknown>): string[] =>
  ['repository', 'homepage', 'bugs'].filter((field) => manifest[field] === undefined).map((f) => `package.json ${f}`);

export const missingFromDist = (dist: string, functions: string[]): string[] =>
  [
    ...functions.flatMap((name) => [false, true].map((traced) => join(bundleDir(dist, name, traced), 'index.mjs'))),
    join(dist, 'cli.mjs'),
    join(dist, 'lib', 'infra', 'index.js'),
    join(dist, 'lib', 'infra', 'index.d.ts'),
    join(dist, 'lib', 'package.json'),
  ].filter((file) => !existsSync(file));

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const functions = readdirSync(`${root}functions`).filter((name) => existsSync(`${root}functions/${name}/handler.ts`));
  const missing = [
    ...missingFromDist(join(root, 'dist'), functions),
    ...(existsSync(join(root, '.jsii')) ? [] : [join(root, '.jsii')]),
  ];
  const unsaid = missingFromManifest(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  if (missing.length > 0) {
    process.stderr.write(
      `dist/ is incomplete (run npm run build): missing ${missing.map((f) => f.slice(root.length)).join(', ')}\n`,
    );
    process.exitCode = 1;
  } else process.stderr.write(`dist/ holds all ${functions.length * 2} bundles, the CLI and the construct\n`);
  if (unsaid.length > 0) {
    process.stderr.write(`not publishable: set ${unsaid.join(', ')} (where the project lives)\n`);
    process.exitCode = 1;
  }
}
