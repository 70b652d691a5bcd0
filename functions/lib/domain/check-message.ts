/**
 * The checks queue's one message shape, whoever sends it (ingest, EventBridge, a re-check, the
 * CLI): `{"attemptId": "..."}` or `{"assignmentId": "..."}`, plus bookkeeping for re-checks.
 */
import * as z from 'zod/mini';
import './zod.js';
import { InvalidMessageError } from './errors.js';
import { ACCOUNT_NAME, IA_ID } from './ids.js';

const referenceId = z.pipe(
  z.union([z.string().check(z.regex(IA_ID)), z.int().check(z.nonnegative())], {
    error: 'must be an id of letters, digits, "_" or "-"',
  }),
  z.transform(String),
);
const text = (max: number) =>
  z.optional(
    z
      .string({ error: 'must be a string' })
      .check(z.minLength(1), z.maxLength(max, { error: `must be at most ${max} characters` })),
  );

const checkMessageSchema = z
  .object({
    attemptId: z.optional(referenceId),
    assignmentId: z.optional(referenceId),
    source: text(64),
    /** The sender's event id (webhook-id, Greenhouse-Event-ID, Lever token), for correlation. */
    eventId: text(128),
    /** Set on re-checks: only the re-check the attempt's state names may act (stale copies are dropped). */
    recheckId: text(200),
    /** The IA account the ids belong to; the first configured account when absent. */
    account: z.optional(z.string().check(z.regex(ACCOUNT_NAME, { error: 'must be an account name (a-z, 0-9, "-")' }))),
    /** A re-check longer than SQS's 15-minute delay hops until this time without calling IA. */
    notBefore: z.optional(z.iso.datetime({ error: 'must be an ISO 8601 timestamp' })),
    /** Sent when a claim was let go: looked at even if it was moments ago (that look saw the claim). */
    afterRelease: z.optional(z.literal(true, { error: 'must be true when present' })),
  })
  .check(
    z.refine((m) => (m.attemptId === undefined) !== (m.assignmentId === undefined), {
      error: 'needs exactly one of attemptId or assignmentId',
    }),
  );

export type CheckMessage = z.output<typeof checkMessageSchema>;

/** Message attribute `redrive` sets on what it moves back: remembered 404s are asked again. */
export const REDRIVEN_ATTRIBUTE = 'redrivenAt';

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

export const SQS_MAX_DELAY_SECONDS = 900;
