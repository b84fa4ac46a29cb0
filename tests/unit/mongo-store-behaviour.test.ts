import crypto from 'node:crypto';
import { MongoServerError } from 'mongodb';
import type { AlertObservation } from '../../src/domain/alert';
import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { sha256Hex } from '../../src/domain/correlation/correlation-keys';
import { createCorrelator, type Correlator } from '../../src/domain/correlation/correlator';
import { emptyStoredReport, type ActionItem, type PublishedReportVersion, type ReportAuditEntry, type ReportView, type StoredReport } from '../../src/domain/report/report-model';
import type { DeliveryRecord, DeliveryStore } from '../../src/store/delivery-store';
import { MongoDeliveryStore } from '../../src/store/mongo/mongo-delivery-store';
import { MongoReportStore } from '../../src/store/mongo/mongo-report-store';
import { MongoStore } from '../../src/store/mongo/mongo-store';
import type { ReportStore } from '../../src/store/report-store';
import { SqliteDeliveryStore } from '../../src/store/sqlite/sqlite-delivery-store';
import { SqliteReportStore } from '../../src/store/sqlite/sqlite-report-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { CorrectionContext, RecordContext, Store } from '../../src/store/store';
import { SERVICE_LABELS, at, observation, pagingEvent, rng } from '../support/correlation-harness';
import { FakeConnection } from './mongo-fake-db';

/**
 * The MongoDB stores' logic, run end to end on an in-memory stand-in of the driver
 * (`mongo-fake-db.ts`; no server can run here) and compared with the SQLite stores given the
 * very same operations: same alerts, incidents, decisions, timelines, inbox states, reports.
 * Ids are random in both, so they are renamed by order of first appearance before comparing.
 *
 * This checks behaviour and document mapping. It does not check atomicity under concurrency:
 * the stand-in runs one operation at a time (that needs the contract suite on a replica set).
 */

interface Stores {
  store: Store;
  reports: ReportStore;
  deliveries: DeliveryStore;
}

async function sqliteStores(): Promise<Stores> {
  const store = new SqliteStore({ file: ':memory:' });
  await store.init();
  const reports = new SqliteReportStore(() => store.database);
  const deliveries = new SqliteDeliveryStore(() => store.database);
  await reports.init();
  await deliveries.init();
  return { store, reports, deliveries };
}

async function mongoStores(): Promise<Stores & { connection: FakeConnection }> {
  const connection = new FakeConnection();
  const store = new MongoStore(connection);
  await store.init();
  const reports = new MongoReportStore(connection);
  const deliveries = new MongoDeliveryStore(connection);
  await reports.init();
  await deliveries.init();
  return { store, reports, deliveries, connection };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Records each step's result (or error), with ids renamed by first appearance. */
class Transcript {
  readonly steps: Array<[string, unknown]> = [];
  private readonly ids = new Map<string, string>();

  private normalize(v: unknown): unknown {
    if (typeof v === 'string') {
      return v.replace(UUID, (m) => {
        if (!this.ids.has(m)) this.ids.set(m, `<id${this.ids.size + 1}>`);
        return this.ids.get(m)!;
      });
    }
    if (Buffer.isBuffer(v)) return `<bytes ${v.toString('hex')}>`;
    if (v instanceof Map) return this.normalize(Object.fromEntries([...v].sort(([a], [b]) => String(a).localeCompare(String(b)))));
    if (Array.isArray(v)) return v.map((x) => this.normalize(x));
    if (v && typeof v === 'object') {
      // Cursors are opaque and store-specific (SQLite's audit cursor is a global row number):
      // compare whether there is a next page; the next page's items are compared by the next step.
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'nextCursor' ? (x === null ? null : '<cursor>') : this.normalize(x)]));
    }
    return v;
  }

  async step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await fn();
      this.steps.push([name, this.normalize(result)]);
      return result;
    } catch (err) {
      this.steps.push([name, { error: (err as Error).constructor.name, message: this.normalize((err as Error).message) }]);
      return undefined;
    }
  }
}

// ------------------------------------------------------------------ scenarios

