import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PagingEvent } from '../../src/domain/paging-event';
import { allIncidentDetails, expectError, inboxEntries, listAllIncidents } from '../support/api-helpers';
import { ALDAVIVA_SECRET, PD_TEST_SECRET, pagerdutyFixture, postPagerDuty } from '../support/pagerduty-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * PagerDuty V3 webhooks over HTTP, through the durable inbox, into incident timelines. The
 * aldaviva bodies are sent with their published signatures (byte-exact files); the others are
 * signed here with a test subscription secret, as PagerDuty signs: HMAC over the raw bytes.
 */

const fixturesDir = join(__dirname, '..', '..', 'connectors', 'pagerduty', 'fixtures');
const expected = (name: string): { pagingEvents: PagingEvent[]; ignoredReason: string | null } =>
  JSON.parse(readFileSync(join(fixturesDir, `${name}.expected.json`), 'utf8'));
const incidentFixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.replace(/\.expected\.json$/, ''))
  .filter((name) => expected(name).pagingEvents.length > 0);

type TimelineEntry = { at: string; kind: string; source: string; text: string; actor: string | null };

async function allTimelineEntries(app: TestApp): Promise<TimelineEntry[]> {
  return (await allIncidentDetails(app)).flatMap((i) => i.timeline as TimelineEntry[]);
}

const PING = {
  event: {
    id: '01DEN2XLHNMQJ5SJYWC6K6VW1R',
    event_type: 'pagey.ping',
    resource_type: 'pagey',
    occurred_at: '2026-11-26T15:00:00.000Z',
    agent: { id: 'PX4BA1F', type: 'user_reference' },
    client: null,
    data: { message: 'Hello from your friend Pagey!', type: 'ping' },
  },
};

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp({ env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: `${ALDAVIVA_SECRET},${PD_TEST_SECRET}` } });
});
afterEach(async () => {
  await app.stop();
});

describe('PagerDuty V3 webhooks into timelines', () => {
  it('when one PagerDuty incident\'s signed webhooks arrive, then one incident holds each as a timeline entry with its actor and event time', async () => {
    for (const name of ['aldaviva-signed-triggered', 'aldaviva-signed-acknowledged', 'aldaviva-signed-resolved']) {
      const res = await postPagerDuty(app, pagerdutyFixture(name), { secret: ALDAVIVA_SECRET, webhookId: `wh-${name}` });
      expect(res.status).toBe(202);
      expect(res.data).toMatchObject({ duplicate: false, alerts: 0, ignoredReason: null });
    }
    await app.settle();

    const incidents = await allIncidentDetails(app);
    expect(incidents).toHaveLength(1);
    const pagerduty = incidents[0]!.timeline.filter((e) => e.source === 'pagerduty') as TimelineEntry[];
    expect(pagerduty.map((e) => [e.at, e.kind, e.actor, e.text])).toEqual([
      ['2025-04-07T03:47:13.414Z', 'pagerduty.triggered', 'Ben', 'Triggered by Ben: Test'],
      ['2025-04-07T03:47:13.546Z', 'pagerduty.acknowledged', 'Ben', 'Acknowledged by Ben'],
      ['2025-04-07T03:49:36.358Z', 'pagerduty.resolved', 'Ben', 'Resolved by Ben'],
    ]);
    expect((await inboxEntries(app, 'done'))).toHaveLength(3);
  });

  it('when every published incident.* body arrives, then each becomes a timeline entry at its occurred_at, a null agent included', async () => {
    for (const name of incidentFixtures) {
      const secret = name.startsWith('aldaviva-') ? ALDAVIVA_SECRET : PD_TEST_SECRET;
      expect((await postPagerDuty(app, pagerdutyFixture(name), { secret })).status).toBe(202);
    }
    await app.settle();
    expect(await inboxEntries(app, 'dead')).toEqual([]);

    const entries = await allTimelineEntries(app);
    for (const name of incidentFixtures) {
      for (const e of expected(name).pagingEvents) {
        expect(entries).toContainEqual(expect.objectContaining({ at: e.occurredAt, kind: `pagerduty.${e.kind}`, actor: e.actor, text: e.text }));
      }
    }
    const noAgent = expected('nudgebee-incident.triggered-no-agent-no-client').pagingEvents[0]!;
    expect(entries.find((e) => e.at === noAgent.occurredAt && e.kind === 'pagerduty.triggered')!.actor).toBeNull();
    expect(entries.filter((e) => e.source === 'pagerduty')).toHaveLength(incidentFixtures.length);
  });
});

