/**
 * One webhook delivery, from raw HTTP to enqueued check requests. Answers so the sender does the
 * right thing: 2xx when it must not retry, 4xx when retrying cannot help, 5xx only when our side
 * failed (enqueue, or a source secret too weak to trust) and a retry will work once fixed. Error
 * bodies name a stable code and never echo the body or a secret.
 *
 * Everything that can refuse an event runs before anything is recorded: a refused event leaves
 * no dedupe key behind, so its corrected retry gets through.
 */

import { createHash } from 'node:crypto';
import { search } from '@aws-lambda-powertools/jmespath';
import type { CheckMessage } from '#lib/domain/check-message.js';
import { isIaId } from '#lib/domain/ids.js';
import { signingSecrets } from '#lib/domain/webhooks/secrets.js';
import { DEFAULT_MAX_REFERENCES_PER_EVENT, EVENT_TYPE_PATH, type Source } from '#lib/domain/webhooks/sources.js';
import { type InboundRequest, verify } from '#lib/domain/webhooks/verify.js';

export const MAX_BODY_BYTES = 256 * 1024;
/** How long a sender's delivery is remembered: longer than any sender retries. */
export const EVENT_DEDUPE_SECONDS = 48 * 3600;

export interface HttpRequest {
  sourceName: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: string;
}

export interface HttpResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

export interface IngestDeps {
  sources: ReadonlyMap<string, Source>;
  secretFor(source: Source): Promise<string>;
  /**
   * Records a key for `ttlSeconds`, as pending until `settle`; false when a settled record holds
   * it (a repeat). A key left pending by a delivery that died before it enqueued is taken again.
   */
  remember(key: string, ttlSeconds: number): Promise<boolean>;
  /** Marks recorded keys as done: their checks are on the queue. */
  settle(keys: string[]): Promise<void>;
  forget(key: string): Promise<void>;
  enqueue(messages: CheckMessage[]): Promise<void>;
  now(): Date;
  /** A repeat of the same source and reference within this many seconds is not enqueued again. */
  referenceDedupeSeconds: number;
}

const answer = (statusCode: number, body: Record<string, unknown>): HttpResponse => ({ statusCode, body });
const problem = (statusCode: number, error: string, message: string) => answer(statusCode, { error, message });

const isJsonContentType = (value: string | undefined) => /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(value ?? '');

/** Ids at a JMESPath: a string or number, or an array of them; anything else is ignored. */
const idsAt = (path: string | undefined, json: unknown): string[] => {
  if (path === undefined || json === undefined) return [];
  let found: unknown;
  try {
    found = search(path, json as never);
  } catch {
    return [];
  }
  return [found]
    .flat(2)
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map(String)
    .filter(isIaId);
};