const CATALOG = ServiceCatalog.create([
  { name: 'checkout', dependsOn: ['payments'], pagerdutyServices: ['PCHK'] },
  { name: 'payments', dependsOn: ['db'] },
  { name: 'db' },
  { name: 'search' },
]);
const correlator: Correlator = createCorrelator({ serviceLabels: SERVICE_LABELS, catalog: CATALOG });

let clock = Date.parse('2030-01-01T00:00:00.000Z');
const now = () => new Date((clock += 1000)).toISOString();
const recordCtx = (): RecordContext => ({ correlator, serviceLabels: SERVICE_LABELS, now: now(), inboxId: null });
const correction = (reason: string | null = null): CorrectionContext => ({ actor: 'alice', now: now(), reason, serviceLabels: SERVICE_LABELS, correlator });

async function inboxScenario(s: Stores, t: Transcript): Promise<void> {
  const T = '2030-01-01T00:00:00.000Z';
  const later = (ms: number) => new Date(Date.parse(T) + ms).toISOString();
  const entry = (instance: string, deliveryId: string | null, body: string) => ({
    instance, connector: instance === 'pd' ? 'pagerduty' : 'alertmanager', receivedAt: T, headers: { 'user-agent': 'test/1', 'x.dotted': 'y' }, body: Buffer.from(body), deliveryId,
  });
  const ids: string[] = [];
  for (const [i, e] of [entry('am', 'd1', '{"n":1}'), entry('am', null, '{"n":2}'), entry('am', 'd1', '{"n":3}'), entry('pd', 'd1', '{"n":4}'), entry('am', null, '')].entries()) {
    const r = await t.step(`append ${i}`, () => s.store.appendInbox(e));
    ids.push(r!.id);
  }
  await t.step('claim A', () => s.store.claimInbox('A', 30_000, 2, T));
  await t.step('claim B', () => s.store.claimInbox('B', 30_000, 5, later(1000)));
  await t.step('claim C before expiry', () => s.store.claimInbox('C', 30_000, 5, later(2000)));
  await t.step('complete by A', () => s.store.completeInbox(ids[0]!, 'A', { alerts: 1, ignoredReason: null }, later(3000)));
  await t.step('fail by B (retry)', () => s.store.failInbox(ids[3]!, 'B', 'parse error', false, later(3000)));
  await t.step('claim C after A expiry', () => s.store.claimInbox('C', 30_000, 5, later(31_500)));
  await t.step('complete by A too late', () => s.store.completeInbox(ids[1]!, 'A', { alerts: 9, ignoredReason: null }, later(32_000)));
  await t.step('complete by C', () => s.store.completeInbox(ids[1]!, 'C', { alerts: 0, ignoredReason: 'empty' }, later(32_000)));
  await t.step('claim D after B expiry', () => s.store.claimInbox('D', 30_000, 5, later(40_000)));
  await t.step('dead by D', () => s.store.failInbox(ids[3]!, 'D', 'broken for good', true, later(41_000)));
  await t.step('counts', () => s.store.inboxCounts());
  let cursor: string | null = null;
  for (let page = 0; page < 4; page += 1) {
    const r = await t.step(`list page ${page}`, () => s.store.listInbox({ limit: 2, cursor }));
    cursor = r?.nextCursor ?? null;
    if (!cursor) break;
  }
  await t.step('list dead', () => s.store.listInbox({ state: 'dead', limit: 10 }));
  await t.step('list done', () => s.store.listInbox({ state: 'done', limit: 10 }));
  await t.step('get entry', () => s.store.getInboxEntry(ids[3]!));
  await t.step('get unknown', () => s.store.getInboxEntry('nope'));
  await t.step('requeue dead', () => s.store.requeueInbox(ids[3]!, { actor: 'alice', now: later(50_000) }));
  await t.step('requeue again', () => s.store.requeueInbox(ids[3]!, { actor: 'bob', now: later(50_000) }));
  await t.step('requeue pending', () => s.store.requeueInbox(ids[4]!, { actor: 'bob', now: later(50_000) }));
  await t.step('counts after requeue', () => s.store.inboxCounts());
  await t.step('get requeued entry', () => s.store.getInboxEntry(ids[3]!));
  await t.step('claim E', () => s.store.claimInbox('E', 30_000, 10, later(50_000)));
}

