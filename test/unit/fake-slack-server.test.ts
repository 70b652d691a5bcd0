/** The fake Slack server answers like Slack for every class the notifier must handle. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeSlackServer, type SlackAnswer } from '../../local/fake-slack-server.js';

const slack = new FakeSlackServer();
beforeAll(() => slack.start());
afterAll(() => slack.stop());

const post = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });

describe('fake Slack incoming webhook', () => {
  it('records posts and answers 200 ok', async () => {
    const response = await post(slack.webhookUrl('ops'));
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
    expect(slack.posts.at(-1)).toMatchObject({ path: '/services/T000/B000/ops', body: { text: 'hi' } });
  });

  it.each<[SlackAnswer, string]>([
    [{ status: 429, retryAfter: 7 }, 'rate_limited'],
    [{ status: 400, error: 'invalid_blocks' }, 'invalid_blocks'],
    [{ status: 404, error: 'no_service' }, 'no_service'],
    [{ status: 410, error: 'channel_is_archived' }, 'channel_is_archived'],
    [{ status: 500, error: 'internal_error' }, 'internal_error'],
  ])('answers a scripted %p once, then ok again', async (answer, text) => {
    slack.script('/services/T000/B000/ops', answer);
    const response = await post(slack.webhookUrl('ops'));
    expect([response.status, await response.text()]).toEqual([answer.status, text]);
    if (answer.status === 429) expect(response.headers.get('retry-after')).toBe('7');
    expect((await post(slack.webhookUrl('ops'))).status).toBe(200);
  });
});
