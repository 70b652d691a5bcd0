/**
 * Text from outside (every string IA returns: candidate names, emails, assessment and role names,
 * step titles, question labels) made safe once, where it enters: one line, no control or
 * direction-override characters, URL schemes defanged, bounded length. Each renderer still
 * escapes it for its own target (Slack mrkdwn, chat markdown, email subject).
 */
import { truncate } from './render/text.js';

/** C0/C1 controls, line and paragraph separators, bidi overrides/isolates, zero-width and BOM. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/gu;

/**
 * `https://evil.example` in a name would be auto-linked by Slack, chat clients and mail readers:
 * `https[:]//evil.example` reads the same to a person and links nowhere.
 */
const URL_SCHEME = /\b([a-z][a-z0-9+.-]{1,15}):\/\//gi;

/** Generous for a name or a title; a label or prompt gets more. */
export const TEXT_LIMITS = { name: 200, email: 254, label: 500 } as const;

export const safeText = (value: string, limit: number): string =>
  truncate(value.replace(UNSAFE, ' ').replace(URL_SCHEME, '$1[:]//').replace(/\s+/g, ' ').trim(), limit);
