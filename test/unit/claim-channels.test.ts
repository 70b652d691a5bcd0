/** Claims from outside: Slack's signed interactions and the signed email link, hostile until verified. */
import { describe, expect, it } from '@jest/globals';
import { CLAIM_LINK_SECONDS, claimLinkToken, verifyClaimLink } from '#lib/domain/claims/claim-link.js';
import {
  CLAIM_ACTION,
  CLAIM_STATUS_BLOCK,
  InvalidInteractionError,
  parseSlackInteraction,
  RELEASE_ACTION,
  verifySlackRequest,
} from '#lib/domain/claims/slack-interaction.js';
import { hmacSha256 } from '#lib/domain/webhooks/crypto.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const ts = String(NOW.getTime() / 1000);
const SLACK = 'https://hooks.slack.com';

const payload = (overrides: Record<string, unknown> = {}) => ({
  type: 'block_actions',
  user: { id: 'U123', name: 'grace' },
  response_url: 'https://hooks.slack.com/actions/T0/1/abc',
  message: {
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Review needed' } },
      { type: 'actions', elements: [] },
    ],
  },
  actions: [{ action_id: CLAIM_ACTION, value: JSON.stringify({ attemptId: 'att-1', account: 'agency-b' }) }],
  ...overrides,
});
const form = (body: unknown) => `payload=${encodeURIComponent(JSON.stringify(body))}`;
const signed = (rawBody: string, timestamp = ts, secret = SECRET) => ({
  headers: {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${hmacSha256(secret, `v0:${timestamp}:${rawBody}`).toString('hex')}`,
  },
  query: {},
  rawBody,
});

describe('Slack interactions', () => {
  it('verifies the v0 signature over timestamp and body, and names the delivery for replay', () => {
    const body = form(payload());
    const first = verifySlackRequest(signed(body), ['old-secret', SECRET], NOW);
    expect(first).toEqual({ ok: true, replayKey: expect.stringMatching(new RegExp(`^slack:${ts}:[0-9a-f]{64}$`)) });
    expect(verifySlackRequest(signed(body), [SECRET], NOW)).toEqual(first);
  });

  it('refuses a wrong secret, a changed body, a stale or future timestamp, and missing or malformed headers', () => {
    const body = form(payload());
    expect(verifySlackRequest(signed(body, ts, 'other'), [SECRET], NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifySlackRequest({ ...signed(body), rawBody: `${body}x` }, [SECRET], NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    for (const skew of [-301, 301])
      expect(verifySlackRequest(signed(body, String(Number(ts) + skew)), [SECRET], NOW)).toEqual({
        ok: false,
        reason: 'stale_timestamp',
      });
    expect(verifySlackRequest({ headers: {}, query: {}, rawBody: body }, [SECRET], NOW).ok).toBe(false);
    const malformed = { ...signed(body), headers: { ...signed(body).headers, 'x-slack-signature': 'v1=abc' } };
    expect(verifySlackRequest(malformed, [SECRET], NOW)).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('reads the claim: attempt, account, who (made safe), the message to update, and no buttons in it', () => {
    expect(parseSlackInteraction(form(payload()), [SLACK])).toEqual({
      action: 'claim',
      attemptId: 'att-1',
      account: 'agency-b',
      by: 'grace',
      via: 'slack',
      responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Review needed' } }],
    });
    const release = parseSlackInteraction(
      form(
        payload({
          user: { id: 'U9', name: 'evil.example\u202e' },
          actions: [{ action_id: RELEASE_ACTION, value: '{"attemptId":"att-2"}' }],
        }),
      ),
      [SLACK],
    );
    expect(release).toMatchObject({ action: 'release', attemptId: 'att-2', by: 'evil[.]example' });
    expect(release).not.toHaveProperty('account');
  });

  it.each([
    ['a response_url outside Slack', { response_url: 'https://attacker.example/steal' }, /not a Slack hooks URL/],
    ['a plain-http response_url', { response_url: 'http://hooks.slack.com/actions/x' }, /not a Slack hooks URL/],
    ['another port', { response_url: 'https://hooks.slack.com:8443/actions/x' }, /not a Slack hooks URL/],
    ['no claim button', { actions: [{ action_id: 'other', value: '{}' }] }, /no claim or release button/],
    [
      'an attempt id that is not an IA id',
      { actions: [{ action_id: CLAIM_ACTION, value: '{"attemptId":"../x"}' }] },
      /names no attempt/,
    ],
    [
      'a bad account',
      { actions: [{ action_id: CLAIM_ACTION, value: '{"attemptId":"a","account":"A B"}' }] },
      /names no account/,
    ],
    ['another interaction type', { type: 'view_submission' }, /not a block action/],
    ['no user', { user: {} }, /no user/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => parseSlackInteraction(form(payload(overrides)), [SLACK])).toThrow(message);
  });

  it("keeps the message's other buttons and drops the claim's own button and status line", () => {
    const link = { type: 'button', text: { type: 'plain_text', text: 'Review' }, url: 'https://app.example/a' };
    const parsed = parseSlackInteraction(
      form(
        payload({
          message: {
            blocks: [
              { type: 'actions', elements: [link, { type: 'button', action_id: CLAIM_ACTION, value: '{}' }] },
              { type: 'context', block_id: CLAIM_STATUS_BLOCK, elements: [] },
            ],
          },
        }),
      ),
      [SLACK],
    );
    expect(parsed.blocks).toEqual([{ type: 'actions', elements: [link] }]);
  });

  it('takes a response_url on the origin the deployment names (a local fake), and only there', () => {
    const local = { response_url: 'http://127.0.0.1:4010/actions/1' };
    expect(parseSlackInteraction(form(payload(local)), ['http://127.0.0.1:4010']).responseUrl).toBe(
      'http://127.0.0.1:4010/actions/1',
    );
    expect(() => parseSlackInteraction(form(payload(local)), [SLACK])).toThrow(/not a Slack hooks URL/);
  });

  it("takes a GovSlack channel's origin beside Slack's own", () => {
    const gov = { response_url: 'https://hooks.slack-gov.com/actions/T1/2/x' };
    const both = [SLACK, 'https://hooks.slack-gov.com'];
    expect(parseSlackInteraction(form(payload(gov)), both).responseUrl).toBe(gov.response_url);
    expect(parseSlackInteraction(form(payload()), both).responseUrl).toMatch(/^https:\/\/hooks\.slack\.com\//);
    expect(() => parseSlackInteraction(form(payload(gov)), [SLACK])).toThrow(/not a Slack hooks URL/);
  });

  it('refuses a body that is not a payload form, or too large', () => {
    expect(() => parseSlackInteraction('payload=%7Bnope', [SLACK])).toThrow(InvalidInteractionError);
    expect(() => parseSlackInteraction(`payload=${'x'.repeat(70_000)}`, [SLACK])).toThrow(/too large/);
  });
});

describe('the email claim link', () => {
  const KEY = 'link-key-1';

  it('carries the attempt and account, signed, until it expires', () => {
    const token = claimLinkToken(KEY, { attemptId: 'att-1', account: 'agency-b' }, NOW);
    expect(verifyClaimLink([KEY], token, NOW)).toEqual({ ok: true, attemptId: 'att-1', account: 'agency-b' });
    expect(verifyClaimLink(['new-key', KEY], token, new Date(NOW.getTime() + CLAIM_LINK_SECONDS * 1000))).toMatchObject(
      {
        ok: true,
      },
    );
    expect(verifyClaimLink([KEY], token, new Date(NOW.getTime() + CLAIM_LINK_SECONDS * 1000 + 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses another key, a changed attempt, and anything that is not a token', () => {
    const token = claimLinkToken(KEY, { attemptId: 'att-1' }, NOW);
    expect(verifyClaimLink(['other'], token, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const [body, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), a: 'att-2' }),
    ).toString('base64url');
    expect(verifyClaimLink([KEY], `${forged}.${signature}`, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const junk of ['', 'x', `${body}.`, `${body}.${signature}x`, '<script>.x'])
      expect(verifyClaimLink([KEY], junk, NOW)).toMatchObject({ ok: false });
  });
});
