/**
 * Which state reads are strongly consistent. No emulator tells the two apart (moto and the
 * simulation's store answer both from the latest write), so the requests themselves are held here.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { dynamoStateStore } from '#lib/adapters/attempt-state.js';

const recording = () => {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return { Responses: {}, Item: undefined };
    },
  } as unknown as DynamoDBClient;
  return { sent, store: dynamoStateStore(client, 'state') };
};

describe('state reads', () => {
  it('reads one attempt strongly consistent: a check decides and writes from it', async () => {
    const { sent, store } = recording();
    await store.get('a1');
    expect(sent).toEqual([{ name: 'GetItemCommand', input: expect.objectContaining({ ConsistentRead: true }) }]);
  });

  it("reads a page's attempts eventually consistent, half the read units (why that is harmless: attempt-store.ts)", async () => {
    const { sent, store } = recording();
    await store.getMany(Array.from({ length: 150 }, (_, i) => `a${i}`));
    expect(sent.map((s) => s.name)).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    for (const { input } of sent) {
      const request = (input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>).state;
      expect(request?.ConsistentRead).toBeUndefined();
    }
  });
});
