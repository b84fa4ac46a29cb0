/**
 * Proves the e2e harness against REAL Prometheus and Alertmanager processes:
 * Prometheus evaluates rules -> Alertmanager groups them -> webhook with a
 * bearer token -> our capture server. No mocks.
 *
 * Needs the Debian packages `prometheus` and `prometheus-alertmanager`
 * (installed by .ci/run). Without them this suite FAILS, it does not skip.
 */
import { startCaptureServer, type CaptureServer, type CapturedRequest } from './support/capture-server';
import {
  ALERTMANAGER_BINARIES,
  PROMETHEUS_BINARIES,
  findBinary,
  postAlerts,
  requireBinary,
  startAlertmanager,
  startPrometheus,
  type MonitoringProcess,
} from './support/monitoring';
import { freePort } from './support/ports';
import { stopAll } from './support/processes';

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}
interface WebhookPayload {
  version: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: WebhookAlert[];
}

const TOKEN = 'e2e-secret-token-7f3a';
const WEBHOOK_PATH = '/webhooks/alertmanager';
/**
 * Prometheus 2.42 (Debian 12) hands targets from service discovery to the
 * scrape manager and the notifier only after a fixed ~5 s delay, so the first
 * self-scrape and the first alert sent to Alertmanager happen ~5-7 s after
 * start. The resolving rule must stay true well past that point.
 */
const RESOLVE_AFTER_S = 12;

/**
 * The resolving rule compares `time()` with a deadline set when Prometheus is started: its own
 * `process_start_time_seconds` exists only after the first self-scrape, which under load can
 * come after the window has closed (see alertmanager-to-report.e2e.test.ts).
 */
const rules = (resolveAtEpochSeconds: number) => `
groups:
  - name: harness
    interval: 1s
    rules:
      - alert: HarnessAlwaysFiring
        expr: label_replace(vector(1), "pod", "checkout-1", "", "")
        labels: {service: checkout, severity: critical}
        annotations:
          summary: 'always firing on {{ $labels.pod }}'
      - alert: HarnessResolvesSoon
        expr: label_replace(vector(time()), "job", "prometheus", "", "") < ${resolveAtEpochSeconds}
        labels: {service: inventory, severity: warning}
        annotations:
          summary: 'fires for the first ${RESOLVE_AFTER_S}s after Prometheus is started, then resolves'
`;

function payload(req: CapturedRequest): WebhookPayload | undefined {
  return req.url === WEBHOOK_PATH ? (req.json as WebhookPayload | undefined) : undefined;
}

function notification(alertname: string, status: 'firing' | 'resolved') {
  return (req: CapturedRequest): boolean => {
    const p = payload(req);
    return (
      p !== undefined &&
      p.status === status &&
      p.alerts.some((a) => a.labels.alertname === alertname && a.status === status)
    );
  };
}

describe('e2e harness helpers', () => {
  test('freePort returns a usable loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  test('findBinary returns null for missing binaries and requireBinary says what to install', () => {
    expect(findBinary(['debrief-definitely-not-installed-xyz'])).toBeNull();
    expect(() => requireBinary(['debrief-definitely-not-installed-xyz'], 'Alertmanager')).toThrow(
      /prometheus prometheus-alertmanager/,
    );
  });
});

describe('real Prometheus -> Alertmanager -> webhook', () => {
  let capture: CaptureServer;
  let alertmanager: MonitoringProcess;
  let prometheus: MonitoringProcess;
  const dump = (): string =>
    `\n--- alertmanager logs ---\n${alertmanager?.logs().slice(-3000) ?? '(not started)'}` +
    `\n--- prometheus logs ---\n${prometheus?.logs().slice(-3000) ?? '(not started)'}`;

  beforeAll(async () => {
    // Fail (not skip) with an install hint when the binaries are missing.
    requireBinary(PROMETHEUS_BINARIES, 'Prometheus');
    requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');

    capture = await startCaptureServer();
    alertmanager = await startAlertmanager({
      webhookUrl: `${capture.url}${WEBHOOK_PATH}`,
      bearerToken: TOKEN,
      groupWait: '1s',
      groupInterval: '1s',
      repeatInterval: '1h',
      routeGroupBy: ['alertname'],
    });
    prometheus = await startPrometheus({ alertmanagerUrl: alertmanager.url, rulesYaml: rules(Math.floor(Date.now() / 1000) + RESOLVE_AFTER_S) });
  }, 30_000);

  afterAll(async () => {
    await stopAll();
  }, 20_000);

  test('both processes answer /-/ready on loopback', () => {
    expect(alertmanager.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a rule that fires at once reaches the webhook with the bearer token', async () => {
    const req = await capture
      .waitFor(notification('HarnessAlwaysFiring', 'firing'), 15_000)
      .catch((err: Error) => Promise.reject(new Error(err.message + dump())));

    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.headers['user-agent']).toMatch(/^Alertmanager\//);

    const p = payload(req)!;
    expect(p.version).toBe('4');
    expect(p.groupLabels).toEqual({ alertname: 'HarnessAlwaysFiring' });
    expect(p.alerts).toHaveLength(1);
    expect(p.alerts[0]!.labels).toMatchObject({
      alertname: 'HarnessAlwaysFiring',
      pod: 'checkout-1',
      service: 'checkout',
      severity: 'critical',
    });
    expect(p.alerts[0]!.annotations.summary).toBe('always firing on checkout-1');
  }, 20_000);

  test('a rule that stops matching produces a firing and then a resolved notification', async () => {
    const firing = await capture
      .waitFor(notification('HarnessResolvesSoon', 'firing'), 15_000)
      .catch((err: Error) => Promise.reject(new Error(err.message + dump())));
    const resolved = await capture
      .waitFor(notification('HarnessResolvesSoon', 'resolved'), 20_000)
      .catch((err: Error) => Promise.reject(new Error(err.message + dump())));

    expect(resolved.seq).toBeGreaterThan(firing.seq);
    expect(resolved.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const alert = payload(resolved)!.alerts.find((a) => a.labels.alertname === 'HarnessResolvesSoon')!;
    expect(alert.status).toBe('resolved');
    expect(alert.labels).toMatchObject({ service: 'inventory', severity: 'warning', job: 'prometheus' });
    expect(new Date(alert.endsAt).getTime()).toBeGreaterThan(new Date(alert.startsAt).getTime());
  }, 30_000);

  test('postAlerts sends an alert straight to Alertmanager that then resolves by itself', async () => {
    const now = Date.now();
    await postAlerts(alertmanager.url, [
      {
        labels: { alertname: 'HarnessPosted', service: 'billing', severity: 'critical' },
        annotations: { summary: 'posted via /api/v2/alerts' },
        startsAt: new Date(now - 1000),
        endsAt: new Date(now + 3000),
      },
    ]);
    const firing = await capture.waitFor(notification('HarnessPosted', 'firing'), 10_000);
    expect(payload(firing)!.alerts[0]!.annotations.summary).toBe('posted via /api/v2/alerts');
    const resolved = await capture.waitFor(notification('HarnessPosted', 'resolved'), 15_000);
    expect(resolved.headers.authorization).toBe(`Bearer ${TOKEN}`);
  }, 25_000);
});
