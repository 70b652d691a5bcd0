/**
 * The Slack claim route's bookkeeping: a replay key kept once the claim is recorded, released only
 * when it was not; a release asks for a check of the attempt.
 */
import { describe, expect, it } from '@jest/globals';
import type { ClaimView } from '#lib/adapters/claim-store.js';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { CLAIM_ACTION, RELEASE_ACTION } from '#lib/domain/claims/slack-interaction.js';
import { hmacSha256 } from '#lib/domain/webhooks/crypto.js';
import { type ClaimDeps, slackClaimRequest } from '../../functions/ingest/claim-request.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const SECRET = 'a-slack-signing-secret-of-32-chars';
const view: ClaimView = {
  attemptId: 'att-1',
  version: 3,
  lastDecision: 'review.needed',
  reviewNeededAt: '2026-12-06T10:00:00Z',
};

const clicked = (actionId = CLAIM_ACTION) => {
  const payload = {
    type: 'block_actions',
    user: { id: 'U1', name: 'grace' },
    response_url: 'https://hooks.slack.com/actions/T0/1/x',
    message: { blocks: [] },
    actions: [{ action_id: actionId, value: '{"attemptId":"att-1","account":"agency-b"}' }],
  };
  const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(NOW.getTime() / 1000);
  return {
    rawBody,
    headers: {
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': `v0=${hmacSha256(SECRET, `v0:${timestamp}:${rawBody}`).toString('hex')}`,
    },
  };
};

const depsWith = (over: Partial<ClaimDeps>) => {
  const calls: string[] = [];
  const deps: ClaimDeps = {
    slackSigningSecrets: async () => [SECRET],
    claimLinkKeys: async () => ['unused-link-key-0000'],
    remember: async () => {
      calls.push('remember');
      return true;
    },
    settle: async () => void calls.push('settle'),
    forget: async () => void calls.push('forget'),
    decide: async (_subject, decide) => decide(view),
    lookup: async () => view,
    requestCheck: async (message: CheckMessage) => void calls.push(`check ${JSON.stringify(message)}`),
    respondToSlack: async () => void calls.push('respond'),
    slackOrigins: ['https://hooks.slack.com'],
    now: () => NOW,
    ...over,
  };
  return { deps, calls };
};

describe('the Slack claim route', () => {
  it('keeps the replay key once the claim is recorded, even when Slack does not take the update', async () => {
    const { deps, calls } = depsWith({
      respondToSlack: async () => {
        throw new Error('Slack answered 500');
      },
    });
    const answer = await slackClaimRequest(clicked(), deps);
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { status: 'claimed', update: 'not_delivered' }]);
    expect(calls).toEqual(['remember', 'settle']);
  });

  it('releases the replay key when the claim could not be recorded, so the click can be made again', async () => {
    const { deps, calls } = depsWith({
      decide: async () => {
        throw new Error('DynamoDB throttled');
      },
    });
    await expect(slackClaimRequest(clicked(), deps)).rejects.toThrow('DynamoDB throttled');
    expect(calls).toEqual(['remember', 'forget']);
  });

  it('asks for a check of the attempt once let go (escalation due meanwhile goes out), and only then', async () => {
    const held = { ...view, claim: { by: 'grace', at: '2026-12-06T11:00:00Z', via: 'slack' as const } };
    const released = depsWith({ decide: async (_subject, decide) => decide(held) });
    const answer = await slackClaimRequest(clicked(RELEASE_ACTION), released.deps);
    expect(JSON.parse(answer.body)).toEqual({ status: 'released' });
    expect(released.calls).toEqual([
      'remember',
      'settle',
      'check {"attemptId":"att-1","account":"agency-b","source":"claim-release","afterRelease":true}',
      'respond',
    ]);
    const claimed = depsWith({});
    await slackClaimRequest(clicked(), claimed.deps);
    expect(claimed.calls).toEqual(['remember', 'settle', 'respond']);
  });

  it('keeps the release when the check cannot be sent, and says so', async () => {
    const held = { ...view, claim: { by: 'grace', at: '2026-12-06T11:00:00Z', via: 'slack' as const } };
    const { deps, calls } = depsWith({
      decide: async (_subject, decide) => decide(held),
      requestCheck: async () => {
        throw new Error('SQS throttled');
      },
    });
    const answer = await slackClaimRequest(clicked(RELEASE_ACTION), deps);
    expect([answer.statusCode, JSON.parse(answer.body)]).toEqual([200, { status: 'released', check: 'not_requested' }]);
    expect(calls).toEqual(['remember', 'settle', 'respond']);
  });
});
