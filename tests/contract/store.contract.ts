import type { Alert } from '../../src/domain/alert';
import { CORRECTION_EVENT_KINDS, DECISION_EVENT_KIND, REOPENED_EVENT_KIND } from '../../src/domain/correlation/corrections';
import { LINK_RULES, type IncidentCandidate } from '../../src/domain/correlation/correlator';
import { humanPlacementKey, outageCriticalKey, outagePageKey, pageKey } from '../../src/domain/correlation/correlation-keys';
import type { Incident, IncidentDeclaration, IncidentDetail } from '../../src/domain/incident';
import { summarizeIncident } from '../../src/domain/incident-summary';
import { DETAIL_ALERT_LIMIT, DETAIL_EVENT_LIMIT } from '../../src/store/bounded-detail';
import { pagesOf } from '../../src/domain/incident-pages';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors';
import type { NewInboxEntry, ResolveContext, Store } from '../../src/store/store';
import { describeChangeStoreContract } from './change-store.contract';
import { describeDeliveryStoreContract } from './delivery-store.contract';
import { describeRememberedLinkStoreContract } from './remembered-link-store.contract';
import { describeChatStoreContract } from './chat-store.contract';
import { describeReportStoreContract } from './report-store.contract';
import { describeSearchStoreContract } from './search-store.contract';
import {
  at, collectPages, correctionContext, FakeCorrelator, fixturePerCase, later, linkKey, NOW, observation, openDecision, pagingEvent, probeKey,
  recordContext, ruleDecision, SERVICE_LABELS, type ObservationSpec, type StoreFactory,
} from './store-contract-support';

export type { StoreFactory, StoreFixture, StoreHandles } from './store-contract-support';

