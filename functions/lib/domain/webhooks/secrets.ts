/**
 * A source's signing secret, as the operator stores it: one value, or several while rotating (one
 * per line, or a JSON array of strings). A value too weak to authenticate anything fails closed
 * with a ConfigurationError that says why and never shows the value: an empty or short HMAC key
 * is one anybody can forge with.
 */
import { ConfigurationError } from '../errors.js';
import type { SourceKind } from './kinds.js';

export const MIN_SECRET_CHARS = 16;
/** The Standard Webhooks spec issues keys of 24–64 random bytes. */
export const MIN_STANDARD_KEY_BYTES = 24;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Every value the secret holds, in order; whitespace inside a value is part of it. */
export const secretValues = (text: string): string[] => {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string'))
        return parsed.map((v) => v.trim()).filter(Boolean);
    } catch {
      // not JSON after all: a value that starts with "["
    }
  }
  return trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
};

/** The HMAC key of a Standard Webhooks secret (`whsec_` + base64), or undefined when it is not one. */
export const standardWebhookKey = (value: string): Buffer | undefined => {
  const encoded = value.startsWith('whsec_') ? value.slice(6) : value;
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= MIN_STANDARD_KEY_BYTES ? key : undefined;
};

/** The values of `source`'s secret, each strong enough for its kind; otherwise a ConfigurationError. */
export const signingSecrets = (kind: SourceKind, text: string, source: string): string[] => {
  const values = secretValues(text);
  const fix = `put a new value in the secret of webhook source ${source}`;
  if (values.length === 0) throw new ConfigurationError(`the secret of webhook source ${source} is empty: ${fix}`);
  values.forEach((value, i) => {
    const which = values.length > 1 ? `value ${i + 1} of ` : '';
    if (value.length < MIN_SECRET_CHARS) {
      throw new ConfigurationError(
        `${which}the secret of webhook source ${source} is shorter than ${MIN_SECRET_CHARS} characters: ${fix}`,
      );
    }
    if (kind === 'standard-webhooks' && standardWebhookKey(value) === undefined) {
      throw new ConfigurationError(
        `${which}the secret of webhook source ${source} is not whsec_ + base64 of at least ${MIN_STANDARD_KEY_BYTES} bytes: ${fix}`,
      );
    }
  });
  return values;
};
