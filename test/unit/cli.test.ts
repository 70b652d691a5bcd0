/** The ops CLI against the fake IA server: output shapes and exit codes, in-process and as a real process. */

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../cli/main.js';
import { FakeIaServer, LIST } from '../../local/fake-ia-server.js';
import {
  defaultAssignments,
  defaultAttempts,
  listedAssignment,
  SEED_ASSIGNMENT_ID,
  SEED_ATTEMPT_ID,
  UNANNOUNCED,
  VARIANTS,
} from '../../local/ia-fixtures.js';
import packageJson from '../../package.json' with { type: 'json' };
import { runCli } from '../support/run-cli.js';

const KEY = 'cli-test-key-abc';
const ia = new FakeIaServer({
  apiKeys: [KEY],
  ratePerSecond: Infinity,
  attempts: defaultAttempts(),
  assignments: defaultAssignments(),
});
let env: Record<string, string>;

beforeAll(async () => {
  env = { IA_API_KEY: KEY, IA_API_BASE_URL: await ia.start(), IA_TOTAL_TIMEOUT_MS: '3000' };
});
afterAll(() => ia.stop());

const cli = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCli(args, { ...env, ...extraEnv });

/** stderr after the one line that says the CLI paces alone. */
const afterPacingNote = (err: string) => err.replace(/^pacing alone: .*\n/, '');

