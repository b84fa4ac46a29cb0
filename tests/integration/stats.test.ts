import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { expectError, getIncident, listAllIncidents, metricSamples } from '../support/api-helpers';
import { PD_TEST_SECRET, pagerdutyV3Body, postPagerDuty, sha256Hex } from '../support/pagerduty-webhooks';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Response-time statistics over HTTP: incidents from Alertmanager, a page acknowledged in
 * PagerDuty (linked by Alertmanager's dedup key), human-set impact start and mitigation from the
 * report, then GET /api/v1/stats and the same numbers as Prometheus gauges on /metrics.
 */

const MIN = 60_000;
// Recent, so the gauges' default 30-day window covers it; whole minutes keep the arithmetic readable.
const T0 = new Date(Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN).toISOString();

describe('GET /api/v1/stats', () => {
  let app: TestApp;
  let checkoutId: string;
  let paymentsId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { DEBRIEF_PAGERDUTY_SIGNING_SECRETS: PD_TEST_SECRET } });
    const checkout = alertmanagerBody([{ labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, startsAt: T0, endsAt: minutesAfter(T0, 30) }]);
    const payments = alertmanagerBody([{ labels: { alertname: 'PaymentsSlow', service: 'payments', severity: 'warning' }, startsAt: minutesAfter(T0, 120), endsAt: minutesAfter(T0, 180) }]);
    const old = alertmanagerBody([{ labels: { alertname: 'Ancient', service: 'checkout', severity: 'critical' }, startsAt: minutesAfter(T0, -3 * 24 * 60), endsAt: minutesAfter(T0, -3 * 24 * 60 + 5) }]);
    for (const body of [checkout, payments, old]) expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    // Alertmanager's PagerDuty notifier keys its page with sha256_hex(groupKey): the page joins the checkout incident.
    const page = { id: 'PCHK001', number: 41, title: 'CheckoutErrors', incidentKey: sha256Hex(checkout.groupKey) };
    for (const [id, type, min] of [['E1', 'incident.triggered', 1], ['E2', 'incident.acknowledged', 4], ['E3', 'incident.acknowledged', 9]] as const) {
      expect((await postPagerDuty(app, pagerdutyV3Body(page, { id: `01STATS${id}`, type, occurredAt: minutesAfter(T0, min), agent: 'Jane SRE' }))).status).toBe(202);
    }
    await app.settle();
    const incidents = await listAllIncidents(app);
    expect(incidents).toHaveLength(3);
    checkoutId = incidents.find((i) => (i.services as string[]).includes('checkout') && i.startedAt === T0)!.id;
    paymentsId = incidents.find((i) => (i.services as string[]).includes('payments'))!.id;
    expect((await getIncident(app, checkoutId)).timeline.map((e) => e.kind)).toContain('pagerduty.acknowledged');

    const report = await app.api.get(`/api/v1/incidents/${paymentsId}/report`);
    const patch = await app.api.patch(`/api/v1/incidents/${paymentsId}/report`, {
      impactStartedAt: minutesAfter(T0, 110), mitigatedAt: minutesAfter(T0, 150),
    }, { headers: { 'If-Match': report.headers.etag } });
    expect(patch.status).toBe(200);
  });
  afterAll(async () => { await app.stop(); });

  const window = { since: minutesAfter(T0, -60), until: minutesAfter(T0, 24 * 60) };

  it('when asked for a window, then it counts the incidents that started in it and gives mean times overall', async () => {
    const res = await app.api.get('/api/v1/stats', { params: window });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ since: window.since, until: window.until, truncated: false });
    expect(res.data.overall).toEqual({
      count: 2, missedByMonitoringCount: 0, detectedCount: 1, acknowledgedCount: 1, mitigatedCount: 1, resolvedCount: 2,
      mttdMs: 10 * MIN, // payments only (impact recorded 10 min before the first alert); checkout's is unknown, not 0
      mttaMs: 4 * MIN, // first alert to the first acknowledgement
      mttmMs: 40 * MIN,
      mttrMs: 50 * MIN, // checkout 30 min, payments 70 min from its impact start
    });
  });

  it('when asked for a window, then it gives counts and means per service and per severity', async () => {
    const res = await app.api.get('/api/v1/stats', { params: window });
    expect(res.data.byService).toEqual([
      { service: 'checkout', count: 1, missedByMonitoringCount: 0, detectedCount: 0, acknowledgedCount: 1, mitigatedCount: 0, resolvedCount: 1, mttdMs: null, mttaMs: 4 * MIN, mttmMs: null, mttrMs: 30 * MIN },
      { service: 'payments', count: 1, missedByMonitoringCount: 0, detectedCount: 1, acknowledgedCount: 0, mitigatedCount: 1, resolvedCount: 1, mttdMs: 10 * MIN, mttaMs: null, mttmMs: 40 * MIN, mttrMs: 70 * MIN },
    ]);
    expect(res.data.bySeverity.map((s: { severity: string; count: number }) => [s.severity, s.count])).toEqual([['critical', 1], ['warning', 1]]);
  });

  it('when statistics are read, then each mean comes with its definition, saying when it is unknown', async () => {
    const res = await app.api.get('/api/v1/stats', { params: window });
    expect(Object.keys(res.data.definitions).sort()).toEqual(['missedByMonitoring', 'mtta', 'mttd', 'mttm', 'mttr', 'repeat']);
    expect(res.data.definitions.repeat).toMatch(/shared alert name and one shared service.*within 90 days/);
    expect(res.data.definitions.mttd).toMatch(/impact start .* recorded .*first alert.*Unknown unless/);
    expect(res.data.definitions.mtta).toMatch(/Unknown when no page was acknowledged/);
  });

  it('when no window is given, then the last 30 days are counted', async () => {
    const res = await app.api.get('/api/v1/stats');
    expect(res.status).toBe(200);
    expect(res.data.overall.count).toBe(3);
    expect(Date.parse(res.data.until) - Date.parse(res.data.since)).toBe(30 * 86_400_000);
  });

  it('when since is not before until, or not a time, then 400 names the field; without a token, 401', async () => {
    const err = expectError(await app.api.get('/api/v1/stats', { params: { since: window.until, until: window.since } }), 400, 'validation_failed');
    expect(err.details).toEqual([{ path: 'query.since', message: '`since` must be before `until`' }]);
    expect(expectError(await app.api.get('/api/v1/stats', { params: { since: 'yesterday' } }), 400).details[0]!.path).toBe('query.since');
    expectError(await app.anon.get('/api/v1/stats'), 401, 'unauthorized');
  });

  it('when /metrics is scraped, then the same means are gauges in seconds, overall and per service and severity', async () => {
    const res = await app.anon.get('/metrics');
    expect(res.status).toBe(200);
    const mtta = metricSamples(res.data, 'debrief_incident_mtta_seconds');
    expect(mtta).toContainEqual({ labels: { dimension: 'overall', name: 'all' }, value: 240 });
    expect(mtta).toContainEqual({ labels: { dimension: 'service', name: 'checkout' }, value: 240 });
    expect(mtta.find((s) => s.labels.name === 'payments')).toBeUndefined(); // no sample: no series, not 0
    const mttd = metricSamples(res.data, 'debrief_incident_mttd_seconds');
    expect(mttd).toContainEqual({ labels: { dimension: 'overall', name: 'all' }, value: 600 });
    expect(mttd.find((s) => s.labels.name === 'checkout')).toBeUndefined(); // no recorded impact start: unknown, not 0
    const mttr = metricSamples(res.data, 'debrief_incident_mttr_seconds');
    expect(mttr).toContainEqual({ labels: { dimension: 'severity', name: 'warning' }, value: 4200 });
    expect(metricSamples(res.data, 'debrief_incidents_recent')).toContainEqual({ labels: { dimension: 'overall', name: 'all' }, value: 3 });
  });
});

