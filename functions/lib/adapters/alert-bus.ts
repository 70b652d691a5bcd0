/**
 * The alert bus's sender. Only a deployment with an alert bus loads this module (alert-publishing.ts
 * imports it when one is configured), so no other function's start pays for the EventBridge client.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpstreamError } from '../domain/errors.js';
import type { Notification } from '../domain/notification.js';
import { toAlertEvent } from './publish.js';

export { EventBridgeClient };

export const publishAlertEvent =
  (events: EventBridgeClient, busName: string) =>
  async (notification: Notification): Promise<void> => {
    const result = await events.send(new PutEventsCommand({ Entries: [toAlertEvent(busName, notification)] }));
    // PutEvents answers 200 with the entry refused inside: the retry decides, like a 5xx.
    const refused = result.FailedEntryCount ? result.Entries?.[0] : undefined;
    if (refused)
      throw new UpstreamError(`the alert bus refused the event: ${refused.ErrorCode} ${refused.ErrorMessage}`);
  };
