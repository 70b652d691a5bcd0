/**
 * Sender verification per webhook kind, over the raw body, as each sender documents it
 * (../shared/context/ats-webhooks.md). Pure: the secrets and the clock come in as arguments.
 *
 * A verified request also says how to recognise its replay (`replayKey`), from signed content
 * only: a value the sender does not sign (Greenhouse's event id header) can be changed by whoever
 * replays a captured delivery.
 */
import { createHash } from 'node:crypto';
import { anySafeEqual, hmacSha256 } from './crypto.js';
import type { SourceKind } from './kinds.js';
import { standardWebhookKey } from './secrets.js';

export interface InboundRequest {
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: string;
  /** The body parsed as JSON, when it is JSON. Lever signs fields inside it. */
  json?: unknown;
}

export type Verification =
  | {
      ok: true;
      /** The sender's id for the delivery, for correlation in logs and messages (printable, ≤ 128). */
      eventId?: string;
      /** Identifies this delivery from signed content; a repeat of it is a replay or a redelivery. */
      replayKey?: string;
    }
  | { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'bad_signature' | 'stale_timestamp' };

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A header value shown in logs and queue messages: printable ASCII, bounded, or nothing. */
const correlationId = (value: string | undefined) => (value && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined);

const fresh = (timestampMs: number, nowMs: number, toleranceSeconds: number) =>
  Number.isFinite(timestampMs) && Math.abs(nowMs - timestampMs) <= toleranceSeconds * 1000;

/** Standard Webhooks: HMAC-SHA256 of `${id}.${timestamp}.${body}` with the base64 key after `whsec_`. */
export const verifyStandardWebhook = (
  request: InboundRequest,
  secrets: readonly string[],
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
  const expected = secrets.flatMap((s) => {
    const key = standardWebhookKey(s);
    return key ? [hmacSha256(key, signed).toString('base64')] : [];
  });
  // `v1a,` (ed25519) and unknown versions are skipped; any matching v1 signature will do.
  const offered = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  if (!anySafeEqual(offered, expected)) return { ok: false, reason: 'bad_signature' };
  const eventId = correlationId(id);
  return { ok: true, replayKey: `id:${id}`, ...(eventId ? { eventId } : {}) };
};

/**
 * Greenhouse: `Signature: sha256 <hex HMAC-SHA256(secret, rawBody)>`. Nothing about time is
 * signed, and `Greenhouse-Event-ID` is not signed at all: a replay is recognised by the body.
 */
export const verifyGreenhouse = (request: InboundRequest, secrets: readonly string[]): Verification => {
  const header = request.headers.signature;
  if (!header) return { ok: false, reason: 'missing_signature' };
  const [algorithm, signature] = header.trim().split(/\s+/);
  if (algorithm !== 'sha256' || !signature) return { ok: false, reason: 'bad_signature' };
  const expected = secrets.map((s) => hmacSha256(s, request.rawBody).toString('hex'));
  if (!anySafeEqual([signature.toLowerCase()], expected)) return { ok: false, reason: 'bad_signature' };
  const eventId = correlationId(request.headers['greenhouse-event-id']);
  const replayKey = `body:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  return { ok: true, replayKey, ...(eventId ? { eventId } : {}) };
};

/**
 * Lever: body `signature` = hex HMAC-SHA256(secret, token + triggeredAt), `triggeredAt` in epoch
 * milliseconds as a JSON number, as Lever sends it. A string would let `"0" + ts` sign the same
 * content as `ts` with a different token; only token + timestamp are signed, so they are the key.
 */
export const verifyLever = (
  request: InboundRequest,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  const body = (request.json ?? {}) as { token?: unknown; triggeredAt?: unknown; signature?: unknown };
  const { token, triggeredAt, signature } = body;
  if (token === undefined || signature === undefined || triggeredAt === undefined)
    return { ok: false, reason: 'missing_signature' };
  if (
    typeof token !== 'string' ||
    token === '' ||
    typeof signature !== 'string' ||
    !Number.isSafeInteger(triggeredAt)
  ) {
    return { ok: false, reason: 'malformed_signature' };
  }
  const expected = secrets.map((s) => hmacSha256(s, `${token}${triggeredAt}`).toString('hex'));
  if (!anySafeEqual([signature.toLowerCase()], expected)) return { ok: false, reason: 'bad_signature' };
  if (!fresh(triggeredAt as number, now.getTime(), toleranceSeconds)) return { ok: false, reason: 'stale_timestamp' };
  const eventId = correlationId(token);
  return { ok: true, replayKey: `token:${token}:${triggeredAt}`, ...(eventId ? { eventId } : {}) };
};

/**
 * IA's completion callback is unsigned: the operator puts a secret token in the callback URL's
 * `token` query. Nothing identifies a delivery, so a repeat is recognised by what it references.
 */
export const verifyIaCallback = (request: InboundRequest, secrets: readonly string[]): Verification => {
  const token = request.query.token;
  if (!token) return { ok: false, reason: 'missing_signature' };
  return anySafeEqual([token], secrets) ? { ok: true } : { ok: false, reason: 'bad_signature' };
};

export const verify = (
  kind: SourceKind,
  request: InboundRequest,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Verification => {
  switch (kind) {
    case 'standard-webhooks':
      return verifyStandardWebhook(request, secrets, now, toleranceSeconds);
    case 'greenhouse':
      return verifyGreenhouse(request, secrets);
    case 'lever':
      return verifyLever(request, secrets, now, toleranceSeconds);
    case 'ia-callback':
      return verifyIaCallback(request, secrets);
  }
};
