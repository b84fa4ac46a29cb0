import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { allAlerts, expectError, expectOk, getIncident, listAllIncidents, type AlertBody, type IncidentDetailBody } from '../support/api-helpers';
import { API_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/**
 * SRE corrections over HTTP: merge, split, move. Each is recorded in both incidents'
 * timelines with who and when, changes the alerts' decisions to `human`, and is remembered
 * by later notifications.
 */

const EDITOR_TOKEN = 'alice-editor-token-0123456789';
const t0 = '2026-05-10T08:00:00.000Z';
const checkout = (pod: string, name = 'HighErrorRate') => ({ alertname: name, service: 'checkout', cluster: 'eu1', pod, severity: 'critical' });
const billing = (name: string) => ({ alertname: name, service: 'billing', cluster: 'eu1', severity: 'warning' });

interface World {
  app: TestApp;
  alice: ReturnType<typeof axios.create>;
  viewer: ReturnType<typeof axios.create>;
  stop: () => Promise<void>;
}

type Seeded = Awaited<ReturnType<typeof seed>>;

async function startWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-corrections-'));
  const catalog = join(dir, 'services.yaml');
  writeFileSync(catalog, [
    'services:',
    '  - { name: checkout, team: payments, customerFacing: true }',
    '  - { name: billing, team: payments, customerFacing: false }',
  ].join('\n'));
  const app = await startTestApp({
    env: { DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},viewer:viewer:${VIEWER_TOKEN},alice:editor:${EDITOR_TOKEN}`, DEBRIEF_CATALOG_FILE: catalog },
  });
  const mk = (token: string) => axios.create({ baseURL: app.url, headers: { Authorization: `Bearer ${token}` }, validateStatus: () => true });
  const stop = async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { app, alice: mk(EDITOR_TOKEN), viewer: mk(VIEWER_TOKEN), stop };
}

/** checkout: 3 pods erroring + a crash loop (one incident); billing: two alerts (another incident). */
async function seed(app: TestApp): Promise<{ checkoutId: string; billingId: string; alerts: AlertBody[] }> {
  const post = async (body: unknown) => expect((await app.postAlertmanager(body)).status).toBe(202);
  await post(alertmanagerBody(['1', '2', '3'].map((p) => ({ labels: checkout(`checkout-${p}`), startsAt: t0 })), { groupBy: ['alertname', 'service'] }));
  await post(alertmanagerBody([{ labels: checkout('checkout-2', 'PodCrashLooping'), startsAt: minutesAfter(t0, 1) }], { groupBy: ['alertname', 'service'] }));
  await post(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, 2) }, { labels: billing('DiskIOHigh'), startsAt: minutesAfter(t0, 2.5) }], { groupBy: ['service'] }));
  await app.settle();
  const alerts = await allAlerts(app);
  const checkoutId = alerts.find((a) => a.labels.service === 'checkout')!.incidentId;
  const billingId = alerts.find((a) => a.labels.service === 'billing')!.incidentId;
  expect(checkoutId).not.toBe(billingId);
  expect(new Set(alerts.filter((a) => a.labels.service === 'checkout').map((a) => a.incidentId))).toEqual(new Set([checkoutId]));
  return { checkoutId, billingId, alerts };
}

/** A fresh app with the seeded incidents, per describe: corrections change them. */
async function startSeededWorld(): Promise<{ w: World; ids: Seeded }> {
  const w = await startWorld();
  return { w, ids: await seed(w.app) };
}

const byName = (alerts: AlertBody[], name: string) => alerts.find((a) => a.labels.alertname === name)!;
const corrections = (d: IncidentDetailBody) => d.timeline.filter((e) => e.kind.startsWith('correlation.'));

describe('POST /api/v1/incidents/:id/merge', () => {
  let w: World;
  let ids: Seeded;
  beforeAll(async () => ({ w, ids } = await startSeededWorld()));
  afterAll(() => w.stop());

  it('when the incidents are read before any correction, then impact items carry customerFacing from the catalog', async () => {
    expect((await getIncident(w.app, ids.checkoutId)).impact.map((i) => [i.service, (i as unknown as { customerFacing: boolean | null }).customerFacing])).toEqual([['checkout', true]]);
    expect((await getIncident(w.app, ids.billingId)).impact.map((i) => [i.service, (i as unknown as { customerFacing: boolean | null }).customerFacing])).toEqual([['billing', false]]);
  });

  it('when a viewer tries to merge, then 403 and nothing changes', async () => {
    expectError(await w.viewer.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { sourceIncidentIds: [ids.billingId] }), 403, 'forbidden');
    expect((await getIncident(w.app, ids.billingId)).status).toBe('open');
  });

  it('when the body is wrong, the target is among the sources, or an id is unknown, then 400/400/404', async () => {
    expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { sourceIncidentIds: [] }), 400, 'validation_failed');
    expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { into: ids.billingId }), 400, 'validation_failed');
    const self = expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { sourceIncidentIds: [ids.checkoutId] }), 400, 'validation_failed');
    expect(self.message).toBe('an incident cannot be merged into itself');
    expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { sourceIncidentIds: ['no-such-incident'] }), 404, 'not_found');
    expectError(await w.alice.post('/api/v1/incidents/no-such-incident/merge', { sourceIncidentIds: [ids.billingId] }), 404, 'not_found');
  });

  it('when an editor merges billing into checkout, then all alerts are in checkout, billing points there, and both timelines say who merged', async () => {
    const body = expectOk(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { sourceIncidentIds: [ids.billingId], reason: 'same bad deploy' }));
    expect(body.incident).toMatchObject({ id: ids.checkoutId, alertCount: 6, status: 'open', mergedInto: null });
    expect(body.merged).toEqual([expect.objectContaining({ id: ids.billingId, status: 'merged', mergedInto: ids.checkoutId, alertCount: 0 })]);
    expect(body.movedAlertIds.sort()).toEqual(ids.alerts.filter((a) => a.labels.service === 'billing').map((a) => a.id).sort());

    const target = await getIncident(w.app, ids.checkoutId);
    expect(target.alerts).toHaveLength(6);
    expect(target.impact.map((i) => i.service).sort()).toEqual(['billing', 'checkout']);
    expect(corrections(target)).toEqual([expect.objectContaining({ kind: 'correlation.merged', actor: 'alice', source: 'correlation' })]);
    expect(corrections(target)[0]!.text).toBe(`alice merged "DiskFull, DiskIOHigh on billing" (${ids.billingId}) into this incident (2 alerts): same bad deploy`);
    const disk = byName(target.alerts, 'DiskFull');
    expect(disk.decision).toMatchObject({ kind: 'human', rule: 'merge', decidedBy: 'alice', matched: { fromIncident: ids.billingId } });
    expect(disk.decision.explanation).toBe(`Merged into this incident from incident "DiskFull, DiskIOHigh on billing" (${ids.billingId}) by alice: same bad deploy.`);

    const source = await getIncident(w.app, ids.billingId);
    expect(source).toMatchObject({ status: 'merged', mergedInto: ids.checkoutId, alerts: [] });
    expect(corrections(source).map((e) => [e.kind, e.actor, e.text])).toEqual([
      // Titles as the person saw them when merging.
      ['correlation.merged', 'alice', `alice merged this incident into "HighErrorRate, PodCrashLooping on checkout" (${ids.checkoutId}): same bad deploy; its alerts and history are there now`],
    ]);

    const report = expectOk(await w.app.api.get(`/api/v1/incidents/${ids.checkoutId}/report`));
    expect(report.summary.affectedServices.sort()).toEqual(['billing', 'checkout']);
    expect((await listAllIncidents(w.app)).map((i) => i.id)).toEqual([ids.checkoutId]);
    expect((await listAllIncidents(w.app, { status: 'merged' })).map((i) => i.id)).toEqual([ids.billingId]);
  });

  it('when an already merged incident is merged again, or is the target, then 409 names where it went', async () => {
    const again = expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/merge`, { sourceIncidentIds: [ids.billingId] }), 409, 'conflict');
    expect(again.message).toBe(`incident "${ids.billingId}" was merged into "${ids.checkoutId}"; use that incident instead`);
    expectError(await w.alice.post(`/api/v1/incidents/${ids.billingId}/merge`, { sourceIncidentIds: [ids.checkoutId] }), 409, 'conflict');
  });

  it('when a merged alert is notified again, then it stays where the person put it', async () => {
    await w.app.postAlertmanager(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, 2), endsAt: minutesAfter(t0, 20) }], { groupBy: ['service'] }));
    await w.app.settle();
    const disk = byName((await getIncident(w.app, ids.checkoutId)).alerts, 'DiskFull');
    expect(disk).toMatchObject({ status: 'resolved', notificationCount: 2, decision: { kind: 'human', rule: 'merge' } });
  });
});

