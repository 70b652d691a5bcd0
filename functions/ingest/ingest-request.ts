/**
 * One webhook delivery, from raw HTTP to enqueued check requests. Answers so the sender does the
 * right thing: 2xx when it must not retry, 4xx when retrying cannot help, 5xx only when our
 * enqueue failed and a retry will. Error bodies name a stable code and never echo the body or
 * a secret.
 */
import { search } from '@aws-lambda-powertools/jmespath';
import type { CheckMessage } from '#lib/check-message.js';
import { EVENT_TYPE_PATH, type Source } from '#lib/webhooks/sources.js';
import { verify, type InboundRequest } from '#lib/webhooks/verify.js';

export const MAX_BODY_BYTES = 256 * 1024;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

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
  /** Records a sender event id; false when it was already recorded (a redelivery). */
  remember(key: string): Promise<boolean>;
  forget(key: string): Promise<void>;
  enqueue(messages: CheckMessage[]): Promise<void>;
  now(): Date;
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
    .filter((v) => ID.test(v));
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

const referencesOf = (source: Source, request: HttpRequest, json: unknown) => {
  const fromQuery = (key: string) => (source.kind === 'ia-callback' ? idsAt(key, request.query) : []);
  const attemptIds = [...new Set([...fromQuery('attemptId'), ...idsAt(source.attemptIdPath, json)])];
  const assignmentIds = [...new Set([...fromQuery('assignmentId'), ...idsAt(source.assignmentIdPath, json)])];
  return [...attemptIds.map((attemptId) => ({ attemptId })), ...assignmentIds.map((assignmentId) => ({ assignmentId }))];
};

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
  const verification = verify(source.kind, inbound, await deps.secretFor(source), deps.now(), source.toleranceSeconds);
  if (!verification.ok) {
    const messages = {
      missing_signature: 'the request carries no signature',
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
    return answer(200, { status: 'ignored', reason: 'event type not subscribed', eventType });
  }
  if (source.eventTypes && eventType === undefined && typePath) {
    return answer(200, { status: 'ignored', reason: 'event has no type' });
  }

  const references = referencesOf(source, request, json);
  if (references.length === 0) {
    return problem(422, 'no_reference', 'no attempt or assignment id where the source mapping points');
  }

  const eventId = verification.eventId;
  const dedupeKey = eventId === undefined ? undefined : `${source.name}#${eventId}`;
  if (dedupeKey !== undefined && !(await deps.remember(dedupeKey))) {
    return answer(202, { status: 'duplicate', eventId, references });
  }
  const messages: CheckMessage[] = references.map((reference) => ({
    ...reference,
    source: source.name,
    ...(eventId === undefined ? {} : { eventId: eventId.slice(0, 128) }),
  }));
  try {
    await deps.enqueue(messages);
  } catch (error) {
    // Let the redelivery through: the event was never enqueued.
    if (dedupeKey !== undefined) await deps.forget(dedupeKey).catch(() => undefined);
    throw error;
  }
  return answer(202, { status: 'enqueued', ...(eventId === undefined ? {} : { eventId }), references });
};
