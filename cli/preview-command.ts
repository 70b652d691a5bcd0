/**
 * `ia-review-alerts preview <file> [--format email|slack|slack-json|chat|teams] [--event <type>]`:
 * renders what subscribers would receive for an attempt or assignment JSON file (for example
 * the API's own fixtures), with the same code the pipeline uses. No network.
 */
import { readFileSync } from 'node:fs';
import { ALERT_TYPES, type AlertType, buildAlert } from '#lib/domain/alert.js';
import { normaliseAttempt } from '#lib/domain/attempt.js';
import { parseAssignment, parseAttempt } from '#lib/domain/attempt-schema.js';
import { decide } from '#lib/domain/decision.js';
import { chatNotification, chatPreview } from '#lib/domain/render/chat.js';
import { emailBody, emailSubject } from '#lib/domain/render/email.js';
import { slackMessage, slackPreview } from '#lib/domain/render/slack.js';
import { loadRenderSettings } from '#lib/runtime/config.js';
import { type Io, UsageError } from './io.js';

const FORMATS = ['email', 'slack', 'slack-json', 'chat', 'teams'] as const;

export const previewCommand = async (
  positionals: string[],
  flags: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<void> => {
  if (positionals.length !== 1) throw new UsageError('preview needs exactly one file');
  const format = (flags.format ?? 'email') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const event = flags.event as AlertType | undefined;
  if (event !== undefined && !ALERT_TYPES.includes(event))
    throw new UsageError(`--event must be one of ${ALERT_TYPES.join(', ')}`);
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(positionals[0] as string, 'utf8'));
  } catch {
    throw new UsageError(`cannot read JSON from ${positionals[0]}`);
  }
  const isAssignment = body !== null && typeof body === 'object' && 'assignment' in body;
  const attempt = isAssignment
    ? (() => {
        const assignment = parseAssignment(body);
        if (assignment.attempts.length === 0) throw new UsageError('the assignment has no attempts');
        return normaliseAttempt(parseAttempt(assignment.attempts[0]), assignment);
      })()
    : normaliseAttempt(parseAttempt(body));
  const decision = decide(attempt);
  const eventType = event ?? (decision === 'scoring.pending' ? 'scoring.stalled' : decision);
  const alert = buildAlert(eventType, attempt, { now: new Date(), settings: loadRenderSettings(io.env) });
  switch (format) {
    case 'email':
      return io.out(`Subject: ${emailSubject(alert)}\n\n${emailBody(alert)}`);
    case 'slack':
      return io.out(`${slackPreview(slackMessage(alert))}\n`);
    case 'slack-json':
      return io.out(`${JSON.stringify(slackMessage(alert), null, 2)}\n`);
    case 'chat':
      return io.out(`${JSON.stringify(chatNotification(alert), null, 2)}\n`);
    case 'teams':
      // Amazon Q posts the same custom notification to Teams as to Slack: here as text.
      return io.out(`${chatPreview(chatNotification(alert))}\n`);
  }
};
