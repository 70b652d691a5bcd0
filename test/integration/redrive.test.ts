/** `ia-review-alerts redrive` against queues on moto. */

import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalResources } from '../../local/provision.js';
import { drain } from '../../local/sqs-poller.js';
import { useIntegration } from '../support/integration.js';
import { NO_LOCAL_STATE, runCli } from '../support/run-cli.js';

const suite = useIntegration('redrive');
const { sqs } = suite.clients;
let resources: LocalResources;

beforeAll(() => {
  resources = suite.resources;
});

const deadLetter = async (...ids: string[]) => {
  for (const id of ids) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.deadLetterQueueUrl,
        MessageBody: JSON.stringify({ attemptId: id }),
        MessageAttributes: {
          failureCode: { DataType: 'String', StringValue: 'unauthorized' },
          failureReason: { DataType: 'String', StringValue: 'IA API refused the key (401)' },
        },
      }),
    );
  }
};

const cli = async (...args: string[]) => {
  const { code, all } = await runCli(
    ['redrive', '--dlq-url', resources.deadLetterQueueUrl, '--queue-url', resources.checksQueueUrl, ...args],
    NO_LOCAL_STATE,
  );
  return { code, out: all };
};

describe('redrive', () => {
  it('reports without moving on --dry-run, moves with --limit, then the rest', async () => {
    await deadLetter('a1', 'a2', 'a3');
    const dry = await cli('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('dry run: would move 3 message(s)');
    expect(dry.out).toContain('{"attemptId":"a1"} (unauthorized: IA API refused the key (401))');

    const some = await cli('--limit', '2');
    expect(some.out).toContain('moved 2 message(s)');
    const rest = await cli();
    expect(rest.out).toContain('moved 1 message(s)');

    const back = (await drain(sqs, resources.checksQueueUrl)).map((m) => JSON.parse(m.Body ?? '{}').attemptId).sort();
    expect(back).toEqual(['a1', 'a2', 'a3']);
    expect(await drain(sqs, resources.deadLetterQueueUrl)).toEqual([]);
  });

  it('exits 2 on a bad --limit', async () => {
    expect((await cli('--limit', '0')).code).toBe(2);
  });
});
