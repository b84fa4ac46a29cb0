/**
 * The drafted impact start against a REAL Prometheus (Debian's `prometheus` package). Two rules
 * share one alert name: one waits 15 s (`for: 15s`) over Prometheus's own `up` series and fires,
 * the other has no wait and never fires. Prometheus sends the firing alert through a real
 * Alertmanager; the webhook body it produced (with Prometheus's generatorURL) is given to
 * Debrief, configured with that Prometheus. The report's machine impact start is then the alert's
 * start minus the 15 s of the rule its expression names (not the 0 s of its namesake), and
 * Prometheus's own record of when the condition began (`activeAt`) is no later than it.
 *
 * Needs `prometheus` and `prometheus-alertmanager`; without them this suite FAILS, it does not skip.
 */
import axios from 'axios';
import { listAllIncidents } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from './support/capture-server';
import {
  ALERTMANAGER_BINARIES, PROMETHEUS_BINARIES, requireBinary, startAlertmanager, startPrometheus, type MonitoringProcess,
} from './support/monitoring';
import { stopAll } from './support/processes';

const WEBHOOK_PATH = '/webhooks/alertmanager';
const NAME = 'SelfScrapeSlowToFire';
const EXPR = 'up{job="prometheus"} == 1';
const RULES = `
groups:
  - name: impact-start
    interval: 1s
    rules:
      - alert: ${NAME}
        expr: ${EXPR}
        for: 15s
        labels: {service: monitoring, severity: warning}
      - alert: ${NAME}
        expr: up{job="prometheus"} > 5
        labels: {service: monitoring, severity: warning}
`;

interface WebhookPayload { status: string; alerts: Array<{ labels: Record<string, string>; startsAt: string; generatorURL: string }> }

const firing = (req: CapturedRequest): boolean => {
  const p = req.url === WEBHOOK_PATH ? (req.json as WebhookPayload | undefined) : undefined;
  return !!p && p.alerts.some((a) => a.labels.alertname === NAME);
};

describe('drafted impact start from a real Prometheus rule\'s for:', () => {
  let capture: CaptureServer;
  let alertmanager: MonitoringProcess;
  let prometheus: MonitoringProcess;
  let app: TestApp;
  let incidentId: string;
  let startsAt: string;

  beforeAll(async () => {
    requireBinary(PROMETHEUS_BINARIES, 'Prometheus');
    requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');
    capture = await startCaptureServer();
    alertmanager = await startAlertmanager({ webhookUrl: `${capture.url}${WEBHOOK_PATH}`, groupWait: '1s', groupInterval: '1s', routeGroupBy: ['alertname'] });
    prometheus = await startPrometheus({ alertmanagerUrl: alertmanager.url, rulesYaml: RULES });
    // About 5 s until Prometheus scrapes and notifies, then the rule's 15 s.
    const req = await capture.waitFor(firing, 45_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- prometheus ---\n${prometheus.logs().slice(-2000)}\n--- alertmanager ---\n${alertmanager.logs().slice(-2000)}`);
    });
    startsAt = (req.json as WebhookPayload).alerts.find((a) => a.labels.alertname === NAME)!.startsAt;
    app = await startTestApp({ env: { DEBRIEF_PROMETHEUS_URL: prometheus.url }, overrides: { prometheus: { timeoutMs: 2000 } } });
    // The exact bytes Alertmanager sent.
    expect((await app.postAlertmanager(req.rawBody.toString('utf8'))).status).toBe(202);
    await app.settle();
    incidentId = (await listAllIncidents(app))[0]!.id;
  }, 70_000);

  afterAll(async () => {
    await app?.stop();
    await stopAll();
  }, 20_000);

  it('when the report is read, then impact began by 15 s before the alert fired, at the latest, and the note names the rule\'s wait', async () => {
    const res = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
    expect(res.status).toBe(200);
    const expected = new Date(Date.parse(startsAt) - 15_000).toISOString();
    expect(res.data.summary.startedAt).toBe(new Date(startsAt).toISOString());
    expect(res.data.impactWindow.startedAt).toMatchObject({ at: expected, origin: 'machine-drafted', machineAt: expected });
    expect(res.data.impactWindow.startedAt.machineNote).toMatch(new RegExp(`^impact began by \\d\\d:\\d\\d UTC at the latest \\(${NAME} fired at \\d\\d:\\d\\d UTC; its rule waits 15s\\)$`));
  });

  it('then Prometheus\'s own record agrees: the rule\'s condition held from no later than the drafted start', async () => {
    const res = await axios.get(`${prometheus.url}/api/v1/alerts`);
    const active = (res.data.data.alerts as Array<{ labels: Record<string, string>; activeAt: string; state: string }>).find((a) => a.labels.alertname === NAME && a.state === 'firing');
    expect(active).toBeDefined();
    const report = await app.api.get(`/api/v1/incidents/${incidentId}/report`);
    expect(Date.parse(active!.activeAt)).toBeLessThanOrEqual(Date.parse(report.data.impactWindow.startedAt.machineAt));
  });
});
