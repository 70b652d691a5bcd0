/**
 * What a person reads, checked as it was sent: each alert's email, Slack post and Amazon Q
 * notification says what happened in words, which attempt (its id, to search for), what to do
 * (grade it at its link, ask IA's support, or nothing), how many reviews wait and the facts; the
 * digest, in every channel, its counts, assessments, oldest and triggers. Written from what a
 * reader needs, not from the renderers' code: layout is theirs to change, these facts are not.
 * The words (headlines, plurals, Slack's escaping) are restated here, not imported from
 * `render/`: a check that called the renderers' own helpers would agree with any change to them.
 */
import type { Alert, AlertType } from '#lib/domain/alert.js';
import type { Digest, DigestTrigger } from '#lib/domain/digest.js';

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

/** What a Slack post's "what to do" opens with, by type: the eye finds the kind of alert by it. */
const EMOJI: Record<AlertType, string> = {
  'review.needed': ':memo:',
  'review.overdue': ':alarm_clock:',
  'review.escalated': ':rotating_light:',
  'review.completed': ':white_check_mark:',
  'scoring.stalled': ':warning:',
  'attempt.scored': ':bar_chart:',
};

/** Those that ask someone to grade: they carry the link to do it. */
const ACTIONABLE = new Set<AlertType>(['review.needed', 'review.overdue', 'review.escalated']);

const headline = (alert: Alert) =>
  alert.eventType === 'review.overdue' && alert.reminder !== undefined
    ? `${HEADLINES[alert.eventType]} (reminder ${alert.reminder})`
    : HEADLINES[alert.eventType];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 answers or recordings": the count as the sentence must state it. */
const countOf = (n: number) => plural(n, 'answer or recording', 'answers or recordings');

const SUBJECT = /^[\x20-\x7e]{1,100}$/;

/** What is wrong with a rendering, collected check by check. */
const problemList = () => {
  const problems: string[] = [];
  const wrong = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  return { problems, wrong };
};

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

/** Text as an SNS subject must be: ASCII, its dashes and quotes the plain ones, one line, spaces single. */
const asciiLine = (text: string) =>
  ascii(
    text
      .normalize('NFKD')
      .replace(/[\u2013\u2014]/g, '-')
      .replace(/[\u2018\u2019]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/\s+/g, ' '),
  ).trim();

/** "2026-01-09 11:23 UTC", as people read times. */
const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * What an alert is about, as SNS takes a subject: the headline, the candidate, then the assessment
 * (the attempt where it names neither) and what is pending; ASCII on one line, cut to 100
 * characters. Slack's fallback text and Amazon Q's summary say the same.
 */
const subjectOf = (alert: Alert) => {
  const about = [alert.candidateName, alert.assessmentName ?? alert.assessmentId].filter(Boolean).join(' - ');
  const pending = alert.pendingReviewCount > 0 ? ` (${alert.pendingReviewCount} pending)` : '';
  const subject = asciiLine(`${headline(alert)}: ${about || `attempt ${alert.attemptId}`}${pending}`);
  return subject.length <= 100 ? subject : `${subject.slice(0, 97)}...`;
};