interface Firing { name: string; service: string; cluster: string; severity: string; start: number; end: number }

/** A seeded history: overlapping firings across services and clusters, some chained, some late. */
function history(seed: number, count: number): Firing[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const out: Firing[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = Math.floor(next() * 300);
    out.push({ name: pick(['HighLatency', 'ErrorRate', 'DiskFull', 'PodCrash']), service: pick(['checkout', 'payments', 'db', 'search', 'mail']), cluster: pick(['eu', 'us']), severity: pick(['critical', 'warning', 'info']), start, end: start + 1 + Math.floor(next() * 50) });
  }
  return out;
}

/** Firing and resolved notifications, delayed by up to `maxDelay` minutes; firings of one group within a minute share a batch. */
function deliveries(list: Firing[], seed: number, maxDelay: number): AlertObservation[][] {
  const next = rng(seed);
  const sent: Array<{ at: number; alerts: AlertObservation[] }> = [];
  for (const f of list) {
    const spec = { name: f.name, service: f.service, cluster: f.cluster, labels: { severity: f.severity }, start: f.start, group: `{}:{alertname="${f.name}", service="${f.service}"}` };
    sent.push({ at: f.start + 0.5 + next() * maxDelay, alerts: [observation(spec)] });
    if (next() < 0.3) sent.push({ at: f.start + 5 + next() * maxDelay, alerts: [observation(spec)] }); // re-send
    sent.push({ at: f.end + 1 + next() * maxDelay, alerts: [observation({ ...spec, end: f.end })] });
  }
  sent.sort((a, b) => a.at - b.at);
  const batches: AlertObservation[][] = [];
  for (const n of sent) {
    const last = batches.at(-1);
    if (last && last[0]!.sourceGroupKey === n.alerts[0]!.sourceGroupKey && last.length < 3) last.push(...n.alerts);
    else batches.push([...n.alerts]);
  }
  return batches;
}

async function dump(s: Stores, t: Transcript, label: string): Promise<void> {
  const ids: string[] = [];
  for (const status of [undefined, 'open', 'resolved', 'merged'] as const) {
    let cursor: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const r = await t.step(`${label}: list ${status ?? 'all'} page ${page}`, () => s.store.listIncidents({ status, limit: 7, cursor }));
      if (status === undefined) ids.push(...(r?.items ?? []).map((i) => i.id));
      cursor = r?.nextCursor ?? null;
      if (!cursor) break;
    }
  }
  for (const id of ids) {
    await t.step(`${label}: incident`, () => s.store.getIncident(id));
    await t.step(`${label}: audit`, () => s.store.getIncidentAudit(id));
  }
  await t.step(`${label}: by service`, () => s.store.listIncidents({ service: 'payments', limit: 100 }));
  await t.step(`${label}: by severity`, () => s.store.listIncidents({ severity: 'critical', limit: 100 }));
  await t.step(`${label}: since/until`, () => s.store.listIncidents({ since: at(100), until: at(200), limit: 100 }));
  for (const status of [undefined, 'open', 'resolved', 'merged'] as const) await t.step(`${label}: count ${status ?? 'all'}`, () => s.store.countIncidents(status));
  await t.step(`${label}: firing`, () => s.store.listFiringAlerts('alertmanager'));
  await t.step(`${label}: unknown incident`, () => s.store.getIncident('nope'));
  await t.step(`${label}: unknown audit`, () => s.store.getIncidentAudit('nope'));
}

