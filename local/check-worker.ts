/**
 * One `check` execution environment in its own process: polls the checks queue and invokes the
 * handler like Lambda's event source. The load test runs several of these side by side, as
 * Lambda runs concurrent executions, so pacing and idempotency are exercised across processes.
 */

import { awsClients } from './provision.js';
import { type SqsHandler, startPoller } from './sqs-poller.js';

const queueUrl = process.env.CHECKS_QUEUE_URL as string;
const { handler } = (await import('../functions/check/handler.js')) as unknown as { handler: SqsHandler };
const { sqs } = awsClients(process.env.AWS_ENDPOINT_URL as string);
const poller = startPoller({
  sqs,
  queueUrl,
  handler,
  functionName: 'check',
  batchSize: Number(process.env.BATCH_SIZE ?? 10),
});
process.send?.('ready');
process.once('SIGTERM', () => void poller.stop().then(() => process.exit(0)));
