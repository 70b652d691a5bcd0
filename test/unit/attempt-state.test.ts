/**
 * The state reads are strongly consistent, each of them. No emulator tells the two kinds apart
 * (moto and the simulation's store answer both from the latest write), so the requests are held here.
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
  it('reads one attempt strongly consistent', async () => {
    const { sent, store } = recording();
    await store.get('a1');
    expect(sent).toEqual([{ name: 'GetItemCommand', input: expect.objectContaining({ ConsistentRead: true }) }]);
  });

  it("reads a page's attempts strongly consistent too: the sweep publishes before its conditional write", async () => {
    // A state a moment old (check just closed the attempt, or ingest recorded a claim) would plan a
    // reminder or an escalation under a key of its own, sent before the write's version check.
    const { sent, store } = recording();
    await store.getMany(Array.from({ length: 150 }, (_, i) => `a${i}`));
    expect(sent.map((s) => s.name)).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    for (const { input } of sent)
      expect((input.RequestItems as Record<string, { ConsistentRead?: boolean }>).state?.ConsistentRead).toBe(true);
  });
});