async function correlationScenario(s: Stores, t: Transcript, seed: number): Promise<void> {
  clock = Date.parse('2030-01-01T00:00:00.000Z');
  const firings = history(seed, 45);
  for (const [i, batch] of deliveries(firings, seed + 100, 12).entries()) {
    const r = await t.step(`record ${i}`, () => s.store.recordObservations(batch, recordCtx()));
    if (i === 20) {
      // Paging events: one with the dedup key of the first group, one on the mapped PagerDuty service, one unrelated; a redelivery.
      const key = sha256Hex(batch[0]!.sourceGroupKey!);
      await t.step('page', () => s.store.recordPagingEvents([
        pagingEvent({ id: 'P1', eventId: 'ev1', kind: 'triggered', at: Date.parse(batch[0]!.startsAt) / 60_000 - Date.parse(at(0)) / 60_000 + 1, incidentKey: key }),
        pagingEvent({ id: 'P2', eventId: 'ev2', kind: 'triggered', at: 100, serviceId: 'PCHK' }),
        pagingEvent({ id: 'P3', eventId: 'ev3', kind: 'triggered', at: 400, serviceId: 'POTHER', title: 'Manual page' }),
      ], recordCtx()));
      await t.step('page again', () => s.store.recordPagingEvents([
        pagingEvent({ id: 'P3', eventId: 'ev3', kind: 'triggered', at: 400, serviceId: 'POTHER', title: 'Manual page' }),
        pagingEvent({ id: 'P3', eventId: 'ev4', kind: 'acknowledged', at: 401, serviceId: 'POTHER', title: 'Manual page', actor: 'bob' }),
      ], recordCtx()));
    }
    if (!r) break;
  }
  await dump(s, t, 'after stream');

  // Corrections on what the stream produced.
  // Incidents without pages (a page would let a split take every alert), most alerts first.
  const candidates: Array<{ id: string; alerts: number }> = [];
  for (const i of (await s.store.listIncidents({ limit: 500 })).items) {
    const detail = (await s.store.getIncident(i.id))!;
    if (!detail.events.some((e) => e.kind.startsWith('pagerduty.'))) candidates.push({ id: i.id, alerts: detail.alerts.length });
  }
  candidates.sort((x, y) => y.alerts - x.alerts);
  const [a, b, c, d] = candidates;
  if (!a || !b || !c || !d) throw new Error('the history should give at least four incidents');
  await t.step('merge into itself', () => s.store.mergeIncidents(a.id, [a.id], correction()));
  await t.step('merge unknown', () => s.store.mergeIncidents(a.id, ['nope'], correction()));
  await t.step('merge', () => s.store.mergeIncidents(a.id, [b.id, c.id], correction('same outage')));
  await t.step('merge a merged one', () => s.store.mergeIncidents(d.id, [b.id], correction()));
  const merged = (await s.store.getIncident(a.id))!;
  const alertIds = merged.alerts.map((x) => x.id);
  await t.step('split everything', () => s.store.splitIncident(a.id, alertIds, correction()));
  await t.step('split a foreign alert', () => s.store.splitIncident(d.id, [alertIds[0]!], correction()));
  const split = await t.step('split', () => s.store.splitIncident(a.id, alertIds.slice(0, 2), correction('different cause')));
  await t.step('move to same', () => s.store.moveAlert(alertIds[0]!, split!.newIncident.id, correction()));
  await t.step('move unknown alert', () => s.store.moveAlert('nope', d.id, correction()));
  await t.step('move', () => s.store.moveAlert(alertIds[0]!, d.id, correction()));
  await t.step('move last one out (empties it)', () => s.store.moveAlert(alertIds[1]!, d.id, correction()));
  await t.step('move into merged', () => s.store.moveAlert(alertIds[2]!, b.id, correction()));
  // Later firings of a moved alert follow it (earlier-human-placement), counted from its onset.
  const moved = (await s.store.getAlert(alertIds[0]!))!;
  const refire = new Date(Date.parse(moved.startsAt) + 5 * 60_000).toISOString();
  await t.step('re-fire of a moved alert', () => s.store.recordObservations([{ ...moved, startsAt: refire, endsAt: null, status: 'firing' }], recordCtx()));
  await dump(s, t, 'after corrections');

  const firing = await s.store.listFiringAlerts('alertmanager');
  await t.step('reconcile', () => s.store.resolveAlerts([...firing.slice(0, 3).map((x) => x.id), 'nope', firing[0]?.id ?? 'nope'], at(500), 'no longer listed', { serviceLabels: SERVICE_LABELS, now: now(), correlator }));
  await t.step('reconcile again', () => s.store.resolveAlerts(firing.slice(0, 1).map((x) => x.id), at(501), 'again', { serviceLabels: SERVICE_LABELS, now: now() }));
  await dump(s, t, 'after reconciliation');
}

