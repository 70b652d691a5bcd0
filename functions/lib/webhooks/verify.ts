/**
 * Sender verification per webhook kind, over the raw body, as each sender documents it
 * (../shared/context/ats-webhooks.md). Pure: the secret and the clock come in as arguments.
 */
import { anySafeEqual, hmacSha256 } from './crypto.js';

export const SOURCE_KINDS = ['standard-webhooks', 'greenhouse', 'lever', 'ia-callback'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface InboundRequest {
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: string;
  /** The body parsed as JSON, when it is JSON. Lever signs fields inside it. */
  json?: unknown;
}

export type Verification =
  | { ok: true; eventId?: string }
  | { ok: false; reason: 'missing_signature' | 'bad_signature' | 'stale_timestamp' };

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A secret may hold several values separated by whitespace, so receivers can rotate too. */
const secretsOf = (secret: string) => secret.split(/\s+/).filter(Boolean);

const fresh = (timestampMs: number, nowMs: number, toleranceSeconds: number) =>
  Number.isFinite(timestampMs) && Math.abs(nowMs - timestampMs) <= toleranceSeconds * 1000;

/** Standard Webhooks: HMAC-SHA256 of `${id}.${timestamp}.${body}` with the base64 key after `whsec_`. */
export const verifyStandardWebhook = (
  request: InboundRequest,
  secret: string,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing_signature' };
  if (!/^\d{1,12}$/.test(timestamp) || !fresh(Number(timestamp) * 1000, now.getTime(), toleranceSeconds)) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const signed = `${id}.${timestamp}.${request.rawBody}`;
  const expected = secretsOf(secret).map((s) =>
    hmacSha256(Buffer.from(s.replace(/^whsec_/, ''), 'base64'), signed).toString('base64'),
  );
  // `v1a,` (ed25519) and unknown versions are skipped; any matching v1 signature will do.
  const offered = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  return anySafeEqual(offered, expected) ? { ok: true, eventId: id } : { ok: false, reason: 'bad_signature' };
};

/** Greenhouse: `Signature: sha256 <hex HMAC-SHA256(secret, rawBody)>`; `Greenhouse-Event-ID` identifies the delivery. */
export const verifyGreenhouse = (request: InboundRequest, secret: string): Verification => {
  const header = request.headers.signature;
  if (!header) return { ok: false, reason: 'missing_signature' };
  const [algorithm, signature] = header.trim().split(/\s+/);
  if (algorithm !== 'sha256' || !signature) return { ok: false, reason: 'bad_signature' };
  const expected = secretsOf(secret).map((s) => hmacSha256(s, request.rawBody).toString('hex'));
  if (!anySafeEqual([signature.toLowerCase()], expected)) return { ok: false, reason: 'bad_signature' };
  const eventId = request.headers['greenhouse-event-id'];
  return eventId ? { ok: true, eventId } : { ok: true };
};

/** Lever: body `signature` = hex HMAC-SHA256(secret, token + triggeredAt); `token` identifies the delivery. */
export const verifyLever = (
  request: InboundRequest,
  secret: string,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  const body = (request.json ?? {}) as { token?: unknown; triggeredAt?: unknown; signature?: unknown };
  const { token, triggeredAt, signature } = body;
  if (typeof token !== 'string' || typeof signature !== 'string' || (typeof triggeredAt !== 'number' && typeof triggeredAt !== 'string')) {
    return { ok: false, reason: 'missing_signature' };
  }
  const expected = secretsOf(secret).map((s) => hmacSha256(s, `${token}${triggeredAt}`).toString('hex'));
  if (!anySafeEqual([signature.toLowerCase()], expected)) return { ok: false, reason: 'bad_signature' };
  if (!fresh(Number(triggeredAt), now.getTime(), toleranceSeconds)) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, eventId: token };
};

/** IA's completion callback is unsigned: the operator puts a secret token in the callback URL's `token` query. */
export const verifyIaCallback = (request: InboundRequest, secret: string): Verification => {
  const token = request.query.token;
  if (!token) return { ok: false, reason: 'missing_signature' };
  return anySafeEqual([token], secretsOf(secret)) ? { ok: true } : { ok: false, reason: 'bad_signature' };
};

export const verify = (
  kind: SourceKind,
  request: InboundRequest,
  secret: string,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  switch (kind) {
    case 'standard-webhooks':
      return verifyStandardWebhook(request, secret, now, toleranceSeconds);
    case 'greenhouse':
      return verifyGreenhouse(request, secret);
    case 'lever':
      return verifyLever(request, secret, now, toleranceSeconds);
    case 'ia-callback':
      return verifyIaCallback(request, secret);
  }
};