describe('POST /api/v1/incidents/:id/split', () => {
  let w: World;
  let ids: Seeded;
  let newId: string;
  beforeAll(async () => ({ w, ids } = await startSeededWorld()));
  afterAll(() => w.stop());

  it('when alert ids are unknown, not in the incident, or all of its alerts, then 404/409/400', async () => {
    const crash = byName(ids.alerts, 'PodCrashLooping');
    const disk = byName(ids.alerts, 'DiskFull');
    expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/split`, { alertIds: ['nope'] }), 404, 'not_found');
    const notHere = expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/split`, { alertIds: [crash.id, disk.id] }), 409, 'conflict');
    expect(notHere.message).toBe(`alert "${disk.id}" is in incident "${ids.billingId}", not in "${ids.checkoutId}"`);
    const all = ids.alerts.filter((a) => a.incidentId === ids.checkoutId).map((a) => a.id);
    expectError(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/split`, { alertIds: all }), 400, 'validation_failed');
    expectError(await w.alice.post('/api/v1/incidents/nope/split', { alertIds: [crash.id] }), 404, 'not_found');
    expect((await getIncident(w.app, ids.checkoutId)).alerts).toHaveLength(4);
  });

  it('when an editor splits the crash loop off, then it is in a new incident and both timelines say who split what', async () => {
    const crash = byName(ids.alerts, 'PodCrashLooping');
    const body = expectOk(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/split`, { alertIds: [crash.id], reason: 'a separate bad node' }), 201);
    newId = body.newIncident.id;
    expect(body.incident).toMatchObject({ id: ids.checkoutId, alertCount: 3 });
    expect(body.newIncident).toMatchObject({ alertCount: 1, status: 'open', title: 'PodCrashLooping on checkout' });

    const created = await getIncident(w.app, newId);
    expect(created.alerts.map((a) => a.id)).toEqual([crash.id]);
    expect(created.alerts[0]!.decision).toMatchObject({ kind: 'human', rule: 'split', decidedBy: 'alice' });
    expect(created.alerts[0]!.decision.explanation).toBe(`Split into this new incident from incident "HighErrorRate, PodCrashLooping on checkout" (${ids.checkoutId}) by alice: a separate bad node.`);
    expect(corrections(created).map((e) => [e.kind, e.actor, e.text])).toEqual([
      ['correlation.split', 'alice', `alice split this incident out of "HighErrorRate on checkout" (${ids.checkoutId}) with 1 alert (PodCrashLooping on checkout): a separate bad node`],
    ]);
    const old = await getIncident(w.app, ids.checkoutId);
    expect(old.title).toBe('HighErrorRate on checkout');
    expect(corrections(old).map((e) => [e.kind, e.actor, e.text])).toEqual([
      ['correlation.split', 'alice', `alice split 1 alert (PodCrashLooping on checkout) out of this incident into "PodCrashLooping on checkout" (${newId}): a separate bad node`],
    ]);
  });

  it('when the split alert is re-sent, a new pod errors in the group, and the crash loop fires again, then rules do not undo the split', async () => {
    const post = async (body: unknown) => expect((await w.app.postAlertmanager(body)).status).toBe(202);
    await post(alertmanagerBody([{ labels: checkout('checkout-2', 'PodCrashLooping'), startsAt: minutesAfter(t0, 1) }], { groupBy: ['alertname', 'service'] }));
    await post(alertmanagerBody([{ labels: checkout('checkout-4'), startsAt: minutesAfter(t0, 3) }], { groupBy: ['alertname', 'service'] }));
    await post(alertmanagerBody([{ labels: checkout('checkout-2', 'PodCrashLooping'), startsAt: minutesAfter(t0, 1), endsAt: minutesAfter(t0, 2) }], { groupBy: ['alertname', 'service'] }));
    await post(alertmanagerBody([{ labels: checkout('checkout-2', 'PodCrashLooping'), startsAt: minutesAfter(t0, 4) }], { groupBy: ['alertname', 'service'] }));
    await w.app.settle();

    const old = await getIncident(w.app, ids.checkoutId);
    const split = await getIncident(w.app, newId);
    expect(old.status).toBe('open');
    expect(split.status).toBe('open');
    expect(old.alerts.map((a) => a.labels.pod).sort()).toEqual(['checkout-1', 'checkout-2', 'checkout-3', 'checkout-4']);
    expect(split.alerts.map((a) => [a.labels.alertname, a.startsAt])).toEqual([
      ['PodCrashLooping', minutesAfter(t0, 1)],
      ['PodCrashLooping', minutesAfter(t0, 4)],
    ]);
    expect(split.alerts[0]).toMatchObject({ notificationCount: 3, status: 'resolved', decision: { kind: 'human', rule: 'split' } });
    expect(split.alerts[1]!.decision).toMatchObject({ kind: 'rule', rule: 'earlier-human-placement' });
    expect(split.alerts[1]!.decision.explanation).toContain('an earlier firing of this alert');
    expect((await listAllIncidents(w.app)).length).toBe(3);
  });
});

