/**
 * Slack Block Kit for an alert: header, what to do, facts as fields, the steps awaiting review,
 * a button to act, ids in a context line. Every text is cut to Slack's limits without splitting
 * a character, and user-supplied text is escaped so a name cannot inject links or mentions.
 */
import { type Alert, isClaimable } from '../alert.js';
import type { ClaimLinkSubject } from '../claims/claim-link.js';
import { CLAIM_ACTION, CLAIM_STATUS_BLOCK, RELEASE_ACTION } from '../claims/slack-interaction.js';
import type { Digest } from '../digest.js';
import { digestSubject, emailSubject } from './email.js';
import { truncate } from './text.js';
import {
  describeDigestItem,
  describeReviewItem,
  describeTrigger,
  digestAssessments,
  digestSummary,
  digestTitle,
  facts,
  reviewItemTotal,
  searchIds,
  showsReviewItems,
  title,
  whatToDo,
} from './wording.js';

export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  buttonUrl: 3000,
  fallbackText: 3000,
} as const;

const LISTED_ITEMS = 15;

const EMOJI: Record<Alert['eventType'], string> = {
  'review.needed': ':memo:',
  'review.overdue': ':alarm_clock:',
  'review.escalated': ':rotating_light:',
  'review.completed': ':white_check_mark:',
  'scoring.stalled': ':warning:',
  'attempt.scored': ':bar_chart:',
};

/** Slack's three control characters; everything else shows as typed. */
export const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const mrkdwn = (text: string, limit: number) => ({
  type: 'mrkdwn' as const,
  text: truncate(escapeMrkdwn(text), limit),
});

/** As many items as fit in one section, each cut to a line, then how many were left out. */
const reviewList = (alert: Alert): string =>
  fitLines(
    `*Awaiting review (${reviewItemTotal(alert)})*`,
    alert.reviewItems
      .slice(0, LISTED_ITEMS)
      .map((item) => truncate(`• ${escapeMrkdwn(describeReviewItem(item))}`, 200)),
    reviewItemTotal(alert),
  );

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/** The button a Slack app's interactivity sends back to `POST /claims/slack` (claims/slack-interaction.ts). */
export const claimButton = (subject: ClaimLinkSubject, action: 'claim' | 'release') => ({
  type: 'button',
  action_id: action === 'claim' ? CLAIM_ACTION : RELEASE_ACTION,
  text: { type: 'plain_text', text: action === 'claim' ? "I'm on it" : 'Let it go' },
  value: JSON.stringify({ attemptId: subject.attemptId, ...(subject.account ? { account: subject.account } : {}) }),
});

/**
 * The alert's message again, updated in place through the interaction's `response_url`: its
 * blocks, a line saying who holds it, and the button that undoes it.
 */
export const claimUpdate = (
  blocks: Array<Record<string, unknown>>,
  subject: ClaimLinkSubject,
  status: string,
  next: 'claim' | 'release',
) => {
  const kept = blocks.map((block) => ({ ...block }));
  const line = { type: 'context', block_id: CLAIM_STATUS_BLOCK, elements: [mrkdwn(status, SLACK_LIMITS.contextText)] };
  const actions = kept.findLast((block) => block.type === 'actions');
  if (actions) actions.elements = [...(actions.elements as unknown[]).slice(0, 4), claimButton(subject, next)];
  else kept.push({ type: 'actions', elements: [claimButton(subject, next)] });
  return {
    replace_original: true,
    text: truncate(escapeMrkdwn(status), SLACK_LIMITS.fallbackText),
    blocks: [...kept, line],
  };
};

/** A reply only the person who clicked sees: the message stays as it is. */
export const claimReply = (text: string) => ({
  response_type: 'ephemeral',
  replace_original: false,
  text: truncate(escapeMrkdwn(text), SLACK_LIMITS.fallbackText),
});