const report = (incidentId: string, revision: number, over: Partial<StoredReport> = {}): StoredReport => ({
  ...emptyStoredReport(incidentId), revision, createdAt: 'C', updatedAt: `U${revision}`, updatedBy: 'alice', ...over,
});
const audit = (incidentId: string, action: ReportAuditEntry['action'], n: number, actionItemId: string | null = null): ReportAuditEntry => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, incidentId, at: `2030-01-01T00:00:${String(n).padStart(2, '0')}.000Z`, actor: 'alice', action, version: 1, actionItemId,
  changes: [{ path: 'sections.fix', from: null, to: `text ${n}` }],
});
const published = (incidentId: string, version: number, publishedAt: string): PublishedReportVersion => ({
  incidentId, version, publishedAt, publishedBy: 'bob', etag: `"v${version}.r1"`, report: { incidentId, version, title: `Report ${incidentId}`, 'odd.key': true } as unknown as ReportView,
});
const item = (id: string, incidentId: string, dueDate: string | null, status: ActionItem['status'], createdAt: string): ActionItem => ({
  id, incidentId, title: `Do ${id}`, owner: null, dueDate, status, trackerUrl: null, createdAt, createdBy: 'alice', updatedAt: createdAt, updatedBy: 'alice',
});

async function reportScenario(s: Stores, t: Transcript): Promise<void> {
  await t.step('get none', () => s.reports.getReport('inc-1'));
  await t.step('bad revision', () => s.reports.commitReport({ expectedRevision: 0, next: report('inc-1', 2), audit: [] }));
  await t.step('first write', () => s.reports.commitReport({ expectedRevision: 0, next: report('inc-1', 1), audit: [audit('inc-1', 'report.updated', 1)] }));
  await t.step('lost first write', () => s.reports.commitReport({ expectedRevision: 0, next: report('inc-1', 1, { updatedBy: 'carol' }), audit: [audit('inc-1', 'report.updated', 2)] }));
  await t.step('stale write', () => s.reports.commitReport({ expectedRevision: 3, next: report('inc-1', 4), audit: [audit('inc-1', 'report.updated', 3)] }));
  await t.step('publish v1', () => s.reports.commitReport({
    expectedRevision: 1, next: report('inc-1', 2, { status: 'published', publishedAt: '2030-01-02T00:00:00.000Z', publishedBy: 'bob' }),
    audit: [audit('inc-1', 'report.transitioned', 4), audit('inc-1', 'report.updated', 5)], published: published('inc-1', 1, '2030-01-02T00:00:00.000Z'),
  }));
  await t.step('publish v2', () => s.reports.commitReport({
    expectedRevision: 2, next: report('inc-1', 3, { version: 2, status: 'published' }), audit: [audit('inc-1', 'report.version-created', 6)], published: published('inc-1', 2, '2030-01-05T00:00:00.000Z'),
  }));
  for (const [i, id] of ['inc-2', 'inc-3', 'inc-4'].entries()) {
    await t.step(`publish ${id}`, () => s.reports.commitReport({
      expectedRevision: 0, next: report(id, 1, { status: 'published' }), audit: [audit(id, 'report.transitioned', 10 + i)], published: published(id, 1, `2030-01-0${3 + (i % 2)}T00:00:00.000Z`),
    }));
  }
  await t.step('get', () => s.reports.getReport('inc-1'));
  await t.step('get many', () => s.reports.getReports(['inc-1', 'inc-3', 'nope']));
  await t.step('versions', () => s.reports.listPublishedVersions('inc-1'));
  await t.step('version 1', () => s.reports.getPublishedVersion('inc-1', 1));
  await t.step('version 9', () => s.reports.getPublishedVersion('inc-1', 9));
  let cursor: string | null = null;
  for (let page = 0; page < 5; page += 1) {
    const r = await t.step(`latest page ${page}`, () => s.reports.listLatestPublished({ limit: 2, cursor }));
    cursor = r?.nextCursor ?? null;
    if (!cursor) break;
  }

  await t.step('create item 1', () => s.reports.createActionItem(item('ai-1', 'inc-1', '2030-02-01', 'open', 'C1'), audit('inc-1', 'action-item.created', 20, 'ai-1')));
  await t.step('create item 2', () => s.reports.createActionItem(item('ai-2', 'inc-1', null, 'open', 'C2'), audit('inc-1', 'action-item.created', 21, 'ai-2')));
  await t.step('create item 3', () => s.reports.createActionItem(item('ai-3', 'inc-2', '2030-01-15', 'in_progress', 'C3'), audit('inc-2', 'action-item.created', 22, 'ai-3')));
  await t.step('create item 4', () => s.reports.createActionItem(item('ai-4', 'inc-1', '2030-02-01', 'done', 'C0'), audit('inc-1', 'action-item.created', 23, 'ai-4')));
  await t.step('update item', () => s.reports.updateActionItem({ ...item('ai-2', 'inc-1', '2030-01-20', 'in_progress', 'C2'), owner: 'dave', updatedAt: 'U', updatedBy: 'dave' }, audit('inc-1', 'action-item.updated', 24, 'ai-2')));
  await t.step('update unknown', () => s.reports.updateActionItem(item('ai-9', 'inc-1', null, 'open', 'C9'), audit('inc-1', 'action-item.updated', 25, 'ai-9')));
  await t.step('delete item', () => s.reports.deleteActionItem('ai-3', audit('inc-2', 'action-item.deleted', 26, 'ai-3')));
  await t.step('delete again', () => s.reports.deleteActionItem('ai-3', audit('inc-2', 'action-item.deleted', 27, 'ai-3')));
  await t.step('get item', () => s.reports.getActionItem('ai-2'));
  await t.step('get deleted item', () => s.reports.getActionItem('ai-3'));
  cursor = null;
  for (let page = 0; page < 5; page += 1) {
    const r = await t.step(`items page ${page}`, () => s.reports.listActionItems({ limit: 1, cursor }));
    cursor = r?.nextCursor ?? null;
    if (!cursor) break;
  }
  await t.step('items filtered', () => s.reports.listActionItems({ incidentId: 'inc-1', statuses: ['open', 'in_progress'], dueBefore: '2030-02-02', limit: 10 }));
  cursor = null;
  for (let page = 0; page < 6; page += 1) {
    const r = await t.step(`audit page ${page}`, () => s.reports.listAudit('inc-1', { limit: 3, cursor }));
    cursor = r?.nextCursor ?? null;
    if (!cursor) break;
  }
  await t.step('audit inc-2', () => s.reports.listAudit('inc-2', { limit: 10 }));
}

