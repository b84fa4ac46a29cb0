import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { permalinkFor, SLACK_TOKEN, slackFixture, startSlackApiServer, type SlackApiServer, type SlackMessage } from '../support/slack-api-server';
import { startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/*
 * Chat on the timeline (README, Chat on the timeline): a Slack channel or thread is imported
 * with the bot token (paged, rate-limit aware) as candidate timeline entries; the ones kept show
 * in the report and report.md with author, time and permalink. Slack is a loopback server
 * speaking its Web API with the published example bodies (tests/fixtures/slack).
 */

const T0 = '2026-03-01T10:00:00.000Z';
const CHANNEL = 'C0INCIDENT1';
const tsAt = (iso: string, micros = 100): string => `${Math.floor(Date.parse(iso) / 1000)}.${String(micros).padStart(6, '0')}`;

let slack: SlackApiServer;
let app: TestApp | null = null;

afterEach(async () => {
  await app?.stop();
  app = null;
  await slack.close();
});

async function start(env: Record<string, string> = {}, maxPage?: number): Promise<TestApp> {
  slack = await startSlackApiServer({ maxPage });
  return startTestApp({ env: { DEBRIEF_SLACK_BOT_TOKEN: SLACK_TOKEN, DEBRIEF_SLACK_API_URL: slack.apiUrl, ...env }, overrides: { slack: { timeoutMs: 400 } } });
}

async function incident(current: TestApp): Promise<string> {
  const body = alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: T0, endsAt: minutesAfter(T0, 30) }]);
  expect((await current.postAlertmanager(body)).status).toBe(202);
  await current.settle();
  return (await listAllIncidents(current))[0]!.id;
}

/** Slack's published conversations.replies thread, one reply by someone Slack describes inline, one ticked. */
function publishedThread(): SlackMessage[] {
  const [parent, one, two, three] = slackFixture<{ messages: SlackMessage[] }>('conversations.replies').messages;
  return [
    parent!,
    { ...one!, user: 'W012A3CDE', user_profile: { real_name: 'Egon Spengler', display_name: 'spengler' } },
    { ...two!, reactions: [{ name: 'white_check_mark', users: ['U061F7AUR'], count: 1 }] },
    three!,
  ];
}

const PARENT_TS = '1482960137.003543';