/**
 * The one store contract: every `Store`, `ReportStore` and `DeliveryStore`
 * implementation runs it. Written against the interfaces and their TSDoc only, so the same
 * cases hold for the embedded SQLite store and for MongoDB: ids are opaque, lists are compared
 * as sets unless the TSDoc promises an order, and the correlator is a fake that records what
 * the store offers it.
 *
 * `factory` gives a fresh, empty database per test. Runners: `store-sqlite.contract.test.ts`,
 * `store-mongodb-stand-in.contract.test.ts` (Mongo store code, in-memory driver stand-in) and
 * `store-mongodb.contract.test.ts` (a real replica set, when MONGODB_URI is set).
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract (${name})`, () => {
    const fixture = fixturePerCase(factory);
    let store: Store;
    let correlator: FakeCorrelator;

    beforeEach(() => {
      store = fixture().store;
      correlator = new FakeCorrelator();
    });

    const record = async (specs: ObservationSpec[], now = NOW) => store.recordObservations(specs.map(observation), recordContext(correlator, now));
    /** Records one alert and returns it as stored. */
    const place = async (spec: ObservationSpec, now = NOW): Promise<Alert> => {
      const r = await record([spec], now);
      const a = [...r.created, ...r.updated][0];
      if (!a) throw new Error(`nothing recorded for ${spec.name}`);
      return a;
    };
    const detail = async (id: string): Promise<IncidentDetail> => {
      const d = await store.getIncident(id);
      if (!d) throw new Error(`no incident ${id}`);
      return d;
    };
    const incident = async (id: string): Promise<Incident> => (await detail(id)).incident;
    const alertsOf = async (id: string): Promise<string[]> => (await detail(id)).alerts.map((a) => a.labels.alertname!).sort();
    const summaryFields = (i: Incident) => ({
      title: i.title, status: i.status, severity: i.severity, services: i.services, startedAt: i.startedAt, endedAt: i.endedAt,
      lastActivityAt: i.lastActivityAt, alertCount: i.alertCount,
    });
    /** The stored summary equals the pure summary of the stored alerts (Incident TSDoc). */
    const expectSummaryFromAlerts = async (id: string) => {
      const d = await detail(id);
      expect(summaryFields(d.incident)).toEqual(summarizeIncident(d.alerts, SERVICE_LABELS));
    };
    const ids = (candidates: IncidentCandidate[]) => candidates.map((c) => c.incident.id).sort();

    describe('lifecycle', () => {
      it('when the store is open, then ping resolves', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        expect(typeof store.kind).toBe('string');
      });

      it('when a second handle opens the same data (init again), then it sees what the first wrote', async () => {
        const alert = await place({ name: 'Shared', link: 's', start: 0 });
        const { id } = await store.appendInbox(inboxEntry(1));
        const other = await fixture().connectAgain();
        expect(await other.store.getAlert(alert.id)).toEqual(alert);
        expect((await other.store.getInboxEntry(id))?.id).toBe(id);
        expect((await other.store.listIncidents({ limit: 10 })).items.map((i) => i.id)).toEqual([alert.incidentId]);
      });
    });

    // ------------------------------------------------------------------ inbox

    describe('inbox', () => {
      it('when an entry is appended, then it reads back byte for byte, pending, never attempted', async () => {
        const body = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x7d]);
        const { id, duplicate } = await store.appendInbox(inboxEntry(1, { body, headers: { 'content-type': 'application/json', 'x-request-id': 'r1' }, deliveryId: 'd-1' }));
        expect(duplicate).toBe(false);
        const e = await store.getInboxEntry(id);
        expect(e).not.toBeNull();
        expect(Buffer.compare(e!.body, body)).toBe(0);
        expect(e).toMatchObject({
          id, instance: 'alertmanager', connector: 'alertmanager', receivedAt: later(1), headers: { 'content-type': 'application/json', 'x-request-id': 'r1' },
          deliveryId: 'd-1', state: 'pending', attempts: 0, lastError: null, processedAt: null, outcome: null, bodyBytes: body.length,
        });
        expect(typeof e!.seq).toBe('number');
        expect(await store.getInboxEntry('no-such-entry')).toBeNull();
      });

      it('when a delivery id repeats on the same instance, then nothing is stored and the earlier id is returned', async () => {
        const first = await store.appendInbox(inboxEntry(1, { deliveryId: 'same' }));
        const again = await store.appendInbox(inboxEntry(2, { deliveryId: 'same', body: Buffer.from('{"other":true}') }));
        expect(again).toEqual({ id: first.id, duplicate: true });
        // Another instance, or no delivery id at all, is never a duplicate.
        const otherInstance = await store.appendInbox(inboxEntry(3, { deliveryId: 'same', instance: 'alertmanager-eu' }));
        const noId1 = await store.appendInbox(inboxEntry(4));
        const noId2 = await store.appendInbox(inboxEntry(4));
        expect([otherInstance.duplicate, noId1.duplicate, noId2.duplicate]).toEqual([false, false, false]);
        expect(new Set([first.id, otherInstance.id, noId1.id, noId2.id]).size).toBe(4);
        expect((await store.getInboxEntry(first.id))!.body.toString()).toBe(inboxEntry(1).body.toString());
        expect(await store.inboxCounts()).toEqual({ pending: 4, done: 0, dead: 0 });
      });

      it('when entries are claimed, then at most `limit` come back, oldest first, each with one more attempt', async () => {
        const appended = await appendMany(store, 5);
        const claimed = await store.claimInbox('owner-a', 30_000, 3, later(100));
        expect(claimed.map((e) => e.id)).toEqual(appended.slice(0, 3));
        expect(claimed.map((e) => e.attempts)).toEqual([1, 1, 1]);
        expect(claimed.every((e) => e.state === 'pending' && e.body.length > 0)).toBe(true);
        const rest = await store.claimInbox('owner-a', 30_000, 10, later(100));
        expect(rest.map((e) => e.id)).toEqual(appended.slice(3));
      });

      it('when an entry is claimed, then no other owner gets it until the lease expires, and then one does', async () => {
        const appended = await appendMany(store, 2);
        const leaseMs = 30_000;
        expect(await store.claimInbox('owner-a', leaseMs, 10, later(100))).toHaveLength(2);
        expect(await store.claimInbox('owner-b', leaseMs, 10, later(100))).toEqual([]);
        expect(await store.claimInbox('owner-b', leaseMs, 10, later(100 + leaseMs / 1000 - 1))).toEqual([]);
        const taken = await store.claimInbox('owner-b', leaseMs, 10, later(100 + leaseMs / 1000 + 1));
        expect(taken.map((e) => e.id)).toEqual(appended);
        expect(taken.map((e) => e.attempts)).toEqual([2, 2]);
        // The first owner lost the lease: its completion changes nothing.
        await store.completeInbox(appended[0]!, 'owner-a', { alerts: 1, ignoredReason: null }, later(200));
        expect((await store.getInboxEntry(appended[0]!))!.state).toBe('pending');
      });

      it('when several handles claim at the same time, then no entry is handed to two claimers', async () => {
        const appended = await appendMany(store, 40);
        const others = [await fixture().connectAgain(), await fixture().connectAgain()];
        const handles = [store, ...others.map((o) => o.store)];
        const drain = async (s: Store, owner: string): Promise<string[]> => {
          const got: string[] = [];
          for (;;) {
            const batch = await s.claimInbox(owner, 60_000, 3, later(100));
            if (batch.length === 0) return got;
            got.push(...batch.map((e) => e.id));
          }
        };
        const results = await Promise.all(handles.flatMap((s, i) => [drain(s, `owner-${i}-a`), drain(s, `owner-${i}-b`)]));
        const all = results.flat();
        expect(all.length).toBe(new Set(all).size);
        expect([...all].sort()).toEqual([...appended].sort());
      });

      it('when a non-owner completes or fails a claimed entry, then nothing changes', async () => {
        const [id] = await appendMany(store, 1);
        await store.claimInbox('owner-a', 30_000, 1, later(100));
        await store.completeInbox(id!, 'intruder', { alerts: 3, ignoredReason: null }, later(101));
        await store.failInbox(id!, 'intruder', 'boom', true, later(102));
        expect(await store.getInboxEntry(id!)).toMatchObject({ state: 'pending', lastError: null, processedAt: null, outcome: null, attempts: 1 });
        expect(await store.inboxCounts()).toEqual({ pending: 1, done: 0, dead: 0 });
      });

      it('when the owner completes an entry, then it is done with its outcome and never claimed again', async () => {
        const [id] = await appendMany(store, 1);
        await store.claimInbox('owner-a', 1_000, 1, later(100));
        await store.completeInbox(id!, 'owner-a', { alerts: 2, ignoredReason: 'resolved-only' }, later(101));
        expect(await store.getInboxEntry(id!)).toMatchObject({ state: 'done', processedAt: later(101), outcome: { alerts: 2, ignoredReason: 'resolved-only' } });
        expect(await store.claimInbox('owner-b', 1_000, 10, later(10_000))).toEqual([]);
        expect(await store.inboxCounts()).toEqual({ pending: 0, done: 1, dead: 0 });
      });

      it('when the owner fails an entry (not dead), then it stays pending with the reason and is retried once its lease expires', async () => {
        const [id] = await appendMany(store, 1);
        await store.claimInbox('owner-a', 30_000, 1, later(100));
        await store.failInbox(id!, 'owner-a', 'Error: store busy', false, later(101));
        expect(await store.getInboxEntry(id!)).toMatchObject({ state: 'pending', lastError: 'Error: store busy' });
        // The failed attempt keeps its lease: retries back off by the lease time.
        expect(await store.claimInbox('owner-b', 30_000, 1, later(102))).toEqual([]);
        const retried = await store.claimInbox('owner-b', 30_000, 1, later(131));
        expect(retried.map((e) => [e.id, e.attempts])).toEqual([[id, 2]]);
      });

      it('when an entry is failed as dead, then it is a dead letter with its reason, never claimed, until requeued', async () => {
        const [id, other] = await appendMany(store, 2);
        await store.claimInbox('owner-a', 1_000, 2, later(100));
        await store.failInbox(id!, 'owner-a', 'NormalizeError: not an Alertmanager body', true, later(101));
        expect(await store.getInboxEntry(id!)).toMatchObject({ state: 'dead', lastError: 'NormalizeError: not an Alertmanager body' });
        expect(await store.inboxCounts()).toEqual({ pending: 1, done: 0, dead: 1 });
        expect((await store.claimInbox('owner-b', 1_000, 10, later(10_000))).map((e) => e.id)).toEqual([other]);
        await store.completeInbox(other!, 'owner-b', { alerts: 0, ignoredReason: null }, later(10_001));

        expect(await store.requeueInbox(id!, { actor: 'admin', now: later(20_000) })).toBe(true);
        expect((await store.getInboxEntry(id!))!.state).toBe('pending');
        expect((await store.claimInbox('owner-c', 1_000, 10, later(20_001))).map((e) => e.id)).toEqual([id]);
        // Only dead letters are requeued.
        expect(await store.requeueInbox(id!, { actor: 'admin', now: later(20_002) })).toBe(false);
        expect(await store.requeueInbox('no-such-entry', { actor: 'admin', now: later(20_002) })).toBe(false);
      });

      it('when a dead letter is requeued, then the entry records who requeued it and when, every time, oldest first', async () => {
        const [id, never] = await appendMany(store, 2);
        expect((await store.getInboxEntry(id!))!.requeues).toEqual([]);
        const kill = async (owner: string, t: number) => {
          expect((await store.claimInbox(owner, 1_000, 1, later(t))).map((e) => e.id)).toEqual([id]);
          await store.failInbox(id!, owner, 'NormalizeError: still broken', true, later(t + 1));
        };
        await store.claimInbox('owner-a', 1_000, 2, later(100));
        await store.failInbox(id!, 'owner-a', 'NormalizeError: broken', true, later(101));
        await store.completeInbox(never!, 'owner-a', { alerts: 0, ignoredReason: null }, later(101));

        expect(await store.requeueInbox(id!, { actor: 'alice', now: later(20_000) })).toBe(true);
        expect((await store.getInboxEntry(id!))!.requeues).toEqual([{ at: later(20_000), actor: 'alice' }]);
        await kill('owner-b', 20_001);
        expect(await store.requeueInbox(id!, { actor: 'bob', now: later(30_000) })).toBe(true);
        const entry = await store.getInboxEntry(id!);
        expect(entry).toMatchObject({ state: 'pending', attempts: 0, requeues: [{ at: later(20_000), actor: 'alice' }, { at: later(30_000), actor: 'bob' }] });
        // The record travels with the entry as claimed, too.
        expect((await store.claimInbox('owner-c', 1_000, 1, later(30_001)))[0]!.requeues.map((r) => r.actor)).toEqual(['alice', 'bob']);

        // A refused requeue (not a dead letter, unknown id) records nothing.
        expect(await store.requeueInbox(id!, { actor: 'mallory', now: later(30_002) })).toBe(false);
        expect(await store.requeueInbox(never!, { actor: 'mallory', now: later(30_002) })).toBe(false);
        expect(await store.requeueInbox('no-such-entry', { actor: 'mallory', now: later(30_002) })).toBe(false);
        expect((await store.getInboxEntry(id!))!.requeues.map((r) => r.actor)).toEqual(['alice', 'bob']);
        expect((await store.getInboxEntry(never!))!.requeues).toEqual([]);
        // Lists show them as well, without the bodies.
        const listed = new Map((await store.listInbox({ limit: 10 })).items.map((e) => [e.id, e.requeues.map((r) => r.actor)]));
        expect(Object.fromEntries(listed)).toEqual({ [id!]: ['alice', 'bob'], [never!]: [] });
        expect((await store.listInbox({ limit: 10, state: 'pending' })).items.map((e) => e.requeues.map((r) => r.actor))).toEqual([['alice', 'bob']]);
      });

      it('when nothing was appended, then every state counts zero', async () => {
        expect(await store.inboxCounts()).toEqual({ pending: 0, done: 0, dead: 0 });
      });

      it('when the inbox is listed, then pages are newest first, filtered by state, with no entry missing or repeated', async () => {
        const appended = await appendMany(store, 11);
        await store.claimInbox('owner-a', 1_000, 4, later(100));
        for (const id of appended.slice(0, 3)) await store.completeInbox(id, 'owner-a', { alerts: 1, ignoredReason: null }, later(101));
        await store.failInbox(appended[3]!, 'owner-a', 'bad body', true, later(101));

        const all = await collectPages((cursor) => store.listInbox({ limit: 3, cursor }));
        expect(all.items.map((e) => e.id)).toEqual([...appended].reverse());
        expect(all.pages).toBe(4);
        const first = all.items.at(-1)!;
        expect(first).toMatchObject({ id: appended[0], state: 'done', attempts: 1, outcome: { alerts: 1, ignoredReason: null }, bodyBytes: inboxEntry(0).body.length });
        expect(first).not.toHaveProperty('body');

        const pending = await collectPages((cursor) => store.listInbox({ state: 'pending', limit: 2, cursor }));
        expect(pending.items.map((e) => e.id)).toEqual(appended.slice(4).reverse());
        const dead = await store.listInbox({ state: 'dead', limit: 10 });
        expect(dead).toEqual({ items: [expect.objectContaining({ id: appended[3], state: 'dead', lastError: 'bad body' })], nextCursor: null });
      });
      it('when entries are pending, done, retried and dead, then the backlog counts pending and dead as inboxCounts does', async () => {
        const ids = await appendMany(store, 5);
        expect(await store.inboxBacklog()).toEqual({ pending: 5, dead: 0 });
        await store.claimInbox('owner-a', 30_000, 4, later(100));
        await store.completeInbox(ids[0]!, 'owner-a', { alerts: 1, ignoredReason: null }, later(101));
        await store.failInbox(ids[1]!, 'owner-a', 'bad body', true, later(101));
        await store.failInbox(ids[2]!, 'owner-a', 'flaky', false, later(101));
        // ids[3] claimed, not finished; ids[4] never attempted.
        expect(await store.inboxBacklog()).toEqual({ pending: 3, dead: 1 });
        const counts = await store.inboxCounts();
        expect(await store.inboxBacklog()).toEqual({ pending: counts.pending, dead: counts.dead });
      });

      it('when a run of claimed entries is recorded, then each has its alerts placed and is done, and an entry that fails is undone alone and stays claimed', async () => {
        const correlator = new FakeCorrelator().script('Broken', () => {
          throw new Error('correlator failed on Broken');
        });
        const ids = await appendMany(store, 4);
        await store.claimInbox('owner-a', 30_000, 4, later(100));
        const results = await store.recordInboxAlerts([
          { id: ids[0]!, observations: [observation({ name: 'First', link: 'x', start: 0 })], outcome: { alerts: 1, ignoredReason: null } },
          { id: ids[1]!, observations: [observation({ name: 'Second', link: 'x', start: 1 }), observation({ name: 'Broken', start: 2 })], outcome: { alerts: 2, ignoredReason: null } },
          { id: ids[2]!, observations: [], outcome: { alerts: 0, ignoredReason: 'resolved-only' } },
          { id: ids[3]!, observations: [observation({ name: 'Fourth', link: 'x', start: 3 })], outcome: { alerts: 1, ignoredReason: null } },
        ], 'owner-a', { correlator, serviceLabels: ['service'], now: later(101) });
        expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
        expect(String((results[1] as { error: unknown }).error)).toMatch(/correlator failed on Broken/);
        const states = await Promise.all(ids.map(async (id) => (await store.getInboxEntry(id))!));
        expect(states.map((e) => e.state)).toEqual(['done', 'pending', 'done', 'done']);
        expect(states[2]).toMatchObject({ processedAt: later(101), outcome: { alerts: 0, ignoredReason: 'resolved-only' } });
        // The failed entry's alerts are undone together (Second is placed before Broken throws).
        expect(correlator.calls.map((c) => c.alert.labels.alertname)).toEqual(['First', 'Second', 'Broken', 'Fourth']);
        const incidents = (await store.listIncidents({ limit: 10 })).items;
        const alerts = (await Promise.all(incidents.map(async (i) => (await store.getIncident(i.id))!.alerts))).flat();
        expect(alerts.map((a) => a.labels.alertname).sort()).toEqual(['First', 'Fourth']);
        // Still claimed by owner-a: the caller fails it with its policy.
        await store.failInbox(ids[1]!, 'owner-a', 'Error: correlator failed on Broken', true, later(102));
        expect((await store.getInboxEntry(ids[1]!))!.state).toBe('dead');
      });

      it('when a run is recorded by an owner that lost the lease, then its alerts are placed but the entries are not marked done', async () => {
        const [id] = await appendMany(store, 1);
        await store.claimInbox('owner-a', 1_000, 1, later(100));
        await store.claimInbox('owner-b', 1_000, 1, later(200));
        const results = await store.recordInboxAlerts(
          [{ id: id!, observations: [observation({ name: 'Late', start: 0 })], outcome: { alerts: 1, ignoredReason: null } }],
          'owner-a', { correlator: new FakeCorrelator(), serviceLabels: ['service'], now: later(201) },
        );
        expect(results).toEqual([{ ok: true }]);
        expect((await store.getInboxEntry(id!))!.state).toBe('pending');
      });

      it('when a notification names 700 firings, 600 of them stored, then each stored one is counted once more and the others placed', async () => {
        // More identities than one probe query takes on MongoDB (500): the probe is read in parts.
        const spec = (i: number) => observation({ name: `Big${i}`, link: 'big', start: i % 50 });
        const ids = await appendMany(store, 2);
        await store.claimInbox('owner-a', 30_000, 2, later(100));
        const context = { correlator: new FakeCorrelator(), serviceLabels: ['service'] };
        const first = Array.from({ length: 600 }, (_, i) => spec(i));
        expect(await store.recordInboxAlerts([{ id: ids[0]!, observations: first, outcome: { alerts: 600, ignoredReason: null } }], 'owner-a', { ...context, now: later(101) }))
          .toEqual([{ ok: true }]);
        const second = Array.from({ length: 700 }, (_, i) => spec(699 - i));
        expect(await store.recordInboxAlerts([{ id: ids[1]!, observations: second, outcome: { alerts: 700, ignoredReason: null } }], 'owner-a', { ...context, now: later(102) }))
          .toEqual([{ ok: true }]);
        const firing = await store.listFiringAlerts('alertmanager');
        expect(firing).toHaveLength(700);
        const byName = new Map(firing.map((a) => [a.labels.alertname!, a]));
        for (let i = 0; i < 700; i++) {
          expect(byName.get(`Big${i}`)).toMatchObject(i < 600
            ? { notificationCount: 2, firstSeenAt: later(101), lastSeenAt: later(102) }
            : { notificationCount: 1, firstSeenAt: later(102), lastSeenAt: later(102) });
        }
      });
    });

    // ---------------------------------------------------------------- alerts

    describe('recordObservations', () => {
      it('when a firing is seen for the first time, then it is stored with its identity, the correlator decision and first/last seen at `now`', async () => {
        const r = await record([{ name: 'DiskFull', link: 'd', start: 0, service: 'db', severity: 'critical' }]);
        expect(r.updated).toEqual([]);
        expect(r.created).toHaveLength(1);
        const a = r.created[0]!;
        expect(a).toMatchObject({
          ...observation({ name: 'DiskFull', link: 'd', start: 0, service: 'db', severity: 'critical' }),
          decision: openDecision(NOW), firstSeenAt: NOW, lastSeenAt: NOW, notificationCount: 1,
        });
        expect(r.incidentIds).toEqual([a.incidentId]);
        expect(await store.getAlert(a.id)).toEqual(a);
        expect(await store.getAlert('no-such-alert')).toBeNull();
        const d = await detail(a.incidentId);
        expect(d.alerts).toEqual([a]);
        expect(d.incident).toMatchObject({ id: a.incidentId, status: 'open', mergedInto: null, startedAt: at(0) });
        expect(correlator.calls).toHaveLength(1);
        expect(correlator.calls[0]!.decidedAt).toBe(NOW);
      });

      it('when the same firing is re-sent, then only status, endsAt, lastSeenAt, notification count and annotations change', async () => {
        const first = await place({ name: 'Latency', link: 'l', start: 0, annotations: { value: '1s' } });
        const r = await record([{ name: 'Latency', link: 'l', start: 0, end: 7, annotations: { value: '0.2s' } }], later(60));
        expect(r.created).toEqual([]);
        expect(r.updated).toHaveLength(1);
        const again = r.updated[0]!;
        expect(again).toEqual({
          ...first, status: 'resolved', endsAt: at(7), lastSeenAt: later(60), notificationCount: 2, annotations: { value: '0.2s' },
        });
        expect(await store.getAlert(first.id)).toEqual(again);
        expect(r.incidentIds).toEqual([first.incidentId]);
        // Known firings are not placed again.
        expect(correlator.calls).toHaveLength(1);
      });

      it('when a firing re-send arrives after the resolution, then the alert stays resolved with its end', async () => {
        const a = await place({ name: 'Flappy', link: 'f', start: 0 });
        await record([{ name: 'Flappy', link: 'f', start: 0, end: 4 }], later(10));
        const r = await record([{ name: 'Flappy', link: 'f', start: 0 }], later(20));
        expect(r.updated[0]).toMatchObject({ id: a.id, status: 'resolved', endsAt: at(4), notificationCount: 3, lastSeenAt: later(20) });
        expect(await store.getAlert(a.id)).toMatchObject({ status: 'resolved', endsAt: at(4) });
        expect((await incident(a.incidentId)).status).toBe('resolved');
      });

      it('when an older notification is processed late, then lastSeenAt never goes back', async () => {
        const a = await place({ name: 'Late', link: 'x', start: 0 }, later(100));
        await record([{ name: 'Late', link: 'x', start: 0 }], later(50));
        expect(await store.getAlert(a.id)).toMatchObject({ lastSeenAt: later(100), firstSeenAt: later(100), notificationCount: 2 });
      });

      it('when the same signal fires again later, or on another instance, then each is a new alert', async () => {
        const a = await place({ name: 'Cpu', link: 'c', start: 0 });
        const again = await place({ name: 'Cpu', link: 'c', start: 20 });
        const elsewhere = await place({ name: 'Cpu', link: 'c', start: 0, instance: 'alertmanager-eu' });
        expect(new Set([a.id, again.id, elsewhere.id]).size).toBe(3);
        expect(correlator.calls).toHaveLength(3);
      });

      it('when one notification holds the same firing twice, then it is stored once and its resolution wins', async () => {
        const r = await record([{ name: 'Twice', link: 't', start: 0 }, { name: 'Twice', link: 't', start: 0, end: 3 }]);
        expect(correlator.calls).toHaveLength(1);
        const stored = await detail(r.incidentIds[0]!);
        expect(stored.alerts).toHaveLength(1);
        expect(stored.alerts[0]).toMatchObject({ status: 'resolved', endsAt: at(3), notificationCount: 2 });
      });

      it('when a notification holds alerts out of order, then they are placed in event-time order', async () => {
        const r = await record([{ name: 'C', link: 'o', start: 5 }, { name: 'A', link: 'o', start: 1 }, { name: 'B', link: 'o', start: 3 }]);
        expect(correlator.calls.map((c) => c.alert.labels.alertname)).toEqual(['A', 'B', 'C']);
        // Each later alert saw the incident the earlier one opened.
        expect(correlator.calls.map((c) => c.candidates.length)).toEqual([0, 1, 1]);
        expect(new Set(r.created.map((a) => a.incidentId)).size).toBe(1);
        expect(r.incidentIds).toHaveLength(1);
        expect(await alertsOf(r.incidentIds[0]!)).toEqual(['A', 'B', 'C']);
      });

      it('when the correlator joins or opens, then each alert lands where it said', async () => {
        const a = await place({ name: 'One', link: 'j', start: 0 });
        const b = await place({ name: 'Two', link: 'j', start: 2 });
        const c = await place({ name: 'Three', link: 'other', start: 2 });
        expect(b.incidentId).toBe(a.incidentId);
        expect(b.decision).toEqual(ruleDecision(NOW, { link: 'j' }));
        expect(c.incidentId).not.toBe(a.incidentId);
        expect(await alertsOf(a.incidentId)).toEqual(['One', 'Two']);
        expect(await alertsOf(c.incidentId)).toEqual(['Three']);
        expect(await store.countIncidents()).toBe(2);
      });

      it("when alerts join and resolve, then the incident's summary is always the summary of its alerts", async () => {
        const a = await place({ name: 'CpuHigh', link: 's', start: 0, service: 'api', severity: 'warning' });
        await expectSummaryFromAlerts(a.incidentId);
        await place({ name: 'Errors', link: 's', start: 3, service: 'web', severity: 'critical' });
        await expectSummaryFromAlerts(a.incidentId);
        expect(await incident(a.incidentId)).toMatchObject({ status: 'open', severity: 'critical', startedAt: at(0), endedAt: null, alertCount: 2 });
        await record([{ name: 'Errors', link: 's', start: 3, end: 8, service: 'web', severity: 'critical' }], later(10));
        await expectSummaryFromAlerts(a.incidentId);
        await record([{ name: 'CpuHigh', link: 's', start: 0, end: 6, service: 'api', severity: 'warning' }], later(20));
        await expectSummaryFromAlerts(a.incidentId);
        expect(await incident(a.incidentId)).toMatchObject({ status: 'resolved', endedAt: at(8), lastActivityAt: at(8) });
      });

      it("when an alert shares a key with an incident, then the correlator is offered that incident with the key's activity", async () => {
        const firing = await place({ name: 'Firing', link: 'k', start: 0 });
        await place({ name: 'Probe1', link: 'k', start: 5 });
        const [c] = correlator.candidatesFor('Probe1');
        expect(c).toMatchObject({ incident: { id: firing.incidentId }, origin: 'rule', humanPlaced: false, fencedWith: [] });
        // Activity is the span of the holders' onsets: a still-firing alert counts by its start only.
        expect(c!.keys.find((k) => k.key === linkKey('k'))).toEqual({
          key: linkKey('k'), firstAt: at(0), lastAt: at(0), activeUntil: at(0), firing: 1, holders: 1, depth: 0,
        });

        const resolved = await place({ name: 'Resolved', link: 'r', start: 0, end: 3 });
        await place({ name: 'Probe2', link: 'r', start: 6 });
        const [r] = correlator.candidatesFor('Probe2');
        expect(r!.incident.id).toBe(resolved.incidentId);
        expect(r!.keys.find((k) => k.key === linkKey('r'))).toEqual({
          key: linkKey('r'), firstAt: at(0), lastAt: at(0), activeUntil: at(0), firing: 0, holders: 1, depth: 0,
        });
        // The activity counts every holder in the incident.
        await place({ name: 'Probe3', link: 'r', start: 8 });
        const [r2] = correlator.candidatesFor('Probe3');
        expect(r2!.keys.find((k) => k.key === linkKey('r'))).toMatchObject({ firstAt: at(0), lastAt: at(6), firing: 1, holders: 2 });
      });

      it('when no incident holds any lookup key, then the correlator is offered nothing', async () => {
        await place({ name: 'Elsewhere', link: 'a', start: 0 });
        await place({ name: 'Lonely', link: 'b', start: 1 });
        expect(correlator.candidatesFor('Lonely')).toEqual([]);
      });

      it("when a key's activity is outside the lookback window, then that incident is not a candidate", async () => {
        // lookback 30 min, counted from the holders' onsets whether they still fire or not.
        await place({ name: 'FiringFar', link: 'ff', start: 0 });
        await place({ name: 'TooLate', link: 'ff', start: 30 + 10 });
        expect(correlator.candidatesFor('TooLate')).toEqual([]);
        await place({ name: 'FiringNear', link: 'fn', start: 0 });
        await place({ name: 'InTime', link: 'fn', start: 30 - 10 });
        expect(correlator.candidatesFor('InTime')).toHaveLength(1);

        await place({ name: 'ResolvedFar', link: 'rf', start: 0, end: 3 });
        await place({ name: 'TooLate2', link: 'rf', start: 30 + 10 });
        expect(correlator.candidatesFor('TooLate2')).toEqual([]);
        await place({ name: 'ResolvedNear', link: 'rn', start: 0, end: 3 });
        await place({ name: 'InTime2', link: 'rn', start: 30 - 10 });
        expect(correlator.candidatesFor('InTime2')).toHaveLength(1);

        // Late alerts: an incident that began long after the alert's start is not offered either.
        await place({ name: 'Future', link: 'fu', start: 100 });
        await place({ name: 'TooEarly', link: 'fu', start: 100 - 30 - 10 });
        expect(correlator.candidatesFor('TooEarly')).toEqual([]);
        await place({ name: 'Future2', link: 'fu2', start: 100 });
        await place({ name: 'EarlyInTime', link: 'fu2', start: 100 - 30 + 10 });
        expect(correlator.candidatesFor('EarlyInTime')).toHaveLength(1);
      });

      it('when an alert probes a key, then candidates found by lookup carry that key, and the probe alone finds nothing', async () => {
        const holder = await place({ name: 'Holder', link: 'p', start: 0, holdsProbe: 'cluster-eu' });
        await place({ name: 'OnlyProbe', link: 'unrelated', start: 0, holdsProbe: 'cluster-eu' });
        await place({ name: 'Prober', link: 'p', start: 2, probes: 'cluster-eu' });
        const candidates = correlator.candidatesFor('Prober');
        expect(ids(candidates)).toEqual([holder.incidentId]);
        expect(candidates[0]!.keys.map((k) => k.key).sort()).toEqual([linkKey('p'), probeKey('cluster-eu')].sort());
      });

      it('when the correlator absorbs later incidents, then they are merged into the chosen one and are never candidates again', async () => {
        const early = await place({ name: 'Early', link: 'a', start: 10 });
        const other = await place({ name: 'Other', link: 'b', start: 20 });
        correlator.script('Late', (candidates, decidedAt) => {
          expect(ids(candidates)).toEqual([early.incidentId]);
          return {
            action: 'join', incidentId: early.incidentId, decision: ruleDecision(decidedAt), reopened: null,
            absorb: [{ incidentId: other.incidentId, rule: 'contract-rule', explanation: 'Late links both.' }],
          };
        });
        const r = await record([{ name: 'Late', link: 'a', start: 5 }]);
        expect(r.created[0]!.incidentId).toBe(early.incidentId);
        expect(r.incidentIds).toEqual(expect.arrayContaining([early.incidentId]));

        expect(await alertsOf(early.incidentId)).toEqual(['Early', 'Late', 'Other']);
        expect((await store.getAlert(other.id))!.incidentId).toBe(early.incidentId);
        await expectSummaryFromAlerts(early.incidentId);
        const merged = await detail(other.incidentId);
        expect(merged.incident).toMatchObject({ status: 'merged', mergedInto: early.incidentId });
        expect(merged.alerts).toEqual([]);
        expect(merged.events.length).toBeGreaterThan(0);
        expect(merged.events.every((e) => e.kind === CORRECTION_EVENT_KINDS.merge)).toBe(true);

        // The absorbed alerts' keys now belong to the target; the merged incident is never offered.
        await place({ name: 'After', link: 'b', start: 22 });
        expect(ids(correlator.candidatesFor('After'))).toEqual([early.incidentId]);
        expect((await store.listIncidents({ limit: 10 })).items.map((i) => i.id)).not.toContain(other.incidentId);
      });

      it('when the correlator reopens a resolved incident, then the timeline records the reopening', async () => {
        const first = await place({ name: 'First', link: 'ro', start: 0, end: 2 });
        expect((await incident(first.incidentId)).status).toBe('resolved');
        correlator.script('Again', (candidates, decidedAt) => ({
          action: 'join', incidentId: candidates[0]!.incident.id, decision: ruleDecision(decidedAt), absorb: [],
          reopened: { resolvedAt: at(2), text: 'The incident had resolved 18 min earlier; this alert reopened it.' },
        }));
        await place({ name: 'Again', link: 'ro', start: 20 });
        const d = await detail(first.incidentId);
        expect(d.incident).toMatchObject({ status: 'open', endedAt: null });
        expect(d.events.filter((e) => e.kind === REOPENED_EVENT_KIND)).toHaveLength(1);
        expect(d.events.find((e) => e.kind === REOPENED_EVENT_KIND)!.at).toBe(at(20));
      });

      it('when a critical alert holds a firing-span key (outage:crit:), then its activity spans its firing: open while it fires, found however late, closed at its end', async () => {
        const crit = await place({ name: 'PrimaryDown', service: 'db', severity: 'critical', outage: true, start: 0 });
        // Ten hours later, far beyond the lookback: the key is still active.
        await place({ name: 'Probe', service: 'db', outage: true, start: 600 });
        const [c] = correlator.candidatesFor('Probe');
        expect(c!.incident.id).toBe(crit.incidentId);
        expect(c!.keys.find((k) => k.key === outageCriticalKey('db', null))).toEqual({
          key: outageCriticalKey('db', null), firstAt: at(0), lastAt: at(0), activeUntil: null, firing: 1, holders: 1, depth: 0,
        });
        // Its resolution ends the span at its end; from then on the lookback counts from there.
        await record([{ name: 'PrimaryDown', service: 'db', severity: 'critical', outage: true, start: 0, end: 700 }], later(10));
        await place({ name: 'Probe2', service: 'db', outage: true, start: 720 });
        const [r] = correlator.candidatesFor('Probe2');
        expect(r!.keys.find((k) => k.key === outageCriticalKey('db', null))).toEqual({
          key: outageCriticalKey('db', null), firstAt: at(0), lastAt: at(700), activeUntil: at(700), firing: 0, holders: 1, depth: 0,
        });
        await place({ name: 'Probe3', service: 'db', outage: true, start: 1000 });
        expect(correlator.candidatesFor('Probe3')).toEqual([]);
      });

      it("when an incident holds an unresolved page, then the page's outage:page: keys follow the services its alerts name and stay active until it is resolved", async () => {
        const db = await place({ name: 'ReplicationLag', service: 'db', outage: true, link: 'o', start: 0, end: 20 });
        correlator.scriptPaging('e1', () => ({ action: 'join', incidentId: db.incidentId, rule: 'contract-rule', explanation: 'Joined.', matched: {}, absorb: [] }));
        await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PA', at: 2 })], recordContext(correlator, later(5)));
        // A service new to the incident after the page: the page speaks for it too.
        await place({ name: 'ApiErrors', service: 'api', outage: true, link: 'o', start: 5, end: 25 });
        await place({ name: 'LateDb', service: 'db', outage: true, start: 900 });
        await place({ name: 'LateApi', service: 'api', outage: true, start: 901 });
        for (const [name, service] of [['LateDb', 'db'], ['LateApi', 'api']] as const) {
          const [c] = correlator.candidatesFor(name);
          expect(c!.incident.id).toBe(db.incidentId);
          expect(c!.keys.find((k) => k.key === outagePageKey(service, null))).toMatchObject({ firstAt: at(2), activeUntil: null, firing: 1 });
        }
        correlator.scriptPaging('e2', () => ({ action: 'join', incidentId: db.incidentId, rule: 'contract-rule', explanation: 'Joined.', matched: {}, absorb: [] }));
        await store.recordPagingEvents([pagingEvent({ eventId: 'e2', pageId: 'PA', kind: 'resolved', at: 1000 })], recordContext(correlator, later(10)));
        await place({ name: 'AfterResolution', service: 'db', outage: true, start: 1010 });
        expect(correlator.candidatesFor('AfterResolution')[0]!.keys.find((k) => k.key === outagePageKey('db', null))).toMatchObject({ lastAt: at(1000), activeUntil: at(1000), firing: 0 });
        await place({ name: 'LongAfter', service: 'db', outage: true, start: 1100 });
        expect(correlator.candidatesFor('LongAfter').filter((c) => c.keys.some((k) => k.key === outagePageKey('db', null)))).toEqual([]);
      });

      it('when alerts are placed, then each decision is in the audit trail but not in the timeline', async () => {
        const a = await place({ name: 'Audited', link: 'au', start: 0 });
        const b = await place({ name: 'Audited2', link: 'au', start: 1 });
        expect((await detail(a.incidentId)).events.filter((e) => e.kind === DECISION_EVENT_KIND)).toEqual([]);
        const audit = await store.getIncidentAudit(a.incidentId);
        const decisions = audit!.filter((e) => e.kind === DECISION_EVENT_KIND);
        expect(decisions.map((e) => e.text).sort()).toEqual([a.decision.explanation, b.decision.explanation].sort());
        expect(decisions.every((e) => e.incidentId === a.incidentId)).toBe(true);
        expect(await store.getIncidentAudit('no-such-incident')).toBeNull();
        expect(await store.getIncident('no-such-incident')).toBeNull();
      });
    });

    // --------------------------------------------------------- incident lists

    describe('bounded reads of a large incident', () => {
      const many = DETAIL_ALERT_LIMIT + 1;
      /** One incident of `many` firings: two alert names, each firing on its own series. */
      async function stormIncident(): Promise<string> {
        // One link: every firing joins the first one's incident (the fake correlator's default).
        const specs = Array.from({ length: many }, (_, i) => ({ name: i % 2 === 0 ? 'Storm' : 'Quake', link: 'storm', start: i * 0.01, service: 'checkout' }));
        const first = await place(specs[0]!);
        for (let i = 1; i < many; i += 100) await record(specs.slice(i, i + 100));
        return first.incidentId;
      }

      it('when an incident has more alerts than one read returns, then it comes with a sample, its facets and how many were left out; listIncidentAlerts pages through all', async () => {
        const id = await stormIncident();
        const d = await detail(id);
        expect(d.alerts.length).toBeLessThanOrEqual(DETAIL_ALERT_LIMIT + 2);
        expect(d.alertsOmitted).toBe(many - d.alerts.length);
        expect(d.facets!.map((f) => [f.alertname, f.alerts]).sort()).toEqual([['Quake', (many - 1) / 2], ['Storm', (many + 1) / 2]]);
        const starts = d.alerts.map((a) => a.startsAt);
        expect(starts).toEqual([...starts].sort());
        // How it began and what came last are both there, and an example of each alert name.
        expect(starts[0]).toBe(at(0));
        expect(starts.at(-1)).toBe(at((many - 1) * 0.01));
        for (const f of d.facets!) expect(d.alerts.map((a) => a.id)).toContain(f.firstAlertId);

        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store['listIncidentAlerts']>> = await store.listIncidentAlerts(id, { limit: 400, cursor });
          seen.push(...page!.items.map((a) => a.id));
          cursor = page!.nextCursor;
        } while (cursor);
        expect(seen).toHaveLength(many);
        expect(new Set(seen).size).toBe(many);
        expect(await store.listIncidentAlerts('no-such-incident', { limit: 10 })).toBeNull();
      });

      it('when a page sits between more timeline events than one read returns, then its events join the sample, so the incident still lists the page', async () => {
        // Timeline events on both sides of the page: each alert the reconciler resolves leaves one.
        const half = DETAIL_EVENT_LIMIT / 2 + 10;
        const specs = Array.from({ length: 2 * half }, (_, i) => ({ name: 'Flood', link: 'flood', start: i * 0.001, service: 'checkout' }));
        const first = await place(specs[0]!);
        for (let i = 1; i < specs.length; i += 100) await record(specs.slice(i, i + 100));
        const id = first.incidentId;
        const alertIds: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store['listIncidentAlerts']>> = await store.listIncidentAlerts(id, { limit: 400, cursor });
          alertIds.push(...page!.items.map((a) => a.id));
          cursor = page!.nextCursor;
        } while (cursor);
        expect(alertIds).toHaveLength(2 * half);
        const resolveContext: ResolveContext = { serviceLabels: SERVICE_LABELS, now: later(900), correlator };
        await store.resolveAlerts(alertIds.slice(0, half), at(10), 'no longer listed', resolveContext);
        correlator.scriptPaging('mid', () => ({ action: 'join', incidentId: id, rule: 'contract-rule', explanation: 'Joined.', matched: {}, absorb: [] }));
        await store.recordPagingEvents([pagingEvent({ eventId: 'mid', pageId: 'PMID', at: 11 })], recordContext(correlator, later(5)));
        await store.resolveAlerts(alertIds.slice(half), at(12), 'no longer listed', resolveContext);
        const d = await detail(id);
        expect(d.eventsOmitted).toBeGreaterThan(0);
        expect(d.events.filter((e) => e.kind === 'pagerduty.triggered').map((e) => e.at)).toEqual([at(11)]);
        const times = d.events.map((e) => e.at);
        expect(times).toEqual([...times].sort());
        expect(pagesOf(d.events).map((p) => p.id)).toEqual(['PMID']);
      });

      it('when an incident has few alerts, then every alert is read and no facets or omissions are reported', async () => {
        const a = await place({ name: 'Small', link: 'x', start: 0 });
        const d = await detail(a.incidentId);
        expect(d.alerts).toHaveLength(1);
        expect(d.alertsOmitted ?? 0).toBe(0);
        expect(d.facets).toBeUndefined();
        expect((await store.listIncidentAlerts(a.incidentId, { limit: 10 }))!.items.map((x) => x.id)).toEqual([a.id]);
      });
    });

    describe('listIncidents and countIncidents', () => {
      /** i1 resolved api/critical 0-10, i2 open web/warning 20, i3 resolved api/warning 40-50, i4 open db/critical 60, i5 merged into i4. */
      async function fiveIncidents() {
        const i1 = (await place({ name: 'A', link: 'l1', start: 0, end: 10, service: 'api', severity: 'critical' })).incidentId;
        const i2 = (await place({ name: 'B', link: 'l2', start: 20, service: 'web', severity: 'warning' })).incidentId;
        const i3 = (await place({ name: 'C', link: 'l3', start: 40, end: 50, service: 'api', severity: 'warning' })).incidentId;
        const i4 = (await place({ name: 'D', link: 'l4', start: 60, service: 'db', severity: 'critical' })).incidentId;
        const i5 = (await place({ name: 'E', link: 'l5', start: 70, service: 'db', severity: 'info' })).incidentId;
        await store.mergeIncidents(i4, [i5], correctionContext(correlator));
        return { i1, i2, i3, i4, i5 };
      }
      const list = async (q: Omit<Parameters<Store['listIncidents']>[0], 'limit'>) => (await store.listIncidents({ limit: 50, ...q })).items.map((i) => i.id);

      it('when incidents are listed, then they come newest first and merged ones only when asked for', async () => {
        const { i1, i2, i3, i4, i5 } = await fiveIncidents();
        expect(await list({})).toEqual([i4, i3, i2, i1]);
        expect(await list({ status: 'open' })).toEqual([i4, i2]);
        expect(await list({ status: 'resolved' })).toEqual([i3, i1]);
        expect(await list({ status: 'merged' })).toEqual([i5]);
        expect((await store.listIncidents({ limit: 50 })).nextCursor).toBeNull();
      });

      it('when incidents are filtered by service, severity and time, then only matching ones are listed', async () => {
        const { i1, i2, i3, i4 } = await fiveIncidents();
        expect(await list({ service: 'api' })).toEqual([i3, i1]);
        expect(await list({ service: 'db' })).toEqual([i4]);
        expect(await list({ service: 'nothing' })).toEqual([]);
        expect(await list({ severity: 'critical' })).toEqual([i4, i1]);
        // Active at or after `since`: ended after it, or still open.
        expect(await list({ since: at(15) })).toEqual([i4, i3, i2]);
        // Started before `until`.
        expect(await list({ until: at(30) })).toEqual([i2, i1]);
        expect(await list({ since: at(15), until: at(55) })).toEqual([i3, i2]);
        expect(await list({ service: 'api', status: 'resolved', severity: 'warning' })).toEqual([i3]);
      });

      it('when the values incidents hold are asked for, then each service and severity comes once, sorted, merged incidents included', async () => {
        expect(await store.incidentValues()).toEqual({ services: [], severities: [] });
        await fiveIncidents();
        expect(await store.incidentValues()).toEqual({ services: ['api', 'db', 'web'], severities: ['critical', 'info', 'warning'] });
      });

      it('when incidents are counted, then each status counts and no status counts them all', async () => {
        await fiveIncidents();
        expect(await store.countIncidents('open')).toBe(2);
        expect(await store.countIncidents('resolved')).toBe(2);
        expect(await store.countIncidents('merged')).toBe(1);
        expect(await store.countIncidents()).toBe(5);
      });

      it('when incidents are paged through, then every incident appears exactly once, even with equal start times', async () => {
        const starts = [0, 0, 0, 5, 5, 10, 10, 10, 10, 15, 20];
        const created: Array<{ id: string; startedAt: string; service: string }> = [];
        for (const [i, s] of starts.entries()) {
          const service = i % 2 === 0 ? 'even' : 'odd';
          const a = await place({ name: `P${i}`, link: `p${i}`, start: s, service });
          created.push({ id: a.incidentId, startedAt: at(s), service });
        }
        for (const limit of [1, 3, 4, 20]) {
          const { items, pages } = await collectPages((cursor) => store.listIncidents({ limit, cursor }));
          expect(items.map((i) => i.id).sort()).toEqual(created.map((c) => c.id).sort());
          expect(pages).toBe(Math.max(1, Math.ceil(starts.length / limit)));
          const startedAt = items.map((i) => i.startedAt);
          expect(startedAt).toEqual([...startedAt].sort().reverse());
        }
        const even = await collectPages((cursor) => store.listIncidents({ limit: 2, cursor, service: 'even' }));
        expect(even.items.map((i) => i.id).sort()).toEqual(created.filter((c) => c.service === 'even').map((c) => c.id).sort());
      });
    });

    // ---------------------------------------------------------- paging events

    describe('recordPagingEvents', () => {
      it('when a new page is triggered, then it opens an incident with its event on the timeline', async () => {
        const r = await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PA', at: 0 })], recordContext(correlator));
        expect(r.duplicates).toBe(0);
        expect(r.placed).toHaveLength(1);
        const p = r.placed[0]!;
        expect(p).toMatchObject({ instance: 'pagerduty', eventId: 'e1', rule: null, explanation: 'Opened for a new page.' });
        expect(r.incidentIds).toEqual([p.incidentId]);
        const d = await detail(p.incidentId);
        expect(d.incident).toMatchObject({ status: 'open', startedAt: at(0), alertCount: 0, mergedInto: null });
        expect(d.alerts).toEqual([]);
        expect(d.events).toContainEqual(expect.objectContaining({ id: p.incidentEventId, incidentId: p.incidentId, kind: 'pagerduty.triggered', at: at(0), actor: 'Jane SRE', text: 'Page PA triggered' }));
      });

      it('when a paging event is delivered again, then nothing changes', async () => {
        const first = await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PA', at: 0 })], recordContext(correlator));
        const before = await store.getIncidentAudit(first.placed[0]!.incidentId);
        const again = await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PA', at: 0 })], recordContext(correlator, later(60)));
        expect(again.placed).toEqual([]);
        expect(again.duplicates).toBe(1);
        expect(await store.getIncidentAudit(first.placed[0]!.incidentId)).toEqual(before);
        expect(await store.countIncidents()).toBe(1);
      });

      it('when another channel reports a stored change under another id, then it is skipped as a twin, whichever channel came first', async () => {
        const webhook = { channel: 'webhook', objectId: null };
        const rest = { channel: 'rest', objectId: null };
        const secs = (s: number) => s / 60;
        const first = await store.recordPagingEvents([
          pagingEvent({ eventId: 'wh-trig', pageId: 'PA', at: secs(0.431), identity: webhook, actor: null }),
          pagingEvent({ eventId: 'wh-note', pageId: 'PA', kind: 'annotated', at: secs(30.2), identity: { channel: 'webhook', objectId: 'note:N1' } }),
        ], recordContext(correlator));
        const incidentId = first.placed[0]!.incidentId;
        // REST copies: the trigger log entry (whole seconds, naming the service), the note (by its id), an ack no webhook brought,
        // and a second escalation in the same second as the first (one webhook event stands for one REST event only).
        const restBatch = [
          pagingEvent({ eventId: 'log_entry:T', pageId: 'PA', at: 0, identity: rest, actor: 'My Mail Service' }),
          pagingEvent({ eventId: 'note:N1', pageId: 'PA', kind: 'annotated', at: secs(31), identity: { channel: 'rest', objectId: 'note:N1' } }),
          pagingEvent({ eventId: 'log_entry:A', pageId: 'PA', kind: 'acknowledged', at: secs(20), identity: rest }),
        ];
        const r = await store.recordPagingEvents(restBatch, recordContext(correlator));
        expect(r).toMatchObject({ duplicates: 0, twins: 2 });
        expect(r.placed.map((p) => p.eventId)).toEqual(['log_entry:A']);
        // Again: the same result; the twins are still twins, the placed one a duplicate.
        expect(await store.recordPagingEvents(restBatch, recordContext(correlator, later(60)))).toMatchObject({ placed: [], duplicates: 1, twins: 2 });

        // REST first, webhook later: the webhook copy is the twin.
        const esc = await store.recordPagingEvents([
          pagingEvent({ eventId: 'log_entry:E1', pageId: 'PA', kind: 'escalated', at: 1, identity: rest }),
          pagingEvent({ eventId: 'log_entry:E2', pageId: 'PA', kind: 'escalated', at: 1, identity: rest }),
        ], recordContext(correlator));
        expect(esc.placed).toHaveLength(2);
        const wh = await store.recordPagingEvents([pagingEvent({ eventId: 'wh-esc', pageId: 'PA', kind: 'escalated', at: 1 + secs(0.5), identity: webhook })], recordContext(correlator));
        expect(wh).toMatchObject({ placed: [], duplicates: 0, twins: 1 });
        // The stored REST copy takes the webhook's more precise time; its sibling keeps its own.
        const escalations = (await detail(incidentId)).events.filter((e) => e.kind === 'pagerduty.escalated');
        expect(Object.fromEntries(escalations.map((e) => [e.data.eventId, e.at]))).toEqual({ 'log_entry:E1': at(1 + secs(0.5)), 'log_entry:E2': at(1) });
        // Webhook first, REST later: the webhook's time stays (the trigger above).
        expect((await detail(incidentId)).events.find((e) => e.data.eventId === 'wh-trig')?.at).toBe(at(secs(0.431)));
        // Another page, or an event without identity, is never a twin.
        const other = await store.recordPagingEvents([
          pagingEvent({ eventId: 'wh-other', pageId: 'PB', kind: 'acknowledged', at: secs(20), identity: webhook }),
          pagingEvent({ eventId: 'plain-ack', pageId: 'PA', kind: 'acknowledged', at: secs(20) }),
        ], recordContext(correlator));
        expect(other).toMatchObject({ duplicates: 0, twins: 0 });
        expect(other.placed).toHaveLength(2);

        const kinds = (await detail(incidentId)).events.filter((e) => e.kind.startsWith('pagerduty.')).map((e) => `${e.kind} ${e.data.eventId}`);
        expect(kinds.sort()).toEqual([
          'pagerduty.acknowledged log_entry:A', 'pagerduty.acknowledged plain-ack', 'pagerduty.annotated wh-note',
          'pagerduty.escalated log_entry:E1', 'pagerduty.escalated log_entry:E2', 'pagerduty.triggered wh-trig',
        ]);
      });

      it('when later events of a page arrive, then the incident holding the page is offered, however late, and resolves with it', async () => {
        const first = await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PA', at: 0 })], recordContext(correlator));
        const incidentId = first.placed[0]!.incidentId;
        await store.recordPagingEvents([pagingEvent({ eventId: 'e2', pageId: 'PA', kind: 'acknowledged', at: 5 })], recordContext(correlator));
        const offered = correlator.pagingCalls.at(-1)!.candidates;
        expect(ids(offered)).toEqual([incidentId]);
        // An unresolved page keeps its key active without end.
        expect(offered[0]!.keys.find((k) => k.key === pageKey('pagerduty', 'PA'))).toMatchObject({ firstAt: at(0), activeUntil: null });
        expect(offered[0]!.origin).toBe('paging');

        // Page keys are looked up without the lookback window: the page is the same page.
        const late = await store.recordPagingEvents([pagingEvent({ eventId: 'e3', pageId: 'PA', kind: 'resolved', at: 600 })], recordContext(correlator));
        expect(late.placed[0]!.incidentId).toBe(incidentId);
        const d = await detail(incidentId);
        expect(d.incident).toMatchObject({ status: 'resolved', endedAt: at(600) });
        expect(d.events.filter((e) => e.kind.startsWith('pagerduty.')).map((e) => e.kind).sort()).toEqual(['pagerduty.acknowledged', 'pagerduty.resolved', 'pagerduty.triggered']);
      });

      it('when a page joins an incident of alerts, then its event is on that timeline and the alerts still make the summary', async () => {
        const a = await place({ name: 'Paged', link: 'pg', start: 0, service: 'checkout', severity: 'critical' });
        correlator.scriptPaging('e1', () => ({ action: 'join', incidentId: a.incidentId, rule: 'pagerduty-dedup-key', explanation: 'Same dedup key.', matched: { incidentKey: 'k' }, absorb: [] }));
        const r = await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PB', at: 1 })], recordContext(correlator));
        expect(r.placed[0]).toMatchObject({ incidentId: a.incidentId, rule: 'pagerduty-dedup-key', explanation: 'Same dedup key.' });
        const d = await detail(a.incidentId);
        expect(d.events.map((e) => e.kind)).toContain('pagerduty.triggered');
        await expectSummaryFromAlerts(a.incidentId);
        expect(await store.countIncidents()).toBe(1);
      });

      it('when a page of incidents is asked which were paged, then exactly those holding a PagerDuty event are named, also after a merge', async () => {
        const quiet = await place({ name: 'Quiet', link: 'q', start: 0, service: 'web' });
        const paged = await place({ name: 'Paged', link: 'pg', start: 2, service: 'checkout' });
        correlator.scriptPaging('e1', () => ({ action: 'join', incidentId: paged.incidentId, rule: 'pagerduty-dedup-key', explanation: 'Same dedup key.', matched: { incidentKey: 'k' }, absorb: [] }));
        await store.recordPagingEvents([pagingEvent({ eventId: 'e1', pageId: 'PB', at: 3 })], recordContext(correlator));
        const pageOnly = (await store.recordPagingEvents([pagingEvent({ eventId: 'e2', pageId: 'PC', at: 4 })], recordContext(correlator))).placed[0]!.incidentId;

        expect(await store.pagedIncidentIds([])).toEqual(new Set());
        expect(await store.pagedIncidentIds([quiet.incidentId, paged.incidentId, pageOnly, 'no-such-incident', paged.incidentId]))
          .toEqual(new Set([paged.incidentId, pageOnly]));

        // The events move with a merge: the target is paged now, the merged-away source no longer.
        await store.mergeIncidents(quiet.incidentId, [paged.incidentId], correctionContext(correlator));
        expect(await store.pagedIncidentIds([quiet.incidentId, paged.incidentId])).toEqual(new Set([quiet.incidentId]));
      });

      it('when pages are acknowledged, then each incident\'s first acknowledgement is found without reading its timeline, also after a merge', async () => {
        const quiet = await place({ name: 'Quiet', link: 'q', start: 0, service: 'web' });
        const paged = await place({ name: 'Paged', link: 'pg', start: 2, service: 'checkout' });
        correlator.scriptPaging('e1', () => ({ action: 'join', incidentId: paged.incidentId, rule: 'pagerduty-dedup-key', explanation: 'Same dedup key.', matched: { incidentKey: 'k' }, absorb: [] }));
        correlator.scriptPaging('e2', () => ({ action: 'join', incidentId: paged.incidentId, rule: 'page', explanation: 'Same page.', matched: {}, absorb: [] }));
        correlator.scriptPaging('e3', () => ({ action: 'join', incidentId: paged.incidentId, rule: 'page', explanation: 'Same page.', matched: {}, absorb: [] }));
        await store.recordPagingEvents([
          pagingEvent({ eventId: 'e1', pageId: 'PB', at: 3 }),
          pagingEvent({ eventId: 'e3', pageId: 'PB', kind: 'acknowledged', at: 9 }),
          pagingEvent({ eventId: 'e2', pageId: 'PB', kind: 'acknowledged', at: 5 }),
        ], recordContext(correlator));

        expect(await store.firstAcknowledgements([])).toEqual(new Map());
        expect(await store.firstAcknowledgements([quiet.incidentId, paged.incidentId, 'no-such-incident'])).toEqual(new Map([[paged.incidentId, at(5)]]));
        await store.mergeIncidents(quiet.incidentId, [paged.incidentId], correctionContext(correlator));
        expect(await store.firstAcknowledgements([quiet.incidentId, paged.incidentId])).toEqual(new Map([[quiet.incidentId, at(5)]]));
      });

      it('when incidents hold alerts, then their distinct alert names are read for many at once, sorted, and follow a merge', async () => {
        const web = await place({ name: 'WebDown', link: 'w', start: 0, service: 'web' });
        await place({ name: 'WebDown', link: 'w', start: 1, service: 'web-edge' });
        await place({ name: 'HighLatency', link: 'w', start: 2, service: 'web' });
        const db = await place({ name: 'DiskFull', link: 'd', start: 3, service: 'db' });

        expect(await store.incidentAlertNames([])).toEqual(new Map());
        expect(await store.incidentAlertNames([web.incidentId, db.incidentId, 'no-such-incident', web.incidentId]))
          .toEqual(new Map([[web.incidentId, ['HighLatency', 'WebDown']], [db.incidentId, ['DiskFull']]]));
        await store.mergeIncidents(web.incidentId, [db.incidentId], correctionContext(correlator));
        expect(await store.incidentAlertNames([web.incidentId, db.incidentId])).toEqual(new Map([[web.incidentId, ['DiskFull', 'HighLatency', 'WebDown']]]));
      });
    });

    // ------------------------------------------------------------ corrections

    describe('corrections', () => {
      it('when incidents are merged, then every alert and event is in the target and the sources point at it', async () => {
        const t = await place({ name: 'Target', link: 't', start: 0, service: 'api' });
        // No link: only a person's placement can lead its later firings anywhere.
        const s1 = await place({ name: 'Source1', start: 2, service: 'web' });
        const s2 = await place({ name: 'Source2', link: 's2', start: 4 });
        const s2b = await place({ name: 'Source2b', link: 's2', start: 5 });
        const ctx = correctionContext(correlator);
        const r = await store.mergeIncidents(t.incidentId, [s1.incidentId, s2.incidentId], ctx);
        expect(r.incident).toMatchObject({ id: t.incidentId, alertCount: 4, status: 'open' });
        expect(r.merged.map((m) => [m.id, m.status, m.mergedInto]).sort()).toEqual([
          [s1.incidentId, 'merged', t.incidentId], [s2.incidentId, 'merged', t.incidentId],
        ].sort());
        expect([...r.movedAlertIds].sort()).toEqual([s1.id, s2.id, s2b.id].sort());
        expect(await alertsOf(t.incidentId)).toEqual(['Source1', 'Source2', 'Source2b', 'Target']);
        await expectSummaryFromAlerts(t.incidentId);
        const moved = (await store.getAlert(s1.id))!;
        expect(moved.incidentId).toBe(t.incidentId);
        expect(moved.decision).toMatchObject({ kind: 'human', rule: 'merge', decidedBy: 'alice', decidedAt: ctx.now });

        const target = await detail(t.incidentId);
        expect(target.events.filter((e) => e.kind === CORRECTION_EVENT_KINDS.merge)).toEqual([expect.objectContaining({ actor: 'alice', at: ctx.now })]);
        const source = await detail(s1.incidentId);
        expect(source.alerts).toEqual([]);
        expect(source.events.map((e) => [e.kind, e.actor])).toEqual([[CORRECTION_EVENT_KINDS.merge, 'alice']]);
        expect(await store.countIncidents('merged')).toBe(2);

        // A later firing of a merged alert follows the person's placement.
        await place({ name: 'Source1', start: 30, service: 'web' });
        expect(ids(correlator.candidatesFor('Source1'))).toEqual([t.incidentId]);
        expect(correlator.candidatesFor('Source1')[0]!.humanPlaced).toBe(true);
      });

      it('when a merge is invalid, then it is refused with the named error and nothing changes', async () => {
        const t = await place({ name: 'T', link: 't', start: 0 });
        const s = await place({ name: 'S', link: 's', start: 1 });
        const ctx = correctionContext(correlator);
        await expect(store.mergeIncidents(t.incidentId, [t.incidentId], ctx)).rejects.toBeInstanceOf(ValidationError);
        await expect(store.mergeIncidents(t.incidentId, ['no-such-incident'], ctx)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.mergeIncidents('no-such-incident', [s.incidentId], ctx)).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.countIncidents('open')).toBe(2);
        expect((await store.getAlert(s.id))!.incidentId).toBe(s.incidentId);

        await store.mergeIncidents(t.incidentId, [s.incidentId], ctx);
        await expect(store.mergeIncidents(t.incidentId, [s.incidentId], ctx)).rejects.toBeInstanceOf(ConflictError);
        const u = await place({ name: 'U', link: 'u', start: 2 });
        await expect(store.mergeIncidents(s.incidentId, [u.incidentId], ctx)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.getAlert(u.id))!.incidentId).toBe(u.incidentId);
      });

      it('when alerts are split out, then they form a new incident fenced from the old one', async () => {
        const a = await place({ name: 'A', link: 'k', start: 0 });
        const b = await place({ name: 'B', link: 'k', start: 1 });
        const c = await place({ name: 'C', link: 'k', start: 2 });
        const ctx = correctionContext(correlator);
        const r = await store.splitIncident(a.incidentId, [b.id, c.id], ctx);
        expect(r.incident).toMatchObject({ id: a.incidentId, alertCount: 1 });
        expect(r.newIncident).toMatchObject({ alertCount: 2, startedAt: at(1), status: 'open' });
        expect(r.newIncident.id).not.toBe(a.incidentId);
        expect(await alertsOf(a.incidentId)).toEqual(['A']);
        expect(await alertsOf(r.newIncident.id)).toEqual(['B', 'C']);
        await expectSummaryFromAlerts(a.incidentId);
        await expectSummaryFromAlerts(r.newIncident.id);
        expect((await store.getAlert(b.id))!.decision).toMatchObject({ kind: 'human', rule: 'split', decidedBy: 'alice' });
        for (const id of [a.incidentId, r.newIncident.id]) {
          expect((await detail(id)).events.filter((e) => e.kind === CORRECTION_EVENT_KINDS.split)).toHaveLength(1);
        }

        // Both still hold the key; the correlator is told they are fenced from each other.
        await place({ name: 'D', link: 'k', start: 3 });
        const offered = correlator.candidatesFor('D');
        expect(ids(offered)).toEqual([a.incidentId, r.newIncident.id].sort());
        const old = offered.find((o) => o.incident.id === a.incidentId)!;
        const fresh = offered.find((o) => o.incident.id === r.newIncident.id)!;
        expect(old.fencedWith).toEqual([r.newIncident.id]);
        expect(fresh.fencedWith).toEqual([a.incidentId]);
        expect(fresh).toMatchObject({ origin: 'human', humanPlaced: true });
      });

      it('when a split is invalid, then it is refused with the named error', async () => {
        const a = await place({ name: 'A', link: 'k', start: 0 });
        const b = await place({ name: 'B', link: 'k', start: 1 });
        const elsewhere = await place({ name: 'E', link: 'e', start: 1 });
        const ctx = correctionContext(correlator);
        await expect(store.splitIncident(a.incidentId, [a.id, b.id], ctx)).rejects.toBeInstanceOf(ValidationError);
        await expect(store.splitIncident(a.incidentId, [elsewhere.id], ctx)).rejects.toBeInstanceOf(ConflictError);
        await expect(store.splitIncident(a.incidentId, ['no-such-alert'], ctx)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.splitIncident('no-such-incident', [a.id], ctx)).rejects.toBeInstanceOf(NotFoundError);
        expect(await alertsOf(a.incidentId)).toEqual(['A', 'B']);
        expect(await store.countIncidents()).toBe(2);
      });

      it('when an alert is moved, then it is in the target with a human decision, and an emptied incident points at the target', async () => {
        const a = await place({ name: 'A', link: 'm', start: 0 });
        const b = await place({ name: 'B', link: 'm', start: 1 });
        const c = await place({ name: 'C', link: 'n', start: 2 });
        const ctx = correctionContext(correlator);
        const r = await store.moveAlert(b.id, c.incidentId, ctx);
        expect(r.alert).toMatchObject({ id: b.id, incidentId: c.incidentId, decision: { kind: 'human', rule: 'move', decidedBy: 'alice', decidedAt: ctx.now } });
        expect(r.from).toMatchObject({ id: a.incidentId, alertCount: 1 });
        expect(r.to).toMatchObject({ id: c.incidentId, alertCount: 2 });
        expect(await store.getAlert(b.id)).toEqual(r.alert);
        for (const id of [a.incidentId, c.incidentId]) {
          expect((await detail(id)).events.filter((e) => e.kind === CORRECTION_EVENT_KINDS.move)).toHaveLength(1);
          await expectSummaryFromAlerts(id);
        }

        const last = await store.moveAlert(a.id, c.incidentId, ctx);
        expect(last.from).toMatchObject({ id: a.incidentId, status: 'merged', mergedInto: c.incidentId });
        expect(await alertsOf(c.incidentId)).toEqual(['A', 'B', 'C']);

        // A later firing of a moved alert follows the person's placement.
        await place({ name: 'B', link: 'm', start: 25 });
        expect(ids(correlator.candidatesFor('B'))).toEqual([c.incidentId]);
      });

      it("when one alert of a group is moved into an older incident, then the group's later alerts are not offered that incident; the moved alert's later firings are", async () => {
        const old = await place({ name: 'Old', link: 'old', start: 0 });
        const a = await place({ name: 'A', link: 'g', start: 10 });
        const b = await place({ name: 'B', link: 'g', start: 11 });
        expect(b.incidentId).toBe(a.incidentId);
        await store.moveAlert(b.id, old.incidentId, correctionContext(correlator));

        // Another alert of the group: only the group's own incident holds the group's key.
        const c = await place({ name: 'C', link: 'g', start: 12 });
        expect(ids(correlator.candidatesFor('C'))).toEqual([a.incidentId]);
        expect(c.incidentId).toBe(a.incidentId);

        // A later firing of the moved alert is offered the incident a person put it in, through its placement key.
        correlator.script('B', (candidates, decidedAt) => {
          const followed = candidates.find((cand) => cand.keys.some((k) => k.key === humanPlacementKey(observation({ name: 'B', link: 'g', start: 0 }))))!;
          return {
            action: 'join', incidentId: followed.incident.id, reopened: null, absorb: [],
            decision: { ...ruleDecision(decidedAt), rule: LINK_RULES.humanPlacement, explanation: 'Follows a person\'s placement.' },
          };
        });
        const again = await place({ name: 'B', link: 'g', start: 20 });
        expect(ids(correlator.candidatesFor('B'))).toEqual([old.incidentId, a.incidentId].sort());
        expect(again.incidentId).toBe(old.incidentId);
        // Following a person's placement does not carry the group there either.
        await place({ name: 'D', link: 'g', start: 21 });
        expect(ids(correlator.candidatesFor('D'))).toEqual([a.incidentId]);
        expect(await alertsOf(old.incidentId)).toEqual(['B', 'B', 'Old']);
        await expectSummaryFromAlerts(old.incidentId);
      });

      it('when a move is invalid, then it is refused with the named error', async () => {
        const a = await place({ name: 'A', link: 'm', start: 0 });
        const c = await place({ name: 'C', link: 'n', start: 2 });
        const d = await place({ name: 'D', link: 'o', start: 3 });
        const ctx = correctionContext(correlator);
        await expect(store.moveAlert(a.id, a.incidentId, ctx)).rejects.toBeInstanceOf(ValidationError);
        await expect(store.moveAlert('no-such-alert', c.incidentId, ctx)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.moveAlert(a.id, 'no-such-incident', ctx)).rejects.toBeInstanceOf(NotFoundError);
        await store.mergeIncidents(c.incidentId, [d.incidentId], ctx);
        await expect(store.moveAlert(a.id, d.incidentId, ctx)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.getAlert(a.id))!.incidentId).toBe(a.incidentId);
      });

      it('when corrections are made, then the audit trail holds them with the decisions', async () => {
        const a = await place({ name: 'A', link: 'm', start: 0 });
        const c = await place({ name: 'C', link: 'n', start: 2 });
        await store.moveAlert(a.id, c.incidentId, correctionContext(correlator));
        const audit = (await store.getIncidentAudit(c.incidentId))!.map((e) => e.kind);
        expect(audit).toEqual(expect.arrayContaining([DECISION_EVENT_KIND, CORRECTION_EVENT_KINDS.move]));
      });
    });

    // ------------------------------------------------- declared by hand

    describe('declareIncident and changeDeclaration', () => {
      const declaration = (over: Partial<IncidentDeclaration> = {}): IncidentDeclaration => ({
        title: 'Customers cannot log in', services: ['login'], severity: 'critical', startedAt: at(0), endedAt: null,
        missedByMonitoring: true, declaredBy: 'alice', declaredAt: NOW, ...over,
      });
      const declare = (over: Partial<IncidentDeclaration> = {}) => store.declareIncident(declaration(over), { now: NOW, serviceLabels: SERVICE_LABELS });

      it('when an incident is declared, then it is open with the declared summary, origin human, and its timeline and audit trail record the declaration', async () => {
        const incident = await declare();
        expect(summaryFields(incident)).toEqual({
          title: 'Customers cannot log in', status: 'open', severity: 'critical', services: ['login'], startedAt: at(0), endedAt: null, lastActivityAt: at(0), alertCount: 0,
        });
        expect(incident.declaration).toEqual(declaration());
        const d = await detail(incident.id);
        expect(d.incident).toEqual(incident);
        expect(d.alerts).toEqual([]);
        expect(d.events.map((e) => [e.kind, e.at, e.actor])).toEqual([['incident.declared', at(0), 'alice']]);
        expect((await store.getIncidentAudit(incident.id))!.map((e) => e.kind)).toEqual(['incident.declared']);
        expect((await store.listIncidents({ limit: 10, service: 'login' })).items.map((i) => i.id)).toEqual([incident.id]);
        expect(await store.countIncidents('open')).toBe(1);
      });

      it('when it is declared with an end, then it is resolved at that end; an end before the start is refused and nothing is stored', async () => {
        const incident = await declare({ endedAt: at(45) });
        expect(incident).toMatchObject({ status: 'resolved', startedAt: at(0), endedAt: at(45) });
        await expect(declare({ endedAt: at(-5) })).rejects.toBeInstanceOf(ValidationError);
        expect(await store.countIncidents()).toBe(1);
      });

      it('when alerts are moved in, then the summary combines them with the declaration, and moving the last one out leaves it as declared', async () => {
        const declared = await declare({ startedAt: at(0) });
        const a = await place({ name: 'LoginErrors', link: 'l', start: 20, end: 30, service: 'auth', severity: 'warning' });
        const b = await place({ name: 'LoginSlow', link: 'l', start: 21, service: 'auth' });
        const ctx = correctionContext(correlator);
        const moved = await store.moveAlert(a.id, declared.id, ctx);
        expect(moved.to).toMatchObject({
          id: declared.id, title: 'Customers cannot log in', services: ['login', 'auth'], severity: 'critical', startedAt: at(0), status: 'open', alertCount: 1,
        });
        expect(moved.from).toMatchObject({ id: b.incidentId, status: 'open', alertCount: 1 });
        await store.moveAlert(a.id, b.incidentId, ctx);
        expect(await incident(declared.id)).toMatchObject({ status: 'open', alertCount: 0, title: 'Customers cannot log in', services: ['login'], startedAt: at(0) });
      });

      it('when the declaration gets an end, then the incident resolves once its alerts have too, and the change is on the timeline', async () => {
        const declared = await declare({ startedAt: at(0) });
        const a = await place({ name: 'LoginErrors', link: 'l', start: 10 });
        await store.moveAlert(a.id, declared.id, correctionContext(correlator));
        const ended = await store.changeDeclaration(declared.id, { endedAt: at(50) }, correctionContext(correlator));
        expect(ended).toMatchObject({ status: 'open', endedAt: null }); // its alert still fires
        expect(ended.declaration).toMatchObject({ endedAt: at(50), title: 'Customers cannot log in' });
        await record([{ name: 'LoginErrors', link: 'l', start: 10, end: 40 }], later(700));
        expect(await incident(declared.id)).toMatchObject({ status: 'resolved', endedAt: at(50), alertCount: 1 });
        expect((await detail(declared.id)).events.map((e) => e.kind)).toContain('incident.declaration-changed');
      });

      it('when a change is invalid or the incident was not declared, then it is refused with the named error', async () => {
        const declared = await declare({ startedAt: at(10) });
        const ctx = correctionContext(correlator);
        await expect(store.changeDeclaration(declared.id, { endedAt: at(5) }, ctx)).rejects.toBeInstanceOf(ValidationError);
        const alerted = await place({ name: 'A', link: 'x', start: 0 });
        await expect(store.changeDeclaration(alerted.incidentId, { endedAt: at(5) }, ctx)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.changeDeclaration('no-such-incident', { endedAt: at(5) }, ctx)).rejects.toBeInstanceOf(NotFoundError);
        expect((await incident(declared.id)).declaration!.endedAt).toBeNull();
      });
    });

    // --------------------------------------------------------- reconciliation

    describe('listFiringAlerts and resolveAlerts', () => {
      const resolveCtx = (): ResolveContext => ({ serviceLabels: SERVICE_LABELS, now: later(900), correlator });

      it('when firing alerts are listed, then only firing ones of that instance come, oldest start first', async () => {
        const x = await place({ name: 'X', start: 5, instance: 'am-a' });
        const y = await place({ name: 'Y', start: 1, instance: 'am-a' });
        await place({ name: 'Z', start: 3, end: 4, instance: 'am-a' });
        await place({ name: 'W', start: 0, instance: 'am-b' });
        expect((await store.listFiringAlerts('am-a')).map((a) => a.id)).toEqual([y.id, x.id]);
        expect(await store.listFiringAlerts('am-none')).toEqual([]);
      });

      it('when alerts are resolved by reconciliation, then they end, keep their notification bookkeeping and the timeline says why', async () => {
        const x = await place({ name: 'X', start: 5, instance: 'am-a' });
        const y = await place({ name: 'Y', start: 1, instance: 'am-a' });
        const z = await place({ name: 'Z', start: 3, end: 4, instance: 'am-a' });
        const resolved = await store.resolveAlerts([y.id, z.id, 'no-such-alert', x.id, x.id], at(20), 'no longer listed by Alertmanager', resolveCtx());
        expect(resolved.map((a) => a.id).sort()).toEqual([x.id, y.id].sort());
        for (const a of [x, y]) {
          const stored = (await store.getAlert(a.id))!;
          expect(stored).toMatchObject({ status: 'resolved', endsAt: at(20), notificationCount: a.notificationCount, lastSeenAt: a.lastSeenAt });
          expect(resolved.find((r) => r.id === a.id)).toEqual(stored);
          const d = await detail(a.incidentId);
          const events = d.events.filter((e) => e.kind === 'alert.reconciled');
          expect(events).toHaveLength(1);
          expect(events[0]!.text).toContain('no longer listed by Alertmanager');
          expect(d.incident).toMatchObject({ status: 'resolved', endedAt: at(20) });
        }
        expect(await store.getAlert(z.id)).toMatchObject({ status: 'resolved', endsAt: at(4) });
        expect(await store.listFiringAlerts('am-a')).toEqual([]);
      });

      it('when an alert counted by inbox runs is reconciled and then re-sent with a change, then its bookkeeping carries through each step', async () => {
        const ids = await appendMany(store, 3);
        await store.claimInbox('owner-a', 30_000, 3, later(100));
        const run = async (i: number, obs: ReturnType<typeof observation>, now: string) =>
          expect(await store.recordInboxAlerts([{ id: ids[i]!, observations: [obs], outcome: { alerts: 1, ignoredReason: null } }], 'owner-a', { correlator, serviceLabels: SERVICE_LABELS, now }))
            .toEqual([{ ok: true }]);
        await run(0, observation({ name: 'Q', start: 5, instance: 'am-a' }), later(101));
        await run(1, observation({ name: 'Q', start: 5, instance: 'am-a' }), later(102));
        const [q] = await store.listFiringAlerts('am-a');
        expect(q).toMatchObject({ notificationCount: 2, lastSeenAt: later(102), firstSeenAt: later(101) });
        const [reconciled] = await store.resolveAlerts([q!.id], at(20), 'gone', resolveCtx());
        expect(reconciled).toMatchObject({ status: 'resolved', notificationCount: 2, lastSeenAt: later(102) });
        expect(await store.getAlert(q!.id)).toMatchObject({ status: 'resolved', notificationCount: 2, lastSeenAt: later(102) });
        // Alertmanager's own resolution, with a later end: a change, so a full update of the alert.
        await run(2, observation({ name: 'Q', start: 5, end: 25, instance: 'am-a' }), later(103));
        expect(await store.getAlert(q!.id)).toMatchObject({ status: 'resolved', endsAt: at(25), notificationCount: 3, lastSeenAt: later(103) });
        expect((await store.listIncidentAlerts(q!.incidentId, { limit: 10 }))!.items).toEqual([await store.getAlert(q!.id)]);
      });

      it('when the reconciled end is before the alert started, then the alert ends at its own start', async () => {
        const v = await place({ name: 'V', start: 30, instance: 'am-a' });
        const [r] = await store.resolveAlerts([v.id], at(10), 'gone', resolveCtx());
        expect(r).toMatchObject({ id: v.id, status: 'resolved', endsAt: at(30) });
        expect(await incident(v.incidentId)).toMatchObject({ status: 'resolved', endedAt: at(30) });
      });
    });
  });

  describeReportStoreContract(name, factory);
  describeDeliveryStoreContract(name, factory);
  describeRememberedLinkStoreContract(name, factory);
  describeChatStoreContract(name, factory);
  describeChangeStoreContract(name, factory);
  describeSearchStoreContract(name, factory);
}

// ---------------------------------------------------------------- helpers

function inboxEntry(i: number, overrides: Partial<NewInboxEntry> = {}): NewInboxEntry {
  return {
    instance: 'alertmanager', connector: 'alertmanager', receivedAt: later(i), headers: { 'content-type': 'application/json' },
    body: Buffer.from(`{"n":${i}}`), deliveryId: null, ...overrides,
  };
}

/** Appends `n` entries one after another; returns their ids in arrival order. */
async function appendMany(store: Store, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await store.appendInbox(inboxEntry(i))).id);
  return out;
}

