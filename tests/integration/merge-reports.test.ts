import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { alertmanagerBody, minutesAfter } from '../support/alertmanager-bodies';
import { allAlerts } from '../support/api-helpers';
import { ALDAVIVA_SECRET, pagerdutyFixture, postPagerDuty } from '../support/pagerduty-webhooks';
import { API_TOKEN, startTestApp, VIEWER_TOKEN, type TestApp } from '../support/test-app';

/**
 * What people wrote on a merged-away incident's report reaches the target when an SRE
 * merges incidents, and the incident list says which incidents need a post-mortem.
 */

const EDITOR_TOKEN = 'alice-editor-token-0123456789';
const t0 = '2026-05-10T08:00:00.000Z';
const checkout = (pod: string) => ({ alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu1', pod, severity: 'critical' });
const billing = (name: string) => ({ alertname: name, service: 'billing', cluster: 'eu1', severity: 'warning' });

type Client = ReturnType<typeof axios.create>;
interface World { app: TestApp; admin: Client; alice: Client; viewer: Client; checkoutId: string; billingId: string; stop(): Promise<void> }

async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'debrief-merge-reports-'));
  const catalog = join(dir, 'services.yaml');
  writeFileSync(catalog, [
    'services:',
    '  - { name: checkout, team: payments, customerFacing: true }',
    '  - { name: billing, team: payments, customerFacing: false }',
  ].join('\n'));
  const app = await startTestApp({
    env: { DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},viewer:viewer:${VIEWER_TOKEN},alice:editor:${EDITOR_TOKEN}`, DEBRIEF_CATALOG_FILE: catalog, ...env },
  });
  const mk = (token: string) => axios.create({ baseURL: app.url, headers: { Authorization: `Bearer ${token}` }, validateStatus: () => true });
  const post = async (body: unknown) => expect((await app.postAlertmanager(body)).status).toBe(202);
  await post(alertmanagerBody(['1', '2'].map((p) => ({ labels: checkout(`checkout-${p}`), startsAt: t0 })), { groupBy: ['alertname', 'service'] }));
  await post(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, 2) }], { groupBy: ['service'] }));
  await app.settle();
  const alerts = await allAlerts(app);
  const checkoutId = alerts.find((a) => a.labels.service === 'checkout')!.incidentId;
  const billingId = alerts.find((a) => a.labels.service === 'billing')!.incidentId;
  expect(checkoutId).not.toBe(billingId);
  return {
    app, admin: mk(API_TOKEN), alice: mk(EDITOR_TOKEN), viewer: mk(VIEWER_TOKEN), checkoutId, billingId,
    stop: async () => { await app.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

interface SectionBody { id: string; text: string | null; status: string; completedBy: string | null }
interface EntryBody { id: string; origin: string; text: string; hidden: { reason: string } | null }
interface ReportBody {
  etag: string; version: number;
  sections: SectionBody[]; customerSummary: { text: string | null; by: string | null };
  timeline: EntryBody[]; hiddenTimeline: EntryBody[];
  actionItems: Array<{ title: string; owner: string | null; incidentId: string }>;
  postmortem: { required: boolean; reason: string };
}

const getReport = async (c: Client, id: string) => {
  const r = await c.get(`/api/v1/incidents/${id}/report`);
  expect(r.status).toBe(200);
  return r.data as ReportBody;
};
const patch = async (c: Client, id: string, body: unknown) => {
  const { etag } = await getReport(c, id);
  const r = await c.patch(`/api/v1/incidents/${id}/report`, body, { headers: { 'If-Match': etag } });
  expect(r.status).toBe(200);
  return r.data as ReportBody;
};
const section = (r: ReportBody, id: string) => r.sections.find((s) => s.id === id)!;

describe('POST /api/v1/incidents/:id/merge carries the merged reports', () => {
  let w: World;
  beforeAll(async () => { w = await startWorld(); });
  afterAll(async () => { await w.stop(); });

  it('when the merged incident has human parts, then they reach the target without overwriting its text, with action items and an audit entry naming the merger', async () => {
    // Target: one section written by admin.
    await patch(w.admin, w.checkoutId, { sections: { 'what-happened': 'Checkout returned 500s.' } });
    // Source: sections, customer summary, a human entry, a hidden machine entry, an action item.
    const sourceDraft = await getReport(w.admin, w.billingId);
    const machineEntry = sourceDraft.timeline.find((e) => e.origin === 'machine-drafted')!;
    await patch(w.admin, w.billingId, {
      sections: { 'what-happened': 'The billing disk filled up.', fix: 'Freed the disk.' },
      customerSummary: 'Payments were slow for ten minutes.',
      timeline: { add: [{ at: minutesAfter(t0, 3), text: 'Ops noticed the disk' }], entries: { [machineEntry.id]: { hiddenReason: 'noise' } } },
    });
    const item = await w.admin.post(`/api/v1/incidents/${w.billingId}/action-items`, { title: 'Alert on disk usage at 80%', owner: 'bob' });
    expect(item.status).toBe(201);
    const sourceTitle = (await w.admin.get(`/api/v1/incidents/${w.billingId}`)).data.title as string;
    const targetBefore = await getReport(w.admin, w.checkoutId);

    const merged = await w.alice.post(`/api/v1/incidents/${w.checkoutId}/merge`, { sourceIncidentIds: [w.billingId] });
    expect(merged.status).toBe(200);
    expect(merged.data.report).toEqual({ carriedFrom: 1, copiedActionItems: 1 });

    const after = await getReport(w.viewer, w.checkoutId);
    // Both texts kept, the source's under a heading naming it; the merger is the author of the combination.
    expect(section(after, 'what-happened')).toMatchObject({
      text: `Checkout returned 500s.\n\n#### From merged incident ${sourceTitle}\n\nThe billing disk filled up.`, status: 'human-completed', completedBy: 'alice',
    });
    // An empty target part takes the source's text as written, author kept.
    expect(section(after, 'fix')).toMatchObject({ text: 'Freed the disk.', status: 'human-completed', completedBy: 'admin' });
    expect(after.customerSummary).toMatchObject({ text: 'Payments were slow for ten minutes.', by: 'admin' });
    expect(after.timeline.filter((e) => e.origin === 'human-completed').map((e) => e.text)).toContain('Ops noticed the disk');
    // Machine entries moved with their alerts, so the person's hiding still applies on the target.
    expect(after.hiddenTimeline.map((e) => [e.id, e.hidden?.reason])).toEqual([[machineEntry.id, 'noise']]);
    expect(after.timeline.map((e) => e.id)).not.toContain(machineEntry.id);
    expect(after.actionItems.map((a) => [a.title, a.owner, a.incidentId])).toEqual([['Alert on disk usage at 80%', 'bob', w.checkoutId]]);
    // Moved, not copied: the global list (what overdue reviews read) shows the item once.
    expect((await w.admin.get(`/api/v1/incidents/${w.billingId}/action-items`)).data.items).toEqual([]);
    const everywhere = (await w.admin.get('/api/v1/action-items')).data.items as Array<{ title: string }>;
    expect(everywhere.filter((a) => a.title === 'Alert on disk usage at 80%')).toHaveLength(1);

    // Concurrency: the carry-over is a write; a PATCH with the ETag read before the merge is stale.
    expect(after.etag).not.toBe(targetBefore.etag);
    const stale = await w.admin.patch(`/api/v1/incidents/${w.checkoutId}/report`, { sections: { fix: 'x' } }, { headers: { 'If-Match': targetBefore.etag } });
    expect(stale.status).toBe(409);

    const audit = await w.viewer.get(`/api/v1/incidents/${w.checkoutId}/report/audit`);
    expect(audit.status).toBe(200);
    const carry = (audit.data.items as Array<{ actor: string; action: string; changes: Array<{ path: string; from: unknown; to: unknown }> }>)
      .find((e) => e.changes.some((c) => c.path === 'mergedFrom'))!;
    expect(carry).toMatchObject({ actor: 'alice', action: 'report.updated' });
    expect(carry.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['mergedFrom', 'sections.what-happened', 'sections.fix', 'customerSummary', `timeline.entries.${machineEntry.id}`]));
    expect(carry.changes.find((c) => c.path === 'mergedFrom')!.to).toEqual({ incidentId: w.billingId, title: sourceTitle });
    const copied = (audit.data.items as Array<{ actor: string; action: string; changes: Array<{ path: string; to: unknown }> }>)
      .find((e) => e.action === 'action-item.created')!;
    expect(copied.actor).toBe('alice');
    expect(copied.changes.some((c) => c.path.endsWith('.copiedFrom') && (c.to as { incidentId: string }).incidentId === w.billingId)).toBe(true);
  });
});

