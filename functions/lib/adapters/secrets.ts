/**
 * Reading a configuration secret through Powertools' cache: one GetSecretValue every few minutes
 * per execution environment instead of one per request. Every secret of this product holds its
 * value as plain text or as a JSON object with one field, and an empty or invalid value is a
 * ConfigurationError that says how to fix it (the record is retried, not lost, meanwhile).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../domain/errors.js';
import { traced } from '../runtime/commons.js';

export const SECRET_CACHE_SECONDS = 300;

export interface SecretShape {
  /** The field holding the value when the secret is JSON, e.g. `apiKey` or `url`. */
  jsonField?: string;
  /** What the value is, for the error message. */
  what: string;
  isValid?: (value: string) => boolean;
}

export type ReadSecret = (secretName: string, shape: SecretShape) => Promise<string>;

/** The value inside a secret string; empty when there is none. */
export const secretText = (secretValue: unknown, jsonField?: string): string => {
  const text = typeof secretValue === 'string' ? secretValue.trim() : '';
  if (!jsonField || !text.startsWith('{')) return text;
  try {
    const field = (JSON.parse(text) as Record<string, unknown>)[jsonField];
    return typeof field === 'string' ? field.trim() : '';
  } catch {
    return '';
  }
};

/** One cache per execution environment, on the function's own client (its own, unless given one). */
export const secretReader = (client?: SecretsManagerClient): ReadSecret => {
  const provider = new SecretsProvider({ awsSdkV3Client: client ?? traced(new SecretsManagerClient({})) });
  return async (secretName, shape) => {
    const value = secretText(await provider.get(secretName, { maxAge: SECRET_CACHE_SECONDS }), shape.jsonField);
    if (value === '' || (shape.isValid && !shape.isValid(value))) {
      throw new ConfigurationError(
        `secret ${secretName} holds no ${shape.what}: set it with "aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string <value>"`,
      );
    }
    return value;
  };
};
