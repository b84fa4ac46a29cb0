import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PagerDutyApiError } from '../../connectors/pagerduty/pagerduty.rest';
import type { PublishedReport } from '../../src/integrations/outbound-notifier';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { allAlerts, listAllIncidents, metricSamples } from '../support/api-helpers';
import { alert, h, incidentDetail, reportView } from '../support/report-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Slow or failing outbound calls never block ingest (README, Security: faults). Each outbound
 * target (PagerDuty REST, Prometheus, outbound notifications, Alertmanager polls) is pointed at
 * a loopback server that first hangs, then answers 500 to everything. While a call hangs there,
 * a webhook is still answered 202 (the webhook wins a race against the pending call: nothing is
 * timed); the call fails within its timeout, the 500s are retried, and after three failed
 * attempts the target's circuit opens: the next call fails at once without reaching the server,
 * and /metrics shows `debrief_outbound_circuit_state` 2 for that target.
 */

type Mode = 'hang' | 'fail';

interface FaultServer {
  url: string;
  mode: Mode;
  /** Requests received, hanging ones included. */
  readonly hits: number;
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

async function startFaultServer(mode: Mode): Promise<FaultServer> {
  const hanging: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const state = { mode, hits: 0 };
  const server = createServer((req, res) => {
    req.resume();
    state.hits += 1;
    for (const w of waiters.filter((x) => state.hits >= x.n)) w.resolve();
    if (state.mode === 'hang') {
      hanging.push(res); // never answered
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"injected failure","code":2000}}');
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() { return state.mode; },
    set mode(m: Mode) { state.mode = m; },
    get hits() { return state.hits; },
    received: (n) => (state.hits >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

const CIRCUIT = { failureThreshold: 3, openSeconds: 300 };
const T0 = '2026-03-01T10:00:00.000Z';
const expr = 'sum(rate(errors[5m])) > 1';

const webhook = (name: string) => alertmanagerBody([{
  labels: { alertname: name, service: 'checkout', severity: 'critical' }, startsAt: T0,
  generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`,
}]);

/** Posts a webhook while `pending` (an outbound call on a hanging target) has not settled: the webhook must win. */
async function webhookWinsAgainst(app: TestApp, pending: Promise<unknown>, name: string): Promise<void> {
  const winner = await Promise.race([
    app.postAlertmanager(webhook(name)).then((res) => res.status),
    pending.then(() => 'the outbound call settled first', () => 'the outbound call settled first'),
  ]);
  expect(winner).toBe(202);
}

async function outboundMetric(app: TestApp, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = (await app.anon.get('/metrics')).data as string;
  return metricSamples(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Waits (no deadline of its own; jest's test timeout bounds it) until `check` holds. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}

let app: TestApp | null = null;
let fault: FaultServer | null = null;
afterEach(async () => {
  await app?.stop();
  await fault?.close();
  app = null;
  fault = null;
});

describe('outbound calls that hang or fail never block ingest', () => {
  it('when PagerDuty REST hangs and then answers 500, then webhooks still get 202, the call fails within its timeout and the pagerduty circuit opens', async () => {
    fault = await startFaultServer('hang');
    app = await startTestApp({
      overrides: { circuitBreaker: CIRCUIT, pagerduty: { restToken: 'u+fault-test-read-only-key', apiBaseUrl: fault.url, timeoutMs: 1000 } },
    });
    const client = app.debrief.pagerduty.client!;
    const pending = client.getIncident('PFAULT1').then(() => null, (err: unknown) => err);
    await fault.received(1);
    fault.mode = 'fail'; // the request in flight keeps hanging; later attempts get 500
    await webhookWinsAgainst(app, pending, 'DuringPagerDutyHang');

    const error = await pending;
    expect(error).toBeInstanceOf(PagerDutyApiError);
    expect((error as Error).message).toMatch(/HTTP 500 .*after 2 retries/); // timeout, then 500, 500
    expect(fault.hits).toBe(3);
    // Open: the next call fails at once, without reaching PagerDuty.
    await expect(client.getIncident('PFAULT2')).rejects.toThrow(/circuit open/);
    expect(fault.hits).toBe(3);
    expect(await outboundMetric(app, 'debrief_outbound_circuit_state', { target: 'pagerduty' })).toBe(2);
    expect(await outboundMetric(app, 'debrief_outbound_attempts_total', { target: 'pagerduty', outcome: 'timeout' })).toBe(1);
    expect(await outboundMetric(app, 'debrief_outbound_attempts_total', { target: 'pagerduty', outcome: 'http_5xx' })).toBe(2);
    expect(await outboundMetric(app, 'debrief_outbound_calls_total', { target: 'pagerduty', outcome: 'rejected_open_circuit' })).toBe(1);
    await app.settle();
    expect(await listAllIncidents(app)).toHaveLength(1);
  });

  it('when Prometheus hangs and then answers 500, then webhooks still get 202, reports carry a note and the prometheus circuit opens', async () => {
    fault = await startFaultServer('hang');
    app = await startTestApp({ overrides: { circuitBreaker: CIRCUIT, prometheus: { baseUrl: fault.url, timeoutMs: 1000 } } });
    expect((await app.postAlertmanager(webhook('CheckoutErrors'))).status).toBe(202);
    await app.settle();
    const [incident] = await listAllIncidents(app);
    const exportJson = () => app!.api.get(`/api/v1/incidents/${incident!.id}/report.json`);

    const exporting = exportJson();
    await fault.received(1);
    await webhookWinsAgainst(app, exporting, 'DuringPrometheusHang');
    const first = await exporting;
    expect(first.status).toBe(200);
    expect(first.data.metricSnapshots[0]).toMatchObject({ status: 'unavailable', chart: null, note: expect.stringMatching(/did not answer within 1000 ms/) });
    expect(fault.hits).toBe(2); // one retry

    fault.mode = 'fail';
    const second = await exportJson();
    expect(second.data.metricSnapshots[0].note).toMatch(/could not be queried \(HTTP 500\)/);
    // The incident now has two rules (the second webhook joined it), asked about in one rules
    // request shared by the snapshots and the report draft: its failed attempt is the third
    // failure, which opens the circuit, so it is not retried.
    expect(second.data.metricSnapshots.map((m: { rule: string }) => m.rule)).toEqual(['CheckoutErrors', 'DuringPrometheusHang']);
    expect(second.data.metricSnapshots[1].note).toMatch(/could not be queried \(HTTP 500\)/);
    expect(fault.hits).toBe(3);
    const third = await exportJson();
    expect(third.status).toBe(200);
    expect(third.data.metricSnapshots.map((m: { note: string }) => m.note)).toEqual([expect.stringMatching(/circuit open/), expect.stringMatching(/circuit open/)]);
    expect(fault.hits).toBe(3);
    expect(await outboundMetric(app, 'debrief_outbound_circuit_state', { target: 'prometheus' })).toBe(2);
  });

  it('when a notification receiver hangs and then answers 500, then webhooks still get 202 and its circuit opens while the delivery stays pending', async () => {
    fault = await startFaultServer('hang');
    app = await startTestApp({
      overrides: {
        circuitBreaker: CIRCUIT,
        outbound: { webhooks: [{ name: 'chat', url: fault.url, secret: 'outbound-secret-0123456789' }], maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 1000 },
      },
    });
    expect(await outboundMetric(app, 'debrief_outbound_circuit_state', { target: 'outbound:chat' })).toBe(0);
    expect((await app.postAlertmanager(webhook('CheckoutErrors'))).status).toBe(202);
    await app.settle();
    const [incident] = await listAllIncidents(app);
    await app.debrief.notifier.notifyPublished(published(incident!.id));
    await fault.received(1);
    fault.mode = 'fail'; // the request in flight keeps hanging; later attempts get 500
    await webhookWinsAgainst(app, app.debrief.notifier.idle(), 'DuringNotificationHang');

    await eventually(async () => (await outboundMetric(app!, 'debrief_outbound_circuit_state', { target: 'outbound:chat' })) === 2);
    expect(fault.hits).toBe(3);
    expect(await outboundMetric(app, 'debrief_outbound_attempts_total', { target: 'outbound:chat', outcome: 'timeout' })).toBe(1);
    expect(await outboundMetric(app, 'debrief_outbound_attempts_total', { target: 'outbound:chat', outcome: 'http_5xx' })).toBe(2);
    // Attempts left: the delivery waits for the circuit instead of failing, every attempt recorded.
    await eventually(async () => (await app!.api.get(`/api/v1/incidents/${incident!.id}/report/deliveries`)).data.items[0]?.attempts === 3);
    expect((await app.api.get(`/api/v1/incidents/${incident!.id}/report/deliveries`)).data.items).toEqual([
      expect.objectContaining({ target: 'chat', status: 'pending', attempts: 3, lastStatusCode: 500, lastError: 'HTTP 500' }),
    ]);
    await app.settle();
    expect((await allAlerts(app)).map((a) => a.labels.alertname).sort()).toEqual(['CheckoutErrors', 'DuringNotificationHang']);
  });

  it('when the reconciled Alertmanager hangs and then answers 500, then webhooks still get 202, the failed polls change nothing and its circuit opens', async () => {
    fault = await startFaultServer('hang');
    app = await startTestApp({
      overrides: {
        circuitBreaker: CIRCUIT,
        reconcile: { alertmanager: [{ instance: 'alertmanager', url: fault.url, intervalSeconds: 3600, graceSeconds: 0, timeoutSeconds: 1 }] },
      },
    });
    const reconciler = app.debrief.reconciliation.reconcilers[0]!;
    await fault.received(1); // the first poll starts with the app
    const polling = reconciler.pollOnce();
    fault.mode = 'fail'; // the request in flight keeps hanging; later attempts get 500
    await webhookWinsAgainst(app, polling, 'DuringAlertmanagerHang');

    expect(await polling).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 500 .*after 3 attempts/), resolved: 0 });
    expect(fault.hits).toBe(3);
    expect(await reconciler.pollOnce()).toMatchObject({ ok: false, error: expect.stringMatching(/circuit open/), resolved: 0 });
    expect(fault.hits).toBe(3);
    expect(await outboundMetric(app, 'debrief_outbound_circuit_state', { target: 'alertmanager:alertmanager' })).toBe(2);
    // Grace 0 would resolve every alert missing from a successful poll; failed polls resolve nothing.
    await app.settle();
    expect((await allAlerts(app)).map((a) => a.status)).toEqual(['firing']);
  });
});

function published(incidentId: string): PublishedReport {
  const detail = incidentDetail([alert({ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: T0, endsAt: minutesAfter(T0, 30) })]);
  const report = reportView(detail, { status: 'published', customerFacing: (s) => s === 'checkout', content: { customerSummary: h.text('Checkout was slow.') } });
  return { incidentId, version: 1, publishedAt: minutesAfter(T0, 60), publishedBy: 'alice', report };
}