const delivery = (id: string, incidentId: string, createdAt: string, target: string): DeliveryRecord => ({
  id, incidentId, version: 1, event: 'report.published', target, body: '{"x":1}', status: 'pending', attempts: 0, lastStatusCode: null,
  lastError: null, nextAttemptAt: createdAt, createdAt, updatedAt: createdAt, deliveredAt: null,
});

async function deliveryScenario(s: Stores, t: Transcript): Promise<void> {
  await t.step('create', async () => {
    await s.deliveries.create(delivery('d1', 'inc-1', 'T2', 'chat'));
    await s.deliveries.create(delivery('d2', 'inc-1', 'T1', 'pager'));
    await s.deliveries.create(delivery('d3', 'inc-2', 'T1', 'chat'));
    await s.deliveries.create(delivery('d4', 'inc-1', 'T1', 'audit'));
  });
  await t.step('update', () => s.deliveries.update('d2', { status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null, updatedAt: 'T3', deliveredAt: 'T3' }));
  await t.step('update unknown', () => s.deliveries.update('d9', { status: 'failed', attempts: 6, lastStatusCode: 500, lastError: 'x', nextAttemptAt: null, updatedAt: 'T3', deliveredAt: null }));
  await t.step('for incident', () => s.deliveries.listForIncident('inc-1'));
  await t.step('pending', () => s.deliveries.listPending(2));
}

/**
 * Ids made in creation order (the same in both runs), so that ties broken by id (two alerts
 * starting at the same second) order the same way in both stores.
 */
function sequentialIds(): void {
  let n = 0;
  jest.spyOn(crypto, 'randomUUID').mockImplementation(() => `00000000-0000-4000-9000-${(n += 1).toString(16).padStart(12, '0')}`);
}

afterEach(() => jest.restoreAllMocks());