describe('ia-review-alerts check', () => {
  it('prints one JSON object with attemptId and decision', async () => {
    const { code, out } = await cli(['check', VARIANTS.reviewNeeded, '--json']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string);
    expect(result).toMatchObject({ attemptId: VARIANTS.reviewNeeded, decision: 'review.needed' });
    expect(result.notification.attributes).toMatchObject({ eventType: 'review.needed', pendingReviewCount: '2' });
  });

  it('with --account, the notification names the IA account (attribute and alert)', async () => {
    const { code, out } = await cli(['check', VARIANTS.reviewNeeded, '--json', '--account', 'agency-b']);
    expect(code).toBe(0);
    const result = JSON.parse(out.trim());
    expect(result.notification.attributes).toMatchObject({ account: 'agency-b' });
    expect(result.notification.alert.account).toBe('agency-b');
    expect(result.notification.email).toContain('Account:         agency-b');
  });

  it('says it paces alone without --stack (nothing else may use the key then)', async () => {
    const { err } = await cli(['check', SEED_ATTEMPT_ID]);
    expect(err).toMatch(/^pacing alone: .* give --stack <name> to book on its schedule\n$/);
  });

  it('prints the decision and the email it would send', async () => {
    const { code, out } = await cli(['check', SEED_ATTEMPT_ID]);
    expect(code).toBe(0);
    expect(out).toContain(`attempt ${SEED_ATTEMPT_ID}: attempt.scored`);
    expect(out).toContain('Subject: Attempt scored: Philosopher Assessment 1');
  });

  it('says when scoring is still running instead of inventing a notification', async () => {
    const { out } = await cli(['check', VARIANTS.scoringPending, '--json']);
    expect(JSON.parse(out)).toMatchObject({ decision: 'scoring.pending', notification: null });
  });

  it('expands an assignment, one JSON line per attempt', async () => {
    const { code, out } = await cli(['check', SEED_ASSIGNMENT_ID, '--assignment', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      assignmentId: SEED_ASSIGNMENT_ID,
      attemptId: SEED_ATTEMPT_ID,
      decision: 'attempt.scored',
    });
  });

  it.each([
    [['check', 'no-such-attempt'], {}, /^NotFoundError: attempt no-such-attempt not found \(404\)\n$/],
    [['check', SEED_ATTEMPT_ID], { IA_API_KEY: 'wrong' }, /^UnauthorizedError: IA API refused the key \(401\)/],
  ])('exits 1 with the error class and one line on stderr: %p', async (args, extraEnv, message) => {
    const { code, err, out } = await cli(args, extraEnv);
    expect(code).toBe(1);
    expect(afterPacingNote(err)).toMatch(message);
    expect(out).toBe('');
    expect(err).not.toContain(KEY);
  });

  it('exits 1 on an attempt that fails validation', async () => {
    ia.setAttempt('broken', { attempt: { id: 'broken', scoring_completed: 'yes', pending_review_count: 0 } });
    const { code, err } = await cli(['check', 'broken']);
    expect(code).toBe(1);
    expect(afterPacingNote(err)).toMatch(
      /^MalformedResponseError: invalid attempt: attempt\.scoring_completed must be a boolean/,
    );
  });

  it.each([
    [[]],
    [['check']],
    [['check', 'a', 'b']],
    [['check', 'a', '--bogus']],
    [['frobnicate']],
    [['check', '../etc/passwd']],
    [['check', 'a', '--account', 'Not An Account']],
  ])('exits 2 with usage text on %p', async (args) => {
    const { code, err } = await cli(args);
    expect(code).toBe(2);
    expect(err).toContain('usage: ia-review-alerts');
  });

  it('exits 1 (configuration, not usage) when IA_API_KEY is missing', async () => {
    const { code, err } = await cli(['check', SEED_ATTEMPT_ID], { IA_API_KEY: undefined });
    expect(code).toBe(1);
    expect(err).toMatch(/^ConfigurationError: set IA_API_KEY/);
  });

  it('says which command or option was meant', async () => {
    expect((await cli(['chek', 'a'])).err).toMatch(/^error: unknown command "chek"; did you mean "check"\?/);
    expect((await cli(['pendng'])).err).toMatch(/did you mean "pending"\?/);
    expect((await cli(['zzzzzzzz'])).err).toMatch(/^error: unknown command "zzzzzzzz"\n/);
    const option = await cli(['check', 'a', '--jsno']);
    expect(option.code).toBe(2);
    expect(option.err).toMatch(/^error: unknown option "--jsno" for check; did you mean "--json"\?/);
    expect((await cli(['pending', '--older-then', '1h'])).err).toMatch(/did you mean "--older-than"\?/);
  });

  it('takes --json on every command: errors as one JSON line, whatever the command', async () => {
    for (const args of [
      ['sign', '--json'],
      ['preview', '--json'],
      ['digest', '--json'],
      ['redrive', '--json'],
    ]) {
      const { code, err } = await cli(args);
      expect(code).toBeGreaterThan(0);
      expect(JSON.parse(err)).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      expect(err).not.toMatch(/Unknown option/);
    }
  });

  it('a usage error prints that command’s usage, not every command’s', async () => {
    const { code, err } = await cli(['check', 'a', 'b']);
    expect(code).toBe(2);
    expect(err).toMatch(/^error: check needs exactly one id\n\nusage: ia-review-alerts check /);
    expect(err).not.toContain('  sign ');
  });

  it('with --json, an error is one JSON line on stderr', async () => {
    for (const [args, error] of [
      [['check', 'no-such-attempt', '--json'], 'NotFoundError'],
      [['check', 'a', 'b', '--json'], 'UsageError'],
    ] as const) {
      const { err } = await cli([...args]);
      const lines = afterPacingNote(err).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ error, message: expect.any(String) });
    }
  });

  it('works as a real process through its entry', async () => {
    const bin = fileURLToPath(new URL('../../cli/bin.ts', import.meta.url));
    // Async: the fake IA server lives in this process and must keep answering.
    const exec = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', bin, ...args],
          { env: { ...process.env, ...env }, timeout: 20_000 },
          (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      });
    const ok = await exec(['check', VARIANTS.reviewNeeded, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ decision: 'review.needed' });
    expect((await exec([])).code).toBe(2);
    expect((await exec(['check', 'no-such-attempt'])).code).toBe(1);
  });
});