describe('POST /api/v1/incidents/:id/merge without human parts on the source', () => {
  let w: World;
  beforeAll(async () => { w = await startWorld(); });
  afterAll(async () => { await w.stop(); });

  it('when nobody wrote on the merged incident, then the target report is untouched (same ETag, empty audit)', async () => {
    const before = await getReport(w.admin, w.checkoutId);
    const merged = await w.alice.post(`/api/v1/incidents/${w.checkoutId}/merge`, { sourceIncidentIds: [w.billingId] });
    expect(merged.status).toBe(200);
    expect(merged.data.report).toEqual({ carriedFrom: 0, copiedActionItems: 0 });
    expect((await getReport(w.admin, w.checkoutId)).etag).toBe(before.etag);
    expect((await w.admin.get(`/api/v1/incidents/${w.checkoutId}/report/audit`)).data.items).toEqual([]);
  });
});

describe('GET /api/v1/incidents: postmortem per item', () => {
  let w: World;
  // Policy: any severity, customer-facing only: checkout is, billing is not.
  beforeAll(async () => { w = await startWorld({ DEBRIEF_POSTMORTEM_MIN_SEVERITY: 'any', DEBRIEF_POSTMORTEM_CUSTOMER_FACING: 'true' }); });
  afterAll(async () => { await w.stop(); });

  const listed = async () => {
    const r = await w.viewer.get('/api/v1/incidents');
    expect(r.status).toBe(200);
    return new Map((r.data.items as Array<{ id: string; postmortem: { required: boolean; reason: string } }>).map((i) => [i.id, i.postmortem]));
  };

  it('when incidents are listed, then each item says whether it needs a post-mortem, the same as its report', async () => {
    const items = await listed();
    expect(items.get(w.checkoutId)!.required).toBe(true);
    expect(items.get(w.billingId)).toEqual({ required: false, reason: 'not required: no customer-facing service was affected' });
    for (const id of [w.checkoutId, w.billingId]) {
      const report = await getReport(w.viewer, id);
      expect(items.get(id)).toEqual({ required: report.postmortem.required, reason: report.postmortem.reason });
    }
  });

  it('when a person waives or requests one, then the list follows', async () => {
    expect((await w.alice.post(`/api/v1/incidents/${w.checkoutId}/report/waive`, { reason: 'test traffic only' })).status).toBe(200);
    expect((await w.alice.post(`/api/v1/incidents/${w.billingId}/report/request`, {})).status).toBe(200);
    const items = await listed();
    expect(items.get(w.checkoutId)).toEqual({ required: false, reason: 'waived by alice: test traffic only' });
    expect(items.get(w.billingId)).toEqual({ required: true, reason: 'requested by alice' });
  });
});

