import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { outgoingChecks } from '#lib/adapters/queues.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/checks';
const sqs = mockClient(SQSClient);
const batches = () => sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('outgoingChecks', () => {
  it('sends what succeeded records produced, ten to a call, with their delays, and drops the rest', async () => {
    const outgoing = outgoingChecks(new SQSClient({ region: 'us-east-1' }), QUEUE);
    for (let i = 0; i < 12; i++) outgoing.add({ attemptId: `a-${i}` }, i * 10, `record-${i}`);
    const succeeded = new Set(Array.from({ length: 12 }, (_, i) => `record-${i}`).filter((id) => id !== 'record-3'));
    expect(await outgoing.flush(succeeded)).toEqual({ unsent: [] });
    expect(batches().map((b) => b.Entries?.length)).toEqual([10, 1]);
    const entries = batches().flatMap((b) => b.Entries ?? []);
    expect(entries.map((e) => JSON.parse(e.MessageBody as string).attemptId)).not.toContain('a-3');
    expect(entries[0]).toMatchObject({ DelaySeconds: 0 });
    expect(entries.at(-1)).toMatchObject({ DelaySeconds: 110 });
  });

  it('forgets held messages after a flush, so a later batch never sends an earlier one', async () => {
    const outgoing = outgoingChecks(new SQSClient({ region: 'us-east-1' }), QUEUE);
    outgoing.add({ attemptId: 'from-a-batch-that-threw' }, 0, 'old-record');
    await outgoing.flush(new Set(['new-record']));
    outgoing.add({ attemptId: 'fresh' }, 0, 'new-record');
    await outgoing.flush(new Set(['new-record']));
    expect(
      batches()
        .flatMap((b) => b.Entries ?? [])
        .map((e) => JSON.parse(e.MessageBody as string).attemptId),
    ).toEqual(['fresh']);
  });

  it('reports the records of refused entries and of a failed call', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const outgoing = outgoingChecks(new SQSClient({ region: 'us-east-1' }), QUEUE);
    const records = Array.from({ length: 11 }, (_, i) => `record-${i}`);
    records.forEach((record, i) => {
      outgoing.add({ attemptId: `a-${i}` }, 0, record);
    });
    const { unsent, reason } = await outgoing.flush(new Set(records));
    expect(unsent.sort()).toEqual(['record-1', 'record-10']);
    expect(reason).toMatch(/ThrottlingException|InternalError/);
  });
});