describe('alerts told apart by their labels', () => {
  let w: World;
  let ids: Seeded;
  beforeAll(async () => ({ w, ids } = await startSeededWorld()));
  afterAll(() => w.stop());

  it('when three alerts share a name, then the incident gives each the label that tells it apart; a unique name gets none', async () => {
    const detail = (await w.app.api.get(`/api/v1/incidents/${ids.checkoutId}`)).data as IncidentDetailBody & { distinguishingLabels: Record<string, unknown> };
    const pod = (p: string) => ids.alerts.find((a) => a.labels.alertname === 'HighErrorRate' && a.labels.pod === p)!.id;
    expect(detail.distinguishingLabels).toEqual({
      [pod('checkout-1')]: [{ name: 'pod', value: 'checkout-1' }],
      [pod('checkout-2')]: [{ name: 'pod', value: 'checkout-2' }],
      [pod('checkout-3')]: [{ name: 'pod', value: 'checkout-3' }],
    });
  });

  it('when one pod\'s alert is split off, then the new incident\'s title and decision name that pod, and a re-sent alert keeps the title', async () => {
    const three = ids.alerts.find((a) => a.labels.alertname === 'HighErrorRate' && a.labels.pod === 'checkout-3')!;
    const body = expectOk(await w.alice.post(`/api/v1/incidents/${ids.checkoutId}/split`, { alertIds: [three.id] }), 201);
    expect(body.newIncident.title).toBe('HighErrorRate on checkout (pod=checkout-3)');
    const created = await getIncident(w.app, body.newIncident.id);
    expect(created.alerts[0]!.decision).toMatchObject({ kind: 'human', rule: 'split', apart: { pod: 'checkout-3' } });
    expect(created.alerts[0]!.decision.explanation).toMatch(/^Split into this new incident \(pod=checkout-3\) from incident /);

    expect((await w.app.postAlertmanager(alertmanagerBody([{ labels: checkout('checkout-3'), startsAt: t0 }], { groupBy: ['alertname', 'service'] }))).status).toBe(202);
    await w.app.settle();
    const after = await getIncident(w.app, body.newIncident.id);
    expect(after.alerts.map((a) => [a.id, a.notificationCount])).toEqual([[three.id, 2]]);
    expect(after.title).toBe('HighErrorRate on checkout (pod=checkout-3)');
    expect((await getIncident(w.app, ids.checkoutId)).title).toBe('HighErrorRate, PodCrashLooping on checkout');
  });
});

