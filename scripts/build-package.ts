/**
 * `npm run build` (and `npm pack`, through prepack): what the package ships, so a user's CDK app
 * needs neither esbuild nor the TypeScript sources, in any CDK language.
 *   dist/bundles/<function>/{plain,traced}/index.mjs  the Lambda bundles (ESM), built with the
 *                                                      settings CDK bundles with (esbuildOptions)
 *   dist/cli.mjs                                       the ops CLI, one file, no tsx at runtime
 *   dist/lib/                                          the construct library compiled by jsii
 *                                                      (CommonJS, with types), loadable by
 *                                                      require() and import alike
 *   .jsii                                              its jsii assembly (Construct Hub, pacmak)
 *   dist-bindings/{python,java,dotnet,go}/             generated sources of the other languages'
 *                                                      packages (not in the npm tarball)
 * jsii compiles in a staging folder whose package.json says CommonJS (this repository is ESM), from
 * copies of infra/ and functions/ (the construct reads the functions' contracts and defaults).
 * Everything is built aside and moved into place at the end, so two builds at once (or one that
 * fails) never leave a dist/ with some bundles missing; progress goes to stderr (`npm pack --json`
 * prints only JSON on stdout). `npm run check-package` says what a dist/ lacks.
 */

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLING, bundleDir } from '../infra/constructs/service-function.js';
import { esbuildOptions } from '../infra/esbuild-options.js';
import { missingFromDist } from './package-contents.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = mkdtempSync(join(root, '.dist-'));
const stage = mkdtempSync(join(root, '.dist-jsii-'));
const say = (line: string) => process.stderr.write(`${line}\n`);

const run = (command: string, args: string[], cwd: string) => {
  const started = Date.now();
  // Without the settings of an `npm pack` that started this build (pack destination, --json):
  // pacmak packs the library itself, and would follow them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name)));
  const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', command), ...args], {
    cwd,
    env,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) {
    for (const folder of [dist, stage]) rmSync(folder, { recursive: true, force: true });
    throw new Error(`${command} failed (exit ${result.status})`);
  }
  say(`${command}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
};

// ---------- the Lambda bundles and the CLI (esbuild) ----------
const functions = readdirSync(join(root, 'functions')).filter((name) =>
  existsSync(join(root, 'functions', name, 'handler.ts')),
);
for (const name of functions) {
  for (const xRayTracing of [false, true]) {
    await build({
      ...esbuildOptions(xRayTracing),
      entryPoints: [join(root, 'functions', name, 'handler.ts')],
      outfile: join(bundleDir(dist, name, xRayTracing), 'index.mjs'),
      logLevel: 'warning',
    });
  }
}
await build({
  ...esbuildOptions(false),
  entryPoints: [join(root, 'cli', 'bin.ts')],
  outfile: join(dist, 'cli.mjs'),
  // The CLI prints an error's class ("UpstreamError: ..."): names survive minification.
  keepNames: true,
  // The entry's own #! line comes first; the banner after it.
  banner: { js: BUNDLING.banner },
  logLevel: 'warning',
});
chmodSync(join(dist, 'cli.mjs'), 0o755);

// ---------- the construct library (jsii) ----------
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
/** jsii records where the library lives; until package.json says, the local repository stands in. */
const repository = manifest.repository ?? { type: 'git', url: `git+file://${root}` };
if (manifest.repository === undefined) say('package.json has no repository: set it before publishing');
for (const folder of ['infra', 'functions']) cpSync(join(root, folder), join(stage, folder), { recursive: true });
for (const file of ['README.md', 'LICENSE']) cpSync(join(root, file), join(stage, file));
symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
writeFileSync(
  join(stage, 'tsconfig.jsii.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'es2022',
      lib: ['es2022'],
      module: 'node16',
      moduleResolution: 'node16',
      declaration: true,
      outDir: 'dist/lib',
      rootDir: '.',
      types: ['node'],
      strict: true,
      alwaysStrict: true,
      noImplicitAny: true,
      noImplicitThis: true,
      strictNullChecks: true,
      strictFunctionTypes: true,
      strictBindCallApply: true,
      strictPropertyInitialization: true,
      useUnknownInCatchVariables: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      forceConsistentCasingInFileNames: true,
      noEmitOnError: true,
    },
    // The library is what the entry reaches; the repository's own app (app.ts) is not shipped.
    files: ['infra/index.ts'],
  }),
);
const { scripts: _scripts, devDependencies: _dev, allowScripts: _allow, type: _type, ...published } = manifest;
writeFileSync(
  join(stage, 'package.json'),
  JSON.stringify(
    {
      ...published,
      // CommonJS for jsii's output; the repository itself is ESM.
      type: 'commonjs',
      repository,
      files: ['dist/lib/', 'dist/bundles/', '.jsii', 'README.md', 'LICENSE'],
      // What jsii compiles against (the release this repository builds with).
      devDependencies: { 'aws-cdk-lib': '2.276.0', constructs: '10.0.0' },
    },
    null,
    2,
  ),
);
// jsii would have the package compiled against the peer range's floor (2.190.0); it is compiled
// against the release the repository builds with, and the package test synthesises every feature
// at the floor instead (infra/constructs/compat.ts says what stands in for the later APIs).
run('jsii', ['--silence-warnings=reserved-word', '--silence-warnings=metadata/missing-dev-dependency'], stage);
// dist/lib is CommonJS inside an ESM package: its own package.json says so to Node.
writeFileSync(join(stage, 'dist', 'lib', 'package.json'), '{ "type": "commonjs" }\n');
cpSync(join(stage, 'dist', 'lib'), join(dist, 'lib'), { recursive: true });

