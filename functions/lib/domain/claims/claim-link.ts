/**
 * The "I'm on it" link of an alert email: `<base>/claims/email?t=<token>`, the token signed per
 * deployment (HMAC-SHA256, key in Secrets Manager) over the attempt, its account and an expiry,
 * so nobody can claim an attempt by guessing a URL and an old email cannot claim forever.
 * Opening the link only shows a page asking who claims it; the claim is its POST, so a mail
 * scanner that follows links claims nothing. Pure: keys and clock are arguments.
 */
import { ACCOUNT_NAME, IA_ID } from '../ids.js';
import { hmacSha256, safeEqual } from '../webhooks/crypto.js';

export interface ClaimLinkSubject {
  attemptId: string;
  account?: string;
}

/** A link works as long as a review can still be waiting: the longest watch, and a day. */
export const CLAIM_LINK_SECONDS = 15 * 24 * 3600;

const encode = (text: string) => Buffer.from(text).toString('base64url');
const sign = (key: string, body: string) => hmacSha256(key, `ia-review-claim:${body}`).toString('base64url');

export const claimLinkToken = (key: string, subject: ClaimLinkSubject, now: Date): string => {
  const expires = Math.floor(now.getTime() / 1000) + CLAIM_LINK_SECONDS;
  const body = encode(
    JSON.stringify({ a: subject.attemptId, ...(subject.account ? { c: subject.account } : {}), e: expires }),
  );
  return `${body}.${sign(key, body)}`;
};

/**
 * The link an alert email carries: its expiry counts from the alert's own time, so every function
 * that renders the alert (check, the sweep, a retry) writes the same link.
 */
export const claimLink = (pageUrl: string, key: string, subject: ClaimLinkSubject, issuedAt: Date): string =>
  `${pageUrl}?t=${claimLinkToken(key, subject, issuedAt)}`;

export type ClaimLinkCheck =
  | ({ ok: true } & ClaimLinkSubject)
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Any of `keys` may have signed it (a key being rotated in keeps the old one's links working). */
export const verifyClaimLink = (keys: readonly string[], token: string, now: Date): ClaimLinkCheck => {
  const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, body, signature] = match as unknown as [string, string, string];
  let signed = false;
  for (const key of keys) signed = safeEqual(signature, sign(key, body)) || signed;
  if (!signed) return { ok: false, reason: 'bad_signature' };
  let claims: { a?: unknown; c?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    typeof claims.a !== 'string' ||
    !IA_ID.test(claims.a) ||
    (claims.c !== undefined && (typeof claims.c !== 'string' || !ACCOUNT_NAME.test(claims.c))) ||
    typeof claims.e !== 'number'
  )
    return { ok: false, reason: 'malformed' };
  if (now.getTime() > claims.e * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, attemptId: claims.a, ...(typeof claims.c === 'string' ? { account: claims.c } : {}) };
};