describe('POST /api/v1/alerts/:id/move', () => {
  let w: World;
  let ids: Seeded;
  beforeAll(async () => ({ w, ids } = await startSeededWorld()));
  afterAll(() => w.stop());

  it('when the alert or incident is unknown, or the alert is already there, then 404/404/400', async () => {
    const disk = byName(ids.alerts, 'DiskFull');
    expectError(await w.alice.post('/api/v1/alerts/nope/move', { incidentId: ids.checkoutId }), 404, 'not_found');
    expectError(await w.alice.post(`/api/v1/alerts/${disk.id}/move`, { incidentId: 'nope' }), 404, 'not_found');
    expectError(await w.alice.post(`/api/v1/alerts/${disk.id}/move`, { incidentId: ids.billingId }), 400, 'validation_failed');
    expectError(await w.viewer.post(`/api/v1/alerts/${disk.id}/move`, { incidentId: ids.checkoutId }), 403, 'forbidden');
  });

  it('when an editor moves one alert, then it carries a human decision and both timelines say who moved it', async () => {
    const disk = byName(ids.alerts, 'DiskFull');
    const body = expectOk(await w.alice.post(`/api/v1/alerts/${disk.id}/move`, { incidentId: ids.checkoutId }));
    expect(body.alert).toMatchObject({ id: disk.id, incidentId: ids.checkoutId, decision: { kind: 'human', rule: 'move', decidedBy: 'alice' } });
    expect(body.alert.decision.explanation).toBe(`Moved here from incident "DiskFull, DiskIOHigh on billing" (${ids.billingId}) by alice.`);
    expect(body.from).toMatchObject({ id: ids.billingId, alertCount: 1, title: 'DiskIOHigh on billing' });
    expect(body.to).toMatchObject({ id: ids.checkoutId, alertCount: 5 });

    const to = await getIncident(w.app, ids.checkoutId);
    expect(corrections(to).map((e) => [e.kind, e.actor, e.text])).toEqual([
      ['correlation.moved', 'alice', `alice moved alert DiskFull on billing here from "DiskFull, DiskIOHigh on billing" (${ids.billingId})`],
    ]);
    expect(to.impact.map((i) => i.service).sort()).toEqual(['billing', 'checkout']);
    const from = await getIncident(w.app, ids.billingId);
    expect(corrections(from).map((e) => [e.kind, e.actor])).toEqual([['correlation.moved', 'alice']]);
    expect(from.impact.map((i) => i.alertCount)).toEqual([1]);
  });

  it('when the moved alert is notified again and fires again later, then both follow the person\'s decision', async () => {
    await w.app.postAlertmanager(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, 2), endsAt: minutesAfter(t0, 6) }], { groupBy: ['service'] }));
    await w.app.postAlertmanager(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, 9) }], { groupBy: ['service'] }));
    await w.app.settle();
    const disks = (await allAlerts(w.app)).filter((a) => a.labels.alertname === 'DiskFull').sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(disks.map((a) => [a.incidentId, a.status, a.decision.rule])).toEqual([
      [ids.checkoutId, 'resolved', 'move'],
      [ids.checkoutId, 'firing', 'earlier-human-placement'],
    ]);
  });

  it('when the last alert of an incident is moved away, then the emptied incident points to where it went', async () => {
    const io = byName(ids.alerts, 'DiskIOHigh');
    expectOk(await w.alice.post(`/api/v1/alerts/${io.id}/move`, { incidentId: ids.checkoutId, reason: 'same disk' }));
    const emptied = await getIncident(w.app, ids.billingId);
    expect(emptied).toMatchObject({ status: 'merged', mergedInto: ids.checkoutId, alerts: [] });
    expect(corrections(emptied).at(-1)!.text).toBe(`alice moved alert DiskIOHigh on billing from this incident to "${(await getIncident(w.app, ids.checkoutId)).title}" (${ids.checkoutId}): same disk; nothing was left here, so this incident now points there`);
    expectError(await w.alice.post(`/api/v1/alerts/${io.id}/move`, { incidentId: ids.billingId }), 409, 'conflict');
  });
});