describe('repeat rate in GET /api/v1/stats and /metrics', () => {
  let app: TestApp;
  const DAY = 86_400_000;
  const daysAgo = (days: number) => new Date(Math.floor((Date.now() - days * DAY) / MIN) * MIN).toISOString();
  const send = async (alertname: string, service: string, startsAt: string) => {
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname, service, severity: 'critical' }, startsAt, endsAt: minutesAfter(startsAt, 10) }]))).status).toBe(202);
  };

  beforeAll(async () => {
    app = await startTestApp();
    // 40 days ago, before the default 30-day window: only history, yet within 90 days of what follows.
    await send('CheckoutErrors', 'checkout', daysAgo(40));
    await send('CheckoutErrors', 'checkout', daysAgo(5)); // the same failure again: a repeat
    await send('SearchDown', 'search', daysAgo(4));
    await send('CheckoutErrors', 'cart', daysAgo(3)); // same alert name, another service: not similar
    await app.settle();
    expect(await listAllIncidents(app)).toHaveLength(4);
  });
  afterAll(async () => { await app.stop(); });

  it('when incidents recur, then the share of incidents with a similar one in the 90 days before them is given, looking back before the window', async () => {
    const res = await app.api.get('/api/v1/stats');
    expect(res.status).toBe(200);
    expect(res.data.overall.count).toBe(3);
    expect(res.data.repeat).toEqual({ windowDays: 90, count: 3, repeatedCount: 1, rate: 1 / 3 });
    // A window holding the first failure only has nothing before it to repeat.
    const first = await app.api.get('/api/v1/stats', { params: { since: daysAgo(41), until: daysAgo(39) } });
    expect(first.data.repeat).toEqual({ windowDays: 90, count: 1, repeatedCount: 0, rate: 0 });
  });

  it('when /metrics is scraped, then the repeat rate of the stats window is a gauge', async () => {
    const res = await app.anon.get('/metrics');
    expect(metricSamples(res.data, 'debrief_incident_repeat_ratio')).toEqual([{ labels: {}, value: 1 / 3 }]);
  });
});
