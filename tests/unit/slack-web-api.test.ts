import { OutboundError, createResilientClient } from '../../src/integrations/resilient-http';
import { SlackApiError, SlackWebApi } from '../../src/integrations/slack/slack-web-api';
import { SLACK_TOKEN, startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';

/*
 * Slack's Web API client under Debrief's resilient policy: the policy owns retries, timeouts
 * and Retry-After; the maintained WebClient makes exactly one request per attempt.
 */

let slack: SlackApiServer;
beforeEach(async () => {
  slack = await startSlackApiServer();
  slack.addChannel('C1');
});
afterEach(async () => { await slack.close(); });

function api(options: { retries: number; timeoutMs?: number; sleeps?: number[] }): SlackWebApi {
  const client = createResilientClient({
    target: 'slack', retries: options.retries, timeoutMs: options.timeoutMs ?? 3000, backoff: { initialMs: 10, maxMs: 5000 }, random: () => 0,
    sleep: async (ms) => { options.sleeps?.push(ms); },
  });
  return new SlackWebApi({ token: SLACK_TOKEN, apiUrl: slack.apiUrl, client });
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Slack Web API under the resilient policy', () => {
  it('when Slack answers 5xx and the policy allows no retry, then exactly one request is made (the client does not retry on its own)', async () => {
    slack.script('conversations.history', ['server_error', 'server_error']);
    await expect(api({ retries: 0 }).call('conversations.history', { channel: 'C1' })).rejects.toMatchObject({ kind: 'http', status: 503 });
    await settle(1500); // the client's default policy would have retried after about a second
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
  });

  it('when Slack answers 429, then the attempt ends at once and the policy waits the Retry-After before the next', async () => {
    const sleeps: number[] = [];
    slack.script('conversations.history', ['rate_limited']);
    const page = await api({ retries: 2, sleeps }).call<{ ok: boolean; messages: unknown[] }>('conversations.history', { channel: 'C1' });
    expect(page.ok).toBe(true);
    expect(sleeps).toEqual([1000]);
    expect(slack.callsTo('conversations.history')).toHaveLength(2);
  });

  it('when Slack does not answer in time, then the policy\'s timeout cuts the request', async () => {
    slack.script('users.info', ['hang']);
    const started = Date.now();
    const failure = await api({ retries: 0, timeoutMs: 200 }).call('users.info', { user: 'U1' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OutboundError);
    expect((failure as OutboundError).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('when Slack answers ok: false, then its error code is thrown without a retry, and no error carries the token', async () => {
    const failure = await api({ retries: 3 }).call('chat.postMessage', { channel: 'C404', text: 'hi' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SlackApiError);
    expect((failure as SlackApiError).code).toBe('channel_not_found');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    slack.script('auth.test', ['server_error']);
    const outage = await api({ retries: 0 }).call('auth.test', {}).catch((err: unknown) => err);
    for (const err of [failure, outage]) {
      expect(`${String(err)} ${JSON.stringify(err)} ${(err as Error).stack ?? ''}`).not.toContain(SLACK_TOKEN);
    }
  });

  it('when a method is called, then it is a POST with the bearer token and form-encoded arguments, objects as JSON', async () => {
    await api({ retries: 0 }).call('chat.postMessage', { channel: 'C1', text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }] });
    const [call] = slack.callsTo('chat.postMessage');
    expect(call).toMatchObject({ httpMethod: 'POST', authorization: `Bearer ${SLACK_TOKEN}` });
    expect(call!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(JSON.parse(String(call!.params.blocks))).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }]);
    expect(slack.messages('C1')).toHaveLength(1);
  });
});