async function both(run: (s: Stores, t: Transcript) => Promise<void>): Promise<{ sqlite: Transcript; mongo: Transcript; connection: FakeConnection }> {
  sequentialIds();
  const sqlite = new Transcript();
  const sq = await sqliteStores();
  try {
    await run(sq, sqlite);
  } finally {
    await sq.store.close();
  }
  sequentialIds();
  const mongo = new Transcript();
  const mg = await mongoStores();
  await run(mg, mongo);
  return { sqlite, mongo, connection: mg.connection };
}

describe('the MongoDB store on an in-memory driver stand-in, compared with SQLite', () => {
  it('when inbox entries are appended, claimed, leased, settled, listed and requeued, then every result is the same', async () => {
    const { sqlite, mongo } = await both(inboxScenario);
    expect(mongo.steps).toEqual(sqlite.steps);
  });

  it.each([1, 2, 3])('when a late, out-of-order alert history with pages, corrections and reconciliation is recorded (seed %i), then alerts, incidents, decisions and timelines are the same', async (seed) => {
    const { sqlite, mongo } = await both((s, t) => correlationScenario(s, t, seed));
    expect(mongo.steps).toEqual(sqlite.steps);
    // The scenario reaches what it is meant to compare (so equality is not vacuous).
    const outcome = (name: string) => {
      const r = sqlite.steps.find(([n]) => n === name)?.[1] as { error?: string } | undefined;
      return r?.error ?? 'ok';
    };
    expect(Object.fromEntries(['merge into itself', 'merge unknown', 'merge', 'merge a merged one', 'split everything', 'split a foreign alert', 'split',
      'move to same', 'move unknown alert', 'move', 'move last one out (empties it)', 'move into merged', 're-fire of a moved alert', 'page', 'reconcile'].map((n) => [n, outcome(n)]))).toEqual({
      'merge into itself': 'ValidationError', 'merge unknown': 'NotFoundError', merge: 'ok', 'merge a merged one': 'ConflictError',
      'split everything': 'ValidationError', 'split a foreign alert': 'ConflictError', split: 'ok', 'move to same': 'ValidationError',
      'move unknown alert': 'NotFoundError', move: 'ok', 'move last one out (empties it)': 'ok', 'move into merged': 'ConflictError',
      're-fire of a moved alert': 'ok', page: 'ok', reconcile: 'ok',
    });
    const text = JSON.stringify(sqlite.steps);
    for (const used of ['earlier-human-placement', 'pagerduty-dedup-key', 'pagerduty-service', 'alert.reconciled', 'correlation.merged']) expect(text).toContain(used);
  });

  it('when reports are committed (lost races included), published, listed and audited with action items, then every result is the same', async () => {
    const { sqlite, mongo } = await both(reportScenario);
    expect(mongo.steps).toEqual(sqlite.steps);
  });

  it('when delivery outcomes are created, updated and listed, then every result is the same', async () => {
    const { sqlite, mongo } = await both(deliveryScenario);
    expect(mongo.steps).toEqual(sqlite.steps);
  });
});

describe('MongoDB store transactions on the stand-in', () => {
  it('when a correction fails half-way, then nothing it wrote stays (all or nothing)', async () => {
    const { store, connection } = await mongoStores();
    const r = await store.recordObservations([observation({ name: 'A', service: 'db', start: 0 }), observation({ name: 'B', service: 'db', start: 1 })], recordCtx());
    const before = JSON.stringify([...connection.fake.collections].map(([n, c]) => [n, c.docs]));
    await expect(store.splitIncident(r.created[0]!.incidentId, [r.created[0]!.id, 'nope'], correction())).rejects.toThrow('no alert "nope"');
    expect(JSON.stringify([...connection.fake.collections].map(([n, c]) => [n, c.docs]))).toBe(before);
  });

  it('when another writer inserted the same alert first (duplicate key), then the notification is re-run and applied as a re-send', async () => {
    const { store, connection } = await mongoStores();
    const obs = observation({ name: 'A', service: 'db', start: 0 });
    const other = await mongoStores();
    const theirs = await other.store.recordObservations([obs], recordCtx());
    // "Another replica" commits the same firing after our transaction read "no such alert" and
    // before it inserts: our insert meets the unique index (E11000), our writes roll back, and
    // the re-run (which sees their commit) takes the update path.
    const alerts = connection.fake.collection('alerts');
    const insert = alerts.updateOne.bind(alerts);
    let raced = false;
    alerts.updateOne = async (filter, update, options) => {
      if (!raced && options?.upsert) {
        raced = true;
        throw new MongoServerError({ message: 'E11000 duplicate key error collection: debrief.alerts index: alerts_identity', code: 11000 });
      }
      return insert(filter, update, options);
    };
    connection.fake.beforeTransactionRun = () => {
      if (!raced) return;
      for (const [name, c] of other.connection.fake.collections) {
        const mine = connection.fake.collection(name);
        if (mine.docs.length === 0) mine.docs.push(...c.docs);
      }
    };
    const r = await store.recordObservations([{ ...obs, status: 'resolved', endsAt: at(5) }], recordCtx());
    expect(connection.fake.transactions).toBe(2);
    expect(r.created).toEqual([]);
    expect(r.updated).toHaveLength(1);
    expect(r.updated[0]).toMatchObject({ id: theirs.created[0]!.id, status: 'resolved', notificationCount: 2 });
    expect(await store.countIncidents()).toBe(1);
  });
});

