import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryRecord } from '../../src/store/delivery-store';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { startSlackWebhookServer, type SlackWebhookServer } from '../support/slack-webhook-server';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * People told (README, People told): notices about post-mortems go to Slack incoming webhooks
 * (a loopback server answering as Slack documents) and to signed webhooks, once per item and
 * kind, durably: a delivery pending when Debrief stops is sent after it starts again.
 */

const T0 = '2026-03-01T10:00:00.000Z';
const HOOK_SECRET_OLD = 'old-notice-secret-0123456789';
const HOOK_SECRET_NEW = 'new-notice-secret-0123456789';
const PAYMENTS = '/services/T000/B001/payments';
const PUBLISHERS = '/services/T000/B002/publishers';

let slack: SlackWebhookServer;
let dir: string;
let app: TestApp | null = null;

beforeEach(async () => {
  slack = await startSlackWebhookServer();
  dir = mkdtempSync(join(tmpdir(), 'debrief-told-'));
  writeFileSync(join(dir, 'services.yaml'), 'services:\n  - { name: checkout, team: payments, customerFacing: true }\n  - { name: search, team: discovery }\n');
});

afterEach(async () => {
  await app?.stop({ keepFiles: true });
  app = null;
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(notify: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestApp> {
  return startTestApp({
    dir,
    env: { DEBRIEF_CATALOG_FILE: join(dir, 'services.yaml'), DEBRIEF_PUBLIC_URL: 'https://debrief.acme.example' },
    overrides: {
      notify: { checkIntervalSeconds: 3600, lookbackDays: 3650, ...notify },
      outbound: { baseDelayMs: 10, maxDelayMs: 1500, timeoutMs: 500, maxAttempts: 4 },
      ...extra,
    },
  });
}

const slackTargets = (url: string) => [
  { name: 'payments-slack', type: 'slack', url: `${url}${PAYMENTS}` },
  { name: 'publishers-slack', type: 'slack', url: `${url}${PUBLISHERS}` },
];

/** A critical, resolved checkout incident: the policy requires its post-mortem. */
async function checkoutIncident(current: TestApp): Promise<string> {
  const body = alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: T0, endsAt: minutesAfter(T0, 30) }]);
  expect((await current.postAlertmanager(body)).status).toBe(202);
  await current.settle();
  const [incident] = await listAllIncidents(current);
  return incident!.id;
}

const deliveries = async (current: TestApp, id: string): Promise<DeliveryRecord[]> =>
  (await current.api.get(`/api/v1/incidents/${id}/report/deliveries`)).data.items as DeliveryRecord[];

const mrkdwn = (message: unknown): string => ((message as { blocks: Array<{ text: { text: string } }> }).blocks[0]!.text.text);