describe('a move places one alert, never its group', () => {
  let w: World;
  beforeAll(async () => { w = await startWorld(); });
  afterAll(() => w.stop());

  it("when one pod's alert is moved into an older incident, then the group's later alerts stay with the group, while that alert's next firing follows the person", async () => {
    const post = async (body: unknown) => expect((await w.app.postAlertmanager(body)).status).toBe(202);
    const group = { groupBy: ['alertname', 'service'] };
    await post(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, -20) }], { groupBy: ['service'] }));
    await post(alertmanagerBody(['1', '2', '3'].map((p) => ({ labels: checkout(`checkout-${p}`), startsAt: t0 })), group));
    await w.app.settle();
    const seeded = await allAlerts(w.app);
    const olderId = byName(seeded, 'DiskFull').incidentId;
    const pod3 = seeded.find((a) => a.labels.pod === 'checkout-3')!;
    const groupId = pod3.incidentId;
    expect(groupId).not.toBe(olderId);
    expectOk(await w.alice.post(`/api/v1/alerts/${pod3.id}/move`, { incidentId: olderId, reason: 'pod 3 runs on the full disk' }));

    // More pods of the group, and pod 3 firing again: ties among candidates go to the older incident,
    // so only the keys a moved alert takes along decide where they land.
    await post(alertmanagerBody([{ labels: checkout('checkout-4'), startsAt: minutesAfter(t0, 3) }], group));
    await post(alertmanagerBody([{ labels: checkout('checkout-3'), startsAt: minutesAfter(t0, 5) }], group));
    await post(alertmanagerBody([{ labels: checkout('checkout-5'), startsAt: minutesAfter(t0, 6) }], group));
    await w.app.settle();
    const where = (await allAlerts(w.app)).filter((a) => a.labels.service === 'checkout')
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.labels.pod!.localeCompare(b.labels.pod!))
      .map((a) => [a.labels.pod, a.incidentId === olderId ? 'older' : a.incidentId === groupId ? 'group' : a.incidentId, a.decision.rule]);
    expect(where).toEqual([
      ['checkout-1', 'group', null],
      ['checkout-2', 'group', 'same-alertmanager-group'],
      ['checkout-3', 'older', 'move'],
      ['checkout-4', 'group', 'same-alertmanager-group'],
      ['checkout-3', 'older', 'earlier-human-placement'],
      ['checkout-5', 'group', 'same-alertmanager-group'],
    ]);
  });
});