/** The event type, when the payload has one where its kind keeps it. */
const textAt = (path: string, json: unknown): string | undefined => {
  try {
    const value = search(path, json as never);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
};

/** Echoed back only when it looks like an event type: the answer never carries the sender's text. */
const echoable = (eventType: string) => (/^[\w.:-]{1,64}$/.test(eventType) ? { eventType } : {});

type Reference = { attemptId: string } | { assignmentId: string };

const referencesOf = (source: Source, request: HttpRequest, json: unknown): Reference[] => {
  const fromQuery = (key: string) => (source.kind === 'ia-callback' ? idsAt(key, request.query) : []);
  const attemptIds = [...new Set([...fromQuery('attemptId'), ...idsAt(source.attemptIdPath, json)])];
  const assignmentIds = [...new Set([...fromQuery('assignmentId'), ...idsAt(source.assignmentIdPath, json)])];
  return [
    ...attemptIds.map((attemptId) => ({ attemptId })),
    ...assignmentIds.map((assignmentId) => ({ assignmentId })),
  ];
};

const referenceKey = (source: Source, reference: Reference) =>
  `${source.name}#ref#${'attemptId' in reference ? `attempt:${reference.attemptId}` : `assignment:${reference.assignmentId}`}`;

/** Fixed-length keys whatever the sender put in its id or body. */
const eventKey = (source: Source, replayKey: string) =>
  `${source.name}#event#${createHash('sha256').update(replayKey).digest('hex')}`;

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

export const ingestRequest = async (request: HttpRequest, deps: IngestDeps): Promise<HttpResponse> => {
  const source = deps.sources.get(request.sourceName);
  if (!source) return problem(404, 'unknown_source', 'no webhook source is configured under this name');
  if (Buffer.byteLength(request.rawBody, 'utf8') > MAX_BODY_BYTES) {
    return problem(413, 'body_too_large', `the body is over ${MAX_BODY_BYTES / 1024} KB`);
  }
  const emptyCallback = source.kind === 'ia-callback' && request.rawBody.trim() === '';
  if (!emptyCallback && !isJsonContentType(request.headers['content-type'])) {
    return problem(415, 'unsupported_media_type', 'send the body as application/json');
  }
  const parsed = emptyCallback ? ({ ok: true, value: undefined } as const) : parseJson(request.rawBody);
  const inbound: InboundRequest = {
    headers: request.headers,
    query: request.query,
    rawBody: request.rawBody,
    ...(parsed.ok ? { json: parsed.value } : {}),
  };
  // Lever signs fields inside the body; the others sign the raw bytes, checked before parsing matters.
  if (!parsed.ok && source.kind === 'lever') return problem(400, 'invalid_json', 'the body is not valid JSON');
  // A weak secret throws (503 not_configured): failing closed beats accepting a forgeable HMAC.
  const secrets = signingSecrets(source.kind, await deps.secretFor(source), source.name);
  const verification = verify(source.kind, inbound, secrets, deps.now(), source.toleranceSeconds);
  if (!verification.ok) {
    const messages = {
      missing_signature: 'the request carries no signature',
      malformed_signature: 'the signature fields are not as the sender documents them',
      bad_signature: 'the signature does not match',
      stale_timestamp: 'the signed timestamp is outside the 5-minute tolerance',
    };
    return problem(401, verification.reason, messages[verification.reason]);
  }
  if (!parsed.ok) return problem(400, 'invalid_json', 'the body is not valid JSON');
  const json = parsed.value;

  const typePath = EVENT_TYPE_PATH[source.kind];
  const eventType = typePath ? textAt(typePath, json) : undefined;
  if (source.kind === 'greenhouse' && eventType === 'ping') return answer(200, { status: 'pong' });
  if (source.eventTypes && eventType !== undefined && !source.eventTypes.includes(eventType)) {
    return answer(200, { status: 'ignored', reason: 'event type not subscribed', ...echoable(eventType) });
  }
  if (source.eventTypes && eventType === undefined && typePath) {
    return answer(200, { status: 'ignored', reason: 'event has no type' });
  }

  const references = referencesOf(source, request, json);
  if (references.length === 0) {
    // Signed, so the sender is who it says: an event we do not map (another action, a test ping
    // of another kind) is answered 2xx, or the sender retries it for hours and may disable the endpoint.
    return answer(200, {
      status: 'ignored',
      reason: 'no attempt or assignment id where the source mapping points',
      ...(eventType === undefined ? {} : echoable(eventType)),
    });
  }
  const maxReferences = source.maxReferencesPerEvent ?? DEFAULT_MAX_REFERENCES_PER_EVENT;
  if (references.length > maxReferences) {
    // Each id costs an IA call of a 1 request/s budget: one event must not spend hours of it.
    return problem(
      422,
      'too_many_references',
      `the event names ${references.length} ids; this source accepts at most ${maxReferences} per event`,
    );
  }

  const { eventId, replayKey } = verification;
  const ids = eventId === undefined ? {} : { eventId };
  const recorded: string[] = [];
  let enqueued = false;
  try {
    if (replayKey !== undefined) {
      const key = eventKey(source, replayKey);
      if (!(await deps.remember(key, EVENT_DEDUPE_SECONDS)))
        return answer(202, { status: 'duplicate', ...ids, references });
      recorded.push(key);
    }
    const fresh =
      deps.referenceDedupeSeconds > 0 ? await rememberReferences(source, references, deps, recorded) : references;
    if (fresh.length === 0)
      return answer(202, { status: 'duplicate', reason: 'recently enqueued', ...ids, references });
    await deps.enqueue(
      fresh.map((reference) => ({
        ...reference,
        source: source.name,
        ...(source.account ? { account: source.account } : {}),
        ...ids,
      })),
    );
    enqueued = true;
    // Dying before this line leaves the keys pending: the sender's retry enqueues again (a
    // duplicate check is absorbed downstream; a lost one is not).
    await deps.settle(recorded);
    return answer(202, { status: 'enqueued', ...ids, references: fresh });
  } catch (error) {
    // Let the retry through: nothing (or not everything) was enqueued. Once enqueued, the keys
    // stay: failing to settle them only makes a retry enqueue again.
    if (!enqueued) await Promise.all(recorded.map((key) => deps.forget(key).catch(() => undefined)));
    throw error;
  }
};

/**
 * Whatever the sender's ids say, a reference enqueued moments ago is not enqueued again: the
 * ones not seen within `referenceDedupeSeconds`. Every key recorded lands in `recorded`, also
 * when another write failed, so the caller can release them all.
 */
const rememberReferences = async (source: Source, references: Reference[], deps: IngestDeps, recorded: string[]) => {
  const keys = references.map((reference) => referenceKey(source, reference));
  const results = await Promise.allSettled(keys.map((key) => deps.remember(key, deps.referenceDedupeSeconds)));
  results.forEach((result, i) => {
    if (result.status === 'fulfilled' && result.value) recorded.push(keys[i] as string);
  });
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return references.filter((_, i) => (results[i] as PromiseFulfilledResult<boolean>).value);
};
