import { IncidentAlertRules } from '../../src/integrations/incident-alert-rules';
import { prometheusConnection } from '../../src/integrations/prometheus-api';
import { PrometheusRules } from '../../src/integrations/prometheus-rules';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { startFakePrometheus, type FakePrometheus } from '../support/fake-prometheus';
import { alert, incidentDetail } from '../support/report-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * The drafted impact start reads the alert rules from a Prometheus over HTTP, in the rules API's
 * published format; here a loopback stand-in answers (tests/support/fake-prometheus.ts), the
 * real Prometheus is in tests/e2e/impact-start.e2e.test.ts.
 */

const T = '2026-03-01T10:00:00.000Z';
const at = (minutes: number) => minutesAfter(T, minutes);
const ERRORS = 'sum(rate(http_errors_total{job="api"}[5m])) > 1';
const graph = (expr: string) => `http://prometheus-0:9090/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;

describe('IncidentAlertRules against a loopback Prometheus', () => {
  let prom: FakePrometheus;
  beforeEach(async () => {
    prom = await startFakePrometheus([
      { name: 'HighErrors', query: ERRORS, duration: 300, labels: { severity: 'critical' } },
      { name: 'HighLatency', query: 'latency > 2', duration: 600 },
      { name: 'Unrelated', query: 'vector(1)', duration: 60 },
    ]);
  });
  afterEach(async () => {
    await prom.close();
  });

  const reader = () => new IncidentAlertRules({ rules: new PrometheusRules(prometheusConnection(prom.url, 1000)), refreshSeconds: 300 });
  const detail = (updatedAt = at(31)) => {
    const d = incidentDetail([
      alert({ labels: { alertname: 'HighLatency', service: 'api' }, startsAt: at(2), endsAt: at(30) }),
      alert({ labels: { alertname: 'HighErrors', service: 'api', severity: 'critical' }, startsAt: at(0), endsAt: at(30), generatorUrl: graph(ERRORS) }),
    ]);
    return { ...d, incident: { ...d.incident, updatedAt } };
  };

  it('when asked, then one request names the alerts (earliest first) and each rule comes back with its wait and labels', async () => {
    const rules = await reader().rulesFor(detail(), new Date(at(60)));
    expect(prom.requests.map((r) => [r.method, r.path, r.params.get('type'), r.params.getAll('rule_name[]')])).toEqual([
      ['GET', '/api/v1/rules', 'alert', ['HighErrors', 'HighLatency']],
    ]);
    expect(rules).toEqual([
      { name: 'HighErrors', query: ERRORS, durationSeconds: 300, labels: { severity: 'critical' } },
      { name: 'HighLatency', query: 'latency > 2', durationSeconds: 600, labels: {} },
    ]);
  });

  it('when a Prometheus ignores the name filter (before 2.54), then only the rules of the incident\'s alerts are kept', async () => {
    prom.nameFilter = false;
    const rules = await reader().rulesFor(detail(), new Date(at(60)));
    expect(rules!.map((r) => r.name)).toEqual(['HighErrors', 'HighLatency']);
  });

  it('when the report is read again at the same revision, then Prometheus is asked once; a new revision asks again', async () => {
    const r = reader();
    for (let i = 0; i < 5; i++) await r.rulesFor(detail(), new Date(at(60 + i)));
    expect(prom.requests).toHaveLength(1);
    await r.rulesFor(detail(at(45)), new Date(at(70)));
    expect(prom.requests).toHaveLength(2);
  });

  it('when Prometheus cannot be reached, then the answer is null (never a failure) and is not kept', async () => {
    const r = reader();
    const port = Number(new URL(prom.url).port);
    await prom.close();
    await expect(r.rulesFor(detail(), new Date(at(60)))).resolves.toBeNull();
    prom = await startFakePrometheus([{ name: 'HighErrors', query: ERRORS, duration: 300 }], port);
    expect(await r.rulesFor(detail(), new Date(at(61)))).toHaveLength(1);
  });

  it('when the Prometheus has no rules API, then there are no rules, and that answer is kept', async () => {
    prom.rulesApi = false;
    const r = reader();
    expect(await r.rulesFor(detail(), new Date(at(60)))).toEqual([]);
    expect(await r.rulesFor(detail(), new Date(at(61)))).toEqual([]);
    expect(prom.requests).toHaveLength(1);
  });
});

describe('the report\'s drafted impact start with Prometheus configured', () => {
  let prom: FakePrometheus;
  let app: TestApp;
  let incidentId: string;

  beforeAll(async () => {
    prom = await startFakePrometheus([{ name: 'HighErrors', query: ERRORS, duration: 300 }]);
    app = await startTestApp({ env: { DEBRIEF_PROMETHEUS_URL: prom.url }, overrides: { prometheus: { timeoutMs: 1000 } } });
    const body = alertmanagerBody([{ labels: { alertname: 'HighErrors', service: 'api', severity: 'critical' }, startsAt: at(0), endsAt: at(20), generatorURL: graph(ERRORS) }]);
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    incidentId = (await listAllIncidents(app))[0]!.id;
  });
  afterAll(async () => {
    await app.stop();
    await prom.close();
  });

  it('when the report is read, then impact began by the rule\'s wait before the first alert, and a person can correct it', async () => {
    const res = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
    expect(res.status).toBe(200);
    expect(res.data.impactWindow.startedAt).toMatchObject({
      at: at(-5), origin: 'machine-drafted', machineAt: at(-5),
      machineNote: 'impact began by 09:55 UTC at the latest (HighErrors fired at 10:00 UTC; its rule waits 5m)',
    });
    const patched = await app.api.patch(`/api/v1/incidents/${incidentId}/report`, { impactStartedAt: at(-9) }, { headers: { 'If-Match': res.data.etag } });
    expect(patched.data.impactWindow.startedAt).toMatchObject({ at: at(-9), origin: 'human-completed', machineAt: at(-5) });
  });

  it('when Prometheus is down, then the report is still served and says nothing about rules', async () => {
    await prom.close();
    // A new revision, so nothing kept answers for it.
    const body = alertmanagerBody([{ labels: { alertname: 'HighErrors', service: 'api', severity: 'critical', pod: 'b' }, startsAt: at(1), endsAt: at(21), generatorURL: graph(ERRORS) }]);
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    const res = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
    expect(res.status).toBe(200);
    expect(res.data.impactWindow.startedAt).toMatchObject({ machineAt: at(0), machineNote: null });
  });
});
