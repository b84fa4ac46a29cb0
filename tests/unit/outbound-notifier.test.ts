import { createHmac } from 'node:crypto';
import pino from 'pino';
import {
  OutboundNotifier, publishedNotification, signBody, type OutboundNotifierOptions, type OutboundTarget, type PublishedReport,
} from '../../src/integrations/outbound-notifier';
import { createResilientClient } from '../../src/integrations/resilient-http';
import { MemoryDeliveryStore } from '../../src/store/delivery-store';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
import { alert, h, incidentDetail, reportView } from '../support/report-fixtures';

const T = (min: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + min * 60_000).toISOString();
const SECRET = 'outbound-secret-0123456789';

function published(): PublishedReport {
  const detail = incidentDetail([
    alert({ labels: { alertname: 'InternalAlertName', service: 'checkout', severity: 'critical' }, startsAt: T(0), endsAt: T(30) }),
    alert({ labels: { alertname: 'Other', service: 'internal-db' }, startsAt: T(1), endsAt: T(20) }),
  ]);
  const report = reportView(detail, {
    status: 'published', customerFacing: (s) => s === 'checkout',
    content: { customerSummary: h.text('Checkout was slow.'), sections: { 'what-happened': h.text('secret cause') } },
  });
  return { incidentId: 'inc-1', version: 2, publishedAt: T(90), publishedBy: 'alice', report };
}

describe('OutboundNotifier', () => {
  let receiver: CaptureReceiver;
  let store: MemoryDeliveryStore;
  let sleeps: number[];
  const make = (over: Partial<OutboundNotifierOptions> & { targets?: OutboundTarget[] } = {}) => new OutboundNotifier({
    targets: [{ name: 'chat', url: receiver.url, secret: SECRET, audience: 'internal' }],
    store, logger: pino({ level: 'silent' }), clock: () => new Date(T(100)),
    maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 2000,
    sleep: async (ms) => { sleeps.push(ms); }, random: () => 1,
    ...over,
  });

  beforeEach(async () => {
    receiver = await startCaptureReceiver();
    store = new MemoryDeliveryStore();
    sleeps = [];
  });
  afterEach(async () => { await receiver.close(); });

  it('when a report is published, then each target receives a JSON POST signed with HMAC-SHA256 of the raw body, with timestamp, delivery id and event headers', async () => {
    const notifier = make();
    const [record] = await notifier.notifyPublished(published());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    const expected = `v1=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`;
    expect(req.headers['x-debrief-signature']).toBe(expected);
    expect(req.headers['x-debrief-timestamp']).toBe(String(Date.parse(T(100)) / 1000));
    expect(req.headers['x-debrief-delivery']).toBe(record!.id);
    expect(req.headers['x-debrief-event']).toBe('report.published');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(req.body.toString('utf8'));
    expect(body).toMatchObject({ event: 'report.published', incidentId: 'inc-1', version: 2, createdAt: T(100), status: { summary: 'Checkout was slow.', services: ['checkout'] } });
    expect(body.incident).toMatchObject({ severity: 'critical', publishedBy: 'alice' });
    expect((await store.listForIncident('inc-1'))[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, deliveredAt: T(100) });
  });

  it('when the signature is checked with a different secret, then it does not match', () => {
    expect(signBody(SECRET, '{"a":1}')).not.toBe(signBody('another-secret-0123456789', '{"a":1}'));
    expect(signBody(SECRET, '{"a":1}')).not.toBe(signBody(SECRET, '{"a": 1}'));
  });

  it('when the receiver fails with 500 then 503, then the delivery is retried with exponential backoff and succeeds on the third attempt', async () => {
    receiver.replies = [{ status: 500 }, { status: 503 }, { status: 204 }];
    const notifier = make();
    await notifier.notifyPublished(published());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
    expect(new Set(receiver.requests.map((r) => r.body.toString('utf8'))).size).toBe(1); // same bytes every attempt
    expect((await store.listForIncident('inc-1'))[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null });
  });

  it('when the receiver keeps failing, then the delivery fails after maxAttempts with the last error recorded', async () => {
    receiver.replies = [{ status: 502 }];
    const notifier = make({ maxAttempts: 3 });
    await notifier.notifyPublished(published());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
    expect((await store.listForIncident('inc-1'))[0]).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 502, lastError: 'HTTP 502', nextAttemptAt: null });
  });

  it('when the receiver answers 400, then the delivery fails at once: retrying cannot help', async () => {
    receiver.replies = [{ status: 400 }];
    const notifier = make();
    await notifier.notifyPublished(published());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(1);
    expect((await store.listForIncident('inc-1'))[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400 });
  });

  it('when the receiver answers 429 with Retry-After, then the next attempt waits at least that long', async () => {
    receiver.replies = [{ status: 429, headers: { 'Retry-After': '7' } }, { status: 200 }];
    const notifier = make();
    await notifier.notifyPublished(published());
    await notifier.idle();
    expect(sleeps).toEqual([7000]);
  });

  it('when the receiver is unreachable, then the network error is retried and recorded', async () => {
    const closed = receiver.url;
    await receiver.close();
    const notifier = make({ maxAttempts: 2, targets: [{ name: 'gone', url: closed, secret: SECRET, audience: 'internal' }] });
    await notifier.notifyPublished(published());
    await notifier.idle();
    const [r] = await store.listForIncident('inc-1');
    expect(r).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: null });
    expect(r!.lastError).toMatch(/ECONNREFUSED/);
    receiver = await startCaptureReceiver(); // for afterEach
  });

  it('when the receiver is slow, then notifyPublished returns with pending deliveries before the receiver answers', async () => {
    let release!: () => void;
    receiver.replies = [{ status: 200, wait: new Promise<void>((r) => { release = r; }) }];
    const notifier = make();
    const records = await notifier.notifyPublished(published());
    expect(records.map((r) => r.status)).toEqual(['pending']);
    await receiver.received(1);
    expect((await store.listForIncident('inc-1'))[0]!.status).toBe('pending');
    release();
    await notifier.idle();
    expect((await store.listForIncident('inc-1'))[0]!.status).toBe('delivered');
  });

  it('when two targets are configured, then each gets its own delivery and outcome', async () => {
    const other = await startCaptureReceiver([{ status: 500 }]);
    try {
      const notifier = make({ maxAttempts: 1, targets: [
        { name: 'chat', url: receiver.url, secret: SECRET, audience: 'internal' },
        { name: 'customers', url: other.url, secret: 'customer-secret-0123456789', audience: 'customer' },
      ] });
      await notifier.notifyPublished(published());
      await notifier.idle();
      const outcomes = (await store.listForIncident('inc-1')).map((r) => [r.target, r.status]);
      expect(outcomes).toEqual([['chat', 'delivered'], ['customers', 'failed']]);
      expect(other.requests[0]!.headers['x-debrief-signature']).toBe(signBody('customer-secret-0123456789', other.requests[0]!.body));
    } finally {
      await other.close();
    }
  });

  it('when the receiver\'s circuit opens during the attempts, then the delivery stays pending until the circuit lets a trial through, and then is delivered', async () => {
    receiver.replies = [{ status: 503 }, { status: 503 }, { status: 200 }];
    let clock = 0;
    const client = createResilientClient({
      target: 'outbound:chat', timeoutMs: 2000, retries: 5, backoff: { initialMs: 1000, maxMs: 60_000 }, circuit: { failureThreshold: 2, openMs: 30_000 },
      now: () => clock, sleep: async (ms) => { sleeps.push(ms); }, random: () => 1,
    });
    const pending: string[] = [];
    const notifier = make({
      maxAttempts: 6, clientFor: () => client,
      sleep: async (ms) => {
        pending.push((await store.listForIncident('inc-1'))[0]!.status);
        sleeps.push(ms);
        clock += ms; // the open period passes
      },
    });
    await notifier.notifyPublished(published());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['x-debrief-delivery'])).size).toBe(1);
    expect(sleeps).toEqual([1000, 30_000]); // one backoff, then the open period
    expect(pending).toEqual(['pending']);
    expect((await store.listForIncident('inc-1'))[0]).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
  });

  it('when a delivery was left pending by a previous process, then resumePending sends the stored bytes', async () => {
    const body = '{"event":"report.published","stored":true}';
    await store.create({
      id: 'd-1', incidentId: 'inc-9', version: 1, event: 'report.published', target: 'chat', body, status: 'pending', attempts: 1,
      lastStatusCode: 500, lastError: 'HTTP 500', nextAttemptAt: T(50), createdAt: T(40), updatedAt: T(40), deliveredAt: null,
    });
    const notifier = make();
    expect(await notifier.resumePending()).toBe(1);
    await notifier.idle();
    expect(receiver.requests[0]!.body.toString('utf8')).toBe(body);
    expect((await store.listForIncident('inc-9'))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });
});

