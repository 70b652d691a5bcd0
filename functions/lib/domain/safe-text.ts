/**
 * Text from outside (every string IA returns: candidate names, emails, assessment and role names,
 * step titles, question labels) made safe once, where it enters: compatibility forms folded
 * (NFKC: a fullwidth `ｈｔｔｐｓ：／／` is `https://` to every client that renders it), one line,
 * no control or direction-override characters, nothing a mail client, Slack or a Markdown
 * renderer would turn into a link, bounded length. Each renderer still escapes it for its own
 * target (Slack mrkdwn, chat markdown, email subject).
 */
import { truncate } from './render/text.js';

/** C0/C1 controls, line and paragraph separators, bidi overrides/isolates, zero-width and BOM. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/gu;

/**
 * What clients auto-link, each defanged so it reads the same to a person and links nowhere:
 * - `scheme://` of any length, wherever it starts (`_https://`, `1https://`): `https[:]//`;
 * - `mailto:` and friends that need no slashes: `mailto[:]`;
 * - `www.`: `www[.]`;
 * - a bare domain (`evil.example`, `a@evil.example`): the dot before its last label, `evil[.]example`.
 */
const LINKABLE: Array<[trigger: string, RegExp, string]> = [
  [':', /:\/\//g, '[:]//'],
  [':', /\b(mailto|tel|sms|callto|slack|javascript|data|file):/gi, '$1[:]'],
  ['.', /\bwww\./gi, 'www[.]'],
  ['.', /([\p{L}\p{N}_-])\.(?=\p{L})/gu, '$1[.]'],
];

/** Generous for a name or a title; a label or prompt gets more. */
export const TEXT_LIMITS = { name: 200, email: 254, label: 500 } as const;

export const defang = (text: string): string =>
  LINKABLE.reduce(
    (result, [trigger, pattern, replacement]) =>
      result.includes(trigger) ? result.replace(pattern, replacement) : result,
    text,
  );

/** Letters, digits, single spaces and punctuation that links are not made of: nothing to do but bound it. */
const PLAIN = /^[A-Za-z0-9,'()&!?+*#_-]+( [A-Za-z0-9,'()&!?+*#_-]+)*$/;

const made = (value: string, limit: number) =>
  PLAIN.test(value)
    ? truncate(value, limit)
    : truncate(defang(value.normalize('NFKC').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim()), limit);

/**
 * The sweep reads the same pages again and again (every attempt's labels on every walk): what
 * was made safe once is remembered, up to about a million characters (a few MB of a function's
 * memory), then forgotten all at once.
 */
const MEMO_CHARACTERS = 1_000_000;
const memo = new Map<string, string>();
let memoCharacters = 0;

export const safeText = (value: string, limit: number): string => {
  const key = `${limit}:${value}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  if (memoCharacters > MEMO_CHARACTERS) {
    memo.clear();
    memoCharacters = 0;
  }
  const safe = made(value, limit);
  memo.set(key, safe);
  memoCharacters += key.length + safe.length;
  return safe;
};