describe('PagerDuty redelivery', () => {
  it('when the same webhook is redelivered with its X-Webhook-Id, or the same event id arrives again, then nothing changes', async () => {
    const body = pagerdutyFixture('zulip-acknowledged_v3');
    const first = await postPagerDuty(app, body, { webhookId: 'b5b4a3f2-webhook-1' });
    expect(first.status).toBe(202);
    await app.settle();
    const incidentsBefore = await allIncidentDetails(app);

    const retry = await postPagerDuty(app, body, { webhookId: 'b5b4a3f2-webhook-1' });
    expect(retry.status).toBe(202);
    expect(retry.data).toMatchObject({ inboxId: first.data.inboxId, duplicate: true });

    // A second delivery attempt PagerDuty made under another webhook id still carries event.id.
    const again = await postPagerDuty(app, body, { webhookId: 'b5b4a3f2-webhook-2' });
    expect(again.status).toBe(202);
    expect(again.data.duplicate).toBe(false);
    await app.settle();

    expect(await allIncidentDetails(app)).toEqual(incidentsBefore);
    expect((await allTimelineEntries(app)).filter((e) => e.kind === 'pagerduty.acknowledged')).toHaveLength(1);
    expect(await inboxEntries(app, 'dead')).toEqual([]);
  });
});

describe('PagerDuty events Debrief does not record', () => {
  it('when pagey.ping or a service.* event arrives, then 2xx and the inbox records it as ignored with the reason', async () => {
    const ping = await postPagerDuty(app, PING);
    const service = await postPagerDuty(app, pagerdutyFixture('pd-docs-envelope-service.updated'));
    for (const res of [ping, service]) {
      expect(res.status).toBe(202);
      expect(res.data.ignoredReason).toEqual(expect.any(String));
    }
    await app.settle();

    const done = await inboxEntries(app, 'done');
    expect(done).toHaveLength(2);
    const reasons = done.map((e) => (e.outcome as { ignoredReason: string | null }).ignoredReason);
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/pagey\.ping/), expect.stringMatching(/service\.updated/)]));
    expect(await listAllIncidents(app)).toEqual([]);
  });

  it('when a legacy V1/V2 body arrives, then 401 (unsigned) or 400 (signed) with the V3 explanation, and nothing is stored', async () => {
    const legacy = ['alerta-test_webhooks-pagerduty_v1_two_messages', 'pd-docs-v2-incident.trigger', 'pd-docs-v2-incident.resolve'];
    for (const name of legacy) {
      const raw = readFileSync(join(fixturesDir, 'legacy', `${name}.json`));
      const unsigned = expectError(await postPagerDuty(app, raw, { secret: null }), 401);
      expect(unsigned.message).toMatch(/V1\/V2 webhooks are not supported.*V3/s);
      const signed = expectError(await postPagerDuty(app, raw), 400);
      expect(signed.message).toMatch(/V1\/V2 webhooks are not supported.*V3/s);
    }
    expect(await inboxEntries(app)).toEqual([]);
  });

  it('when the signature is missing, wrong, or made with another secret, then 401/403 and nothing is stored', async () => {
    const body = pagerdutyFixture('aldaviva-signed-triggered');
    expectError(await postPagerDuty(app, body, { secret: null }), 401);
    expectError(await postPagerDuty(app, body, { secret: 'not-the-subscription-secret' }), 403);
    const changed = Buffer.from(body.toString('utf8').replace('"Test"', '"Tesu"'));
    const res = await app.anon.post('/webhooks/pagerduty', changed, {
      headers: { 'Content-Type': 'application/json', 'X-PagerDuty-Signature': 'v1=3e3032b45bbe1801c13f182b0e0a7f4f3f530225cef07e3e90cbc57874d01c49' },
      transformRequest: [(d) => d],
    });
    expectError(res, 403);
    expect(await inboxEntries(app)).toEqual([]);
  });
});
