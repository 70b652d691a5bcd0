/** The digest: what waits, oldest first, which of it was escalated, and how each trigger is doing. */
import { describe, expect, it } from '@jest/globals';
import { buildDigest } from '#lib/domain/digest.js';
import type { AttemptState } from '#lib/domain/lifecycle.js';
import { chatDigest } from '#lib/domain/render/chat.js';
import { digestBody } from '#lib/domain/render/email.js';
import { slackDigestMessage } from '#lib/domain/render/slack.js';
import { assess, TRIGGER_DEFAULTS } from '#lib/domain/trigger-health.js';
import { awaitingState } from '../support/attempts.js';

const waiting = (id: string, since: string, escalatedAt?: string): AttemptState =>
  awaitingState(id, since, escalatedAt ? { escalatedAt } : {});

describe('digest', () => {
  it('counts and marks escalated attempts', () => {
    const digest = buildDigest(
      [waiting('b', '2026-11-28T09:00:00Z'), waiting('a', '2026-11-26T09:00:00Z', '2026-11-28T09:00:00Z')],
      { now: new Date('2026-11-30T08:00:00Z'), period: '2026-11-30', settings: { includeCandidateEmail: false } },
    );
    expect(digest.escalated).toBe(1);
    expect(digest.oldest.map((item) => [item.attemptId, item.escalatedAt])).toEqual([
      ['a', '2026-11-28T09:00:00Z'],
      ['b', undefined],
    ]);
    const body = digestBody(digest);
    expect(body).toContain('1 was escalated');
    expect(body).toMatch(/Candidate a - Philosopher Assessment: 1 pending review, waiting 3 days, escalated/);
    expect(body).not.toMatch(/Candidate b[^\n]*escalated/);
  });
});

describe('the digest’s trigger lines', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const trigger = (name: string) => ({ name, kind: 'greenhouse', account: 'default' });
  const health = [
    assess(
      trigger('lever'),
      { lastEventAt: '2026-12-06T11:00:00Z', days: { '2026-12-05': 14 }, sweepOnly: 0 },
      TRIGGER_DEFAULTS,
      now,
    ),
    assess(
      trigger('greenhouse<@U1>'),
      { lastEventAt: '2026-12-05T09:12:00Z', days: {}, sweepOnly: 14 },
      TRIGGER_DEFAULTS,
      now,
    ),
    assess(trigger('unused'), undefined, TRIGGER_DEFAULTS, now),
    assess(trigger('never-set-up'), { days: {}, sweepOnly: 3 }, TRIGGER_DEFAULTS, now),
  ];
  const digest = buildDigest([waiting('a', '2026-12-06T09:00:00Z')], {
    now,
    period: '2026-12-06',
    settings: { includeCandidateEmail: false },
    triggers: health,
  });

  it('lists the silent first, leaves out a trigger that never delivered and missed nothing', () => {
    expect(digest.triggers?.map((t) => [t.name, t.status])).toEqual([
      ['greenhouse<@U1>', 'silent'],
      ['lever', 'ok'],
      ['never-set-up', 'never'],
    ]);
  });

  it('says each in email, Slack (escaped) and chat', () => {
    const silent =
      "greenhouse<@U1>: SILENT, no event since 2026-12-05 09:12 UTC; 14 completions found only by the sweep since. Check the integration on the sender's side";
    expect(digestBody(digest)).toContain(
      `Triggers:\n  - ${silent}\n  - lever: last event 2026-12-06 11:00 UTC, 2 a day\n  - never-set-up: no event yet; 3 completions found only by the sweep\n`,
    );
    const slack = JSON.stringify(slackDigestMessage(digest).blocks);
    expect(slack).toContain('greenhouse&lt;@U1&gt;: SILENT');
    expect(slack).not.toContain('<@U1>');
    expect(chatDigest(digest).content.description).toContain('*Triggers:*');
  });
});
