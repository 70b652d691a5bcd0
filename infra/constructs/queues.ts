/** Queues of this product: SQS-managed encryption and TLS-only access, always. */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './compat.js';

export const secureQueue = (scope: Construct, id: string, props: sqs.QueueProps = {}) =>
  new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });

/** A dead-letter queue keeps failures 14 days, the SQS maximum, for someone to read and redrive. */
export const deadLetterQueue = (scope: Construct, id: string, ofWhat: string) => {
  const queue = secureQueue(scope, id, { retentionPeriod: Duration.days(14) });
  acknowledge(queue, {
    id: 'AwsSolutions-SQS3',
    reason: `This queue is the dead-letter queue of ${ofWhat}; a DLQ of a DLQ would hide failures.`,
  });
  return queue;
};