describe('MongoDB correlation locks (what makes concurrent placements conflict)', () => {
  /** Lock documents each transaction bumped, by transaction number. */
  async function withLockLog() {
    const stores = await mongoStores();
    const fake = stores.connection.fake;
    const locks = fake.collection('correlation_locks');
    const bulk = locks.bulkWrite.bind(locks);
    const bumped = new Map<number, Set<string>>();
    locks.bulkWrite = async (ops) => {
      const set = bumped.get(fake.transactions) ?? bumped.set(fake.transactions, new Set()).get(fake.transactions)!;
      for (const op of ops) set.add(String(op.updateOne!.filter._id));
      return bulk(ops);
    };
    return { ...stores, bumped };
  }

  it('when an alert is placed, then its transaction bumps the lock of every key it looks up, probes and holds', async () => {
    const { store, bumped } = await withLockLog();
    const obs = observation({ name: 'A', service: 'payments', cluster: 'eu', start: 0 });
    await store.recordObservations([obs], recordCtx());
    const keys = correlator.keysFor(obs);
    expect(keys.lookup.length).toBeGreaterThan(0);
    expect([...bumped.get(1)!].sort()).toEqual(expect.arrayContaining([...new Set([...keys.lookup, ...keys.probe, ...keys.hold])]));
  });

  it('when the second alert of a group is placed, then it bumps a lock the first placement bumped (two such transactions at once conflict, and the re-run joins)', async () => {
    const { store, bumped } = await withLockLog();
    const first = await store.recordObservations([observation({ name: 'A', service: 'payments', start: 0 })], recordCtx());
    const second = await store.recordObservations([observation({ name: 'B', service: 'payments', start: 1, group: '{}:{alertname="A", service="payments"}' })], recordCtx());
    expect(second.created[0]!.incidentId).toBe(first.created[0]!.incidentId);
    const shared = [...bumped.get(1)!].filter((k) => bumped.get(2)!.has(k));
    expect(shared.length).toBeGreaterThan(0);
  });

  it('when a re-send resolves an alert, then the locks of its incident\'s keys are bumped (its key activity changed)', async () => {
    const { store, bumped } = await withLockLog();
    const obs = observation({ name: 'A', service: 'payments', start: 0 });
    await store.recordObservations([obs], recordCtx());
    await store.recordObservations([{ ...obs, status: 'resolved', endsAt: at(90) }], recordCtx());
    expect([...bumped.get(2)!]).toEqual(expect.arrayContaining(correlator.keysFor(obs).hold));
  });

  it('when alerts of unrelated services are placed, then their transactions share no lock (they run in parallel)', async () => {
    const { store, bumped } = await withLockLog();
    await store.recordObservations([observation({ name: 'A', service: 'mail', cluster: 'eu', start: 0 })], recordCtx());
    await store.recordObservations([observation({ name: 'B', service: 'search', cluster: 'us', start: 200 })], recordCtx());
    expect([...bumped.get(1)!].filter((k) => bumped.get(2)!.has(k))).toEqual([]);
  });
});
