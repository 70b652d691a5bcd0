/**
 * Alert events on a real EventBridge emulator (moto): check publishes every alert to the alerts
 * topic and to the alert bus, each exactly once under its own key, so a bus that refuses (here:
 * not there yet) gets its event on the retry without a second SNS message.
 */

import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { defaultAssignments, defaultAttempts, freshAttempt } from '../../local/ia-fixtures.js';
import { drain, pollOnce, type SqsHandler } from '../../local/sqs-poller.js';
import { loadHandler, useIntegration } from '../support/integration.js';

const lateBusOf = (alertBusArn = '') => alertBusArn.replace(/alert-bus$/, 'late-bus');

const suite = useIntegration('bus', {
  ia: { ratePerSecond: 1000, attempts: defaultAttempts(), assignments: defaultAssignments() },
  provision: { visibilityTimeoutSeconds: 1 },
  // A bus created only during the test: until then every PutEvents is refused.
  env: (resources) => ({ IA_RATE_PER_SECOND: '1000', ALERT_BUS: lateBusOf(resources.alertBusArn) }),
});
const { ia } = suite;
const { sqs, events } = suite.clients;
let handler: SqsHandler;

beforeAll(async () => {
  handler = await loadHandler<SqsHandler>('check');
});

const runCheck = () => pollOnce({ sqs, queueUrl: suite.resources.checksQueueUrl, handler, functionName: 'check' });

const bodies = async (queueUrl: string) => (await drain(sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? '{}'));

const createLateBus = async () => {
  const busName = lateBusOf(suite.resources.alertBusArn).split('/').pop() as string;
  await events.send(new CreateEventBusCommand({ Name: busName }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: suite.resources.alertEventsInboxUrl as string,
      AttributeNames: ['QueueArn'],
    }),
  );
  await events.send(
    new PutRuleCommand({
      Name: `${busName}-review-needed`,
      EventBusName: busName,
      // As docs/notifications.md's example rule: one event type, one assessment; and, as
      // addAlertRule({accounts: ['default']}) makes it, the one account of a single-key deployment.
      EventPattern: JSON.stringify({
        source: ['ia-review-alerts'],
        'detail-type': ['review.needed'],
        detail: { assessmentId: ['pjpmahbioyqufxos'], account: ['default'] },
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${busName}-review-needed`,
      EventBusName: busName,
      Targets: [{ Id: 'inbox', Arn: Attributes?.QueueArn as string }],
    }),
  );
};

describe('alert events on the alert bus', () => {
  it('go out once each, after SNS, and a refused event is sent on the retry without a second SNS message', async () => {
    const id = freshAttempt(ia, 'reviewNeeded');
    const enqueue = () =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: suite.resources.checksQueueUrl,
          MessageBody: JSON.stringify({ attemptId: id }),
        }),
      );
    await enqueue();
    await runCheck();
    const [sns] = await bodies(suite.resources.allAlertsInboxUrl);
    expect(sns).toMatchObject({ eventType: 'review.needed', attemptId: id });
    expect(await bodies(suite.resources.deadLetterQueueUrl)).toEqual([]);

    await createLateBus();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the record's visibility timeout
    expect(await runCheck()).toBe(1);
    const received = await bodies(suite.resources.alertEventsInboxUrl as string);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ source: 'ia-review-alerts', 'detail-type': 'review.needed' });
    // One schema: the event's detail is the alert SNS carried (built again by the retry, so a later
    // occurredAt), with the account its SNS attribute names.
    expect({ ...received[0].detail, occurredAt: sns.occurredAt }).toEqual({ ...sns, account: 'default' });
    expect(await bodies(suite.resources.allAlertsInboxUrl)).toEqual([]);

    // A repeated trigger, after the minimum re-check interval's answer from state: nothing more anywhere.
    await enqueue();
    await runCheck();
    expect(await bodies(suite.resources.alertEventsInboxUrl as string)).toEqual([]);
    expect(await bodies(suite.resources.allAlertsInboxUrl)).toEqual([]);
  });
});