describe('ia-review-alerts sign', () => {
  const body = new URL('../../local/fixtures/webhooks/greenhouse.json', import.meta.url);

  it('prints a curl command whose signature the receiver accepts', async () => {
    const { code, out } = await cli(
      [
        'sign',
        '--source',
        'greenhouse',
        '--body',
        fileURLToPath(body),
        '--url',
        'https://abc.execute-api.us-east-1.amazonaws.com/events/{source}',
        '--kind',
        'greenhouse',
      ],
      { WEBHOOK_SECRET: 'gh-secret', IA_ALERTS_LOCAL_STATE: '/nonexistent' },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^curl -sS -X POST/);
    expect(out).toContain("'https://abc.execute-api.us-east-1.amazonaws.com/events/greenhouse'");
    const signature = /signature: sha256 ([0-9a-f]{64})/.exec(out)?.[1];
    const { createHmac } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    expect(signature).toBe(createHmac('sha256', 'gh-secret').update(readFileSync(body, 'utf8')).digest('hex'));
    expect(out).not.toContain('gh-secret');
  });

  it('exits 2 without a kind or secret outside the local run', async () => {
    const { code, err } = await cli(['sign', '--source', 'x', '--body', fileURLToPath(body)], {
      IA_ALERTS_LOCAL_STATE: '/nonexistent',
    });
    expect(code).toBe(2);
    expect(err).toMatch(/give --kind/);
  });
});

describe('ia-review-alerts preview', () => {
  const fixture = fileURLToPath(new URL('../../local/fixtures/ia/assignment.json', import.meta.url));

  it('renders the seed as the pipeline decides it, in every format', async () => {
    const email = await cli(['preview', fixture]);
    expect(email.code).toBe(0);
    expect(email.out).toMatch(
      /^Subject: Attempt scored: Anonymous Candidate 514 - Philosopher Assessment 1\n\nATTEMPT SCORED/,
    );
    const slack = await cli(['preview', fixture, '--format', 'slack']);
    expect(slack.out).toMatch(/^Attempt scored: Anonymous Candidate 514\n/);
    const blocks = JSON.parse((await cli(['preview', fixture, '--format', 'slack-json'])).out);
    expect(blocks.blocks[0].type).toBe('header');
    const chat = JSON.parse((await cli(['preview', fixture, '--format', 'chat'])).out);
    expect(chat.metadata.threadId).toBe(SEED_ATTEMPT_ID);
    const teams = await cli(['preview', fixture, '--format', 'teams', '--event', 'review.escalated']);
    expect(teams.out).toMatch(/^\*\*Review escalated: Anonymous Candidate 514\*\*\n/);
    expect(teams.out).toContain('the people alerted have not acted');
  });

  it('exits 2 on an unknown format or event', async () => {
    expect((await cli(['preview', fixture, '--format', 'fax'])).code).toBe(2);
    expect((await cli(['preview', fixture, '--event', 'nope'])).code).toBe(2);
  });
});