describe('chat on the timeline', () => {
  it('when a thread is imported and two messages kept, then report.md\'s timeline shows both with author and permalink', async () => {
    app = await start({}, 2);
    slack.addChannel(CHANNEL, publishedThread());
    slack.addUser('U061F7AUR', 'Winston Zeddemore');
    const id = await incident(app);

    const imported = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL, threadTs: PARENT_TS });
    expect(imported.status).toBe(200);
    expect(imported.data).toMatchObject({ channel: CHANNEL, threadTs: PARENT_TS, read: 4, added: 4, truncated: false });
    const candidates = imported.data.candidates as Array<{ id: string; text: string; author: string; kept: boolean; preselected: boolean; permalink: string }>;
    expect(candidates.map((c) => [c.text, c.author, c.kept])).toEqual([
      ['island', 'Winston Zeddemore', false], ['one island', 'Egon Spengler', false], ['two island', 'Winston Zeddemore', true], ['three for the land', 'Winston Zeddemore', false],
    ]);
    expect(candidates[1]!.permalink).toBe(permalinkFor(CHANNEL, '1483037603.017503', PARENT_TS));

    // Slack was asked as documented: POST, bearer token, form fields; two pages by next_cursor.
    const replies = slack.callsTo('conversations.replies');
    expect(replies).toHaveLength(2);
    for (const call of [...replies, ...slack.callsTo('auth.test'), ...slack.callsTo('users.info')]) {
      expect(call.httpMethod).toBe('POST');
      expect(call.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
      expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    }
    expect(replies[0]!.params).toMatchObject({ channel: CHANNEL, ts: PARENT_TS, limit: '200' });
    expect(replies[0]!.params).not.toHaveProperty('cursor');
    expect(replies[1]!.params.cursor).toEqual(expect.any(String));
    expect(slack.callsTo('users.info').map((c) => c.params.user)).toEqual(['U061F7AUR']); // once per user; Egon came with his profile

    const keep = await app.api.patch(`/api/v1/incidents/${id}/chat-candidates/${candidates[3]!.id}`, { kept: true });
    expect(keep.status).toBe(200);
    expect(keep.data).toMatchObject({ kept: true, decidedBy: 'admin' });
    const listed = await app.api.get(`/api/v1/incidents/${id}/chat-candidates`);
    expect((listed.data.items as Array<{ kept: boolean }>).filter((c) => c.kept)).toHaveLength(2);

    const markdown = await app.api.get(`/api/v1/incidents/${id}/report.md`);
    expect(markdown.status).toBe(200);
    const lines = String(markdown.data).split('\n').filter((line) => line.endsWith('| slack |'));
    expect(lines).toEqual([
      `| 2017-01-01T14:00:00.000Z | two island (Winston Zeddemore) [message](${permalinkFor(CHANNEL, '1483051909.018632', PARENT_TS)}) | slack |`.replace('2017-01-01T14:00:00.000Z', new Date(1483051909018).toISOString()),
      `| ${new Date(1483125339020).toISOString()} | three for the land (Winston Zeddemore) [message](${permalinkFor(CHANNEL, '1483125339.020269', PARENT_TS)}) | slack |`,
    ]);

    // Dropped again, it leaves the timeline; importing again adds nothing and keeps the choice.
    await app.api.patch(`/api/v1/incidents/${id}/chat-candidates/${candidates[2]!.id}`, { kept: false });
    const again = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL, threadTs: PARENT_TS });
    expect(again.data).toMatchObject({ read: 4, added: 0 });
    expect((again.data.candidates as Array<{ kept: boolean }>).map((c) => c.kept)).toEqual([false, false, false, true]);
    const report = await app.api.get(`/api/v1/incidents/${id}/report`);
    expect((report.data.timeline as Array<{ source: string; text: string }>).filter((e) => e.source === 'slack').map((e) => e.text)).toEqual(['three for the land']);
  });

  it('when a channel is imported, then only messages in the incident\'s span with the margin are read, pinned and ticked ones pre-selected', async () => {
    app = await start({}, 2);
    slack.addUser('U1', 'Alice Ops');
    slack.addChannel(CHANNEL, [
      { type: 'message', user: 'U1', text: 'long before', ts: tsAt(minutesAfter(T0, -45)) },
      { type: 'message', user: 'U1', text: 'checkout 500s?', ts: tsAt(minutesAfter(T0, -10)) },
      { type: 'message', subtype: 'channel_join', user: 'U1', text: '<@U1> has joined the channel', ts: tsAt(minutesAfter(T0, 1)) },
      { type: 'message', user: 'U1', text: 'rolled back the pool size', ts: tsAt(minutesAfter(T0, 20)), pinned_to: [CHANNEL] },
      { type: 'message', user: 'U1', text: 'all green', ts: tsAt(minutesAfter(T0, 40)), reactions: [{ name: 'pushpin', users: ['U1'], count: 1 }] },
      { type: 'message', user: 'U1', text: 'long after', ts: tsAt(minutesAfter(T0, 75)) },
    ]);
    const id = await incident(app);
    const imported = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL });
    expect(imported.status).toBe(200);
    expect((imported.data.candidates as Array<{ text: string; kept: boolean }>).map((c) => [c.text, c.kept])).toEqual([
      ['checkout 500s?', false], ['rolled back the pool size', true], ['all green', true],
    ]);
    const history = slack.callsTo('conversations.history');
    expect(history).toHaveLength(2);
    expect(history[0]!.params).toMatchObject({ channel: CHANNEL, oldest: (Date.parse(minutesAfter(T0, -30)) / 1000).toFixed(6), latest: (Date.parse(minutesAfter(T0, 60)) / 1000).toFixed(6), limit: '200' });
    expect(slack.callsTo('users.info')).toHaveLength(1);
  });

  it('when a thread is named by a message permalink, then that thread is imported', async () => {
    app = await start();
    slack.addChannel(CHANNEL, publishedThread());
    const id = await incident(app);
    const link = permalinkFor(CHANNEL, '1483037603.017503', PARENT_TS).replace('https://acme-sre.slack.com/', 'https://other.slack.com/');
    const imported = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { permalink: link });
    expect(imported.status).toBe(200);
    expect(imported.data).toMatchObject({ channel: CHANNEL, threadTs: PARENT_TS, read: 4 });
  });

  it('when Slack answers 429 with Retry-After, a 503, or not in time, then the import waits and retries and succeeds', async () => {
    app = await start();
    slack.addChannel(CHANNEL, publishedThread());
    const id = await incident(app);
    slack.script('conversations.replies', ['rate_limited', 'server_error', 'hang']);
    const imported = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL, threadTs: PARENT_TS });
    expect(imported.status).toBe(200);
    expect(imported.data.read).toBe(4);
    const calls = slack.callsTo('conversations.replies');
    expect(calls).toHaveLength(4);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
  });

  it('when Slack cannot read the channel, then the API says so as 422 naming the field, and a refused token as 502', async () => {
    app = await start();
    slack.addChannel('C0PRIVATE1', [], { member: false });
    const id = await incident(app);
    const missing = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: 'C0MISSING1' });
    expect(missing.status).toBe(422);
    expect(missing.data.error.details).toEqual([{ path: 'channel', message: 'channel_not_found' }]);
    const outside = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: 'C0PRIVATE1' });
    expect(outside.status).toBe(422);
    expect(outside.data.error.message).toContain('invite');
    slack.script('auth.test', [{ error: 'invalid_auth' }]);
    const refused = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL });
    expect(refused.status).toBe(502);
    expect(refused.data.error.message).toContain('invalid_auth');
    expect(refused.data.error.message).toContain('slack.botToken');
    expect(JSON.stringify(refused.data)).not.toContain(SLACK_TOKEN);
  });

  it('when the request is malformed, then 400 names the field; a viewer may not import; an unknown message is 404', async () => {
    app = await start();
    const id = await incident(app);
    const bad = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: '#incidents' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.data.error.details)).toContain('channel');
    const none = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, {});
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.data.error.details)).toContain('channel');
    const badTs = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL, threadTs: 'yesterday' });
    expect(badTs.status).toBe(400);
    expect(JSON.stringify(badTs.data.error.details)).toContain('threadTs');
    const viewer = await app.anon.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL }, { headers: { Authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect(viewer.status).toBe(403);
    expect((await app.api.patch(`/api/v1/incidents/${id}/chat-candidates/slack:${CHANNEL}:1.000001`, { kept: true })).status).toBe(404);
    expect((await app.api.patch(`/api/v1/incidents/${id}/chat-candidates/slack:${CHANNEL}:1.000001`, { kept: 'yes' })).status).toBe(400);
    expect(slack.calls).toHaveLength(0);
  });

  it('when an incident with kept chat is merged into another, then the chat shows on the target, can be dropped there, and no more is imported onto the merged one', async () => {
    app = await start();
    slack.addChannel(CHANNEL, publishedThread());
    slack.addUser('U061F7AUR', 'Winston Zeddemore');
    const body = alertmanagerBody([
      { labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: T0, endsAt: minutesAfter(T0, 30) },
      { labels: { alertname: 'DiskFull', service: 'billing', severity: 'warning' }, startsAt: minutesAfter(T0, 300), endsAt: minutesAfter(T0, 310) },
    ]);
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    const [first, second] = await listAllIncidents(app);
    const imported = await app.api.post(`/api/v1/incidents/${second!.id}/chat-imports`, { channel: CHANNEL, threadTs: PARENT_TS });
    expect(imported.status).toBe(200);
    const ticked = (imported.data.candidates as Array<{ id: string; kept: boolean }>).find((c) => c.kept)!;

    expect((await app.api.post(`/api/v1/incidents/${first!.id}/merge`, { sourceIncidentIds: [second!.id] })).status).toBe(200);
    const markdown = String((await app.api.get(`/api/v1/incidents/${first!.id}/report.md`)).data);
    expect(markdown).toContain('two island (Winston Zeddemore)');
    expect(markdown).not.toContain('| three for the land');
    expect(((await app.api.get(`/api/v1/incidents/${first!.id}/chat-candidates`)).data.items as unknown[])).toHaveLength(4);
    expect((await app.api.patch(`/api/v1/incidents/${first!.id}/chat-candidates/${ticked.id}`, { kept: false })).status).toBe(200);
    expect(String((await app.api.get(`/api/v1/incidents/${first!.id}/report.md`)).data)).not.toContain('two island');

    const before = slack.calls.length;
    const refused = await app.api.post(`/api/v1/incidents/${second!.id}/chat-imports`, { channel: CHANNEL, threadTs: PARENT_TS });
    expect(refused.status).toBe(409);
    expect(refused.data.error.message).toContain(first!.id);
    expect(slack.calls).toHaveLength(before);
  });

  it('when Slack is not set up, then importing answers 409 and incidents read as before', async () => {
    slack = await startSlackApiServer();
    app = await startTestApp();
    const id = await incident(app);
    const refused = await app.api.post(`/api/v1/incidents/${id}/chat-imports`, { channel: CHANNEL });
    expect(refused.status).toBe(409);
    expect((await app.api.get(`/api/v1/incidents/${id}/chat-candidates`)).data).toEqual({ items: [], importEnabled: false });
  });
});
