import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { listAllIncidents } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Heartbeats (`Watchdog`, `DeadMansSwitch`), informational alerts (`InfoInhibitor`) and alerts
 * an `ignore.matchers` entry names never become incidents: the webhook is accepted and stored as
 * any other, processing leaves them out, says so on the inbox entry, and counts them on /metrics.
 * The inbox runs in its worker thread here (the default), so the counter crosses the thread.
 */

const T0 = '2024-01-01T00:00:00.000Z'; // a heartbeat that has fired for years

describe('heartbeat, informational and ignored alerts', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ overrides: { ignore: { matchers: [['env="dev"', 'severity="none"']] } } });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('when a body carries a Watchdog, an InfoInhibitor, an ignored dev alert and a real one, then only the real one becomes an incident and the others are counted and explained', async () => {
    const now = '2026-03-01T10:00:00.000Z';
    const body = alertmanagerBody([
      { labels: { alertname: 'Watchdog', severity: 'none' }, startsAt: T0 },
      { labels: { alertname: 'InfoInhibitor', severity: 'none', namespace: 'kube-system' }, startsAt: minutesAfter(now, -30) },
      { labels: { alertname: 'DevNoise', env: 'dev', severity: 'none', service: 'sandbox' }, startsAt: minutesAfter(now, -5) },
      { labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, startsAt: now },
    ], { groupBy: [] });
    const accepted = await app.postAlertmanager(body);
    expect(accepted.status).toBe(202);
    await app.settle();

    const incidents = await listAllIncidents(app);
    expect(incidents.map((incident) => incident.title)).toEqual([expect.stringContaining('HighErrorRate')]);
    expect(incidents[0]!.alertCount).toBe(1);

    const entry = await app.api.get(`/api/v1/inbox/${(accepted.data as { inboxId: string }).inboxId}`);
    expect(entry.data.state).toBe('done');
    expect(entry.data.outcome).toEqual({
      alerts: 1,
      ignoredReason: '3 alerts not made incidents (ignore configuration): Watchdog (heartbeat or informational alert), InfoInhibitor (heartbeat or informational alert), DevNoise (ignore matcher)',
    });

    const metrics = (await app.anon.get('/metrics')).data as string;
    expect(metrics).toContain('debrief_alerts_ignored_total{alertname="Watchdog",reason="heartbeat"} 1');
    expect(metrics).toContain('debrief_alerts_ignored_total{alertname="InfoInhibitor",reason="heartbeat"} 1');
    expect(metrics).toContain('debrief_alerts_ignored_total{alertname="DevNoise",reason="matcher"} 1');
  });

  it('when a body carries only a heartbeat, then it is stored and completed with nothing placed', async () => {
    const accepted = await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'DeadMansSwitch', severity: 'none' }, startsAt: T0 }], { groupBy: [] }));
    expect(accepted.status).toBe(202);
    await app.settle();
    const entry = await app.api.get(`/api/v1/inbox/${(accepted.data as { inboxId: string }).inboxId}`);
    expect(entry.data.state).toBe('done');
    expect(entry.data.outcome.alerts).toBe(0);
    expect(entry.data.outcome.ignoredReason).toContain('DeadMansSwitch');
    expect((await listAllIncidents(app)).some((incident) => String(incident.title).includes('DeadMansSwitch'))).toBe(false);
    expect((await app.anon.get('/metrics')).data).toContain('debrief_alerts_ignored_total{alertname="DeadMansSwitch",reason="heartbeat"} 1');
  });
});
