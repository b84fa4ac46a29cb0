import type { IncidentDetail } from '../../src/domain/incident';
import { UpstreamError } from '../../src/errors';
import { createResilientClient } from '../../src/integrations/resilient-http';
import { SlackWebApi } from '../../src/integrations/slack/slack-web-api';
import { ChatImportService } from '../../src/services/chat-import';
import { MemoryChatStore } from '../../src/store/chat-store';
import { makeIncident } from '../support/domain-builders';
import { SLACK_TOKEN, slackFixture, startSlackApiServer, type SlackApiServer, type SlackMessage } from '../support/slack-api-server';

/* The import service's limits and failures, on a loopback Slack and the in-memory chat store. */

const CHANNEL = 'C0INCIDENT1';
const PARENT_TS = '1482960137.003543';
let slack: SlackApiServer;

beforeEach(async () => {
  slack = await startSlackApiServer({ maxPage: 2 });
  slack.addChannel(CHANNEL, slackFixture<{ messages: SlackMessage[] }>('conversations.replies').messages);
});
afterEach(async () => { await slack.close(); });

function service(maxMessages: number, timeoutMs = 2000): ChatImportService {
  const incident = makeIncident({ id: 'inc-1', startedAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:30:00.000Z' });
  const client = createResilientClient({ target: 'slack', retries: 1, timeoutMs, backoff: { initialMs: 1, maxMs: 5 } });
  return new ChatImportService({
    slack: new SlackWebApi({ token: SLACK_TOKEN, apiUrl: slack.apiUrl, client }), chat: new MemoryChatStore(),
    incidents: { getIncident: async (id: string) => (id === 'inc-1' ? { incident, alerts: [], events: [] } as unknown as IncidentDetail : null) },
    clock: () => new Date('2026-03-01T12:00:00.000Z'), preselectEmoji: ['white_check_mark'], marginMinutes: 30, maxMessages,
  });
}

describe('chat import limits and failures', () => {
  it('when a channel holds Slack\'s published history, then its messages in the incident\'s span become candidates named by users.info', async () => {
    const published = slackFixture<{ messages: SlackMessage[]; has_more: boolean; response_metadata: { next_cursor: string } }>('conversations.history');
    expect(published.has_more).toBe(true);
    slack.addChannel('C0HISTORY1', published.messages);
    slack.addUser('U123ABC456', 'Ray Stantz');
    slack.addUser('U222BBB222', 'Peter Venkman');
    const incident = makeIncident({ id: 'inc-1', startedAt: '2017-11-30T23:00:00.000Z', endedAt: '2017-12-01T05:00:00.000Z' });
    const imports = new ChatImportService({
      slack: new SlackWebApi({ token: SLACK_TOKEN, apiUrl: slack.apiUrl, client: createResilientClient({ target: 'slack', retries: 0 }) }), chat: new MemoryChatStore(),
      incidents: { getIncident: async () => ({ incident, alerts: [], events: [] } as unknown as IncidentDetail) },
      clock: () => new Date('2026-03-01T12:00:00.000Z'), preselectEmoji: [], marginMinutes: 30, maxMessages: 100,
    });
    const result = await imports.importChat('inc-1', { channel: 'C0HISTORY1' }, 'alice');
    expect(result.candidates.map((c) => [c.author, c.text])).toEqual([
      ['Ray Stantz', 'I find you punny and would like to smell your nose letter'], ['Peter Venkman', 'What, you want to smell my shoes better?'],
    ]);
    // Pages of two (the published answer's has_more and next_cursor shape): one page, then an empty cursor.
    const calls = slack.callsTo('conversations.history');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toMatchObject({ channel: 'C0HISTORY1', inclusive: 'true' });
  });

  it('when a thread holds more than the import limit, then the import stops there, says so, and asks for no further page', async () => {
    const result = await service(3).importChat('inc-1', { channel: CHANNEL, threadTs: PARENT_TS }, 'alice');
    expect(result).toMatchObject({ read: 3, added: 3, truncated: true });
    expect(slack.callsTo('conversations.replies')).toHaveLength(2);
  });

  it('when Slack never answers, then after the policy\'s retries the import fails as an upstream error (502) and stores nothing', async () => {
    slack.script('conversations.replies', ['hang', 'hang']);
    const imports = service(100, 150);
    const failure = await imports.importChat('inc-1', { channel: CHANNEL, threadTs: PARENT_TS }, 'alice').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as Error).message).toMatch(/Slack did not answer/);
    expect(slack.callsTo('conversations.replies')).toHaveLength(2);
    expect(await imports.candidates('inc-1')).toEqual([]);
  });
});