// ---------- the API reference (jsii-docgen), from the assembly ----------
// API.md (TypeScript) ships in the npm package and stays in the repository; the Python package
// gets one in Python terms.
run('jsii-docgen', ['--output', join(root, 'API.md')], stage);

// ---------- Python, Java, .NET and Go (jsii-pacmak) ----------
// The bindings embed the npm package, bundles included; the languages' own registries are not
// reachable here, so pacmak generates code only (--code-only), which is what gets published.
cpSync(join(dist, 'bundles'), join(stage, 'dist', 'bundles'), { recursive: true });
run('jsii-pacmak', ['--code-only', '--outdir', 'dist-bindings'], stage);

// The Python package's README and module docstring: Python, not the TypeScript README.
const python = join(stage, 'dist-bindings', 'python');
const pythonReadme = readFileSync(join(root, 'docs', 'python-package.md'), 'utf8');
if (pythonReadme.includes("'''"))
  throw new Error("docs/python-package.md must not contain ''' (it becomes a docstring)");
writeFileSync(join(python, 'README.md'), pythonReadme);
const init = join(python, 'src', 'ia_review_alerts', '__init__.py');
writeFileSync(init, readFileSync(init, 'utf8').replace(/^r'''[\s\S]*?\n'''\n/, `r'''\n${pythonReadme}'''\n`));
run('jsii-docgen', ['--language', 'python', '--output', join(python, 'API.md')], stage);
writeFileSync(
  join(python, 'MANIFEST.in'),
  `${readFileSync(join(python, 'MANIFEST.in'), 'utf8').trimEnd()}\ninclude API.md\n`,
);

const missing = missingFromDist(dist, functions);
if (missing.length > 0) throw new Error(`the build is missing ${missing.join(', ')}`);
rmSync(join(root, 'dist'), { recursive: true, force: true });
renameSync(dist, join(root, 'dist'));
renameSync(join(stage, '.jsii'), join(root, '.jsii'));
rmSync(join(root, 'dist-bindings'), { recursive: true, force: true });
renameSync(join(stage, 'dist-bindings'), join(root, 'dist-bindings'));
rmSync(stage, { recursive: true, force: true });
say(
  `built dist/: ${functions.length} functions × 2 bundles, cli.mjs, the construct (jsii); dist-bindings/: ${readdirSync(join(root, 'dist-bindings')).join(', ')}`,
);
