/**
 * The root of this package: where the construct finds the function sources (in this repository)
 * or the prebuilt bundles (in the installed package). Compiled for the package (CommonJS, by
 * jsii), this file is dist/lib/infra/package-root.js and `__dirname` says where; run from the
 * TypeScript sources (ESM: the repository's own app, tests and scripts, which npm and cdk start
 * at the root) there is no `__dirname`, and the working folder is the repository.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NAME = 'ia-review-alerts';

const isPackageRoot = (folder: string) => {
  try {
    return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string }).name === NAME;
  } catch {
    return false;
  }
};

const find = (): string => {
  const candidates = [typeof __dirname === 'string' ? resolve(__dirname, '..', '..', '..') : '', process.cwd()];
  const root = candidates.find((folder) => folder !== '' && isPackageRoot(folder));
  if (root === undefined) {
    throw new Error(`${NAME}: cannot find the package root (run the TypeScript sources from the repository root)`);
  }
  return root;
};

export const PACKAGE_ROOT: string = find();
