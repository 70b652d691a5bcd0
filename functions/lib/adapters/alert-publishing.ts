/**
 * How check, the sweep and the digest publish: alerts exactly once across all three (one key
 * prefix), to the topic and to the alert bus when there is one, and keys of older versions still
 * counted. The bus and SSM clients are made only where a function needs them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { claimLink } from '../domain/claims/claim-link.js';
import { traced } from '../runtime/commons.js';
import type { FunctionRuntime } from '../runtime/function-runtime.js';
import { claimsSecret } from './claims-secret.js';
import { legacyKeyPrefixes } from './legacy-key-prefixes.js';
import { createAlertPublisher, createIdempotency, EFFECT_CLIENT } from './publish-once.js';
import { secretReader } from './secrets.js';

export interface PublishingSettings {
  functionName?: string | undefined;
  alertsTopicArn: string;
  idempotencyTableName: string;
  alertDedupeSeconds: number;
  alertBus?: string | undefined;
  legacyKeyPrefixesParameter?: string | undefined;
  /** Alert emails carry an "I'm on it" link (claims). */
  claimLinks?: { url: string; secretName: string } | undefined;
}

export const alertPublishing = (settings: PublishingSettings, runtime: FunctionRuntime, dynamodb: DynamoDBClient) => {
  const parameter = settings.legacyKeyPrefixesParameter;
  const idempotency = createIdempotency({
    dynamodb,
    tableName: settings.idempotencyTableName,
    expiresAfterSeconds: settings.alertDedupeSeconds,
    legacyPrefixes: legacyKeyPrefixes({
      ...(settings.functionName ? { functionName: settings.functionName } : {}),
      ...(parameter ? { parameter: { ssm: runtime.aws?.ssm ?? traced(new SSMClient({})), name: parameter } } : {}),
    }),
  });
  const links = settings.claimLinks;
  const linkKeys = links && claimsSecret(secretReader(runtime.aws?.secrets), links.secretName).linkKeys;
  const publishOnce = createAlertPublisher(
    idempotency,
    runtime.aws?.sns ?? traced(new SNSClient(EFFECT_CLIENT)),
    settings,
    settings.alertBus ? (runtime.aws?.events ?? traced(new EventBridgeClient(EFFECT_CLIENT))) : undefined,
    links && linkKeys
      ? async (alert) =>
          claimLink(
            links.url,
            (await linkKeys())[0] as string,
            { attemptId: alert.attemptId, ...(alert.account ? { account: alert.account } : {}) },
            new Date(alert.occurredAt),
          )
      : undefined,
  );
  return { idempotency, publishOnce };
};