describe('GET /api/v1/incidents: postmortem per item with a paged-only policy', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ DEBRIEF_POSTMORTEM_MIN_SEVERITY: 'any', DEBRIEF_POSTMORTEM_PAGED_ONLY: 'true', DEBRIEF_PAGERDUTY_SIGNING_SECRETS: ALDAVIVA_SECRET });
  });
  afterAll(async () => { await w.stop(); });

  it('when only one incident was paged through PagerDuty, then only it is listed as needing a post-mortem, the same as its report', async () => {
    expect((await postPagerDuty(w.app, pagerdutyFixture('aldaviva-signed-triggered'), { secret: ALDAVIVA_SECRET, webhookId: 'wh-1' })).status).toBe(202);
    await w.app.settle();
    const r = await w.viewer.get('/api/v1/incidents');
    const items = r.data.items as Array<{ id: string; postmortem: { required: boolean; reason: string } }>;
    const paged = items.filter((i) => i.id !== w.checkoutId && i.id !== w.billingId);
    expect(paged).toHaveLength(1);
    expect(paged[0]!.postmortem).toEqual({ required: true, reason: 'required: paged through PagerDuty' });
    for (const i of items) {
      const report = await getReport(w.viewer, i.id);
      expect(i.postmortem).toEqual({ required: report.postmortem.required, reason: report.postmortem.reason });
    }
    expect(items.find((i) => i.id === w.checkoutId)!.postmortem).toEqual({ required: false, reason: 'not required: nobody was paged through PagerDuty' });
  });
});

