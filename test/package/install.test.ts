/**
 * The package as a user gets it: `npm pack`, installed from the tarball into an empty folder
 * (dependencies from the registry, through npm's cache), then the CLI run from there — `--help`
 * and a `check` against the fake IA — and a small CDK app that embeds `ReviewAlerts` with typed
 * props, type-checked and synthesised (cdk-nag clean), with none of this repository's sources.
 */

import { execFile, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeIaServer } from '../../local/fake-ia-server.js';
import { defaultAttempts, VARIANTS } from '../../local/ia-fixtures.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ia-review-alerts-package-'));
const app = join(work, 'user-app');
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(join(repo, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const KEY = 'package-test-key';
const ia = new FakeIaServer({ apiKeys: [KEY], ratePerSecond: Infinity, attempts: defaultAttempts() });

const sh = (
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): SpawnSyncReturns<string> => {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (result.error) throw result.error;
  return result;
};
const ok = (result: SpawnSyncReturns<string>) => {
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result;
};

beforeAll(async () => {
  // The build prints to stderr: stdout is npm's JSON alone.
  const packed = JSON.parse(
    ok(sh('npm', ['pack', '--pack-destination', work, '--json'], { cwd: repo })).stdout,
  ) as Array<{
    filename: string;
  }>;
  const tarball = packed[0]?.filename as string;
  ok(sh('mkdir', ['-p', app], { cwd: work }));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  ok(
    sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(work, tarball),
        `aws-cdk-lib@${versionOf('aws-cdk-lib')}`,
        `constructs@${versionOf('constructs')}`,
        `cdk-nag@${versionOf('cdk-nag')}`,
      ],
      { cwd: app },
    ),
  );
  await ia.start();
}, 300_000);

afterAll(async () => {
  await ia.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('ships only what users need: compiled code, bundles, licence, readme, changelog', () => {
    const root = join(app, 'node_modules', 'ia-review-alerts');
    expect(readdirSync(root).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
    expect(existsSync(join(root, 'dist', 'bundles', 'check', 'plain', 'index.mjs'))).toBe(true);
    expect(existsSync(join(root, 'functions'))).toBe(false);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).toMatchObject({
      license: 'Apache-2.0',
      engines: { node: '>=22' },
    });
  });

  it('runs the CLI from the package: --help, and a usage error', () => {
    const help = ok(sh('npx', ['--no-install', 'ia-review-alerts', '--help'], { cwd: app }));
    expect(help.stdout).toMatch(/^usage: ia-review-alerts <command>/);
    expect(sh('npx', ['--no-install', 'ia-review-alerts', 'check'], { cwd: app }).status).toBe(2);
  });

  it('checks an attempt against the fake IA from the package', async () => {
    // Asynchronously: the fake IA lives in this process and must keep answering.
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        'npx',
        ['--no-install', 'ia-review-alerts', 'check', VARIANTS.reviewNeeded, '--json'],
        { cwd: app, env: { ...process.env, IA_API_KEY: KEY, IA_API_BASE_URL: ia.url }, timeout: 60_000 },
        (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
      ),
    );
    // Without --stack it paces alone, and says so on stderr (nothing else there).
    expect([code, stderr.replace(/^pacing alone: .*\n/, '')]).toEqual([0, '']);
    expect(JSON.parse(stdout)).toMatchObject({ attemptId: VARIANTS.reviewNeeded, decision: 'review.needed' });
  });

  it('embeds ReviewAlerts in a user’s CDK app: typed props checked by tsc, synthesised, cdk-nag clean', () => {
    writeFileSync(
      join(app, 'app.ts'),
      `import { App, Stack } from 'aws-cdk-lib';
import { ReviewAlerts, type ReviewAlertsProps } from 'ia-review-alerts';

const props: ReviewAlertsProps = {
  alertEmails: ['ops@example.com'],
  sources: [{ name: 'greenhouse', kind: 'greenhouse', attemptIdPath: 'payload.application.id' }],
  slackChannels: [{ name: 'reviews', digest: false }],
};
// @ts-expect-error a rate is a number: the props are typed
const wrong: ReviewAlertsProps = { iaRatePerSecond: 'fast' };
void wrong;
const app = new App();
const alerts = new ReviewAlerts(new Stack(app, 'UserStack'), 'ReviewAlerts', props);
alerts.alertsTopic.topicArn;
`,
    );
    const tsc = sh(
      process.execPath,
      [
        join(repo, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        'app.ts',
      ],
      { cwd: app },
    );
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');

    writeFileSync(
      join(app, 'app.mjs'),
      `import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReviewAlerts } from 'ia-review-alerts';

const app = new App({ outdir: 'cdk.out' });
new ReviewAlerts(new Stack(app, 'UserStack'), 'ReviewAlerts', {
  alertEmails: ['ops@example.com'],
  sources: [{ name: 'greenhouse', kind: 'greenhouse', attemptIdPath: 'payload.application.id' }],
});
const { violations } = new AwsSolutionsChecks().validateScope(app);
console.log(JSON.stringify({ violations: violations.map((v) => v.ruleName) }));
app.synth();
`,
    );
    const synth = ok(sh(process.execPath, ['app.mjs'], { cwd: app }));
    expect(JSON.parse(synth.stdout.trim().split('\n').pop() as string)).toEqual({ violations: [] });
    const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'UserStack.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Handler?: string } }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    // check, ingest, sweep, digest (notify-slack comes with Slack channels), each a prebuilt bundle:
    // no esbuild ran in the user's app.
    expect(functions.map((f) => f.Properties.Handler)).toEqual(Array(4).fill('index.handler'));
    expect(readdirSync(join(app, 'cdk.out')).filter((f) => f.startsWith('asset.')).length).toBeGreaterThanOrEqual(4);
  });
});
