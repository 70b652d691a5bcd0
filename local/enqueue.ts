/**
 * `npm run enqueue -- <attemptId>` / `-- --assignment <id>` (`--account <name>` for another IA
 * account than the first): puts a check request on the running local pipeline's queue.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { awsClients } from './provision.js';
import { readState } from './state.js';

const args = process.argv.slice(2);
const assignment = args.includes('--assignment');
const accountAt = args.indexOf('--account');
const account = accountAt >= 0 ? args[accountAt + 1] : undefined;
const ids = args.filter((arg, i) => !arg.startsWith('--') && (accountAt < 0 || i !== accountAt + 1));
if (ids.length === 0 || (accountAt >= 0 && account === undefined)) {
  process.stderr.write('usage: npm run enqueue -- [--assignment] [--account <name>] <id> [<id>...]\n');
  process.exit(2);
}
const state = readState();
const { sqs } = awsClients(state.motoEndpoint);
for (const id of ids) {
  const body = JSON.stringify({
    ...(assignment ? { assignmentId: id } : { attemptId: id }),
    source: 'manual',
    ...(account ? { account } : {}),
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: state.checksQueueUrl, MessageBody: body }));
  process.stdout.write(`enqueued ${body}\n`);
}
