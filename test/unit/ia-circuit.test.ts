/** A key IA stops answering is not called for a while, so its records cannot hold up everyone's. */
import { describe, expect, it } from '@jest/globals';
import { IaNoAnswerError, NotFoundError, RateLimitedError, UpstreamError } from '#lib/domain/errors.js';
import type { IaClient } from '#lib/domain/ia.js';
import { IaUnavailableError, withCircuit } from '#lib/domain/ia-circuit.js';

const setup = () => {
  let now = 0;
  let answer: () => Promise<never> | Promise<{ value: never }> = async () => ({ value: {} as never });
  let calls = 0;
  const fake = {
    getAttempt: async () => {
      calls += 1;
      return answer();
    },
  } as unknown as IaClient;
  const client = withCircuit(fake, { now: () => now, openMs: 30_000, maxOpenMs: 100_000 });
  return {
    client,
    calls: () => calls,
    at: (ms: number) => {
      now = ms;
    },
    answers: (next: typeof answer) => {
      answer = next;
    },
  };
};
const down = async () => {
  throw new IaNoAnswerError('IA API timed out for attempt a');
};

/** A circuit IA did not answer at 0, at 30 s: its one try may go. */
const openedThenDue = async () => {
  const c = setup();
  c.answers(down);
  await expect(c.client.getAttempt('a')).rejects.toThrow('timed out');
  c.at(30_000);
  return c;
};

describe('the IA circuit', () => {
  it('fails at once for openMs after IA stopped answering, then lets one call try', async () => {
    const c = setup();
    c.answers(down);
    await expect(c.client.getAttempt('a')).rejects.toThrow('timed out');
    c.at(29_999);
    await expect(c.client.getAttempt('a')).rejects.toThrow(IaUnavailableError);
    await expect(c.client.getAttempt('a')).rejects.toThrow(/not called again for 1 s/);
    expect(c.calls()).toBe(1);
    c.at(30_000);
    c.answers(async () => ({ value: {} as never }));
    await expect(c.client.getAttempt('a')).resolves.toEqual({ value: {} });
    await expect(c.client.getAttempt('a')).resolves.toEqual({ value: {} });
    expect(c.calls()).toBe(3);
  });

  it('stays open twice as long after each failed try, up to maxOpenMs', async () => {
    const c = setup();
    c.answers(down);
    let t = 0;
    for (let i = 0; i < 4; i++) {
      c.at(t);
      await expect(c.client.getAttempt('a')).rejects.toThrow('timed out');
      const next = [30_000, 60_000, 100_000, 100_000][i] as number;
      c.at(t + next - 1);
      await expect(c.client.getAttempt('a')).rejects.toThrow(IaUnavailableError);
      t += next;
    }
    expect(c.calls()).toBe(4);
  });

  it('lets only one call try while open, and closes when IA answers anything about the request', async () => {
    const c = await openedThenDue();
    let release: () => void = () => undefined;
    c.answers(
      () =>
        new Promise((_, reject) => {
          release = () => reject(new NotFoundError('attempt a not found'));
        }),
    );
    const probe = c.client.getAttempt('a');
    await expect(c.client.getAttempt('b')).rejects.toThrow(IaUnavailableError);
    release();
    await expect(probe).rejects.toThrow(NotFoundError);
    c.answers(async () => {
      throw new RateLimitedError(1, 'slow down');
    });
    await expect(c.client.getAttempt('a')).rejects.toThrow(RateLimitedError);
    await expect(c.client.getAttempt('a')).rejects.toThrow(RateLimitedError);
    expect(c.calls()).toBe(4);
  });

  it("opens on 5xx answers only three calls running (one attempt's 500 says nothing of the others)", async () => {
    const c = setup();
    const failing = async () => {
      throw new UpstreamError('IA API failed with 500 for attempt a', 500);
    };
    c.answers(failing);
    for (let i = 0; i < 2; i++) await expect(c.client.getAttempt('a')).rejects.toThrow('500');
    c.answers(async () => ({ value: {} as never }));
    await expect(c.client.getAttempt('b')).resolves.toEqual({ value: {} });
    c.answers(failing);
    for (let i = 0; i < 3; i++) await expect(c.client.getAttempt('a')).rejects.toThrow('500');
    await expect(c.client.getAttempt('a')).rejects.toThrow(IaUnavailableError);
    expect(c.calls()).toBe(6);
  });

  it('reopens, twice as long, when the one try gets a 5xx; a 429 or our own pacer giving up leave it half open', async () => {
    const c = await openedThenDue();
    c.answers(async () => {
      throw new UpstreamError('IA API failed with 503 for attempt a', 503);
    });
    await expect(c.client.getAttempt('a')).rejects.toThrow('503');
    c.at(89_999);
    await expect(c.client.getAttempt('a')).rejects.toThrow(IaUnavailableError);
    c.at(90_000);
    c.answers(async () => {
      throw new RateLimitedError(1, 'IA API rate limit hit');
    });
    await expect(c.client.getAttempt('a')).rejects.toThrow(RateLimitedError);
    c.answers(down);
    await expect(c.client.getAttempt('a')).rejects.toThrow('timed out');
    // Still the doubling of a circuit that never closed: 60 s, then 100 s (the maximum).
    c.at(189_999);
    await expect(c.client.getAttempt('a')).rejects.toThrow(IaUnavailableError);
  });

  it("does not open for our own failures: the pacer's contention, a secret that cannot be read", async () => {
    const c = setup();
    c.answers(async () => {
      throw new UpstreamError('could not reserve a rate slot: too much contention');
    });
    for (let i = 0; i < 5; i++) await expect(c.client.getAttempt('a')).rejects.toThrow('contention');
    expect(c.calls()).toBe(5);
  });

  it('is retryable, like the failure it stands for', () => {
    expect(new IaUnavailableError(1000)).toMatchObject({ retryable: true, code: 'upstream_failure' });
  });
});
