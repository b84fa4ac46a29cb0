/**
 * Reconciliation against a REAL Alertmanager (Debian's prometheus-alertmanager). Alertmanager
 * notifies a capture server, never Debrief: everything Debrief learns comes from polling
 * `GET /api/v2/alerts/groups`. Without the binary this suite FAILS with an install hint.
 */
import { allAlerts, getIncident, inboxEntries, type AlertBody } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { startCaptureServer, type CaptureServer } from './support/capture-server';
import { ALERTMANAGER_BINARIES, postAlerts, requireBinary, startAlertmanager, type MonitoringProcess } from './support/monitoring';
import { delay, stopAll } from './support/processes';

const GRACE_SECONDS = 2;

let capture: CaptureServer;
let alertmanager: MonitoringProcess;
let app: TestApp;

/** Polls Debrief's API until `pick` finds what it waits for. */
async function eventually<T>(what: string, pick: (alerts: AlertBody[]) => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: AlertBody[] = [];
  while (Date.now() < deadline) {
    last = await allAlerts(app);
    const found = pick(last);
    if (found !== undefined) return found;
    await delay(250);
  }
  throw new Error(`timed out waiting for ${what}; Debrief has ${JSON.stringify(last.map((a) => [a.labels.alertname, a.status, a.endsAt]))}\n--- alertmanager logs ---\n${alertmanager.logs().slice(-2000)}`);
}

beforeAll(async () => {
  requireBinary(ALERTMANAGER_BINARIES, 'Alertmanager');
  capture = await startCaptureServer();
  alertmanager = await startAlertmanager({ webhookUrl: `${capture.url}/not-debrief`, routeGroupBy: ['alertname'], receiverName: 'oncall' });
  app = await startTestApp({
    overrides: {
      reconcile: { alertmanager: [{ instance: 'alertmanager', url: alertmanager.url, intervalSeconds: 1, graceSeconds: GRACE_SECONDS }] },
    },
  });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await stopAll();
}, 20_000);

describe('reconciliation with a real Alertmanager that never notifies Debrief', () => {
  const now = Date.now();
  const startsAt = new Date(now - 60_000);
  /** Alertmanager resolves this one by itself a few seconds into the test. */
  const expiresAt = new Date(now + 5_000);

  test('alerts posted to Alertmanager are ingested, and one that expires there is resolved after the grace period', async () => {
    await postAlerts(alertmanager.url, [
      { labels: { alertname: 'ReconcileStaysFiring', service: 'checkout', severity: 'critical' }, annotations: { summary: 'keeps firing' }, startsAt },
      { labels: { alertname: 'ReconcileExpires', service: 'billing', severity: 'warning' }, annotations: { summary: 'ends by itself' }, startsAt, endsAt: expiresAt },
    ]);

    const both = await eventually('both alerts to be ingested', (alerts) => (alerts.length === 2 ? alerts : undefined));
    for (const a of both) {
      expect(a).toMatchObject({ instance: 'alertmanager', source: 'alertmanager', status: 'firing', startsAt: startsAt.toISOString(), endsAt: null });
      expect(a.sourceGroupKey).toBe(`reconciled:oncall:{alertname="${a.labels.alertname}"}`);
      expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    }

    const expired = await eventually('the expired alert to be resolved', (alerts) =>
      alerts.find((a) => a.labels.alertname === 'ReconcileExpires' && a.status === 'resolved'));
    // Missing from Alertmanager after its lease ran out: resolved at that lease, the end it was posted with.
    expect(expired.endsAt).toBe(expiresAt.toISOString());
    const incident = await getIncident(app, expired.incidentId);
    expect(incident.status).toBe('resolved');
    const note = incident.timeline.find((e) => e.kind === 'alert.reconciled');
    expect(note?.text).toContain(`for at least ${GRACE_SECONDS} s`);

    const firing = (await allAlerts(app)).find((a) => a.labels.alertname === 'ReconcileStaysFiring')!;
    expect(firing.status).toBe('firing');
    expect(firing.notificationCount).toBe(1);
    // Nothing came in by webhook: Alertmanager notified only the capture server.
    expect(await inboxEntries(app)).toEqual([]);
    expect(capture.requests.every((r) => r.url === '/not-debrief')).toBe(true);
  }, 30_000);
});
