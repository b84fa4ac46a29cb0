/**
 * Metric snapshots against a REAL Prometheus (Debian's `prometheus` package): Prometheus
 * evaluates a rule over its own scraped `up` series and sends the alert through a real
 * Alertmanager; the webhook body it produced (with Prometheus's own generatorURL) is given
 * to Debrief, configured with that Prometheus as `prometheus.baseUrl`. The report then carries a
 * chart of the rule's expression from `query_range` (an expression Prometheus confirms as the
 * rule's through `/api/v1/rules`); with Prometheus stopped, once the snapshot is due again, a
 * note instead.
 *
 * Needs `prometheus` and `prometheus-alertmanager`; without them this suite FAILS, it does not skip.
 */
import { listAllIncidents } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { activeContent, xmlProblems } from '../support/xml-wellformed';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from './support/capture-server';
import {
  ALERTMANAGER_BINARIES, PROMETHEUS_BINARIES, requireBinary, startAlertmanager, startPrometheus, type MonitoringProcess,
} from './support/monitoring';
import { stopAll } from './support/processes';

const WEBHOOK_PATH = '/webhooks/alertmanager';
const EXPR = 'up{job="prometheus"} == 1';
const RULES = `
groups:
  - name: snapshot
    interval: 1s
    rules:
      - alert: PrometheusSelfScrapeUp
        expr: ${EXPR}
        labels: {service: monitoring, severity: warning}
        annotations:
          summary: 'Prometheus scrapes itself'
`;

interface WebhookPayload { status: string; alerts: Array<{ labels: Record<string, string>; generatorURL: string }> }

const firing = (req: CapturedRequest): boolean => {
  const p = req.url === WEBHOOK_PATH ? (req.json as WebhookPayload | undefined) : undefined;
  return !!p && p.alerts.some((a) => a.labels.alertname === 'PrometheusSelfScrapeUp');
};

describe('metric snapshot from a real Prometheus', () => {
  let capture: CaptureServer;
  let alertmanager: MonitoringProcess;
  let prometheus: MonitoringProcess;
  let app: TestApp;
  let incidentId: string;
  let generatorUrl: string;

  beforeAll(async () => {
    requireBinary(PROMETHEUS_BINARIES, 'Prometheus');
    requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');
    capture = await startCaptureServer();
    alertmanager = await startAlertmanager({ webhookUrl: `${capture.url}${WEBHOOK_PATH}`, groupWait: '1s', groupInterval: '1s', routeGroupBy: ['alertname'] });
    prometheus = await startPrometheus({ alertmanagerUrl: alertmanager.url, rulesYaml: RULES });
    // Prometheus 2.42 hands targets to scraping and notification ~5 s after start.
    const req = await capture.waitFor(firing, 25_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- prometheus ---\n${prometheus.logs().slice(-2000)}\n--- alertmanager ---\n${alertmanager.logs().slice(-2000)}`);
    });
    generatorUrl = (req.json as WebhookPayload).alerts[0]!.generatorURL;

    // The incident stays open: its snapshot is retaken once it is older than refreshSeconds.
    app = await startTestApp({ env: { DEBRIEF_PROMETHEUS_URL: prometheus.url }, overrides: { prometheus: { timeoutMs: 2000, marginMinutes: 1, refreshSeconds: 2 } } });
    // The exact bytes Alertmanager sent.
    expect((await app.postAlertmanager(req.rawBody.toString('utf8'))).status).toBe(202);
    await app.settle();
    incidentId = (await listAllIncidents(app))[0]!.id;
  }, 45_000);

  afterAll(async () => {
    await app?.stop();
    await stopAll();
  }, 20_000);

  it('when the alert came from Prometheus, then its generatorURL holds the rule expression as g0.expr', () => {
    expect(new URL(generatorUrl).origin).toBe(prometheus.url);
    expect(new URL(generatorUrl).searchParams.get('g0.expr')).toBe(EXPR);
  });

  it('when the report is exported, then the rule has a chart of real samples from query_range over the incident window', async () => {
    const res = await app.api.get(`/api/v1/incidents/${incidentId}/report.json`);
    expect(res.status).toBe(200);
    const [snapshot] = res.data.metricSnapshots;
    expect(snapshot).toMatchObject({ rule: 'PrometheusSelfScrapeUp', expr: EXPR, status: 'ok', note: null });
    const series = snapshot.chart.series as Array<{ labels: Record<string, string>; points: Array<[number, number]> }>;
    expect(series).toHaveLength(1);
    expect(series[0]!.labels).toMatchObject({ job: 'prometheus', instance: new URL(prometheus.url).host });
    expect(series[0]!.points.length).toBeGreaterThan(0);
    expect(series[0]!.points.every(([, v]) => v === 1)).toBe(true);
    const html = await app.api.get(`/api/v1/incidents/${incidentId}/report.html`);
    const chart = /<figure class="chart">(<svg[\s\S]*?<\/svg>)/.exec(html.data as string)?.[1];
    expect(chart).toBeDefined();
    expect(xmlProblems(chart!)).toEqual([]);
    expect(activeContent(html.data as string)).toEqual([]);
    expect(chart).toContain('<polyline');
  });

  it('when Prometheus is stopped, then the snapshot taken stays until it is due again, and then the export still succeeds and says the chart is missing', async () => {
    await prometheus.stop();
    const stoppedAt = Date.now();
    const kept = await app.api.get(`/api/v1/incidents/${incidentId}/report.json`);
    expect(kept.data.metricSnapshots[0]).toMatchObject({ rule: 'PrometheusSelfScrapeUp', status: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2100 - (Date.now() - stoppedAt))));
    const res = await app.api.get(`/api/v1/incidents/${incidentId}/report.json`);
    expect(res.status).toBe(200);
    expect(res.data.metricSnapshots[0]).toMatchObject({ rule: 'PrometheusSelfScrapeUp', status: 'unavailable', chart: null });
    expect(res.data.metricSnapshots[0].note).toMatch(/Prometheus could not be reached/);
  });
});
