/**
 * `ia-review-alerts pending [--json] [--assessment ID] [--older-than 24h] [--stack NAME]`: what
 * still waits for a human review, oldest first, from the awaiting-review index.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { listAwaiting } from '#lib/adapters/awaiting-review.js';
import { DEFAULT_ACCOUNT } from '#lib/domain/accounts.js';
import { urlFor } from '#lib/domain/alert.js';
import { isIaId } from '#lib/domain/ids.js';
import { formatTime } from '#lib/domain/render/wording.js';
import { type Io, UsageError } from './io.js';
import { accountFlag, required, resolveTargets } from './targets.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m`, `24h`, `2d`. */
export const parseAge = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  if (!match) throw new UsageError(`--older-than must be a duration like 90m, 24h or 2d, got "${text}"`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
};

export const pendingCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length > 0) throw new UsageError('pending takes no positional arguments');
  const assessmentId = typeof flags.assessment === 'string' ? flags.assessment : undefined;
  if (assessmentId !== undefined && !isIaId(assessmentId)) throw new UsageError(`"${assessmentId}" is not an IA id`);
  const olderThanMs = typeof flags['older-than'] === 'string' ? parseAge(flags['older-than']) : undefined;
  const account = accountFlag(flags);
  const targets = await resolveTargets(flags, io);
  const tableName = required(targets, 'stateTableName', 'state table');
  const dynamodb = new DynamoDBClient(targets.aws);
  const now = new Date();
  const waiting = await listAwaiting(dynamodb, tableName, dynamoStateStore(dynamodb, tableName), {
    ...(olderThanMs === undefined ? {} : { waitingSinceBefore: new Date(now.getTime() - olderThanMs) }),
    ...(assessmentId ? { assessmentId } : {}),
  });
  const settings = {
    includeCandidateEmail: targets.includeCandidateEmail,
    ...(io.env.IA_ATTEMPT_URL_TEMPLATE ? { attemptUrlTemplate: io.env.IA_ATTEMPT_URL_TEMPLATE } : {}),
  };
  // The default account's states carry no account.
  const listed = account === undefined ? waiting : waiting.filter((s) => (s.account ?? DEFAULT_ACCOUNT) === account);
  for (const state of listed) {
    const { snapshot } = state;
    const row = {
      attemptId: snapshot.id,
      ...(state.account ? { account: state.account } : {}),
      assignmentId: snapshot.assignmentId,
      assessmentId: snapshot.assessment.id,
      assessmentName: snapshot.assessment.name,
      candidateName: snapshot.candidate?.name,
      // Personal data beyond the name only where the deployment shows it in alerts too.
      ...(targets.includeCandidateEmail ? { candidateEmail: snapshot.candidate?.email } : {}),
      pendingReviewCount: snapshot.pendingReviewCount,
      waitingSince: state.awaitingSince,
      ...(state.claim ? { claimedBy: state.claim.by, claimedAt: state.claim.at } : {}),
      url: urlFor(snapshot, settings),
    };
    if (flags.json) {
      io.out(`${JSON.stringify(row)}\n`);
      continue;
    }
    const hours = Math.floor((now.getTime() - Date.parse(state.awaitingSince ?? '')) / 3_600_000);
    io.out(
      `${formatTime(state.awaitingSince ?? '')} (${hours} h)  ${row.pendingReviewCount} pending  ${state.account ? `[${state.account}] ` : ''}${row.candidateName ?? '-'}  ${row.assessmentName ?? row.assessmentId ?? '-'}  attempt ${row.attemptId}${row.assignmentId ? ` assignment ${row.assignmentId}` : ''}${state.claim ? `  claimed by ${state.claim.by} since ${formatTime(state.claim.at)}` : ''}${row.url ? `  ${row.url}` : ''}\n`,
    );
  }
  if (!flags.json)
    io.out(
      `${listed.length} attempt(s) waiting for review${account ? ` in account ${account}` : ''} (${targets.from})\n`,
    );
};
