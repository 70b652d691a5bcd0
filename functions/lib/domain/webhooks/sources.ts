/**
 * Webhook sources, as the operator configures them (CDK context `sources`): a name (the URL
 * path), a kind (how it is signed), where the attempt or assignment id sits in the payload
 * (JMESPath, so any ATS field mapping works without code), and an optional event-type allow-list.
 */

import { search } from '@aws-lambda-powertools/jmespath';
import * as z from 'zod/mini';
import { ACCOUNT_NAME } from '../accounts.js';
import '../zod.js';
import { SOURCE_KINDS, type SourceKind } from './kinds.js';

/** One signed event fans out to at most this many checks, each an IA call: 25 unless the source says otherwise. */
export const DEFAULT_MAX_REFERENCES_PER_EVENT = 25;
const MAX_REFERENCES_LIMIT = 100;

const jmesPath = z.string().check(
  z.minLength(1),
  z.superRefine((expression: string, ctx) => {
    try {
      search(expression, {});
    } catch (error) {
      ctx.issues.push({
        code: 'custom',
        input: expression,
        message: `is not a valid JMESPath expression (${(error as Error).message})`,
      });
    }
  }),
);

export const sourceSchema = z
  .object({
    name: z
      .string({ error: 'is required' })
      .check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: 'must be 1-32 lower-case letters, digits or dashes' })),
    kind: z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` }),
    /** The IA account its ids belong to (`iaAccounts`); when absent, `default` if there is one, else the first. */
    account: z.optional(z.string().check(z.regex(ACCOUNT_NAME, { error: 'must be an account name (a-z, 0-9, "-")' }))),
    /** Name or ARN of the secret holding the signing secret (or callback token). */
    secretName: z.string({ error: 'is required' }).check(z.minLength(1)),
    attemptIdPath: z.optional(jmesPath),
    assignmentIdPath: z.optional(jmesPath),
    eventTypes: z.optional(
      z.array(z.string().check(z.minLength(1)), { error: 'must be a list of event types' }).check(z.minLength(1)),
    ),
    toleranceSeconds: z.optional(z.int({ error: 'must be whole seconds' }).check(z.positive(), z.lte(86_400))),
    /** More distinct ids than this in one event is refused (422 too_many_references), nothing enqueued. */
    maxReferencesPerEvent: z.optional(
      z
        .int({ error: `must be a whole number` })
        .check(z.positive(), z.lte(MAX_REFERENCES_LIMIT, { error: `must be at most ${MAX_REFERENCES_LIMIT}` })),
    ),
  })
  .check(
    z.refine((s) => s.kind === 'ia-callback' || s.attemptIdPath !== undefined || s.assignmentIdPath !== undefined, {
      error: 'needs attemptIdPath or assignmentIdPath (JMESPath into the payload)',
    }),
  );

export type Source = z.output<typeof sourceSchema>;

/** Where each kind keeps its event type; IA callbacks have none. */
export const EVENT_TYPE_PATH: Record<SourceKind, string | undefined> = {
  'standard-webhooks': 'type',
  greenhouse: 'action',
  lever: 'event',
  'ia-callback': undefined,
};

/** Parses the sources list; the error names the source and the field. */
export const parseSources = (value: unknown): Source[] => {
  const result = z.array(sourceSchema).safeParse(value);
  if (!result.success) {
    const where = (path: PropertyKey[]) =>
      path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const reasons = result.error.issues.map((issue) => `sources${where(issue.path)} ${issue.message}`);
    throw new Error(`invalid webhook sources: ${reasons.join('; ')}`);
  }
  const names = new Set<string>();
  for (const source of result.data) {
    if (names.has(source.name)) throw new Error(`invalid webhook sources: "${source.name}" is defined twice`);
    names.add(source.name);
  }
  return result.data;
};
