/**
 * `ia-review-alerts ack <attemptId> --by NAME [--release [--force]] [--account NAME] [--stack NAME] [--json]`:
 * "I'm on it" from a terminal: claims the attempt's waiting review in the state table, as the
 * Slack button and the email link do (domain/claim.ts), or lets the claim go.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type ClaimView, dynamoClaimStore } from '#lib/adapters/claim-store.js';
import { enqueueChecks } from '#lib/adapters/queues.js';
import { DEFAULT_ACCOUNT } from '#lib/domain/accounts.js';
import {
  applyClaim,
  type Claim,
  claim,
  claimant,
  InvalidClaimantError,
  lookAfterRelease,
  release,
} from '#lib/domain/claims/claim.js';
import { StateConflictError } from '#lib/domain/errors.js';
import { isIaId } from '#lib/domain/ids.js';
import { formatTime } from '#lib/domain/render/wording.js';
import { type Io, UsageError } from './io.js';
import { accountFlag, required, resolveTargets } from './targets.js';

/** The claim could not be made or let go, and why: exit 1, the reason on one line. */
export class ClaimRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClaimRefusedError';
  }
}

const holder = (held: Claim) => `${held.by} (since ${formatTime(held.at)}, from ${held.via})`;

export const ackCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  const [attemptId, ...extra] = positionals;
  if (attemptId === undefined || extra.length > 0) throw new UsageError('ack takes one attempt id');
  if (!isIaId(attemptId)) throw new UsageError(`"${attemptId}" is not an IA id`);
  if (typeof flags.by !== 'string') throw new UsageError('--by NAME is required: who is on it');
  if (flags.force && !flags.release) throw new UsageError('--force only goes with --release');
  let by: string;
  try {
    by = claimant(flags.by);
  } catch (error) {
    if (error instanceof InvalidClaimantError) throw new UsageError(`--by: ${error.message}`);
    throw error;
  }
  const account = accountFlag(flags) ?? DEFAULT_ACCOUNT;
  const targets = await resolveTargets(flags, io);
  const tableName = required(targets, 'stateTableName', 'state table');
  const dynamodb = new DynamoDBClient(targets.aws);
  const store = dynamoClaimStore(dynamodb, tableName, account);
  const now = new Date();
  const answer = await applyClaim<ClaimView>(
    store,
    attemptId,
    (state) => (flags.release ? release(state, by, flags.force === true) : claim(state, by, 'cli', now)),
    (error) => error instanceof StateConflictError,
  );
  const where = account === DEFAULT_ACCOUNT ? '' : ` in account ${account}`;
  switch (answer.result) {
    case 'unknown':
      throw new ClaimRefusedError(`attempt ${attemptId}${where} is not watched: nothing to claim`);
    case 'not-waiting':
      throw new ClaimRefusedError(
        `nothing waits for a review on attempt ${attemptId}${where} (${answer.state.closedAt ? 'closed' : answer.state.lastDecision})`,
      );
    case 'held':
      throw new ClaimRefusedError(`attempt ${attemptId}${where} is claimed by ${holder(answer.claim)}`);
    case 'not-claimed':
      throw new ClaimRefusedError(`attempt ${attemptId}${where} is not claimed: nothing to release`);
  }
  const held = answer.result === 'claimed' ? (answer.state.claim as Claim) : answer.claim;
  // Let go: a check of the attempt now sends escalation that fell due meanwhile (lookAfterRelease).
  const checkRequested =
    answer.result === 'released' && targets.checksQueueUrl !== undefined
      ? await enqueueChecks(
          new SQSClient(targets.aws),
          targets.checksQueueUrl,
        )([lookAfterRelease({ attemptId, ...(accountFlag(flags) ? { account } : {}) })]).then(
          () => true,
          () => false,
        )
      : undefined;
  if (flags.json) {
    io.out(
      `${JSON.stringify({
        result: answer.result,
        attemptId,
        ...(where ? { account } : {}),
        claim: held,
        ...(checkRequested === undefined ? {} : { checkRequested }),
      })}\n`,
    );
    return;
  }
  io.out(
    answer.result === 'released'
      ? `released attempt ${attemptId}${where}: it was claimed by ${holder(held)}; escalation applies again${
          checkRequested === true
            ? ' (a check of it is on its way)'
            : checkRequested === false
              ? ', at its next look (the check could not be sent)'
              : ', at its next look (no checks queue to send a check to: --stack, --local or CHECKS_QUEUE_URL)'
        }\n`
      : answer.result === 'already-yours'
        ? `attempt ${attemptId}${where} is already yours, ${holder(held)}\n`
        : `claimed attempt ${attemptId}${where} for ${by}: no escalation; reminders and the digest name you\n`,
  );
};
