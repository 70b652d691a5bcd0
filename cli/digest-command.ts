/**
 * `ia-review-alerts digest --now [--stack NAME]`: builds the digest of what waits for a review
 * and publishes it to the alerts topic at once, as the scheduled digest does (subscribers filter
 * it like any `review.digest`). A manual digest is a period of its own.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';
import { listAwaiting } from '#lib/adapters/awaiting-review.js';
import { publishAlert } from '#lib/adapters/publish.js';
import { buildDigest } from '#lib/domain/digest.js';
import { type Io, UsageError } from './io.js';
import { triggerHealthOf } from './sources-command.js';
import { required, resolveTargets } from './targets.js';

export const digestCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length > 0 || flags.now !== true)
    throw new UsageError('digest needs --now (the scheduled digest runs by itself)');
  const targets = await resolveTargets(flags, io);
  const tableName = required(targets, 'stateTableName', 'state table');
  const topicArn = required(targets, 'alertsTopicArn', 'alerts topic');
  const dynamodb = new DynamoDBClient(targets.aws);
  const waiting = await listAwaiting(dynamodb, tableName, dynamoStateStore(dynamodb, tableName));
  const now = new Date();
  const triggers = targets.triggerEnv ? await triggerHealthOf(targets, dynamodb, tableName, now) : [];
  if (waiting.length === 0 && !triggers.some((t) => t.status === 'silent')) {
    io.out(
      flags.json === true
        ? `${JSON.stringify({ published: false, waiting: 0 })}\n`
        : `nothing waits for a review (${targets.from}): no digest published\n`,
    );
    return;
  }
  const digest = buildDigest(waiting, {
    now,
    period: `manual-${now.toISOString()}`,
    settings: { includeCandidateEmail: targets.includeCandidateEmail },
    triggers,
  });
  await publishAlert(new SNSClient(targets.aws), topicArn)(digest);
  io.out(
    flags.json === true
      ? `${JSON.stringify({ published: true, waiting: digest.waiting, topic: topicArn, period: digest.period })}\n`
      : `published a digest of ${digest.waiting} attempt(s) waiting for review to ${topicArn}\n`,
  );
};