describe('POST /api/v1/incidents/:id/merge interrupted after the merge', () => {
  let w: World;
  beforeAll(async () => { w = await startWorld(); });
  afterAll(async () => { await w.stop(); });

  it('when the carry-over stops half-way, then the next read of the target report finishes it, and nothing is carried twice', async () => {
    await patch(w.admin, w.checkoutId, { sections: { 'what-happened': 'Checkout returned 500s.' } });
    await patch(w.admin, w.billingId, { sections: { 'what-happened': 'The billing disk filled up.' } });
    expect((await w.admin.post(`/api/v1/incidents/${w.billingId}/action-items`, { title: 'Alert on disk usage at 80%' })).status).toBe(201);
    const reportStore = w.app.debrief.reportStore;
    // The report parts are carried, then the process "stops" before the action item moves.
    reportStore.moveActionItem = async () => { throw new Error('simulated stop after the merge'); };
    const merge = await w.alice.post(`/api/v1/incidents/${w.checkoutId}/merge`, { sourceIncidentIds: [w.billingId] });
    delete (reportStore as Partial<typeof reportStore>).moveActionItem;
    expect(merge.status).toBe(500);
    // The merge itself committed, and the unfinished carry-over is on record.
    expect((await w.admin.get(`/api/v1/incidents/${w.billingId}`)).data).toMatchObject({ status: 'merged', mergedInto: w.checkoutId });
    expect(await reportStore.listPendingCarryOvers({ targetId: w.checkoutId })).toHaveLength(1);

    const after = await getReport(w.viewer, w.checkoutId);
    const sourceTitle = (await w.admin.get(`/api/v1/incidents/${w.billingId}`)).data.title as string;
    expect(section(after, 'what-happened').text).toBe(`Checkout returned 500s.\n\n#### From merged incident ${sourceTitle}\n\nThe billing disk filled up.`);
    expect(after.actionItems.map((a) => [a.title, a.incidentId])).toEqual([['Alert on disk usage at 80%', w.checkoutId]]);
    expect((await w.admin.get(`/api/v1/incidents/${w.billingId}/action-items`)).data.items).toEqual([]);
    expect(await reportStore.listPendingCarryOvers()).toEqual([]);

    const audit = (await w.viewer.get(`/api/v1/incidents/${w.checkoutId}/report/audit`)).data.items as Array<{ actor: string; action: string; changes: Array<{ path: string }> }>;
    expect(audit.filter((e) => e.changes.some((c) => c.path === 'mergedFrom')).map((e) => e.actor)).toEqual(['alice']);
    expect(audit.filter((e) => e.action === 'action-item.created').map((e) => e.actor)).toEqual(['alice']);
    // Finished: reading again changes nothing.
    expect((await getReport(w.viewer, w.checkoutId)).etag).toBe(after.etag);
  });

  it('when a recorded carry-over names incidents that were never merged, then it is kept while its merge may still be committing and dropped once it is old', async () => {
    const reportStore = w.app.debrief.reportStore;
    const before = await getReport(w.viewer, w.checkoutId);
    const sourceId = 'inc-never-merged';
    await reportStore.addPendingCarryOver({ id: 'carry-young', targetId: w.checkoutId, sourceIds: [sourceId], actor: 'alice', requestedAt: new Date().toISOString() });
    await reportStore.addPendingCarryOver({ id: 'carry-old', targetId: w.checkoutId, sourceIds: [sourceId], actor: 'alice', requestedAt: new Date(Date.now() - 6 * 60_000).toISOString() });
    expect((await getReport(w.viewer, w.checkoutId)).etag).toBe(before.etag);
    expect((await reportStore.listPendingCarryOvers({ targetId: w.checkoutId })).map((c) => c.id)).toEqual(['carry-young']);
    await reportStore.removePendingCarryOver('carry-young');
  });

  it('when a merge is refused, then no carry-over stays on record', async () => {
    const refused = await w.alice.post(`/api/v1/incidents/${w.checkoutId}/merge`, { sourceIncidentIds: [w.checkoutId] });
    expect(refused.status).toBe(400);
    expect(await w.app.debrief.reportStore.listPendingCarryOvers()).toEqual([]);
  });
});

