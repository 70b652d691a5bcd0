/**
 * Trigger health in the state table, one item per trigger (`trigger#<name>`): written with
 * UpdateItem counters only (no read first, so two functions recording at once never lose a count),
 * read as the state table's other items are (BatchGetItem). The roles that record may update only these keys (an IAM condition on
 * `dynamodb:LeadingKeys`).
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dayOf, EVENT_DAYS, type Trigger, type TriggerRecord, triggerKey } from '../domain/trigger-health.js';
import { dynamoStateStore } from './attempt-state.js';
import { isConditionFailure } from './condition-failure.js';

const DAY_PREFIX = 'day-';
/** Day counts this far back are removed as events arrive: the item stays a few hundred bytes. */
const DROPPED_DAYS = Array.from({ length: EVENT_DAYS }, (_, i) => EVENT_DAYS + 1 + i);

export const dynamoTriggerHealth = (dynamodb: DynamoDBClient, tableName: string) => {
  const update = (
    trigger: Pick<Trigger, 'name'>,
    input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName' | 'Key'>,
  ) =>
    dynamodb.send(
      new UpdateItemCommand({ TableName: tableName, Key: { attemptId: { S: triggerKey(trigger) } }, ...input }),
    );
  return {
    /** An event this trigger delivered was accepted: its time, its day's count, and the sweep's count starts again. */
    async recordEvent(trigger: Pick<Trigger, 'name'>, at: Date): Promise<void> {
      const dropped = Object.fromEntries(
        DROPPED_DAYS.map((back, i) => [
          `#old${i}`,
          `${DAY_PREFIX}${dayOf(new Date(at.getTime() - back * 86_400_000))}`,
        ]),
      );
      await update(trigger, {
        UpdateExpression: `SET lastEventAt = :at, sweepOnly = :zero ADD #day :one REMOVE ${Object.keys(dropped).join(', ')}`,
        ExpressionAttributeNames: { '#day': `${DAY_PREFIX}${dayOf(at)}`, ...dropped },
        ExpressionAttributeValues: { ':at': { S: at.toISOString() }, ':zero': { N: '0' }, ':one': { N: '1' } },
      });
    },
    /**
     * The sweep found `count` completions these triggers should have announced and did not, in a
     * run that began at `since`. A trigger that delivered after that is not charged: its count
     * started again at its event, and finds made before it are not "since" it.
     */
    async recordSweepOnly(
      triggers: ReadonlyArray<Pick<Trigger, 'name'>>,
      count: number,
      { since, at }: { since: Date; at: Date },
    ): Promise<void> {
      if (count <= 0) return;
      await Promise.all(
        triggers.map(async (trigger) => {
          try {
            await update(trigger, {
              UpdateExpression: 'SET lastSweepOnlyAt = :at ADD sweepOnly :count',
              ConditionExpression: 'attribute_not_exists(lastEventAt) OR lastEventAt < :since',
              ExpressionAttributeValues: {
                ':at': { S: at.toISOString() },
                ':since': { S: since.toISOString() },
                ':count': { N: String(count) },
              },
            });
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
        }),
      );
    },
    /** Each trigger's record (none for one that never delivered nor was missed), read with the state table's batch reader. */
    async read(triggers: ReadonlyArray<Pick<Trigger, 'name'>>): Promise<Map<string, TriggerRecord>> {
      const items = await dynamoStateStore(dynamodb, tableName).getMany(triggers.map(triggerKey));
      return new Map(
        triggers.flatMap((trigger) => {
          const item = items.get(triggerKey(trigger)) as Record<string, unknown> | undefined;
          if (!item) return [];
          const days = Object.fromEntries(
            Object.entries(item)
              .filter(([name]) => name.startsWith(DAY_PREFIX))
              .map(([name, value]) => [name.slice(DAY_PREFIX.length), Number(value)]),
          );
          const record: TriggerRecord = {
            days,
            sweepOnly: Number(item.sweepOnly ?? 0),
            ...(typeof item.lastEventAt === 'string' ? { lastEventAt: item.lastEventAt } : {}),
            ...(typeof item.lastSweepOnlyAt === 'string' ? { lastSweepOnlyAt: item.lastSweepOnlyAt } : {}),
          };
          return [[trigger.name, record]];
        }),
      );
    },
  };
};

export type TriggerHealthStore = ReturnType<typeof dynamoTriggerHealth>;
