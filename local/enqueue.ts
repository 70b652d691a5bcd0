/** `npm run enqueue -- <attemptId>` / `-- --assignment <id>`: puts a check request on the running local pipeline's queue. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { awsClients } from './provision.js';
import { readState } from './state.js';

const args = process.argv.slice(2);
const assignment = args.includes('--assignment');
const ids = args.filter((arg) => !arg.startsWith('--'));
if (ids.length === 0) {
  process.stderr.write('usage: npm run enqueue -- [--assignment] <id> [<id>...]\n');
  process.exit(2);
}
const state = readState();
const { sqs } = awsClients(state.motoEndpoint);
for (const id of ids) {
  const body = JSON.stringify(
    assignment ? { assignmentId: id, source: 'manual' } : { attemptId: id, source: 'manual' },
  );
  await sqs.send(new SendMessageCommand({ QueueUrl: state.checksQueueUrl, MessageBody: body }));
  process.stdout.write(`enqueued ${body}\n`);
}
