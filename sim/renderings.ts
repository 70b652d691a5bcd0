/**
 * What a person reads, checked as it was sent: each alert's email and Slack post says what
 * happened in words, which attempt (its id, to search for), what to do (grade it at its link, ask
 * IA's support, or nothing) and how many reviews wait; the digest's email how many attempts wait
 * and lists its oldest. Written from what a reader needs, not from the renderers' code: layout is
 * theirs to change, these facts are not.
 */
import type { Alert, AlertType } from '#lib/domain/alert.js';
import type { Digest } from '#lib/domain/digest.js';

const HEADLINES: Record<AlertType, string> = {
  'review.needed': 'Review needed',
  'review.overdue': 'Review overdue',
  'review.escalated': 'Review escalated',
  'review.completed': 'Review completed',
  'scoring.stalled': 'Scoring stalled',
  'attempt.scored': 'Attempt scored',
};

/** The sentence that tells the reader what to do, by what it must say. */
const ACTIONS: Record<AlertType, RegExp> = {
  'review.needed': /\bGrade \d+ answers? or recordings? waiting for a human review\b/,
  'review.overdue': /\b\d+ answers? or recordings? for .* still wait for a review\b.*\b(Grade them|grade them)\b/,
  'review.escalated': /\b\d+ answers? or recordings? for .* still wait for a review\b.*\bGrade them\b/,
  'review.completed': /\bReviews for .* are done and scoring is final\b.*\bNo action needed\.$/,
  'scoring.stalled': /\bScoring for .* has not completed\b.*\bcontact Indeed Assessments support\.$/,
  'attempt.scored': /\bScoring for .* is complete with nothing to review\. No action needed\.$/,
};

/** Those that ask someone to grade: they carry the link to do it. */
const ACTIONABLE = new Set<AlertType>(['review.needed', 'review.overdue', 'review.escalated']);

const headline = (alert: Alert) =>
  alert.eventType === 'review.overdue' && alert.reminder !== undefined
    ? `${HEADLINES[alert.eventType]} (reminder ${alert.reminder})`
    : HEADLINES[alert.eventType];

/** "3 answers or recordings": the count as the sentence must state it. */
const countOf = (n: number) => `${n} ${n === 1 ? 'answer or recording' : 'answers or recordings'}`;

const SUBJECT = /^[\x20-\x7e]{1,100}$/;

/** What IA holds of the attempt, from the world's model: what a rendering must agree with. */
export interface Truth {
  /** When the candidate completed it. */
  completedAt: number;
  /** The candidate's name where it is plain words, which must reach people unchanged where an alert names them. */
  plainName?: string;
  assignmentId: string;
}

/** A name of letters and spaces alone: no sanitising may change it. */
export const plainName = (name: string): string | undefined => (/^[\p{L} ]+$/u.test(name) ? name : undefined);

/** A name as an email subject carries it: accents dropped, what is not ASCII a question mark. */
const ascii = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');

