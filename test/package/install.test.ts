/**
 * The package as a user gets it: `npm pack`, installed from the tarball into an empty folder
 * (dependencies from the registry, through npm's cache), then the CLI run from there — `--help`
 * and a `check` against the fake IA — and CDK apps that embed `ReviewAlerts`: a TypeScript app
 * type-checked against the props, then synthesised from an ESM app (cdk-nag clean), from plain
 * require() and from a CommonJS TypeScript app as `cdk init` makes it, with none of this
 * repository's sources; and the jsii assembly and the other languages' bindings.
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
/** The lowest aws-cdk-lib the package says it works with: its peer range's floor. */
const cdkFloor = (
  JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }
).peerDependencies['aws-cdk-lib']?.replace(/^\^/, '') as string;
let tarballPath = '';
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
  tarballPath = join(work, tarball);
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
    expect(readdirSync(root).sort()).toEqual([
      '.jsii',
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist',
      // zod and the JMESPath parser, bundled: jsii packages carry their non-jsii dependencies.
      'node_modules',
      'package.json',
    ]);
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

  it('generated the Python, Java, .NET and Go bindings from the jsii assembly', () => {
    const bindings = join(repo, 'dist-bindings');
    expect(readdirSync(bindings).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
    const python = join(bindings, 'python', 'src', 'ia_review_alerts', '__init__.py');
    expect(readFileSync(python, 'utf8')).toMatch(/class ReviewAlerts\(/);
    ok(sh('python3', ['-m', 'py_compile', python], { cwd: repo }));
    const assembly = JSON.parse(readFileSync(join(app, 'node_modules', 'ia-review-alerts', '.jsii'), 'utf8')) as {
      types: Record<string, unknown>;
    };
    expect(Object.keys(assembly.types).sort()).toEqual(
      [
        'AlertEventType',
        'AlertFilter',
        'AlertRuleOptions',
        'ChatChannelOptions',
        'ChatChannelResources',
        'ChatSlackChannel',
        'EmailRoute',
        'FunctionOptions',
        'IaAccount',
        'ReviewAlerts',
        'ReviewAlertsProps',
        'SlackChannel',
        'SlackChannelResources',
        'TeamsChannel',
        'WebhookSource',
        'WebhookSourceKind',
      ].map((type) => `ia-review-alerts.${type}`),
    );
  });

  it('type-checks a TypeScript app against the props: CDK types, nothing looser', () => {
    writeFileSync(
      join(app, 'app.ts'),
      `import { App, Duration, Stack } from 'aws-cdk-lib';
import { AlertEventType, ReviewAlerts, type ReviewAlertsProps, WebhookSourceKind } from 'ia-review-alerts';

const props: ReviewAlertsProps = {
  alertEmails: ['ops@example.com'],
  sweepInterval: Duration.minutes(10),
  sources: [{ name: 'greenhouse', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.application.id' }],
  slackChannels: [{ name: 'reviews', digest: false }],
};
// @ts-expect-error a time is a Duration, not a number of minutes
const wrong: ReviewAlertsProps = { sweepInterval: 10 };
void wrong;
const alerts = new ReviewAlerts(new Stack(new App(), 'UserStack'), 'ReviewAlerts', props);
alerts.addEmailSubscription('lead@example.com', { eventTypes: [AlertEventType.REVIEW_OVERDUE] });
// @ts-expect-error event types are AlertEventType values
alerts.addEmailSubscription('lead@example.com', { eventTypes: ['review.late'] });
alerts.checkFunction.functionArn;
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
  });

  /** The app's template, synthesised in `folder` by `command`: every function a prebuilt bundle (no esbuild). */
  const synthesised = (folder: string, command: string[]) => {
    const result = ok(sh(command[0] as string, command.slice(1), { cwd: folder }));
    const template = JSON.parse(readFileSync(join(folder, 'cdk.out', 'UserStack.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Handler?: string } }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    // check, ingest, sweep, digest (notify-slack comes with Slack channels).
    expect(functions.map((f) => f.Properties.Handler)).toEqual(Array(4).fill('index.handler'));
    expect(readdirSync(join(folder, 'cdk.out')).filter((f) => f.startsWith('asset.')).length).toBeGreaterThanOrEqual(4);
    return result.stdout;
  };

  const APP_BODY = `const app = new App({ outdir: 'cdk.out' });
const alerts = new ReviewAlerts(new Stack(app, 'UserStack'), 'ReviewAlerts', {
  alertEmails: ['ops@example.com'],
  sweepInterval: Duration.minutes(10),
  sources: [{ name: 'greenhouse', kind: 'greenhouse', attemptIdPath: 'payload.application.id' }],
});
alerts.addSource({ name: 'ia', kind: 'ia-callback' });
`;

  it('synthesises from an ESM app, cdk-nag clean', () => {
    writeFileSync(
      join(app, 'app.mjs'),
      `import { App, Duration, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ReviewAlerts } from 'ia-review-alerts';

${APP_BODY}const { violations } = new AwsSolutionsChecks().validateScope(app);
console.log(JSON.stringify({ violations: violations.map((v) => v.ruleName) }));
app.synth();
`,
    );
    const stdout = synthesised(app, [process.execPath, 'app.mjs']);
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({ violations: [] });
  });

  it('synthesises from plain require()', () => {
    const folder = join(app, 'require-app');
    ok(sh('mkdir', ['-p', folder], { cwd: app }));
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'require-app', private: true }));
    writeFileSync(
      join(folder, 'app.js'),
      `const { App, Duration, Stack } = require('aws-cdk-lib');
const { ReviewAlerts } = require('ia-review-alerts');

${APP_BODY}app.synth();
`,
    );
    synthesised(folder, [process.execPath, 'app.js']);
  });

  it('synthesises from a CommonJS TypeScript app, as `cdk init app --language typescript` makes it', () => {
    const folder = join(app, 'cdk-init-app');
    ok(sh('mkdir', ['-p', join(folder, 'bin')], { cwd: app }));
    // cdk init's package.json has no "type" (CommonJS); its tsconfig compiles with NodeNext, in place.
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'cdk-init-app', private: true }));
    writeFileSync(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
        },
        include: ['bin'],
      }),
    );
    writeFileSync(
      join(folder, 'bin', 'app.ts'),
      `import { App, Duration, Stack } from 'aws-cdk-lib';
import { ReviewAlerts, WebhookSourceKind } from 'ia-review-alerts';

const app = new App({ outdir: 'cdk.out' });
new ReviewAlerts(new Stack(app, 'UserStack'), 'ReviewAlerts', {
  alertEmails: ['ops@example.com'],
  sweepInterval: Duration.minutes(10),
  sources: [{ name: 'greenhouse', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.application.id' }],
});
app.synth();
`,
    );
    const tsc = sh(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: folder });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(readFileSync(join(folder, 'bin', 'app.js'), 'utf8')).toContain('require("ia-review-alerts")');
    synthesised(folder, [process.execPath, join('bin', 'app.js')]);
  });

  /**
   * Every feature of the construct, one app: what a release of aws-cdk-lib must have for it. Its
   * resources (logical id and type), synthesised in `folder`.
   */
  const everyFeature = (folder: string) => {
    writeFileSync(
      join(folder, 'every-feature.cjs'),
      `const { App, Duration, Stack } = require('aws-cdk-lib');
const events = require('aws-cdk-lib/aws-events');
const { ReviewAlerts, WebhookSourceKind } = require('ia-review-alerts');
const app = new App({ outdir: 'cdk.out', context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'EveryFeature');
const alerts = new ReviewAlerts(stack, 'ReviewAlerts', {
  alertEmails: ['ops@example.com'], opsEmails: ['oncall@example.com'], escalationEmails: ['lead@example.com'],
  escalateAfter: Duration.hours(48), xRayTracing: true, alertBus: new events.EventBus(stack, 'Bus'),
  iaAccounts: [{ name: 'default' }, { name: 'agency-b', requestsPerSecond: 2 }],
  sources: [
    { name: 'greenhouse', kind: WebhookSourceKind.GREENHOUSE, attemptIdPath: 'payload.application.id' },
    { name: 'ia', kind: WebhookSourceKind.IA_CALLBACK, attemptIdPath: 'id', account: 'agency-b' },
  ],
  slackChannels: [{ name: 'reviews' }],
  chatSlackChannels: [{ name: 'q', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }],
  teamsChannels: [{ name: 'teams', teamId: '6f0e3a4c-1b2d-4c3e-9f8a-7b6c5d4e3f2a',
    tenantId: '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a', channelId: '19:abc@thread.tacv2' }],
});
alerts.addAlertRule('Leads', { eventTypes: ['review.needed'] });
alerts.metricAlertsPublished();
alerts.metricOldestReviewWait();
const { Resources } = app.synth().getStackByName('EveryFeature').template;
console.log(JSON.stringify(Object.entries(Resources).map(([id, r]) => id + ' ' + r.Type).sort()));
`,
    );
    return JSON.parse(ok(sh(process.execPath, ['every-feature.cjs'], { cwd: folder })).stdout) as string[];
  };

  it(`installs beside aws-cdk-lib at its peer range's floor, without --legacy-peer-deps, and builds every feature there as on the newest`, () => {
    const folder = join(work, 'floor-app');
    ok(sh('mkdir', ['-p', folder], { cwd: work }));
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'floor-app', private: true }));
    ok(
      sh(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          tarballPath,
          `aws-cdk-lib@${cdkFloor}`,
          `constructs@${versionOf('constructs')}`,
        ],
        { cwd: folder },
      ),
    );
    const installed = JSON.parse(readFileSync(join(folder, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8'));
    expect(installed.version).toBe(cdkFloor);
    const atFloor = everyFeature(folder);
    expect(atFloor).toEqual(everyFeature(app));
    expect(atFloor.filter((r) => r.endsWith('AWS::Lambda::Function'))).toHaveLength(5);
  });
});
