/**
 * The pages behind an alert email's "I'm on it" link. Opening the link shows a form and claims
 * nothing (mail scanners follow links); the form's POST claims. Everything shown is escaped for
 * HTML, and the pages load nothing: no script, no style sheet, no image.
 */
import type { Claim } from '../claims/claim.js';
import { formatTime } from './wording.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);

/**
 * No script, nothing framed, nothing fetched, the form posting only here; no referrer, so the
 * link's token never leaves in a Referer header; never cached.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

const page = (title: string, body: string) =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}input,button{font-size:1rem;padding:.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;

export const holderText = (held: Claim): string => `${held.by} since ${formatTime(held.at)} (from ${held.via})`;

const about = (attemptId: string, account?: string) =>
  `attempt <code>${escapeHtml(attemptId)}</code>${account ? ` in account <code>${escapeHtml(account)}</code>` : ''}`;

/** What opening the link shows: who holds it already, or the form that claims it. */
export const claimFormPage = (subject: {
  attemptId: string;
  account?: string;
  token: string;
  held?: Claim;
  waits: boolean;
}): string => {
  if (!subject.waits)
    return page('Nothing to claim', `<p>No review waits on ${about(subject.attemptId, subject.account)} now.</p>`);
  const held = subject.held
    ? `<p>Already claimed by <strong>${escapeHtml(holderText(subject.held))}</strong>.</p>`
    : '<p>Reviews wait on this attempt. Say who is on it: escalation stops, and reminders and the digest name you.</p>';
  return page(
    "I'm on it",
    `<p>${about(subject.attemptId, subject.account)}</p>
${held}
<form method="post">
<input type="hidden" name="t" value="${escapeHtml(subject.token)}">
<label>Your name <input name="by" required maxlength="80" autocomplete="name"></label>
<button type="submit">I'm on it</button>
</form>`,
  );
};

/** The answer to the form's POST, or to a link that cannot claim. */
export const claimResultPage = (title: string, message: string): string => page(title, `<p>${escapeHtml(message)}</p>`);