describe('publishedNotification', () => {
  it('when the audience is customers, then the body holds only the public status entry: no internal title, alert names, sections or people', () => {
    const body = JSON.stringify(publishedNotification(published(), 'customer', 'ev-1', T(100), 'https://debrief.example'));
    expect(JSON.parse(body)).toEqual({
      event: 'report.published', eventId: 'ev-1', createdAt: T(100), incidentId: 'inc-1', version: 2, publishedAt: T(90),
      status: {
        id: 'inc-1', title: 'Service disruption affecting checkout', services: ['checkout'], startedAt: T(0), endedAt: T(30),
        summary: 'Checkout was slow.', publishedAt: T(90), updatedAt: T(90),
      },
    });
    for (const secret of ['InternalAlertName', 'internal-db', 'secret cause', 'alice']) expect(body).not.toContain(secret);
  });

  it('when the audience is internal, then the incident title, severity, services and a report link are added', () => {
    const body = publishedNotification(published(), 'internal', 'ev-1', T(100), 'https://debrief.example/');
    expect(body.incident).toEqual({
      title: 'InternalAlertName, Other on checkout, internal-db', severity: 'critical', affectedServices: ['checkout', 'internal-db'],
      startedAt: T(0), endedAt: T(30), publishedBy: 'alice', reportUrl: 'https://debrief.example/api/v1/incidents/inc-1/report',
    });
  });
});
