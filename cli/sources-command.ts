/**
 * `ia-review-alerts sources [--json] [--stack NAME]`: each trigger's health as the sweep keeps it
 * (domain/trigger-health.ts): its last event, events a day, the completions only the sweep found,
 * and whether it is silent. The same lines as the digest's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoTriggerHealth } from '#lib/adapters/trigger-health-store.js';
import { digestTriggers } from '#lib/domain/digest.js';
import { describeTrigger } from '#lib/domain/render/wording.js';
import { assess } from '#lib/domain/trigger-health.js';
import { loadTriggerSettings } from '#lib/runtime/config.js';
import { type Io, UsageError } from './io.js';
import { required, resolveTargets } from './targets.js';

/** The triggers of a deployment, and their health now. */
export const triggerHealthOf = async (
  targets: Awaited<ReturnType<typeof resolveTargets>>,
  dynamodb: DynamoDBClient,
  tableName: string,
  now: Date,
) => {
  const settings = loadTriggerSettings(targets.triggerEnv ?? {});
  const records = await dynamoTriggerHealth(dynamodb, tableName).read(settings.triggers);
  return settings.triggers.map((t) => assess(t, records.get(t.name), settings.thresholds, now));
};

export const sourcesCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length > 0) throw new UsageError('sources takes no arguments');
  const targets = await resolveTargets(flags, io);
  const tableName = required(targets, 'stateTableName', 'state table');
  if (!targets.triggerEnv)
    throw new UsageError(`no triggers known from ${targets.from}: give --stack NAME, or set TRIGGERS`);
  const health = await triggerHealthOf(targets, new DynamoDBClient(targets.aws), tableName, new Date());
  if (flags.json) {
    for (const h of health)
      io.out(
        `${JSON.stringify({ name: h.trigger.name, kind: h.trigger.kind, account: h.trigger.account, status: h.status, ...(h.lastEventAt ? { lastEventAt: h.lastEventAt } : {}), eventsPerDay: h.eventsPerDay, sweepOnly: h.sweepOnly })}\n`,
      );
    return;
  }
  const shown = new Map(digestTriggers(health).map((t) => [t.name, t]));
  for (const h of health) {
    const line = shown.get(h.trigger.name);
    io.out(
      `${line ? describeTrigger(line) : `${h.trigger.name}: no event yet`}  (${h.trigger.kind}, account ${h.trigger.account})\n`,
    );
  }
  const silent = health.filter((h) => h.status === 'silent').length;
  io.out(`${health.length} trigger(s), ${silent} silent (${targets.from})\n`);
};