describe('people told through Slack incoming webhooks', () => {
  it('when a post-mortem is required, waits, is submitted and published, then each is posted once to the right channel with a link to the page', async () => {
    app = await start({
      targets: slackTargets(slack.url),
      teams: { payments: { targets: ['payments-slack'] }, discovery: { targets: ['publishers-slack'] } },
      publishers: ['publishers-slack'],
      draftWaitingDays: 3,
    });
    const id = await checkoutIncident(app);
    await app.debrief.peopleTold.check();
    await app.debrief.peopleTold.check(); // again: nothing new
    await app.debrief.notifier.idle();

    const link = `<https://debrief.acme.example/ui/incidents/${id}/report|Open the post-mortem>`;
    const first = slack.posted(PAYMENTS);
    expect(first).toHaveLength(2); // required, and the draft has waited since March
    expect(mrkdwn(first[0])).toContain(`A post-mortem is required for ${id} "`);
    expect(mrkdwn(first[0])).toContain(link);
    expect(mrkdwn(first[1])).toMatch(/has waited \d+ days/);
    expect(slack.posted(PUBLISHERS)).toHaveLength(0); // discovery owns no service of this incident

    const current = await app.api.get(`/api/v1/incidents/${id}/report`);
    expect((await app.api.patch(`/api/v1/incidents/${id}/report`, {
      sections: { 'what-happened': 'A pool was set to 1.', fix: 'Rolled back.' },
      customerSummary: 'Checkout failed for 30 minutes.', preventionNoneNeeded: 'The tool refuses it now.',
    }, { headers: { 'If-Match': current.headers.etag } })).status).toBe(200);
    expect((await app.api.post(`/api/v1/incidents/${id}/report/transitions`, { to: 'in_review' })).status).toBe(200);
    await app.debrief.notifier.idle();
    const submitted = slack.posted(PUBLISHERS);
    expect(submitted).toHaveLength(1);
    expect(mrkdwn(submitted[0])).toContain('was submitted for review by admin.');
    expect(mrkdwn(submitted[0])).toContain(link);

    expect((await app.api.post(`/api/v1/incidents/${id}/report/transitions`, { to: 'published' })).status).toBe(200);
    await app.debrief.peopleTold.check(); // published: no more "required"
    await app.debrief.notifier.idle();
    const all = slack.posted(PAYMENTS);
    expect(all).toHaveLength(3);
    expect(mrkdwn(all[2])).toContain('was published by admin.');

    const outcomes = await deliveries(app, id);
    expect(outcomes.map((d) => [d.event, d.target, d.status, d.attempts])).toEqual(expect.arrayContaining([
      ['postmortem.required', 'payments-slack', 'delivered', 1], ['draft.waiting', 'payments-slack', 'delivered', 1],
      ['report.submitted', 'publishers-slack', 'delivered', 1], ['report.published', 'payments-slack', 'delivered', 1],
    ]));
    expect(outcomes).toHaveLength(4);
  });

  it('when a team switched a kind off, then that kind is not posted to it', async () => {
    app = await start({ targets: slackTargets(slack.url), teams: { payments: { targets: ['payments-slack'], off: ['draft.waiting'] } } });
    await checkoutIncident(app);
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    const posted = slack.posted(PAYMENTS);
    expect(posted).toHaveLength(1);
    expect(mrkdwn(posted[0])).toContain('A post-mortem is required');
  });

  it('when an action item is overdue, then the owning team is told once, however often the check runs', async () => {
    app = await start({ targets: slackTargets(slack.url), teams: { payments: { targets: ['payments-slack'], off: ['postmortem.required', 'draft.waiting'] } } });
    const id = await checkoutIncident(app);
    const created = await app.api.post(`/api/v1/incidents/${id}/action-items`, { title: 'Alert on pool size', owner: 'bob', dueDate: '2026-03-10' });
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++) await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    const posted = slack.posted(PAYMENTS);
    expect(posted).toHaveLength(1);
    const [incident] = await listAllIncidents(app);
    expect(mrkdwn(posted[0])).toBe(`Action item "Alert on pool size" (owner bob) of ${id} "${incident!.title}" is overdue since 2026-03-10.\n_severity critical · services checkout_\n<https://debrief.acme.example/ui/incidents/${id}/report|Open the post-mortem>`);
  });

  it('when Slack answers 429 with Retry-After, 500 or not at all, then the message is sent again and posted once; 400 invalid_payload and 404 no_service fail at once', async () => {
    app = await start({ targets: slackTargets(slack.url), teams: { payments: { targets: ['payments-slack'] } } });
    const id = await checkoutIncident(app);
    slack.script(PAYMENTS, ['rate_limited', 'server_error', 'hang']);
    const notifier = app.debrief.notifier;
    const at = new Date().toISOString();
    expect(await notifier.notifyOnce({ id: 'ntc_retry', target: 'payments-slack', incidentId: id, version: 0, event: 'probe.retry', body: JSON.stringify({ text: 'hello' }), createdAt: at })).toBe(true);
    await notifier.idle();
    const retried = (await deliveries(app, id)).find((d) => d.event === 'probe.retry')!;
    expect(retried).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 200 });
    expect(slack.requests.filter((r) => r.path === PAYMENTS).map((r) => r.answered)).toEqual([429, 500, null, 200]);
    expect(slack.requests[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(slack.requests[0]!.headers['x-debrief-signature']).toBeUndefined(); // Slack is not signed: the URL is the secret

    expect(await notifier.notifyOnce({ id: 'ntc_bad', target: 'payments-slack', incidentId: id, version: 0, event: 'probe.bad', body: JSON.stringify({ nothing: 1 }), createdAt: at })).toBe(true);
    await notifier.idle();
    expect((await deliveries(app, id)).find((d) => d.event === 'probe.bad')).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400, lastError: 'HTTP 400 invalid_payload' });

    slack.script(PAYMENTS, ['no_service']);
    expect(await notifier.notifyOnce({ id: 'ntc_gone', target: 'payments-slack', incidentId: id, version: 0, event: 'probe.gone', body: JSON.stringify({ text: 'hello' }), createdAt: at })).toBe(true);
    await notifier.idle();
    expect((await deliveries(app, id)).find((d) => d.event === 'probe.gone')).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 404, lastError: 'HTTP 404 no_service' });
    // The same id again records nothing and sends nothing.
    const before = slack.requests.length;
    expect(await notifier.notifyOnce({ id: 'ntc_retry', target: 'payments-slack', incidentId: id, version: 0, event: 'probe.retry', body: '{}', createdAt: at })).toBe(false);
    await notifier.idle();
    expect(slack.requests).toHaveLength(before);
  });

  it('when a delivery is pending as Debrief stops, then it is sent after Debrief starts again, and the check does not post it twice', async () => {
    const notify = { targets: slackTargets(slack.url), teams: { payments: { targets: ['payments-slack'], off: ['draft.waiting'] } } };
    app = await start(notify);
    const id = await checkoutIncident(app);
    slack.script(PAYMENTS, ['hang']);
    const checked = app.debrief.peopleTold.check();
    await slack.received(1);
    await checked;
    await app.stop({ keepFiles: true }); // the attempt in flight is cut; the delivery stays pending
    app = null;
    expect(slack.posted(PAYMENTS)).toHaveLength(0);

    app = await start(notify);
    await app.debrief.peopleTold.check();
    await app.debrief.notifier.idle();
    const posted = slack.posted(PAYMENTS);
    expect(posted).toHaveLength(1);
    expect(mrkdwn(posted[0])).toContain(`A post-mortem is required for ${id}`);
    // The stored delivery was resumed (its cut attempt counted), not recorded again.
    expect((await deliveries(app, id)).map((d) => [d.event, d.status, d.attempts])).toEqual([['postmortem.required', 'delivered', 2]]);
  });
});

describe('people told through a signed webhook', () => {
  it('when told, then the receiver gets JSON signed with every configured secret over the raw body', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/debrief`;
      app = await start({
        targets: [{ name: 'audit-hook', type: 'webhook', url, secrets: [HOOK_SECRET_NEW, HOOK_SECRET_OLD] }],
        teams: { payments: { targets: ['audit-hook'], off: ['draft.waiting'] } },
      });
      const id = await checkoutIncident(app);
      await app.debrief.peopleTold.check();
      await app.debrief.notifier.idle();
      expect(received).toHaveLength(1);
      const [{ headers, body }] = received as [typeof received[number]];
      const sign = (secret: string) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
      expect(headers['x-debrief-signature']).toBe(`${sign(HOOK_SECRET_NEW)},${sign(HOOK_SECRET_OLD)}`);
      expect(headers['x-debrief-event']).toBe('postmortem.required');
      const parsed = JSON.parse(body) as Record<string, unknown>;
      expect(headers['x-debrief-delivery']).toBe(parsed.deliveryId);
      expect(parsed).toMatchObject({
        event: 'postmortem.required', link: `https://debrief.acme.example/ui/incidents/${id}/report`,
        incident: { id, severity: 'critical', services: ['checkout'] },
      });
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});
