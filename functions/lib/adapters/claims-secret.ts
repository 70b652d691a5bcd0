/**
 * The claims secret: a JSON object with `linkKey` (signs the alert emails' "I'm on it" links;
 * generated at deploy) and `slackSigningSecret` (the Slack app's, pasted in by the operator).
 * Either field may hold several values, one per line, while one is rotated in: the first signs,
 * any verifies. A value under 16 characters fails closed: a short HMAC key is a forgeable one.
 */
import { MIN_SECRET_CHARS, secretValues } from '../domain/webhooks/secrets.js';
import type { ReadSecret } from './secrets.js';

const strongValues = (text: string) => {
  const values = secretValues(text);
  return values.length > 0 && values.every((value) => value.length >= MIN_SECRET_CHARS);
};

export const claimsSecret = (readSecret: ReadSecret, secretName: string) => {
  const field = (jsonField: string, what: string) => async () =>
    secretValues(await readSecret(secretName, { jsonField, what, isValid: strongValues }));
  return {
    linkKeys: field('linkKey', 'key for claim links (its JSON field linkKey)'),
    slackSigningSecrets: field('slackSigningSecret', "Slack app's signing secret (its JSON field slackSigningSecret)"),
  };
};