describe('POST /api/v1/incidents/:id/merge when the process stops right after the merge', () => {
  it('when Debrief starts again, then the carry-over is finished at start-up, before any report is read', async () => {
    const app = await startTestApp({ env: { DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},alice:editor:${EDITOR_TOKEN}` } });
    let again: TestApp | null = null;
    try {
      const alice = axios.create({ baseURL: app.url, headers: { Authorization: `Bearer ${EDITOR_TOKEN}` }, validateStatus: () => true });
      expect((await app.postAlertmanager(alertmanagerBody([{ labels: checkout('checkout-1'), startsAt: t0 }], { groupBy: ['alertname', 'service'] }))).status).toBe(202);
      expect((await app.postAlertmanager(alertmanagerBody([{ labels: billing('DiskFull'), startsAt: minutesAfter(t0, 2) }], { groupBy: ['service'] }))).status).toBe(202);
      await app.settle();
      const alerts = await allAlerts(app);
      const targetId = alerts.find((a) => a.labels.service === 'checkout')!.incidentId;
      const sourceId = alerts.find((a) => a.labels.service === 'billing')!.incidentId;
      await patch(alice, sourceId, { sections: { fix: 'Freed the disk.' } });
      // Nothing of the carry-over is written: the process "stops" right after the merge.
      app.debrief.reportStore.commitReport = async () => { throw new Error('simulated stop after the merge'); };
      expect((await alice.post(`/api/v1/incidents/${targetId}/merge`, { sourceIncidentIds: [sourceId] })).status).toBe(500);
      await app.stop({ keepFiles: true });

      again = await startTestApp({ dir: app.dir, env: { DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN},alice:editor:${EDITOR_TOKEN}` } });
      expect(await again.debrief.reportStore.listPendingCarryOvers()).toEqual([]);
      // The audit trail (read without finishing anything) shows the carry-over made at start-up.
      const audit = (await again.api.get(`/api/v1/incidents/${targetId}/report/audit`)).data.items as Array<{ actor: string; changes: Array<{ path: string; to: unknown }> }>;
      expect(audit.map((e) => [e.actor, e.changes.map((c) => c.path)])).toEqual([['alice', ['mergedFrom', 'sections.fix']]]);
      expect(section(await getReport(again.api, targetId), 'fix')).toMatchObject({ text: 'Freed the disk.', completedBy: 'alice' });
    } finally {
      await again?.stop();
      rmSync(app.dir, { recursive: true, force: true });
    }
  });
});
