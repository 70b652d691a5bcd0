/**
 * Known-answer tests: each signature is computed here from the sender's documented formula with
 * node:crypto directly, then checked by the verifier. Tolerance, rotation and tampering included.
 */

import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '#lib/domain/errors.js';
import type { SourceKind } from '#lib/domain/webhooks/kinds.js';
import { secretValues, signingSecrets } from '#lib/domain/webhooks/secrets.js';
import { signRequest } from '#lib/domain/webhooks/sign.js';
import { type InboundRequest, verify as verifyWith } from '#lib/domain/webhooks/verify.js';

/** The verifier as ingest calls it: with the values of the secret as stored. */
const verify = (kind: SourceKind, request: InboundRequest, secret: string, now: Date) =>
  verifyWith(kind, request, secretValues(secret), now);

const NOW = new Date('2026-11-25T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const body = '{"type":"assessment.completed","data":{"attemptId":"khbgltqixvvyoxeb"}}';
const request = (
  headers: Record<string, string>,
  rawBody = body,
  query: Record<string, string> = {},
): InboundRequest => ({
  headers,
  query,
  rawBody,
  json: (() => {
    try {
      return JSON.parse(rawBody);
    } catch {
      return undefined;
    }
  })(),
});

describe('Standard Webhooks', () => {
  const keyBytes = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'utf8');
  const secret = `whsec_${keyBytes.toString('base64')}`;
  const sign = (id: string, ts: number, content = body, key = keyBytes) =>
    createHmac('sha256', key).update(`${id}.${ts}.${content}`).digest('base64');
  const headers = (ts = nowSeconds, signature = sign('msg_1', ts)) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${signature}`,
  });

  it('accepts the documented signature and returns the webhook-id as event id and replay key', () => {
    expect(verify('standard-webhooks', request(headers()), secret, NOW)).toEqual({
      ok: true,
      eventId: 'msg_1',
      replayKey: 'id:msg_1',
    });
  });

  it('keeps an unprintable or overlong webhook-id out of logs but still dedupes on it', () => {
    const id = `msg_${'x'.repeat(200)}\n`;
    const h = { ...headers(), 'webhook-id': id, 'webhook-signature': `v1,${sign(id, nowSeconds)}` };
    expect(verify('standard-webhooks', request(h), secret, NOW)).toEqual({ ok: true, replayKey: `id:${id}` });
  });

  it('accepts when any of several signatures matches (sender rotating secrets), ignoring v1a', () => {
    const other = createHmac('sha256', 'old-key').update('x').digest('base64');
    const h = { ...headers(), 'webhook-signature': `v1a,AAAA v1,${other} v1,${sign('msg_1', nowSeconds)}` };
    expect(verify('standard-webhooks', request(h), secret, NOW).ok).toBe(true);
  });

  it('accepts with either of two configured secrets (receiver rotating)', () => {
    const newKey = Buffer.from('another-24-byte-secret!!', 'utf8');
    const h = headers(nowSeconds, sign('msg_1', nowSeconds, body, newKey));
    expect(verify('standard-webhooks', request(h), `${secret}\nwhsec_${newKey.toString('base64')}`, NOW).ok).toBe(true);
    expect(
      verify('standard-webhooks', request(h), JSON.stringify([secret, `whsec_${newKey.toString('base64')}`]), NOW).ok,
    ).toBe(true);
  });

  it.each([
    ['5 minutes old', nowSeconds - 300, true],
    ['over 5 minutes old', nowSeconds - 301, false],
    ['5 minutes ahead', nowSeconds + 300, true],
    ['over 5 minutes ahead', nowSeconds + 301, false],
  ])('timestamp %s → ok=%s', (_name, ts, ok) => {
    const result = verify('standard-webhooks', request(headers(ts)), secret, NOW);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects a tampered body, a wrong secret and missing headers', () => {
    expect(verify('standard-webhooks', request(headers(), body.replace('khb', 'xyz')), secret, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify('standard-webhooks', request(headers()), 'whsec_d3JvbmcgLS0gc2VjcmV0IGtleQ==', NOW).ok).toBe(false);
    expect(verify('standard-webhooks', request({}), secret, NOW)).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('Greenhouse', () => {
  const secret = 'greenhouse-secret-key';
  const raw = '{"action":"candidate_stage_change","payload":{"note":"\\u003cb\\u003e"}}';
  const hex = createHmac('sha256', secret).update(raw).digest('hex');

  it('accepts `sha256 <hex>` over the raw bytes, unicode escapes as sent; the replay key is the body digest', () => {
    const result = verify(
      'greenhouse',
      request({ signature: `sha256 ${hex}`, 'greenhouse-event-id': 'ev-9' }, raw),
      secret,
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      eventId: 'ev-9',
      replayKey: `body:${createHash('sha256').update(raw).digest('hex')}`,
    });
  });

  it('gives a replay with another (or no) Greenhouse-Event-ID the same replay key', () => {
    const first = verify(
      'greenhouse',
      request({ signature: `sha256 ${hex}`, 'greenhouse-event-id': 'ev-9' }, raw),
      secret,
      NOW,
    );
    const replayed = verify(
      'greenhouse',
      request({ signature: `sha256 ${hex}`, 'greenhouse-event-id': 'ev-10' }, raw),
      secret,
      NOW,
    );
    const anonymous = verify('greenhouse', request({ signature: `sha256 ${hex}` }, raw), secret, NOW);
    expect(
      first.ok &&
        replayed.ok &&
        anonymous.ok &&
        new Set([first.replayKey, replayed.replayKey, anonymous.replayKey]).size,
    ).toBe(1);
  });

  it('rejects a signature over the re-serialised body, another algorithm, or none', () => {
    const reserialised = createHmac('sha256', secret)
      .update(JSON.stringify(JSON.parse(raw)))
      .digest('hex');
    expect(verify('greenhouse', request({ signature: `sha256 ${reserialised}` }, raw), secret, NOW).ok).toBe(false);
    expect(verify('greenhouse', request({ signature: `sha1 ${hex}` }, raw), secret, NOW).ok).toBe(false);
    expect(verify('greenhouse', request({}, raw), secret, NOW)).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('Lever', () => {
  const secret = 'lever-signature-token';
  const token = 'a'.repeat(48);
  const leverBody = (
    triggeredAt: number,
    signature = createHmac('sha256', secret).update(`${token}${triggeredAt}`).digest('hex'),
  ) =>
    JSON.stringify({
      id: 'e1',
      triggeredAt,
      event: 'candidateStageChange',
      data: { opportunityId: 'o1' },
      token,
      signature,
    });

  it('accepts hex HMAC of token + triggeredAt and uses the token as event id, token + time as replay key', () => {
    expect(verify('lever', request({}, leverBody(NOW.getTime())), secret, NOW)).toEqual({
      ok: true,
      eventId: token,
      replayKey: `token:${token}:${NOW.getTime()}`,
    });
  });

  it('refuses a string triggeredAt: "0" + ts would sign the same content with another token', () => {
    const ts = NOW.getTime();
    const signature = createHmac('sha256', secret).update(`${token}${ts}`).digest('hex');
    const shifted = JSON.stringify({ token: token.slice(0, -1), triggeredAt: `${token.slice(-1)}${ts}`, signature });
    expect(verify('lever', request({}, shifted), secret, NOW)).toEqual({ ok: false, reason: 'malformed_signature' });
    const quoted = JSON.stringify({ token, triggeredAt: String(ts), signature });
    expect(verify('lever', request({}, quoted), secret, NOW)).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('rejects a stale triggeredAt (milliseconds) and a wrong signature', () => {
    expect(verify('lever', request({}, leverBody(NOW.getTime() - 301_000)), secret, NOW)).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verify('lever', request({}, leverBody(NOW.getTime(), 'ab'.repeat(32))), secret, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});

describe('IA callback', () => {
  it('accepts the secret token from the URL and nothing else', () => {
    expect(verify('ia-callback', request({}, '', { token: 's3cret-token' }), 's3cret-token', NOW).ok).toBe(true);
    expect(verify('ia-callback', request({}, '', { token: 's3cret-tokem' }), 's3cret-token', NOW).ok).toBe(false);
    expect(verify('ia-callback', request({}, ''), 's3cret-token', NOW)).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
  });

  it('never accepts anything with an empty secret', () => {
    expect(verify('ia-callback', request({}, '', { token: '' }), '', NOW).ok).toBe(false);
  });
});

describe('signRequest (the CLI and local run) produces what the verifiers accept', () => {
  it.each([
    ['standard-webhooks', `whsec_${Buffer.from('k'.repeat(32)).toString('base64')}`],
    ['greenhouse', 'gh-secret-of-some-length'],
    ['lever', 'lever-secret-of-some-length'],
    ['ia-callback', 'callback-token-of-some-length'],
  ] as const)('%s', (kind, secret) => {
    const signed = signRequest(kind, body, secret, NOW);
    expect(verify(kind, request(signed.headers, signed.body, signed.query), secret, NOW).ok).toBe(true);
  });
});

describe('signing secrets', () => {
  const strongKey = `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}`;

  it('reads one value per line, or a JSON array; spaces belong to the value', () => {
    expect(secretValues('a-first-secret-value\n  a-second-secret-value \r\n')).toEqual([
      'a-first-secret-value',
      'a-second-secret-value',
    ]);
    expect(secretValues('["one-secret-value-x", "two-secret-value-y"]')).toEqual([
      'one-secret-value-x',
      'two-secret-value-y',
    ]);
    expect(secretValues('correct horse battery staple')).toEqual(['correct horse battery staple']);
  });

  it('a passphrase is one secret: an HMAC made with one of its words does not verify', () => {
    const passphrase = 'correct horse battery staple';
    const raw = '{"action":"x"}';
    const withWord = createHmac('sha256', 'horse').update(raw).digest('hex');
    expect(verify('greenhouse', request({ signature: `sha256 ${withWord}` }, raw), passphrase, NOW).ok).toBe(false);
  });

  it.each<[string, SourceKind, string]>([
    ['an empty secret', 'greenhouse', '   '],
    ['a secret under 16 characters', 'lever', 'short-secret'],
    ['one weak value among several', 'ia-callback', 'a-long-enough-token-value\nweak'],
    ['whsec_ with nothing after it', 'standard-webhooks', 'whsec_'],
    ['whsec_ with something that is not base64', 'standard-webhooks', 'whsec_!!!!!!!!!!!!!!!!!!!!'],
    [
      'a Standard Webhooks key under 24 bytes',
      'standard-webhooks',
      `whsec_${Buffer.from('k'.repeat(23)).toString('base64')}`,
    ],
  ])('fails closed on %s, without showing it', (_name, kind, text) => {
    let error: unknown;
    try {
      signingSecrets(kind, text, 'src');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/webhook source src/);
    if (text.trim()) expect((error as Error).message).not.toContain(text.trim().split('\n').pop());
  });

  it('accepts strong values of every kind', () => {
    expect(signingSecrets('standard-webhooks', strongKey, 'src')).toEqual([strongKey]);
    expect(signingSecrets('greenhouse', 'x'.repeat(16), 'src')).toEqual(['x'.repeat(16)]);
  });
});
