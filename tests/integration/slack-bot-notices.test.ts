import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryRecord } from '../../src/store/delivery-store';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { SLACK_TOKEN, startSlackApiServer, type SlackApiServer } from '../support/slack-api-server';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * People told through the Slack app's bot token (README, People told): `chat.postMessage` to
 * the owning team's channel from the catalog, else the configured fallback; once per notice and
 * channel, durably: a restart in between neither loses nor repeats the message.
 */

const T0 = '2026-03-01T10:00:00.000Z';
const PAYMENTS_CHANNEL = 'C0PAYMENTS1';
const FALLBACK_CHANNEL = 'C0INCIDENTS';

let slack: SlackApiServer;
let dir: string;
let app: TestApp | null = null;

beforeEach(async () => {
  slack = await startSlackApiServer();
  slack.addChannel(PAYMENTS_CHANNEL);
  slack.addChannel(FALLBACK_CHANNEL);
  dir = mkdtempSync(join(tmpdir(), 'debrief-slackbot-'));
  writeFileSync(join(dir, 'services.yaml'), [
    'services:',
    '  - { name: checkout, team: payments, customerFacing: true }',
    '  - { name: search, team: discovery }',
    'teams:',
    `  - { name: payments, slackChannel: ${PAYMENTS_CHANNEL} }`,
    '',
  ].join('\n'));
});

afterEach(async () => {
  await app?.stop({ keepFiles: true });
  app = null;
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOTIFY = {
  targets: [{ name: 'slack-app', type: 'slack-bot' }],
  teams: { payments: { targets: ['slack-app'], off: ['draft.waiting'] }, discovery: { targets: ['slack-app'], off: ['draft.waiting'] } },
};

function start(outbound: Record<string, unknown> = {}): Promise<TestApp> {
  return startTestApp({
    dir,
    env: {
      DEBRIEF_CATALOG_FILE: join(dir, 'services.yaml'), DEBRIEF_PUBLIC_URL: 'https://debrief.acme.example',
      DEBRIEF_SLACK_BOT_TOKEN: SLACK_TOKEN, DEBRIEF_SLACK_API_URL: slack.apiUrl, DEBRIEF_SLACK_FALLBACK_CHANNEL: FALLBACK_CHANNEL,
    },
    overrides: {
      notify: { checkIntervalSeconds: 3600, lookbackDays: 3650, ...NOTIFY },
      outbound: { baseDelayMs: 10, maxDelayMs: 1500, timeoutMs: 500, maxAttempts: 4, ...outbound },
    },
  });
}

/** A critical, resolved incident on `service`: the policy requires its post-mortem. */
async function incidentOn(current: TestApp, service: string): Promise<string> {
  const body = alertmanagerBody([{ labels: { alertname: `${service}Errors`, service, severity: 'critical' }, startsAt: T0, endsAt: minutesAfter(T0, 30) }]);
  expect((await current.postAlertmanager(body)).status).toBe(202);
  await current.settle();
  const incidents = await listAllIncidents(current);
  return incidents.find((incident) => (incident.services as string[]).includes(service))!.id;
}

const deliveries = async (current: TestApp, id: string): Promise<DeliveryRecord[]> =>
  (await current.api.get(`/api/v1/incidents/${id}/report/deliveries`)).data.items as DeliveryRecord[];

describe('people told through the Slack bot token', () => {
  it('when a post-mortem is required, then one chat.postMessage with the bot token reaches the owning team\'s channel, and a restart does not repeat it', async () => {
    app = await start();
    const id = await incidentOn(app, 'checkout');
    await app.debrief.peopleTold.check();
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();

    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.httpMethod).toBe('POST');
    expect(posts[0]!.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    expect(posts[0]!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(posts[0]!.params.channel).toBe(PAYMENTS_CHANNEL);
    expect(posts[0]!.params.text).toContain(`A post-mortem is required for ${id}`);
    expect(posts[0]!.params).not.toHaveProperty('token'); // the token travels in the header only
    const posted = slack.messages(PAYMENTS_CHANNEL);
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]!.blocks)).toContain(`<https://debrief.acme.example/ui/incidents/${id}/report|Open the post-mortem>`);
    expect(slack.messages(FALLBACK_CHANNEL)).toHaveLength(0);

    await app.stop({ keepFiles: true });
    app = await start();
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    expect(slack.messages(PAYMENTS_CHANNEL)).toHaveLength(1);
    expect((await deliveries(app, id)).map((d) => [d.event, d.target, d.status, d.attempts])).toEqual([['postmortem.required', 'slack-app', 'delivered', 1]]);
  });

  it('when Debrief stops while Slack is posting the message and the answer is lost, then after the restart the message is found by its delivery id and not posted again', async () => {
    app = await start();
    const id = await incidentOn(app, 'checkout');
    slack.script('chat.postMessage', ['lost_answer']);
    await app.debrief.peopleTold.check();
    while (slack.messages(PAYMENTS_CHANNEL).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await app.stop({ keepFiles: true }); // the attempt in flight is cut; the delivery stays pending
    app = null;

    app = await start();
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    expect(slack.messages(PAYMENTS_CHANNEL)).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const lookups = slack.callsTo('conversations.history');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.params).toMatchObject({ channel: PAYMENTS_CHANNEL, include_all_metadata: 'true' });
    expect((await deliveries(app, id)).map((d) => [d.event, d.status])).toEqual([['postmortem.required', 'delivered']]);
  });

  it('when Debrief stops before Slack got the message, then it is posted once after the restart', async () => {
    app = await start();
    await incidentOn(app, 'checkout');
    slack.script('chat.postMessage', ['hang']);
    await app.debrief.peopleTold.check();
    while (slack.callsTo('chat.postMessage').length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await app.stop({ keepFiles: true });
    app = null;
    expect(slack.messages(PAYMENTS_CHANNEL)).toHaveLength(0);

    app = await start();
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    expect(slack.messages(PAYMENTS_CHANNEL)).toHaveLength(1);
  });

  it('when Slack answers 429 with Retry-After, then the policy waits that long and posts once', async () => {
    app = await start({ maxDelayMs: 5000 });
    const id = await incidentOn(app, 'checkout');
    slack.script('chat.postMessage', ['rate_limited']);
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(slack.messages(PAYMENTS_CHANNEL)).toHaveLength(1);
    const [record] = await deliveries(app, id);
    expect(record).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
  });

  it('when the bot is not in the channel, then the delivery fails at once naming Slack\'s error', async () => {
    slack.addChannel(PAYMENTS_CHANNEL, [], { member: false });
    app = await start();
    const id = await incidentOn(app, 'checkout');
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect((await deliveries(app, id)).map((d) => [d.status, d.lastError])).toEqual([['failed', 'Slack not_in_channel']]);
  });

  it('when the owning team has no channel in the catalog, then the notice goes to the fallback channel', async () => {
    app = await start();
    await incidentOn(app, 'search');
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    expect(slack.messages(FALLBACK_CHANNEL)).toHaveLength(1);
    expect(slack.messages(PAYMENTS_CHANNEL)).toHaveLength(0);
  });
});