/** An alert's email (SNS subject and its email body): what is wrong with it, if anything. */
export const emailProblems = (
  alert: Alert,
  subject: string | undefined,
  body: string | undefined,
  truth?: Truth,
): string[] => {
  const { problems, wrong } = problemList();
  if (subject === undefined || body === undefined) return ['no subject or no email body'];
  const title = headline(alert);
  wrong(SUBJECT.test(subject), `subject not one line of 1-100 ASCII characters: ${JSON.stringify(subject)}`);
  wrong(subject.startsWith(`${title}: `), `subject does not start "${title}: "`);
  wrong(
    subject.endsWith('...') ||
      alert.pendingReviewCount > 0 === subject.endsWith(` (${alert.pendingReviewCount} pending)`),
    'subject misstates what is pending',
  );
  const expected = subjectOf(alert);
  wrong(subject === expected, `the subject is not ${JSON.stringify(expected)}`);
  const lines = body.split('\n');
  wrong(lines[0] === title.toUpperCase(), `body does not open with "${title.toUpperCase()}"`);
  const action = lines[2] ?? '';
  wrong(ACTIONS[alert.eventType].test(action), `no "what to do" for ${alert.eventType}: ${JSON.stringify(action)}`);
  if (ACTIONABLE.has(alert.eventType))
    wrong(action.includes(countOf(alert.pendingReviewCount)), 'the sentence misstates how much waits');
  if (alert.url) wrong(lines[3] === `Open: ${alert.url}`, 'no link to act on');
  else
    wrong(action.includes('in the Indeed Assessments web app') || !ACTIONABLE.has(alert.eventType), 'no place to act');
  problems.push(
    ...factProblems(alert, truth, (label, value, prefix) =>
      lines.some((line) => {
        const rest = line.startsWith(`${label}:`) ? line.slice(label.length + 1) : undefined;
        // The table pads every label to one width: at least one space, then the value.
        return (
          rest !== undefined && /^\s/.test(rest) && (prefix ? rest.trim().startsWith(value) : rest.trim() === value)
        );
      }),
    ),
  );
  wrong(body.includes(`\nFor search: attempt ${alert.attemptId}`), 'the attempt id is not there to search for');
  wrong(body.includes(`\nEvent: ${alert.eventType} at ${alert.occurredAt}\n`), 'no event line');
  wrong(/\bunsubscribe\b/.test(body), 'no way to unsubscribe');
  problems.push(...reviewListProblems(alert, lines));
  if (truth) {
    // An attempt's own GET carries no candidate: an alert from it names none, one that does names IA's.
    if (truth.plainName && alert.candidateName !== undefined) {
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

const KINDS = { answer: 'answer', audio: 'audio recording', video: 'video recording' } as const;

/** Text every channel shows as typed: no escaping of any channel changes it. */
const plainText = (text: string | undefined) => (text !== undefined && /^[\p{L}\d ]+$/u.test(text) ? text : undefined);

/**
 * The facts every channel lists, each as a label and its value: how many reviews wait, when it was
 * completed, who the candidate is, which assessment, who claimed it. `shows(label, value)` says
 * whether the rendering lists that value under that label (`value` a prefix where more follows).
 */
const factProblems = (
  alert: Alert,
  truth: Truth | undefined,
  shows: (label: string, value: string, prefix?: boolean) => boolean,
): string[] => {
  const expected: Array<[string, string | undefined, boolean?]> = [
    ['Pending reviews', String(alert.pendingReviewCount)],
    ['Completed', truth && minute(truth.completedAt)],
    ['Candidate', alert.candidateName === undefined ? undefined : truth?.plainName],
    ['Assessment', plainText(alert.assessmentName ?? alert.assessmentId)],
    ['Claimed by', plainText(alert.claimedBy), true],
  ];
  return expected.flatMap(([label, value, prefix]) =>
    value === undefined || shows(label, value, prefix) ? [] : [`${label} not shown as ${value}`],
  );
};

/** Whether a review is (or may be) outstanding, so that what awaits it is listed. */
const showsReviews = (alert: Alert) =>
  alert.reviewItems.length > 0 && alert.eventType !== 'attempt.scored' && alert.eventType !== 'review.completed';

/** Slack's three control characters, as Slack documents their escaping. */
const escapeSlack = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Amazon Q's markdown lands in Slack or Teams: Slack's escaping, and markdown's marks backslash-escaped. */
const escapeChat = (text: string) => escapeSlack(text).replace(/[\\`*_~[\]]/g, '\\$&');

/** Outside text the alert carries (the candidate, the assessment), which every channel shows as typed, escaped for it. */
const typed = (alert: Alert): Array<[string, string]> =>
  (
    [
      ['Candidate', alert.candidateName],
      ['Assessment', alert.assessmentName ?? alert.assessmentId],
    ] as Array<[string, string | undefined]>
  ).filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');

/**
 * While a review is (or may be) outstanding, the email lists what awaits it: how many in all, each
 * listed one by its step and kind, and how many more were left out.
 */
const reviewListProblems = (alert: Alert, lines: string[]): string[] => {
  const total = alert.reviewItemCount ?? alert.reviewItems.length;
  const at = lines.findIndex((line) => line.startsWith('Awaiting review ('));
  if (!showsReviews(alert)) return at < 0 ? [] : ['a review list where no review waits'];
  if (lines[at] !== `Awaiting review (${total}):`) return [`no list of what awaits review: ${lines[at]}`];
  const end = lines.indexOf('', at);
  const listed = lines.slice(at + 1, end < 0 ? undefined : end);
  const items = listed.filter((line) => line.startsWith('  - '));
  const problems: string[] = [];
  if (items.length === 0 || items.length > alert.reviewItems.length)
    problems.push(`${items.length} review items listed of ${alert.reviewItems.length}`);
  items.forEach((line, i) => {
    const item = alert.reviewItems[i];
    if (!item || !line.startsWith(`  - ${item.step}: ${KINDS[item.kind]}`))
      problems.push(`review item ${i + 1} misstated: ${JSON.stringify(line.slice(0, 80))}`);
  });
  const more = total - items.length;
  const moreLine = listed.find((line) => line.startsWith('  ... and '));
  if ((more > 0 ? `  ... and ${more} more` : undefined) !== moreLine) problems.push(`"and more" says ${moreLine}`);
  return problems;
};

type Block = { type?: string; text?: { type?: string; text?: string }; fields?: Array<{ text?: string }> };
type Element = {
  type?: string;
  text?: string | { type?: string; text?: string };
  url?: string;
  action_id?: string;
  value?: string;
};
type Blocks = Array<Block & { elements?: Element[]; block_id?: string }>;

/** The buttons a Slack app sends back to the claims endpoint, and what they say. */
const CLAIM_BUTTONS = {
  claim: { actionId: 'ia-review-claim', label: "I'm on it" },
  release: { actionId: 'ia-review-release', label: 'Let it go' },
} as const;
const buttonsOf = (blocks: Blocks) =>
  blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);

/** A claim button that names this attempt (and its account, where the alert names one) and says what it does. */
const namesClaim = (button: Element, alert: Pick<Alert, 'attemptId' | 'account'>, kind: keyof typeof CLAIM_BUTTONS) => {
  let value: unknown;
  try {
    value = JSON.parse(button.value ?? '');
  } catch {
    return false;
  }
  return (
    button.type === 'button' &&
    typeof button.text === 'object' &&
    button.text.type === 'plain_text' &&
    button.text.text === CLAIM_BUTTONS[kind].label &&
    JSON.stringify(value) ===
      JSON.stringify({ attemptId: alert.attemptId, ...(alert.account ? { account: alert.account } : {}) })
  );
};

/**
 * With claims on, what can still be claimed (a review waits, nobody holds it) carries one "I'm on
 * it" button for its attempt; nothing else carries one.
 */
const claimButtonProblems = (alert: Alert, blocks: Blocks): string[] => {
  const offered = buttonsOf(blocks).filter((b) => b.action_id === CLAIM_BUTTONS.claim.actionId);
  if (!ACTIONABLE.has(alert.eventType) || alert.claimedBy !== undefined)
    return offered.length === 0 ? [] : ['a claim button on what cannot be claimed'];
  return offered.length === 1 && namesClaim(offered[0] as Element, alert, 'claim')
    ? []
    : [`${offered.length} claim buttons, or one that does not name the attempt`];
};

/** A Slack post's closing context line, where both alert and digest name what they are about. */
const contextOf = (body: unknown): string => {
  const blocks = (body as { blocks?: Array<Block & { elements?: Element[] }> }).blocks ?? [];
  const context = blocks.at(-1)?.elements?.[0]?.text;
  return typeof context === 'string' ? context : '';
};

/** When the digest a Slack post is, from its context line ("review.digest · <period> · <made>"), was made. */
export const slackDigestMade = (body: unknown): string | undefined =>
  /^review\.digest · \S+ · (\S+)$/.exec(contextOf(body))?.[1];

/** Which alert a Slack post is about, from its context line: attempt id, event type, time. */
export const slackSubject = (
  body: unknown,
): { attemptId: string; eventType: string; occurredAt: string } | undefined => {
  const match = /^attempt ([^,\s]+)(?:,.*)? · ([a-z.]+) · (\S+)$/.exec(contextOf(body));
  return match
    ? { attemptId: match[1] as string, eventType: match[2] as string, occurredAt: match[3] as string }
    : undefined;
};

/** An alert's Slack post: within Slack's limits, and saying what the email says. */
export const slackProblems = (
  alert: Alert,
  body: unknown,
  truth?: Truth,
  options: { claimButtons?: boolean } = {},
): string[] => {
  const { problems, wrong } = problemList();
  const { text, blocks = [] } = body as { text?: string; blocks?: Blocks };
  const title = headline(alert);
  wrong(text === escapeSlack(subjectOf(alert)), `the fallback text is not the subject: ${JSON.stringify(text)}`);
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
  // A header is plain text: whatever the name holds, it shows as typed (Slack escapes nothing there).
  const named = `${title}: ${alert.candidateName ?? alert.attemptId}`;
  if (Array.from(named).length <= 150) wrong(heading === named, `the header is not ${JSON.stringify(named)}`);
  const action = section?.text?.text ?? '';
  wrong(
    section?.type === 'section' &&
      action.startsWith(`${EMOJI[alert.eventType]} `) &&
      ACTIONS[alert.eventType].test(action),
    `no "what to do": ${JSON.stringify(action)}`,
  );
  const fields = blocks.find((block) => block.fields)?.fields ?? [];
  wrong(
    fields.length >= 1 && fields.length <= 10 && fields.every((f) => (f.text?.length ?? 0) <= 2000),
    'fields past Slack’s limits',
  );
  problems.push(
    ...factProblems(alert, truth, (label, value, prefix) =>
      fields.some((f) => (prefix ? f.text?.startsWith(`*${label}*\n${value}`) : f.text === `*${label}*\n${value}`)),
    ),
  );
  for (const [label, value] of typed(alert)) {
    const field = `*${label}*\n${escapeSlack(value)}`;
    if (Array.from(field).length <= 2000)
      wrong(
        fields.some((f) => f.text === field),
        `${label} not shown as typed, escaped for Slack: ${JSON.stringify(field)}`,
      );
  }
  if (showsReviews(alert)) {
    const list = blocks.find((block) => block.text?.text?.startsWith('*Awaiting review ('))?.text?.text ?? '';
    const total = alert.reviewItemCount ?? alert.reviewItems.length;
    const [heading = '', ...rest] = list.split('\n');
    const items = rest.filter((line) => line.startsWith('• '));
    const moreLine = rest.find((line) => line.startsWith('…and '));
    wrong(heading === `*Awaiting review (${total})*` && items.length > 0, `no list of what awaits review: ${heading}`);
    items.forEach((line, i) => {
      const item = alert.reviewItems[i];
      const expected = item && `• ${escapeSlack(item.step)}: ${KINDS[item.kind]}`;
      // A line is cut to 200 characters, with an ellipsis: what is left must begin what was due.
      const cut = line.endsWith('…') && Array.from(line).length === 200 ? line.slice(0, -1) : undefined;
      wrong(
        expected !== undefined && (line.startsWith(expected) || (cut !== undefined && expected.startsWith(cut))),
        `review item ${i + 1} misstated: ${JSON.stringify(line.slice(0, 80))}`,
      );
    });
    const more = total - items.length;
    wrong((more > 0 ? `…and ${more} more` : undefined) === moreLine, `"and more" says ${moreLine}`);
  }
  const buttons = buttonsOf(blocks);
  if (options.claimButtons) problems.push(...claimButtonProblems(alert, blocks));
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

/** What a Slack click was answered, as the sim's reviewer saw it. */
export interface SlackClick {
  by: string;
  attemptId: string;
  account?: string;
  /** Ingest's answer: `claimed`, `already-yours`, `held`, … */
  status?: string;
  /** The post whose button was clicked. */
  post: unknown;
  /** What ingest sent to the click's `response_url`. */
  reply: unknown;
}

/**
 * A click of "I'm on it" that claimed replaces the message in place: all it said before, a line
 * saying who is on it, and the button that lets it go instead of the one that claimed. Any other
 * answer goes to the one who clicked only, saying why (who holds it, that it is theirs already, or
 * that nothing waits), and leaves the message as it was.
 */
export const slackClaimReplyProblems = (click: SlackClick): string[] => {
  const { problems, wrong } = problemList();
  const reply = click.reply as {
    replace_original?: boolean;
    response_type?: string;
    text?: string;
    blocks?: Blocks;
  };
  const text = reply.text ?? '';
  if (click.status !== 'claimed') {
    wrong(reply.response_type === 'ephemeral' && reply.replace_original === false, 'the message was replaced');
    const why =
      click.status === 'held'
        ? /already claimed by \S.* since /
        : click.status === 'already-yours'
          ? /is already yours/
          : /nothing to claim/;
    wrong(why.test(text) && text.includes(click.attemptId), `the reply does not say why: ${JSON.stringify(text)}`);
    return problems;
  }
  const original = ((click.post as { blocks?: Blocks }).blocks ?? []).filter(
    (block) => block.block_id !== 'ia-review-claim-status',
  );
  const blocks = reply.blocks ?? [];
  wrong(reply.replace_original === true, 'the message was not updated in place');
  wrong(blocks.length <= 50, `${blocks.length} blocks`);
  const status = blocks.at(-1);
  const line = status?.elements?.[0]?.text;
  wrong(
    status?.type === 'context' &&
      status.block_id === 'ia-review-claim-status' &&
      typeof line === 'string' &&
      line.includes(`${click.by} is on it`) &&
      text.includes(`${click.by} is on it`),
    `no line saying ${click.by} is on it`,
  );
  // Everything but the buttons, as it was.
  const kept = (list: Blocks) => list.filter((block) => block.type !== 'actions').map((block) => JSON.stringify(block));
  wrong(
    JSON.stringify(kept(blocks).slice(0, -1)) === JSON.stringify(kept(original)),
    'the message lost or changed what it said',
  );
  const buttons = buttonsOf(blocks);
  const links = (list: Blocks) => buttonsOf(list).filter((b) => b.url !== undefined);
  wrong(JSON.stringify(links(blocks)) === JSON.stringify(links(original)), 'the link buttons changed');
  wrong(
    !buttons.some((b) => b.action_id === CLAIM_BUTTONS.claim.actionId) &&
      buttons.filter((b) => b.action_id === CLAIM_BUTTONS.release.actionId && namesClaim(b, click, 'release'))
        .length === 1,
    'no button to let it go, or one to claim it still',
  );
  return problems;
};

/** How a trigger's line in the digest begins, by its health. */
const TRIGGER_STATUS: Record<DigestTrigger['status'], string> = {
  never: 'no event yet',
  silent: 'SILENT, no event since',
  ok: 'last event',
};

/** The digest's email: its counts, its assessments, its oldest and its triggers, as the digest has them. */
export const digestEmailProblems = (
  digest: Digest,
  subject: string | undefined,
  body: string | undefined,
): string[] => {
  const { problems, wrong } = problemList();
  if (subject === undefined || body === undefined) return ['no subject or no email body'];
  const title = `Reviews waiting: ${plural(digest.waiting, 'attempt')}`;
  wrong(subject === title, `subject ${JSON.stringify(subject)}`);
  const lines = body.split('\n');
  wrong(lines[0] === title.toUpperCase(), 'body does not open with the count');
  problems.push(...digestSummaryProblems(digest, lines[2] ?? ''));
  /** A table row: "  <label>:<padding><value>". */
  const row = (label: string, value: string | number) =>
    lines.some((line) => line.startsWith(`  ${label}:`) && line.slice(label.length + 3).trim() === String(value));
  for (const a of digest.perAssessment) {
    const name = a.assessmentName ?? a.assessmentId ?? 'Unknown assessment';
    wrong(row(name, a.waiting), `${name}'s count not listed`);
  }
  if (digest.otherAssessments)
    wrong(
      row(plural(digest.otherAssessments.assessments, 'other assessment'), digest.otherAssessments.waiting),
      'the other assessments not counted',
    );
  for (const t of digest.triggers ?? [])
    wrong(
      lines.some((line) => line.startsWith(`  - ${t.name}: ${TRIGGER_STATUS[t.status]}`)),
      `trigger ${t.name} (${t.status}) not described`,
    );
  if (digest.oldest.length > 0) {
    const at = lines.indexOf(`The ${digest.oldest.length} oldest:`);
    const listed = at < 0 ? [] : lines.slice(at + 1).filter((line) => line.startsWith('  - '));
    wrong(at >= 0 && listed.length >= digest.oldest.length, 'the oldest are not all listed');
    digest.oldest.forEach((item, i) => {
      const line = listed[i] ?? '';
      wrong(
        line.startsWith(`  - ${item.account ? `[${item.account}] ` : ''}`) &&
          line.includes(
            ` - ${item.assessmentName ?? 'assessment'}: ${plural(item.pendingReviewCount, 'pending review')}, waiting `,
          ) &&
          line.includes(', escalated') === (item.escalatedAt !== undefined) &&
          line.includes(', claimed by ') === (item.claimedBy !== undefined) &&
          (item.candidateName !== undefined || line.includes(`attempt ${item.attemptId}`)),
        `the oldest's line ${i + 1} misstates it: ${JSON.stringify(line)}`,
      );
      if (item.url)
        wrong(lines[lines.indexOf(line) + 1] === `    ${item.url}`, `the oldest's line ${i + 1} has no link`);
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
export const chatProblems = (alert: Alert, message: ChatNotification, truth?: Truth): string[] => {
  const { problems, wrong } = problemList();
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
  const named = escapeChat(`${title}: ${alert.candidateName ?? alert.attemptId}`);
  if (Array.from(named).length <= 250) wrong(content.title === named, `the title is not ${JSON.stringify(named)}`);
  const described = (content.description ?? '').split('\n');
  problems.push(
    ...factProblems(alert, truth, (label, value, prefix) =>
      described.some((line) => (prefix ? line.startsWith(`*${label}:* ${value}`) : line === `*${label}:* ${value}`)),
    ),
  );
  for (const [label, value] of typed(alert))
    wrong(
      described.includes(`*${label}:* ${escapeChat(value)}`),
      `${label} not shown as typed, escaped for Amazon Q: ${JSON.stringify(value)}`,
    );
  if (showsReviews(alert))
    wrong(
      described.includes(`*Awaiting review (${alert.reviewItemCount ?? alert.reviewItems.length}):*`),
      'no list of what awaits review',
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
  wrong(metadata.summary === escapeChat(subjectOf(alert)), `the summary is not the subject: ${metadata.summary}`);
  return problems;
};

/** The digest's summary sentence, as every channel states it before its own escaping. */
const digestSummaryProblems = (digest: Digest, summary: string): string[] => {
  const escalated = digest.escalated > 0 ? `; ${plural(digest.escalated, 'was', 'were')} escalated` : '';
  const ok =
    digest.oldestSince === undefined
      ? summary === 'Nothing waits for a human review.'
      : summary.startsWith(
          `${plural(digest.waiting, 'attempt')} with ${countOf(digest.pendingReviews)} wait for a human review; the oldest since ${minute(Date.parse(digest.oldestSince))} (`,
        ) && summary.endsWith(`)${escalated}. Grade them in the Indeed Assessments web app, oldest first.`);
  return ok ? [] : [`summary ${JSON.stringify(summary)}`];
};

/** The digest's Slack post: its title, summary, assessments, oldest and triggers, as the digest has them. */
export const slackDigestProblems = (digest: Digest, body: unknown): string[] => {
  const { problems, wrong } = problemList();
  const { text, blocks = [] } = body as { text?: string; blocks?: Array<Block & { elements?: Element[] }> };
  const title = `Reviews waiting: ${plural(digest.waiting, 'attempt')}`;
  wrong(text === title, `fallback text ${JSON.stringify(text)}`);
  const [header, section] = blocks;
  wrong(header?.type === 'header' && header.text?.text === title, 'no title');
  const summary = section?.text?.text ?? '';
  wrong(summary.startsWith(':hourglass: '), 'no emoji before the summary');
  problems.push(...digestSummaryProblems(digest, summary.replace(/^:hourglass: /, '')));
  const fields = blocks.find((block) => block.fields)?.fields ?? [];
  for (const a of digest.perAssessment.slice(0, 10)) {
    const name = plainText(a.assessmentName ?? a.assessmentId);
    if (name)
      wrong(
        fields.some((f) => f.text === `*${name}*\n${a.waiting} waiting`),
        `${name}'s count not listed`,
      );
  }
  const sections = blocks.map((block) => block.text?.text ?? '');
  if (digest.oldest.length > 0) {
    const list = sections.find((t) => t.startsWith(`*The ${digest.oldest.length} oldest*`)) ?? '';
    const items = list.split('\n').filter((line) => line.startsWith('• '));
    const more = /^…and (\d+) more$/m.exec(list)?.[1];
    wrong(
      list !== '' && items.length + Number(more ?? 0) === digest.oldest.length,
      `the oldest listed ${items.length} (+${more ?? 0}) of ${digest.oldest.length}`,
    );
    items.forEach((line, i) => {
      const item = digest.oldest[i];
      wrong(
        item !== undefined && (item.url === undefined) === !line.startsWith(`• <${item.url ?? ''}|`),
        `the oldest's line ${i + 1} misses its link`,
      );
    });
  }
  if (digest.triggers)
    wrong(
      digest.triggers.every((t) =>
        sections.some((s) =>
          s.split('\n').some((line) => line.startsWith(`• ${escapeSlack(t.name)}: ${TRIGGER_STATUS[t.status]}`)),
        ),
      ),
      'a trigger not described',
    );
  const context = contextOf(body);
  wrong(context === `${digest.eventType} · ${digest.period} · ${digest.occurredAt}`, `context ${context}`);
  return problems;
};

/** The digest as Amazon Q received it: a custom notification with its counts, its oldest and what to do. */
export const chatDigestProblems = (digest: Digest, message: ChatNotification): string[] => {
  const { problems, wrong } = problemList();
  const { content = {}, metadata = {} } = message;
  const title = `Reviews waiting: ${plural(digest.waiting, 'attempt')}`;
  wrong(
    message.version === '1.0' && message.source === 'custom' && content.textType === 'client-markdown',
    'not a custom notification Amazon Q renders',
  );
  wrong(content.title === title && metadata.summary === title, `title ${JSON.stringify(content.title)}`);
  const lines = (content.description ?? '').split('\n');
  problems.push(...digestSummaryProblems(digest, (lines[0] ?? '').replaceAll('\\', '')));
  for (const a of digest.perAssessment) {
    const name = plainText(a.assessmentName ?? a.assessmentId);
    if (name) wrong(lines.includes(`*${name}:* ${a.waiting}`), `${name}'s count not listed`);
  }
  const shown = Math.min(digest.oldest.length, 10);
  if (shown > 0) {
    const at = lines.indexOf(`*The ${shown} oldest:*`);
    wrong(
      at >= 0 && lines.slice(at + 1, at + 1 + shown).every((line) => line.startsWith('• ')),
      'the oldest not listed',
    );
  }
  wrong(
    content.nextSteps?.[0] === 'Grade the oldest first in the Indeed Assessments web app.' || digest.waiting === 0,
    'no "what to do"',
  );
  wrong(
    content.keywords?.[0] === digest.eventType && metadata.eventType === digest.eventType,
    'the event type not named',
  );
  wrong(metadata.threadId === `digest-${digest.period}`, 'not in its own thread');
  wrong(
    metadata.additionalContext?.waiting === String(digest.waiting) &&
      metadata.additionalContext.pendingReviews === String(digest.pendingReviews),
    'the counts not in its context',
  );
  return problems;
};

/**
 * A message right if it says what one of the notifications it may stand for says (a key SNS took
 * twice is two of them): no problems if one fits, else the first one's, else `none`.
 */
export const fewestProblems = (candidates: string[][], none: string): string[] =>
  candidates.find((problems) => problems.length === 0) ?? candidates[0] ?? [none];
