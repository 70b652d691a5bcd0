/**
 * `npm start` as a developer runs it: it comes up, the CLI reaches it (a test alert reaches the
 * terminal's email and Slack views), a review is claimed through the fake Slack's button and
 * through its email's link, and Ctrl-C — SIGINT to the whole process group, as a terminal
 * sends it — stops it cleanly: no stack trace, no emulator left running, the state file removed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
import { VARIANTS } from '../../local/ia-fixtures.js';
import { runCli } from '../support/run-cli.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

it('starts, answers the CLI, and stops on Ctrl-C with nothing left behind', async () => {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'local-start-')), 'state.json');
  const { MOTO_ENDPOINT: _, AWS_ENDPOINT_URL: __, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: repo,
    env: { ...env, IA_ALERTS_LOCAL_STATE: stateFile, POWERTOOLS_LOG_LEVEL: 'WARN', IA_API_KEY: '' },
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const until = async (pattern: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(output)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  try {
    await until(/Ctrl-C stops everything/, 120_000);
    expect(existsSync(stateFile)).toBe(true);
    const sent = await runCli(['test-alert', '--json'], { ...env, IA_ALERTS_LOCAL_STATE: stateFile });
    expect(sent.code).toBe(0);
    const { attemptId } = JSON.parse(sent.out) as { attemptId: string };
    await until(new RegExp(`─── Slack #review-alerts[\\s\\S]*attempt ${attemptId}`), 30_000);
    await until(/─── email ─+\nSubject: Review needed: Test Candidate/, 30_000);

    // "I'm on it": a review.needed, claimed through the fake Slack's button, then let go; and
    // through its email's link, whose page claims nothing until its form is posted.
    const enqueued = spawn(process.execPath, ['--import', 'tsx', 'local/enqueue.ts', VARIANTS.reviewNeeded], {
      cwd: repo,
      env: { ...env, IA_ALERTS_LOCAL_STATE: stateFile },
    });
    expect(await new Promise((resolve) => enqueued.once('exit', resolve))).toBe(0);
    const link = /I'm on it [^:]*: (http:\/\/127\.0\.0\.1:\d+\/claims\/email\?t=\S+)/;
    await until(new RegExp(`attempt ${VARIANTS.reviewNeeded}[\\s\\S]*\\[I'm on it\\]`), 30_000);
    const clickUrl = /curl -s -X POST (\S+\/_click)/.exec(output)?.[1] as string;
    const click = (user: string) =>
      fetch(clickUrl, { method: 'POST', body: JSON.stringify({ attemptId: VARIANTS.reviewNeeded, user }) });
    expect((await click('grace')).status).toBe(200);
    await until(/the message, updated[\s\S]*grace is on it/, 10_000);
    const holder = async () => {
      const listed = await runCli(['pending', '--json'], { ...env, IA_ALERTS_LOCAL_STATE: stateFile });
      return listed.out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { attemptId: string; claimedBy?: string })
        .find((row) => row.attemptId === VARIANTS.reviewNeeded)?.claimedBy;
    };
    expect(await holder()).toBe('grace');
    expect((await click('grace')).status).toBe(200);
    await until(/grace let it go/, 10_000);
    expect(await holder()).toBeUndefined();

    const emailed = [...output.matchAll(new RegExp(link, 'g'))]
      .map((match) => match[1] as string)
      .find((url) =>
        Buffer.from(new URL(url).searchParams.get('t')?.split('.')[0] ?? '', 'base64url')
          .toString()
          .includes(VARIANTS.reviewNeeded),
      );
    expect(emailed).toBeDefined();
    const page = await fetch(emailed as string);
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<form method="post">')]);
    expect(await holder()).toBeUndefined();
    const posted = await fetch((emailed as string).split('?')[0] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        t: new URL(emailed as string).searchParams.get('t') as string,
        by: 'Ada',
      }).toString(),
    });
    expect(posted.status).toBe(200);
    expect(await holder()).toBe('Ada');
  } finally {
    process.kill(-(child.pid as number), 'SIGINT');
  }
  expect(await exited).toBe(0);
  // Views may still print what arrived before the stop; then it says it stopped, and nothing else.
  expect(output).toMatch(/\nStopping\.\.\.\n([\s\S]*\n)?Stopped\.\n$/);
  expect(output).not.toMatch(/ECONNREFUSED|\n\s+at |Error:|Could not determine remaining time/);
  expect(existsSync(stateFile)).toBe(false);
  const after = await runCli(['pending', '--local'], { ...env, IA_ALERTS_LOCAL_STATE: stateFile });
  expect([after.code, after.err]).toEqual([1, expect.stringMatching(/the local pipeline is not running/)]);
}, 180_000);
