import pino from 'pino';
import { reconciledGroupKey } from '../../connectors/alertmanager/alertmanager.pull';
import { AlertmanagerReconciler, type AlertmanagerReconcileTarget } from '../../src/integrations/alertmanager-reconciler';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allAlerts, getIncident, type AlertBody } from '../support/api-helpers';
import { recordedAlertGroups, startFakeAlertmanagerApi, type FakeAlertmanagerApi } from '../support/fake-alertmanager-api';
import { startTestApp, type TestApp } from '../support/test-app';

/*
 * Reconciliation against a loopback server that serves the recorded `GET /api/v2/alerts/groups`
 * of a real Alertmanager 0.31 (karma's mock). In it, 12 alerts appear once under each of the
 * receivers `by-name` and `by-cluster-service`; 8 are active, 4 silenced. All started at
 * 2026-03-11T12:48:38.413Z; Alertmanager's lease (endsAt) for all is 12:54:18.427Z.
 */

const STARTED = '2026-03-11T12:48:38.413Z';
const LEASE = '2026-03-11T12:54:18.427Z';
const API_TOKEN_FOR_AM = 'alertmanager-api-token-0123';

const recorded = recordedAlertGroups();
const byName = recorded.filter((g) => g.receiver.name === 'by-name');
const activeFingerprints = [...new Set(byName.flatMap((g) => g.alerts.filter((a) => a.status.state === 'active').map((a) => a.fingerprint)))].sort();
const silencedFingerprints = [...new Set(byName.flatMap((g) => g.alerts.filter((a) => a.status.state !== 'active').map((a) => a.fingerprint)))].sort();
const hostDown = byName.find((g) => g.labels.alertname === 'Host_Down')!;

let am: FakeAlertmanagerApi;
let app: TestApp;

/** A reconciler on the app's store path with a clock the test moves. */
function manualReconciler(target: Partial<AlertmanagerReconcileTarget>, start: string) {
  let now = Date.parse(start);
  const reconciler = new AlertmanagerReconciler({
    target: { instance: 'alertmanager', url: am.url, intervalSeconds: 3600, graceSeconds: 300, ...target },
    sink: app.debrief.reconciliation.sink,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(now),
  });
  return { reconciler, setNow: (iso: string) => { now = Date.parse(iso); } };
}

const byFingerprint = (alerts: AlertBody[]) => new Map(alerts.map((a) => [a.fingerprint, a]));

afterEach(async () => {
  await app?.stop();
  await am?.close();
});

describe('Alertmanager reconciliation configured in the app', () => {
  beforeEach(async () => {
    am = await startFakeAlertmanagerApi();
    app = await startTestApp({
      overrides: {
        reconcile: {
          alertmanager: [{ instance: 'alertmanager', url: am.url, intervalSeconds: 3600, graceSeconds: 0, bearerToken: API_TOKEN_FOR_AM, receivers: ['by-name'] }],
        },
      },
    });
  });

  it('when Alertmanager lists active alerts Debrief never received, then each is ingested once under its API group, and silenced ones are not', async () => {
    const [reconciler] = app.debrief.reconciliation.reconcilers;
    await reconciler!.pollOnce();

    const alerts = await allAlerts(app);
    expect(alerts.map((a) => a.fingerprint).sort()).toEqual(activeFingerprints);
    expect(alerts).toHaveLength(8);
    for (const f of silencedFingerprints) expect(alerts.map((a) => a.fingerprint)).not.toContain(f);
    for (const a of alerts) {
      expect(a).toMatchObject({ instance: 'alertmanager', status: 'firing', startsAt: STARTED, endsAt: null, notificationCount: 1 });
      expect(a.sourceGroupKey).toBe(reconciledGroupKey('by-name', { alertname: a.labels.alertname! }));
      expect(a.sourceGroupLabels).toEqual({ alertname: a.labels.alertname });
    }
    const hostDownAlerts = alerts.filter((a) => a.labels.alertname === 'Host_Down');
    expect(hostDownAlerts).toHaveLength(5);
    expect(new Set(hostDownAlerts.map((a) => a.incidentId)).size).toBe(1);

    expect(am.requests.length).toBeGreaterThanOrEqual(1);
    for (const r of am.requests) {
      expect(r.path).toBe('/api/v2/alerts/groups');
      expect(r.headers.authorization).toBe(`Bearer ${API_TOKEN_FOR_AM}`);
    }
  });

  it('when the same alerts are listed again, then nothing changes (no new alerts, no extra notifications)', async () => {
    const [reconciler] = app.debrief.reconciliation.reconcilers;
    await reconciler!.pollOnce();
    const before = await allAlerts(app);
    const again = await reconciler!.pollOnce();
    expect(again).toMatchObject({ ok: true, ingested: 0, resolved: 0 });
    expect(await allAlerts(app)).toEqual(before);
  });
});

