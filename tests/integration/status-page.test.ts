import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
import { startTestApp, type TestApp } from '../support/test-app';
import { activeContent, textContent, xmlProblems } from '../support/xml-wellformed';

/*
 * The audiences of a published report over HTTP: the public status page and its Atom feed show
 * only the customer summary (never internal sections, alert labels or people's names), and
 * publishing sends signed notifications to the configured receivers, retried on failure, with
 * the outcomes visible on the report.
 */

const T0 = '2026-03-01T10:00:00.000Z';
const CHAT_SECRET = 'chat-webhook-secret-0123456789';
const CUSTOMER_SECRET = 'customer-webhook-secret-0123456789';
const INTERNAL_WORDS = ['DbConnectionsExhausted', 'CheckoutErrors', 'db-secret-pod-7', 'payments-db', 'Root cause: a secret migration', 'Fix: rolled back', 'admin', 'internal runbook'];

describe('status page, Atom feed and outbound notifications', () => {
  let app: TestApp;
  let chat: CaptureReceiver;
  let customers: CaptureReceiver;
  let incidentId: string;
  let dir: string;

  beforeAll(async () => {
    chat = await startCaptureReceiver([{ status: 503 }, { status: 200 }]);
    customers = await startCaptureReceiver([{ status: 204 }]);
    dir = mkdtempSync(join(tmpdir(), 'debrief-status-'));
    const catalog = join(dir, 'services.yaml');
    writeFileSync(catalog, 'services:\n  - { name: checkout, customerFacing: true, dependsOn: [payments-db] }\n  - { name: payments-db, customerFacing: false }\n');
    app = await startTestApp({
      dir,
      env: {
        DEBRIEF_CATALOG_FILE: catalog,
        DEBRIEF_OUTBOUND_WEBHOOKS: JSON.stringify([
          { name: 'chat', url: chat.url, secret: CHAT_SECRET },
          { name: 'customers', url: customers.url, secret: CUSTOMER_SECRET, audience: 'customer' },
        ]),
        DEBRIEF_STATUS_TITLE: 'Acme status',
        DEBRIEF_PUBLIC_URL: 'https://status.acme.example',
      },
      overrides: { outbound: { baseDelayMs: 20, maxDelayMs: 100 } },
    });
    const body = alertmanagerBody([
      { labels: { alertname: 'DbConnectionsExhausted', service: 'payments-db', cluster: 'eu-1', pod: 'db-secret-pod-7', severity: 'critical' }, annotations: { runbook_url: 'https://wiki/internal runbook' }, startsAt: T0, endsAt: minutesAfter(T0, 40) },
      { labels: { alertname: 'CheckoutErrors', service: 'checkout', cluster: 'eu-1', severity: 'critical' }, startsAt: minutesAfter(T0, 2), endsAt: minutesAfter(T0, 35) },
    ], { groupBy: ['cluster'] });
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    const incidents = await listAllIncidents(app);
    expect(incidents).toHaveLength(1); // checkout depends on payments-db: one outage
    incidentId = incidents[0]!.id;
  });

  afterAll(async () => {
    await app.stop();
    await chat.close();
    await customers.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when nothing is published yet, then the page and the feed are public and empty', async () => {
    const page = await app.anon.get('/status');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.data).toContain('No incidents have been reported.');
    const feed = await app.anon.get('/status/feed.atom', { responseType: 'text' });
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(xmlProblems(feed.data)).toEqual([]);
    expect(feed.data).not.toContain('<entry>');
  });

  it('when the report is completed and published, then publishing answers at once and each receiver gets a signed notification, retried after a 503', async () => {
    const current = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
    const patch = await app.api.patch(`/api/v1/incidents/${incidentId}/report`, {
      sections: { 'what-happened': 'Root cause: a secret migration exhausted connections.', fix: 'Fix: rolled back the migration.' },
      customerSummary: 'Some **checkout** requests failed for about 40 minutes. <script>alert(1)</script>',
      preventionNoneNeeded: 'The migration tool now refuses this change.',
      impactStartedAt: minutesAfter(T0, -3),
    }, { headers: { 'If-Match': current.headers.etag } });
    expect(patch.status).toBe(200);
    expect((await app.api.post(`/api/v1/incidents/${incidentId}/report/transitions`, { to: 'in_review' })).status).toBe(200);
    const published = await app.api.post(`/api/v1/incidents/${incidentId}/report/transitions`, { to: 'published' });
    expect(published.status).toBe(200);
    expect(published.data.status).toBe('published');

    await app.debrief.notifier.idle();
    expect(chat.requests).toHaveLength(2); // 503, then delivered
    expect(customers.requests).toHaveLength(1);
    for (const [receiver, secret] of [[chat, CHAT_SECRET], [customers, CUSTOMER_SECRET]] as const) {
      for (const req of receiver.requests) {
        expect(req.headers['x-debrief-signature']).toBe(`v1=${createHmac('sha256', secret).update(req.body).digest('hex')}`);
        expect(Number(req.headers['x-debrief-timestamp'])).toBeGreaterThan(0);
      }
    }
    expect(chat.requests[0]!.body.equals(chat.requests[1]!.body)).toBe(true);
    const chatBody = JSON.parse(chat.requests[1]!.body.toString('utf8'));
    expect(chatBody).toMatchObject({ event: 'report.published', incidentId, version: 1, incident: { reportUrl: `https://status.acme.example/api/v1/incidents/${incidentId}/report` } });
    const customerBody = customers.requests[0]!.body.toString('utf8');
    expect(JSON.parse(customerBody).status).toMatchObject({ services: ['checkout'], startedAt: minutesAfter(T0, -3), endedAt: minutesAfter(T0, 40) });
    for (const word of INTERNAL_WORDS) expect(customerBody).not.toContain(word);

    const deliveries = await app.api.get(`/api/v1/incidents/${incidentId}/report/deliveries`);
    expect(deliveries.data.items.map((d: { target: string; status: string; attempts: number; version: number }) => [d.target, d.status, d.attempts, d.version]))
      .toEqual([['chat', 'delivered', 2, 1], ['customers', 'delivered', 1, 1]]);
    const html = await app.api.get(`/api/v1/incidents/${incidentId}/report.html`);
    expect(textContent(html.data)).toMatch(/Notifications sent[\s\S]*chat\s+report\.published\s+1\s+delivered \(HTTP 200\)\s+2/);
  });

  it('when the report is published, then the status page shows only the customer summary, customer-facing services and the impact window', async () => {
    const res = await app.anon.get('/status');
    expect(res.status).toBe(200);
    const html = res.data as string;
    expect(activeContent(html)).toEqual([]);
    expect(html).toContain('Service disruption affecting checkout');
    expect(html).toContain('<span class="service">checkout</span>');
    expect(html).toContain('<p>Some <strong>checkout</strong> requests failed for about 40 minutes. &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).toContain(`<time datetime="${minutesAfter(T0, -3)}">`);
    for (const word of INTERNAL_WORDS) expect(html).not.toContain(word);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    // No inline-style loophole: the page's one stylesheet carries this response's nonce.
    expect(csp).not.toContain("'unsafe-inline'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(`<style nonce="${nonce}">`);
  });

  it('when the feed is read, then it has one entry with the customer summary and nothing internal', async () => {
    const res = await app.anon.get('/status/feed.atom', { responseType: 'text' });
    const xml = res.data as string;
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<title type="text">Acme status</title>');
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="https://status.acme.example/status/feed.atom"/>');
    expect(xml.match(/<entry>/g)).toHaveLength(1);
    expect(xml).toContain('<title type="text">Service disruption affecting checkout</title>');
    expect(xml).toContain('requests failed for about 40 minutes');
    for (const word of INTERNAL_WORDS) expect(xml).not.toContain(word);
  });

  it('when a published report is edited, then the status page keeps showing the published version until the next publish', async () => {
    const current = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
    const edit = await app.api.patch(`/api/v1/incidents/${incidentId}/report`, { customerSummary: 'Draft wording nobody published yet.' }, { headers: { 'If-Match': current.headers.etag } });
    expect(edit.status).toBe(200);
    const page = await app.anon.get('/status');
    expect(page.data).toContain('requests failed for about 40 minutes');
    expect(page.data).not.toContain('Draft wording');
  });
});