/** "2026-01-09 11:23 UTC", as people read times. */
const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** An alert's email (SNS subject and its email body): what is wrong with it, if anything. */
export const emailProblems = (
  alert: Alert,
  subject: string | undefined,
  body: string | undefined,
  truth?: Truth,
): string[] => {
  const problems: string[] = [];
  const wrong = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if (subject === undefined || body === undefined) return ['no subject or no email body'];
  const title = headline(alert);
  wrong(SUBJECT.test(subject), `subject not one line of 1-100 ASCII characters: ${JSON.stringify(subject)}`);
  wrong(subject.startsWith(`${title}: `), `subject does not start "${title}: "`);
  wrong(
    subject.endsWith('...') ||
      alert.pendingReviewCount > 0 === subject.endsWith(` (${alert.pendingReviewCount} pending)`),
    'subject misstates what is pending',
  );
  const lines = body.split('\n');
  wrong(lines[0] === title.toUpperCase(), `body does not open with "${title.toUpperCase()}"`);
  const action = lines[2] ?? '';
  wrong(ACTIONS[alert.eventType].test(action), `no "what to do" for ${alert.eventType}: ${JSON.stringify(action)}`);
  if (ACTIONABLE.has(alert.eventType))
    wrong(action.includes(countOf(alert.pendingReviewCount)), 'the sentence misstates how much waits');
  if (alert.url) wrong(lines[3] === `Open: ${alert.url}`, 'no link to act on');
  else
    wrong(action.includes('in the Indeed Assessments web app') || !ACTIONABLE.has(alert.eventType), 'no place to act');
  const pending = /^Pending reviews:\s+(\d+)$/m.exec(body)?.[1];
  wrong(pending === String(alert.pendingReviewCount), `pending reviews shown as ${pending}`);
  wrong(body.includes(`\nFor search: attempt ${alert.attemptId}`), 'the attempt id is not there to search for');
  wrong(body.includes(`\nEvent: ${alert.eventType} at ${alert.occurredAt}\n`), 'no event line');
  wrong(/\bunsubscribe\b/.test(body), 'no way to unsubscribe');
  if (truth) {
    const completed = /^Completed:\s+(.+)$/m.exec(body)?.[1];
    wrong(completed === minute(truth.completedAt), `completed shown as ${completed}`);
    // An attempt's own GET carries no candidate: an alert from it names none, one that does names IA's.
    if (truth.plainName && alert.candidateName !== undefined) {
      const candidate = /^Candidate:\s+(.+)$/m.exec(body)?.[1];
      wrong(candidate === truth.plainName, `the candidate shown as ${candidate}, IA names them ${truth.plainName}`);
      wrong(
        subject.startsWith(`${title}: ${ascii(truth.plainName)}`),
        `the subject does not name the candidate: ${subject}`,
      );
    }
    const search = /^For search: (.*)$/m.exec(body)?.[1] ?? '';
    wrong(
      alert.assignmentId === undefined || search.includes(`assignment ${truth.assignmentId}`),
      `the assignment not named for search: ${search}`,
    );
  }
  return problems;
};

type Block = { type?: string; text?: { type?: string; text?: string }; fields?: Array<{ text?: string }> };
type Element = { type?: string; text?: string | { text?: string }; url?: string };

/** Which alert a Slack post is about, from its context line: attempt id, event type, time. */
export const slackSubject = (
  body: unknown,
): { attemptId: string; eventType: string; occurredAt: string } | undefined => {
  const blocks = (body as { blocks?: Array<Block & { elements?: Element[] }> }).blocks ?? [];
  const context = blocks.at(-1)?.elements?.[0]?.text;
  const match = typeof context === 'string' ? /^attempt ([^,\s]+)(?:,.*)? · ([a-z.]+) · (\S+)$/.exec(context) : null;
  return match
    ? { attemptId: match[1] as string, eventType: match[2] as string, occurredAt: match[3] as string }
    : undefined;
};

/** An alert's Slack post: within Slack's limits, and saying what the email says. */
export const slackProblems = (alert: Alert, body: unknown, truth?: Truth): string[] => {
  const problems: string[] = [];
  const wrong = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const { text, blocks = [] } = body as { text?: string; blocks?: Array<Block & { elements?: Element[] }> };
  const title = headline(alert);
  wrong(typeof text === 'string' && text.startsWith(`${title}: `) && text.length <= 3000, 'no fallback text');
  wrong(blocks.length >= 3 && blocks.length <= 50, `${blocks.length} blocks`);
  const [header, section] = blocks;
  const heading = header?.text?.text ?? '';
  wrong(
    header?.type === 'header' &&
      header.text?.type === 'plain_text' &&
      heading.startsWith(`${title}: `) &&
      Array.from(heading).length <= 150,
    `header ${JSON.stringify(heading)}`,
  );
  if (truth?.plainName && alert.candidateName !== undefined)
    wrong(heading === `${title}: ${truth.plainName}`, `the header does not name the candidate: ${heading}`);
  const action = section?.text?.text ?? '';
  wrong(
    section?.type === 'section' && /^:[a-z_]+: /.test(action) && ACTIONS[alert.eventType].test(action),
    `no "what to do": ${JSON.stringify(action)}`,
  );
  const fields = blocks.find((block) => block.fields)?.fields ?? [];
  wrong(
    fields.length >= 1 && fields.length <= 10 && fields.every((f) => (f.text?.length ?? 0) <= 2000),
    'fields past Slack’s limits',
  );
  wrong(
    fields.some((f) => f.text === `*Pending reviews*\n${alert.pendingReviewCount}`),
    'pending reviews not shown',
  );
  const buttons = blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
  if (alert.url && ACTIONABLE.has(alert.eventType))
    wrong(
      buttons.some(
        (b) =>
          b.type === 'button' &&
          b.url === alert.url &&
          typeof b.text === 'object' &&
          /^(Review|Open) in Indeed Assessments$/.test(b.text.text ?? ''),
      ),
      'no button to review at its link',
    );
  const about = slackSubject(body);
  wrong(
    about?.attemptId === alert.attemptId &&
      about.eventType === alert.eventType &&
      about.occurredAt === alert.occurredAt,
    'the context line does not name the alert',
  );
  return problems;
};