describe('Alertmanager reconciliation run by the test (clock under its control)', () => {
  beforeEach(async () => {
    am = await startFakeAlertmanagerApi();
    app = await startTestApp();
  });

  it('when a webhook already delivered one alert of a group, then the missing members join its incident under the webhook group key, and the delivered alert is left as it was', async () => {
    const server1 = hostDown.alerts.find((a) => a.labels.instance === 'server1')!;
    const webhookGroupKey = '{}/{severity=~".*"}:{alertname="Host_Down"}';
    const body = alertmanagerBody(
      [{ labels: server1.labels, annotations: server1.annotations, startsAt: server1.startsAt, fingerprint: server1.fingerprint }],
      { groupKey: webhookGroupKey, receiver: 'by-name' },
    );
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    const delivered = (await allAlerts(app))[0]!;

    const { reconciler } = manualReconciler({ receivers: ['by-name'], graceSeconds: 0 }, '2026-03-11T12:50:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ok: true, ingested: 7, resolved: 0 });

    const alerts = byFingerprint(await allAlerts(app));
    expect(alerts.size).toBe(8);
    expect(alerts.get(server1.fingerprint)).toEqual(delivered);
    const hostDownAlerts = [...alerts.values()].filter((a) => a.labels.alertname === 'Host_Down');
    expect(hostDownAlerts).toHaveLength(5);
    for (const a of hostDownAlerts) {
      expect(a.sourceGroupKey).toBe(webhookGroupKey);
      expect(a.incidentId).toBe(delivered.incidentId);
    }
    // Groups nobody delivered keep the reconciled key.
    expect(alerts.get('7d0b114ebf24f857')!.sourceGroupKey).toBe(reconciledGroupKey('by-name', { alertname: 'Memory_Usage_Too_High' }));
  });

  it('when only another receiver is named, then alerts are keyed by that receiver\'s groups', async () => {
    const { reconciler } = manualReconciler({ receivers: ['by-cluster-service'], graceSeconds: 0 }, '2026-03-11T12:50:00Z');
    await reconciler.pollOnce();
    const alerts = byFingerprint(await allAlerts(app));
    expect(alerts.size).toBe(8);
    expect(alerts.get('7013294faf5f854d')!.sourceGroupKey).toBe(reconciledGroupKey('by-cluster-service', { alertname: 'Host_Down', cluster: 'prod' }));
    expect(alerts.get('7f3a53482c303b65')!.sourceGroupKey).toBe(reconciledGroupKey('by-cluster-service', { alertname: 'Host_Down', cluster: 'staging' }));
  });

  it('when a firing alert is missing from Alertmanager, then it is resolved only after the grace period, at the first poll that missed it', async () => {
    const { reconciler, setNow } = manualReconciler({ graceSeconds: 300 }, '2026-03-11T12:50:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ok: true, ingested: 8, resolved: 0 });

    am.removeAlert('7d0b114ebf24f857'); // Memory_Usage_Too_High on server2
    setNow('2026-03-11T12:51:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ok: true, resolved: 0, waiting: 1 });
    expect(byFingerprint(await allAlerts(app)).get('7d0b114ebf24f857')!.status).toBe('firing');

    setNow('2026-03-11T12:55:59Z'); // 299 s later: still within the grace period
    expect(await reconciler.pollOnce()).toMatchObject({ resolved: 0, waiting: 1 });

    setNow('2026-03-11T12:56:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ok: true, resolved: 1, waiting: 0 });
    const memory = byFingerprint(await allAlerts(app)).get('7d0b114ebf24f857')!;
    // Missing at 12:51:00, before the lease (12:54:18.427) ran out: that poll is the best end time.
    expect(memory).toMatchObject({ status: 'resolved', endsAt: '2026-03-11T12:51:00.000Z' });
    const incident = await getIncident(app, memory.incidentId);
    expect(incident.status).toBe('resolved');
    expect(incident.timeline.map((e) => [e.at, e.kind])).toContainEqual(['2026-03-11T12:51:00.000Z', 'alert.resolved']);

    // Everything else is still firing, and a later poll changes nothing.
    setNow('2026-03-11T12:57:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ingested: 0, resolved: 0, waiting: 0 });
    expect((await allAlerts(app)).filter((a) => a.status === 'firing')).toHaveLength(7);
  });

  it('when an alert disappears after its lease ran out, then it is resolved at the lease end Alertmanager showed', async () => {
    const { reconciler, setNow } = manualReconciler({ graceSeconds: 60 }, '2026-03-11T12:50:00Z');
    await reconciler.pollOnce();
    am.removeAlert('aae7a1432b5d2f1b'); // Free_Disk_Space_Too_Low
    setNow('2026-03-11T12:58:00Z');
    await reconciler.pollOnce();
    setNow('2026-03-11T12:59:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ resolved: 1 });
    expect(byFingerprint(await allAlerts(app)).get('aae7a1432b5d2f1b')).toMatchObject({ status: 'resolved', endsAt: LEASE });
  });

  it('when Alertmanager answers an error or cannot be reached, then nothing is resolved however long it lasts', async () => {
    const { reconciler, setNow } = manualReconciler({ graceSeconds: 0 }, '2026-03-11T12:50:00Z');
    await reconciler.pollOnce();
    const before = await allAlerts(app);

    am.failWith = 503;
    setNow('2026-03-11T13:50:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ok: false, error: expect.stringContaining('503'), resolved: 0 });

    am.failWith = null;
    am.groups = [{ nonsense: true }] as never;
    expect(await reconciler.pollOnce()).toMatchObject({ ok: false, error: expect.stringContaining('unexpected response shape'), resolved: 0 });

    await am.close();
    expect(await reconciler.pollOnce()).toMatchObject({ ok: false, resolved: 0 });
    expect(await allAlerts(app)).toEqual(before);
  });

  it('when an alert only reached Debrief after the snapshot was taken, then that snapshot does not resolve it', async () => {
    const { reconciler, setNow } = manualReconciler({ graceSeconds: 0 }, '2026-03-11T12:50:00Z');
    am.groups = [];
    // The webhook alert is recorded "later" than the reconciler's clock reads.
    const body = alertmanagerBody([{ labels: { alertname: 'JustArrived', service: 'api' }, startsAt: '2026-03-11T12:49:59Z' }]);
    expect((await app.postAlertmanager(body)).status).toBe(202);
    await app.settle();
    setNow('2026-03-11T12:00:00Z');
    expect(await reconciler.pollOnce()).toMatchObject({ ok: true, resolved: 0 });
    expect((await allAlerts(app))[0]!.status).toBe('firing');
  });
});
