/** Signing as each sender does it: for the CLI's `sign` command and the local run's examples. */
import { randomBytes } from 'node:crypto';
import { hmacSha256 } from './crypto.js';
import type { SourceKind } from './kinds.js';
import { secretValues } from './secrets.js';

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
  query: Record<string, string>;
}

/** Produces the headers (and, for Lever and IA callbacks, body fields or query) a real sender would. */
export const signRequest = (
  kind: SourceKind,
  body: string,
  secret: string,
  now = new Date(),
  /** The delivery's id, where the kind has one: a sender's retry of a delivery keeps it. */
  deliveryId?: string,
): SignedRequest => {
  // While rotating, the first value is the one senders have.
  const key = secretValues(secret)[0] ?? '';
  const json = { 'content-type': 'application/json' };
  switch (kind) {
    case 'standard-webhooks': {
      const id = deliveryId ?? `msg_${randomBytes(12).toString('hex')}`;
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const signature = hmacSha256(
        Buffer.from(key.replace(/^whsec_/, ''), 'base64'),
        `${id}.${timestamp}.${body}`,
      ).toString('base64');
      return {
        headers: { ...json, 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
        body,
        query: {},
      };
    }
    case 'greenhouse':
      return {
        headers: {
          ...json,
          signature: `sha256 ${hmacSha256(key, body).toString('hex')}`,
          'greenhouse-event-id': randomBytes(8).toString('hex'),
        },
        body,
        query: {},
      };
    case 'lever': {
      const token = randomBytes(24).toString('hex');
      const triggeredAt = now.getTime();
      const signature = hmacSha256(key, `${token}${triggeredAt}`).toString('hex');
      const parsed = JSON.parse(body) as Record<string, unknown>;
      return { headers: json, body: JSON.stringify({ ...parsed, token, triggeredAt, signature }), query: {} };
    }
    case 'ia-callback':
      return { headers: json, body, query: { token: key } };
  }
};