export const slackMessage = (alert: Alert, options: { claimButton?: boolean } = {}): SlackMessage => {
  const blocks: Array<Record<string, unknown>> = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${title(alert)}: ${alert.candidateName ?? alert.attemptId}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    { type: 'section', text: mrkdwn(`${EMOJI[alert.eventType]} ${whatToDo(alert)}`, SLACK_LIMITS.sectionText) },
  ];
  // At most ten facts, the pending count always among them: within Slack's 1 to 10 fields.
  const fields = facts(alert).map(([label, value]) => ({
    type: 'mrkdwn',
    text: truncate(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.fieldText),
  }));
  blocks.push({ type: 'section', fields });
  if (showsReviewItems(alert)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: reviewList(alert) } });
  const buttons: Array<Record<string, unknown>> = [];
  if (alert.url && Array.from(alert.url).length <= SLACK_LIMITS.buttonUrl) {
    buttons.push({
      type: 'button',
      text: {
        type: 'plain_text',
        text:
          alert.eventType === 'review.needed' || alert.eventType === 'review.overdue'
            ? 'Review in Indeed Assessments'
            : 'Open in Indeed Assessments',
      },
      url: alert.url,
      ...(alert.eventType === 'review.needed' || alert.eventType === 'review.overdue' ? { style: 'primary' } : {}),
    });
  }
  if (options.claimButton && isClaimable(alert)) buttons.push(claimButton(alert, 'claim'));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`${searchIds(alert)} · ${alert.eventType} · ${alert.occurredAt}`, SLACK_LIMITS.contextText)],
  });
  // The fallback `text` is mrkdwn too (notifications, old clients): escaped like every block.
  return {
    text: truncate(escapeMrkdwn(emailSubject(alert)), SLACK_LIMITS.fallbackText),
    blocks,
  };
};

/** A URL inside Slack's `<url|text>`: the characters that would end it early are percent-encoded. */
const linkUrl = (url: string) => url.replaceAll('|', '%7C').replaceAll('>', '%3E').replaceAll('<', '%3C');

/** As many lines as fit in one section, then how many were left out. */
const fitLines = (heading: string, lines: string[], total: number): string => {
  const kept = [heading];
  let length = Array.from(heading).length;
  const reserve = 40; // room for the "…and N more" line
  for (const line of lines) {
    const size = Array.from(line).length + 1;
    if (length + size > SLACK_LIMITS.sectionText - reserve) break;
    kept.push(line);
    length += size;
  }
  const more = total - (kept.length - 1);
  return [...kept, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
};

export const slackDigestMessage = (digest: Digest): SlackMessage => {
  const blocks: Array<Record<string, unknown>> = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(digestTitle(digest), SLACK_LIMITS.headerText), emoji: true },
    },
    { type: 'section', text: mrkdwn(`:hourglass: ${digestSummary(digest)}`, SLACK_LIMITS.sectionText) },
  ];
  const fields = digestAssessments(digest)
    .slice(0, SLACK_LIMITS.fields)
    .map(([name, count]) => ({
      type: 'mrkdwn',
      text: truncate(`*${escapeMrkdwn(name)}*\n${count} waiting`, SLACK_LIMITS.fieldText),
    }));
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  if (digest.oldest.length > 0) {
    const lines = digest.oldest.map((item) => {
      const text = truncate(escapeMrkdwn(describeDigestItem(item, digest.occurredAt)), 200);
      return `• ${item.url ? `<${linkUrl(item.url)}|${text}>` : text}`;
    });
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: fitLines(`*The ${digest.oldest.length} oldest*`, lines, digest.oldest.length) },
    });
  }
  if (digest.triggers) {
    const lines = digest.triggers.map((t) => truncate(`• ${escapeMrkdwn(describeTrigger(t))}`, 300));
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: fitLines('*Triggers*', lines, lines.length) },
    });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`${digest.eventType} · ${digest.period} · ${digest.occurredAt}`, SLACK_LIMITS.contextText)],
  });
  return {
    text: truncate(escapeMrkdwn(digestSubject(digest)), SLACK_LIMITS.fallbackText),
    blocks,
  };
};

/** What a person sees in the channel, as plain text: for the local run and the README. */
export const slackPreview = (message: { text: string; blocks?: SlackMessage['blocks'] }): string =>
  (message.blocks ?? [{ text: { text: message.text } }])
    .flatMap((block) => {
      const text = (block.text as { text?: string } | undefined)?.text;
      const fields =
        (block.fields as Array<{ text: string }> | undefined)?.map((f) => f.text.replace('\n', ': ')) ?? [];
      // Context texts, and buttons (a label, and its link if it has one).
      const elements = (block.elements as Array<{ text: string | { text: string }; url?: string }> | undefined) ?? [];
      const elementTexts = elements.map((e) =>
        typeof e.text === 'string' ? e.text : e.url ? `[${e.text.text}](${e.url})` : `[${e.text.text}]`,
      );
      return [...(text ? [text] : []), ...fields, ...elementTexts];
    })
    .join('\n')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