describe('ia-review-alerts sweep', () => {
  it('prints each completed attempt of the horizon once, as JSON lines', async () => {
    ia.setAssignment(
      'cli-asg-1',
      listedAssignment('cli-asg-1', new Date(Date.now() - 3_600_000), [
        { id: 'cli-att-1', pendingReviewCount: 1, scoringCompleted: false },
        { id: 'cli-att-2', inProgress: true },
      ]),
    );
    ia.setAssignment(
      'cli-asg-2',
      listedAssignment('cli-asg-2', new Date(Date.now() - 7_200_000), [{ id: 'cli-att-3' }]),
    );
    const { code, out } = await cli(['sweep', '--json', '--days', '2']);
    expect(code).toBe(0);
    expect(
      out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { attemptId: 'cli-att-1', assignmentId: 'cli-asg-1', decision: 'review.needed' },
      { attemptId: 'cli-att-3', assignmentId: 'cli-asg-2', decision: 'attempt.scored' },
      { attemptId: UNANNOUNCED.attemptId, assignmentId: UNANNOUNCED.assignmentId, decision: 'review.needed' },
    ]);
    const text = await cli(['sweep', '--days', '2']);
    expect(text.out).toContain('3 completed attempt(s) in the last 2 day(s)');
    // Progress only where stderr is a terminal (processIo gives `progress` then), ending cleared.
    expect(text.err).not.toContain('sweep: page');
    const progress: string[] = [];
    const io = {
      out: () => undefined,
      err: () => undefined,
      env: { ...env },
      progress: (line: string) => void progress.push(line),
    };
    expect(await run(['sweep', '--days', '2'], io)).toBe(0);
    expect(progress[0]).toMatch(/^sweep: page 1, \d+ completed attempt\(s\) so far/);
    expect(progress.at(-1)).toBe('');
  });

  it('exits 1 when IA keeps failing, 2 on a bad --days', async () => {
    for (let i = 0; i < 4; i++) ia.inject(LIST, { kind: 'status', status: 503 });
    const failed = await cli(['sweep'], { IA_TOTAL_TIMEOUT_MS: '20000' });
    expect([failed.code, failed.err]).toEqual([
      1,
      expect.stringMatching(/UpstreamError: IA API failed with 503 for assignments page 1/),
    ]);
    ia.clearFaults();
    expect((await cli(['sweep', '--days', '0'])).code).toBe(2);
  });
});

describe('help', () => {
  it.each(['check', 'sign', 'preview', 'redrive', 'sweep', 'pending', 'digest', 'test-alert'])(
    '%s --help prints its own usage and exits 0',
    async (command) => {
      for (const flag of ['--help', '-h']) {
        const { code, out, err } = await cli([command, flag], { IA_API_KEY: undefined });
        expect([code, err]).toEqual([0, '']);
        expect(out).toMatch(new RegExp(`^usage: ia-review-alerts ${command} `));
        for (const other of ['check', 'sign', 'preview', 'redrive', 'sweep', 'pending', 'digest', 'test-alert'].filter(
          (c) => c !== command,
        ))
          expect(out).not.toContain(`  ${other} `);
      }
    },
  );

  it('help <command> prints that command’s usage', async () => {
    const { code, out } = await cli(['help', 'check']);
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: ia-review-alerts check /);
    expect(out).not.toContain('  sign ');
  });

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V', 'version']) {
      const { code, out } = await cli([flag]);
      expect([code, out]).toEqual([0, `${packageJson.version}\n`]);
    }
  });

  it('--help alone lists every command', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['check', 'sign', 'preview', 'redrive', 'sweep', 'pending', 'digest', 'test-alert'])
      expect(out).toContain(`  ${command} `);
  });
});

describe('local state', () => {
  it('is read only when asked (--local or IA_ALERTS_LOCAL_STATE): a file left behind never points the CLI at localhost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cwd-'));
    mkdirSync(join(dir, '.local'));
    writeFileSync(
      join(dir, '.local/state.json'),
      JSON.stringify({ motoEndpoint: 'http://127.0.0.1:9', stateTableName: 'left-behind', slackBuffers: {} }),
    );
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
    const bin = fileURLToPath(new URL('../../cli/bin.ts', import.meta.url));
    const { IA_ALERTS_LOCAL_STATE: _, ...env } = process.env;
    const exec = (args: string[]) =>
      new Promise<string>((resolve) =>
        execFile(
          process.execPath,
          ['--import', tsx, bin, ...args],
          { cwd: dir, env, timeout: 20_000 },
          (_e, out, err) => resolve(out + err),
        ),
      );
    expect(await exec(['pending'])).toMatch(
      /^ConfigurationError: no state table from the environment: give --stack <name> \(the deployed stack\), set STATE_TABLE_NAME, or --local/,
    );
    // Its npm start stopped (no process of that pid): said so, not an ECONNREFUSED.
    expect(await exec(['pending', '--local'])).toMatch(
      /^ConfigurationError: the local pipeline is not running: start it with `npm start`/,
    );
  }, 60_000);
});
