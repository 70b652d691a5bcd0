import { describe, expect, it } from '@jest/globals';
import { isSlackWebhookUrl } from '#lib/adapters/slack-client.js';

describe('isSlackWebhookUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXX', undefined, true],
    ['http://hooks.slack.com/services/T000/B000/XXXX', undefined, false],
    ['https://hooks.slack.com.evil.example/services/x', undefined, false],
    ['https://evil.example/services/x', undefined, false],
    ['https://user:pw@hooks.slack.com/services/x', undefined, false],
    ['https://hooks.slack.com/', undefined, false],
    ['not a url', undefined, false],
    ['https://hooks.slack-gov.com/services/x', 'https://hooks.slack-gov.com', true],
    ['http://127.0.0.1:4000/hooks/reviews', 'http://127.0.0.1:4000', true],
    ['http://127.0.0.1:4001/hooks/reviews', 'http://127.0.0.1:4000', false],
  ])('%s (allowed origin %s) → %s', (url, origin, ok) => {
    expect(isSlackWebhookUrl(url, origin)).toBe(ok);
  });
});