describe('GET /api/v1/incidents/:id/audit', () => {
  let w: World;
  let ids: Seeded;
  beforeAll(async () => ({ w, ids } = await startSeededWorld()));
  afterAll(() => w.stop());

  it('when a viewer reads the audit trail, then every alert\'s decision is there, while the timeline stays free of them', async () => {
    const res = await w.viewer.get(`/api/v1/incidents/${ids.checkoutId}/audit`);
    const body = expectOk(res);
    const decided = body.events.filter((e: { kind: string }) => e.kind === 'correlation.decided');
    const alerts = (await getIncident(w.app, ids.checkoutId)).alerts;
    expect(decided).toHaveLength(alerts.length);
    for (const a of alerts) {
      expect(decided).toContainEqual(expect.objectContaining({ at: a.startsAt, actor: 'debrief', text: a.decision.explanation, data: expect.objectContaining({ alertId: a.id }) }));
    }
    const crash = byName(alerts, 'PodCrashLooping');
    expect(crash.decision).toMatchObject({ kind: 'rule', rule: 'same-service', matched: { service: 'checkout', cluster: 'eu1' } });
    expect((await getIncident(w.app, ids.checkoutId)).timeline.some((e) => e.kind === 'correlation.decided')).toBe(false);
    expectError(await w.viewer.get('/api/v1/incidents/nope/audit'), 404, 'not_found');
  });
});
