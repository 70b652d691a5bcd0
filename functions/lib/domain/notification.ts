/**
 * What the alerts topic carries — an alert about one attempt, or the digest — and the key that
 * makes each exactly-once.
 */
import { accountKey, DEFAULT_ACCOUNT } from './accounts.js';
import type { Alert } from './alert.js';
import type { Digest } from './digest.js';

/** Something the alerts topic carries: an alert about one attempt, or the digest. */
export type Notification = Alert | Digest;

export const isDigest = (notification: Notification): notification is Digest =>
  notification.eventType === 'review.digest';

/** Attempt id (in its account), event type, reminder number: an account's ids never take another's key. */
export const alertKey = (alert: Pick<Alert, 'attemptId' | 'eventType' | 'reminder' | 'account'>): string =>
  [
    accountKey(alert.account ?? DEFAULT_ACCOUNT, alert.attemptId),
    alert.eventType,
    ...(alert.reminder === undefined ? [] : [alert.reminder]),
  ].join(':');

/** One digest per schedule period: a retried or repeated run of the same period publishes nothing more. */
export const digestKey = (digest: Pick<Digest, 'period'>): string => `digest:${digest.period}`;

export const notificationKey = (notification: Notification): string =>
  isDigest(notification) ? digestKey(notification) : alertKey(notification);
