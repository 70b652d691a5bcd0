/**
 * `npm start` as a developer runs it: it comes up, the CLI reaches it (a test alert reaches the
 * terminal's email and Slack views), and Ctrl-C — SIGINT to the whole process group, as a terminal
 * sends it — stops it cleanly: no stack trace, no emulator left running, the state file removed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
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
  } finally {
    process.kill(-(child.pid as number), 'SIGINT');
  }
  expect(await exited).toBe(0);
  // Views may still print what arrived before the stop; then it says it stopped, and nothing else.
  expect(output).toMatch(/\nStopping\.\.\.\n[\s\S]*\nStopped\.\n$/);
  expect(output).not.toMatch(/ECONNREFUSED|\n\s+at |Error:|Could not determine remaining time/);
  expect(existsSync(stateFile)).toBe(false);
  const after = await runCli(['pending', '--local'], { ...env, IA_ALERTS_LOCAL_STATE: stateFile });
  expect([after.code, after.err]).toEqual([1, expect.stringMatching(/the local pipeline is not running/)]);
}, 180_000);
