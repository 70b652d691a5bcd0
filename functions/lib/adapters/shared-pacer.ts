/**
 * Pacing across every concurrent execution: each IA call reserves the next free slot of the
 * key's schedule with a conditional write on one DynamoDB item, then waits for it. Independent
 * per-process pacers only bound the average rate; calls from two executions still collide.
 * A backlog longer than `maxWaitMs` is not slept through: the caller gets a RateLimitedError
 * and parks the record on the queue instead.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { RateLimitedError, UpstreamError } from '../domain/errors.js';
import { isConditionFailure } from './condition-failure.js';
import { type Clock, type Pacer, systemClock } from './pacer.js';

export interface SharedPacerOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** One schedule per API key. */
  key: string;
  intervalMs: number;
  maxWaitMs?: number;
  /**
   * How far ahead an idle schedule books: the booking write takes time, and the call must start
   * at its slot, not after it, or the next execution's slot would come too soon.
   */
  leadMs?: number;
  clock?: Clock;
}

const MAX_CONTENTION_RETRIES = 25;

export const createSharedPacer = (options: SharedPacerOptions): Pacer => {
  const clock = options.clock ?? systemClock;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const leadMs = options.leadMs ?? 20;
  const Key = { pk: { S: options.key } };
  // The slot this process last booked: usually still the schedule's head, which saves the read.
  let lastKnown: string | undefined;
  const read = async () =>
    (await options.dynamodb.send(new GetItemCommand({ TableName: options.tableName, Key, ConsistentRead: true }))).Item
      ?.nextSlotAt?.N;
  return async () => {
    for (let attempt = 0; attempt < MAX_CONTENTION_RETRIES; attempt++) {
      const current = attempt === 0 && lastKnown !== undefined ? lastKnown : await read();
      const now = clock.now();
      const slot = Math.max(now + leadMs, current === undefined ? 0 : Number(current));
      if (slot - now > maxWaitMs) {
        lastKnown = current;
        throw new RateLimitedError(
          Math.ceil((slot - now) / 1000),
          'the IA rate budget is booked ahead; come back later',
        );
      }
      const next = String(slot + options.intervalMs);
      try {
        await options.dynamodb.send(
          new PutItemCommand({
            TableName: options.tableName,
            Item: { ...Key, nextSlotAt: { N: next } },
            ...(current === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'nextSlotAt = :current',
                  ExpressionAttributeValues: { ':current': { N: current } },
                }),
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) {
          lastKnown = undefined;
          continue;
        }
        throw error;
      }
      lastKnown = next;
      const wait = slot - clock.now();
      if (wait > 0) await clock.sleep(wait);
      return;
    }
    throw new UpstreamError('could not reserve an IA rate slot: too much contention');
  };
};
