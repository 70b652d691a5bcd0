/**
 * The checks queue's one message shape, whoever sends it (ingest, EventBridge, a re-check, the
 * CLI): `{"attemptId": "..."}` or `{"assignmentId": "..."}`, plus bookkeeping for re-checks.
 */
import { z } from 'zod';
import { InvalidMessageError } from './errors.js';

// Ids land in URL paths: keep them to the characters IA uses.
const referenceId = z.union([z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), z.number().int().nonnegative()]).transform(String);

const checkMessageSchema = z
  .object({
    attemptId: referenceId.optional(),
    assignmentId: referenceId.optional(),
    source: z.string().min(1).max(64).optional(),
    /** The sender's event id (webhook-id, Greenhouse-Event-ID, Lever token), for correlation. */
    eventId: z.string().min(1).max(128).optional(),
    /** Set on re-checks: only the re-check the attempt's state names may act (stale copies are dropped). */
    recheckId: z.string().min(1).max(200).optional(),
    /** A re-check longer than SQS's 15-minute delay hops until this time without calling IA. */
    notBefore: z.iso.datetime().optional(),
  })
  .refine((m) => (m.attemptId === undefined) !== (m.assignmentId === undefined), {
    message: 'needs exactly one of attemptId or assignmentId',
  });

export type CheckMessage = z.output<typeof checkMessageSchema>;

export const parseCheckMessage = (body: string): CheckMessage => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('message body is not JSON');
  }
  const result = checkMessageSchema.safeParse(json);
  if (!result.success) {
    const reasons = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    throw new InvalidMessageError(`message is not a check request (${reasons.join('; ')})`);
  }
  return result.data;
};
