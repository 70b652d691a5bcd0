/** The CLI's pacing on a deployed key: a long wait for a slot is said on a terminal, and nowhere else. */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { saysWhenWaiting } from '../../cli/ia-pacing.js';

describe('saysWhenWaiting', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const slotIn = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const io = (progress?: (line: string) => void) => ({
    out: () => undefined,
    err: () => undefined,
    env: {},
    ...(progress ? { progress } : {}),
  });

  it('counts the seconds it waits on a terminal, then clears the line', async () => {
    const lines: string[] = [];
    const waited = saysWhenWaiting(
      slotIn(2500),
      io((line) => void lines.push(line)),
    )();
    await jest.advanceTimersByTimeAsync(2500);
    await waited;
    expect(lines).toEqual([
      expect.stringMatching(/^waiting 1 s for a slot on the deployed key's schedule/),
      expect.stringMatching(/^waiting 2 s /),
      '',
    ]);
  });

  it('says nothing for a slot that is free at once, or without a terminal', async () => {
    const lines: string[] = [];
    await saysWhenWaiting(
      async () => undefined,
      io((line) => void lines.push(line)),
    )();
    const quiet = saysWhenWaiting(slotIn(2500), io())();
    await jest.advanceTimersByTimeAsync(2500);
    await quiet;
    expect(lines).toEqual([]);
  });
});