/** The digest's email: its count in the subject and headline, and its oldest listed. */
export const digestEmailProblems = (
  digest: Digest,
  subject: string | undefined,
  body: string | undefined,
): string[] => {
  const problems: string[] = [];
  const wrong = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if (subject === undefined || body === undefined) return ['no subject or no email body'];
  const title = `Reviews waiting: ${digest.waiting} ${digest.waiting === 1 ? 'attempt' : 'attempts'}`;
  wrong(subject === title, `subject ${JSON.stringify(subject)}`);
  const lines = body.split('\n');
  wrong(lines[0] === title.toUpperCase(), 'body does not open with the count');
  wrong(
    digest.oldestSince === undefined
      ? lines[2] === 'Nothing waits for a human review.'
      : /wait for a human review; the oldest since .*\. Grade them in the Indeed Assessments web app, oldest first\.$/.test(
          lines[2] ?? '',
        ),
    `summary ${JSON.stringify(lines[2])}`,
  );
  if (digest.oldest.length > 0) {
    const at = lines.indexOf(`The ${digest.oldest.length} oldest:`);
    const listed = at < 0 ? [] : lines.slice(at + 1).filter((line) => line.startsWith('  - '));
    wrong(at >= 0 && listed.length >= digest.oldest.length, 'the oldest are not all listed');
    digest.oldest.forEach((item, i) => {
      const line = listed[i] ?? '';
      wrong(
        line.includes(`: ${item.pendingReviewCount} pending review`) && line.includes(', waiting '),
        `the oldest's line ${i + 1} misstates it: ${JSON.stringify(line)}`,
      );
    });
  }
  wrong(body.includes(`\nEvent: ${digest.eventType} for ${digest.period} at ${digest.occurredAt}\n`), 'no event line');
  return problems;
};

interface ChatNotification {
  version?: string;
  source?: string;
  id?: string;
  content?: { textType?: string; title?: string; description?: string; nextSteps?: string[]; keywords?: string[] };
  metadata?: {
    threadId?: string;
    summary?: string;
    eventType?: string;
    additionalContext?: Record<string, string>;
  };
}

/** An alert as Amazon Q received it: a custom notification it renders, saying what the email says. */
export const chatProblems = (alert: Alert, message: ChatNotification): string[] => {
  const problems: string[] = [];
  const wrong = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const { content = {}, metadata = {} } = message;
  const title = headline(alert);
  wrong(
    message.version === '1.0' && message.source === 'custom' && content.textType === 'client-markdown',
    'not a custom notification Amazon Q renders',
  );
  wrong(
    (content.title ?? '').startsWith(`${title}: `) && Array.from(content.title ?? '').length <= 250,
    `title ${JSON.stringify(content.title)}`,
  );
  wrong(
    (content.description ?? '').split('\n').includes(`*Pending reviews:* ${alert.pendingReviewCount}`),
    'pending reviews not shown',
  );
  const [action = '', ...rest] = content.nextSteps ?? [];
  wrong(ACTIONS[alert.eventType].test(action), `no "what to do": ${JSON.stringify(action)}`);
  if (alert.url) wrong(rest.includes(`Open: ${alert.url}`), 'no link to act on');
  wrong(
    content.keywords?.[0] === alert.eventType && metadata.eventType === alert.eventType,
    'the event type not named',
  );
  wrong(
    (metadata.threadId ?? '').endsWith(alert.attemptId) &&
      metadata.additionalContext?.attemptId === alert.attemptId &&
      metadata.additionalContext.pendingReviewCount === String(alert.pendingReviewCount),
    'the attempt not named',
  );
  wrong((metadata.summary ?? '').startsWith(`${title}: `), 'no summary');
  return problems;
};
