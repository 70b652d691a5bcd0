/**
 * The IA API key from Secrets Manager through Powertools' cache: one GetSecretValue every few
 * minutes per execution environment instead of one per request.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from './errors.js';

export const SECRET_CACHE_SECONDS = 300;

/** The secret holds the key as plain text, or as JSON `{"apiKey": "..."}`. */
export const extractApiKey = (secretValue: unknown, secretName: string): string => {
  let value = typeof secretValue === 'string' ? secretValue.trim() : '';
  if (value.startsWith('{')) {
    try {
      const parsed = JSON.parse(value) as { apiKey?: unknown };
      value = typeof parsed.apiKey === 'string' ? parsed.apiKey.trim() : '';
    } catch {
      value = '';
    }
  }
  if (value === '') {
    throw new ConfigurationError(
      `secret ${secretName} holds no IA API key: set it with "aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string <key>"`,
    );
  }
  return value;
};

export const apiKeyFromSecret = (secretName: string, maxAge = SECRET_CACHE_SECONDS) => async (): Promise<string> =>
  extractApiKey(await getSecret(secretName, { maxAge }), secretName);
