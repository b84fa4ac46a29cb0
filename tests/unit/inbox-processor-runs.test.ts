import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { ServiceCatalog } from '../../src/domain/catalog/service-catalog';
import { buildInboxProcessor, RUN_ALERT_LIMIT, stepsOf } from '../../src/ingest/inbox-processor';
import { STALL_REASON_PREFIX } from '../../src/ingest/inbox-watchdog';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { InboxEntry, Store } from '../../src/store/store';
import { createMetrics } from '../../src/metrics';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { pagerdutyFixture } from '../support/pagerduty-webhooks';

/**
 * The inbox processor writes consecutive alert-only entries as one run (`recordInboxAlerts`)
 * and every other entry on its own, in claim order; an entry that fails inside a run is failed
 * alone, with the same dead-letter policy as before.
 */

const entry = (id: string): InboxEntry => ({
  id, seq: Number(id.slice(1)), instance: 'am', connector: 'alertmanager', receivedAt: '2026-12-01T00:00:00.000Z', state: 'pending', attempts: 1,
  lastError: null, processedAt: null, outcome: null, bodyBytes: 0, requeues: [], headers: {}, body: Buffer.alloc(0), deliveryId: null,
});
const alerts = (id: string) => ({ entry: entry(id), normalized: { alerts: [], pagingEvents: [], ignoredReason: null } });
const paging = (id: string) => ({ entry: entry(id), normalized: { alerts: [], pagingEvents: [{} as never], ignoredReason: null } });
const broken = (id: string) => ({ entry: entry(id), error: new Error('unreadable') });

describe('stepsOf', () => {
  it('when alert-only entries are consecutive, then they form one run; paging and unreadable entries stand alone, in claim order', () => {
    const steps = [...stepsOf([alerts('e1'), alerts('e2'), paging('e3'), alerts('e4'), broken('e5'), broken('e6'), alerts('e7'), alerts('e8')])];
    const shape = steps.map((s) => (Array.isArray(s) ? s.map((x) => x.entry.id) : s.entry.id));
    expect(shape).toEqual([['e1', 'e2'], 'e3', ['e4'], 'e5', 'e6', ['e7', 'e8']]);
  });

  it('when an entry was in a run the watchdog stopped, then it is handled on its own', () => {
    const stalled = { ...alerts('e2'), entry: { ...entry('e2'), lastError: `${STALL_REASON_PREFIX}a run took too long` } };
    const steps = [...stepsOf([alerts('e1'), stalled, alerts('e3')])];
    expect(steps.map((s) => (Array.isArray(s) ? s.map((x) => x.entry.id) : s.entry.id))).toEqual([['e1'], 'e2', ['e3']]);
  });

  it('when nothing was claimed, then there is nothing to do', () => {
    expect([...stepsOf([])]).toEqual([]);
  });

  it('when a run would hold more than RUN_ALERT_LIMIT alerts, then it ends before the entry that would pass it, and a larger entry stands as a run alone', () => {
    const sized = (id: string, n: number) => ({ entry: entry(id), normalized: { alerts: new Array(n).fill({} as never), pagingEvents: [], ignoredReason: null } });
    const half = RUN_ALERT_LIMIT / 2;
    const steps = [...stepsOf([sized('e1', half), sized('e2', half), sized('e3', 1), sized('e4', RUN_ALERT_LIMIT * 3), sized('e5', 1)])];
    expect(steps.map((s) => (Array.isArray(s) ? s.map((x) => x.entry.id) : s.entry.id))).toEqual([['e1', 'e2'], ['e3'], ['e4'], ['e5']]);
  });

  it('when steps are taken one by one, then entries are read only as the runs reach them', () => {
    const readIds: string[] = [];
    function* reading() {
      for (const id of ['e1', 'e2', 'e3']) { readIds.push(id); yield id === 'e2' ? paging(id) : alerts(id); }
    }
    const steps = stepsOf(reading());
    steps.next();
    expect(readIds).toEqual(['e1', 'e2']);
  });
});

describe('InboxProcessor with runs', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore({ file: ':memory:' });
    await store.init();
  });
  afterEach(() => store.close());

  const append = (connector: string, body: Buffer | object, instance = connector) =>
    store.appendInbox({ instance, connector, receivedAt: '2026-12-01T10:00:00.000Z', headers: {}, deliveryId: null, body: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)) });

  const firing = (name: string, minute: number) => alertmanagerBody([{ labels: { alertname: name, service: 'checkout' }, startsAt: `2026-12-01T10:${String(minute).padStart(2, '0')}:00Z` }]);

  async function drain(target: Store = store): Promise<void> {
    const config = loadConfig({ file: null, env: {} });
    const processor = buildInboxProcessor(config, ServiceCatalog.empty(), {
      store: target, metrics: createMetrics({ inboxBacklog: async () => 0, deadLetters: async () => 0, openIncidents: async () => 0 }), logger: pino({ level: 'silent' }), breathe: async () => undefined,
    });
    processor.start();
    await processor.idle();
    await processor.stop();
  }

  it('when alert entries surround a PagerDuty entry and an unreadable one, then every readable entry is done, the unreadable one dead, and the alerts placed', async () => {
    const ids = [
      (await append('alertmanager', firing('A', 1))).id,
      (await append('alertmanager', firing('B', 2))).id,
      (await append('pagerduty', pagerdutyFixture('aldaviva-signed-triggered'))).id,
      (await append('alertmanager', Buffer.from('{not json'))).id,
      (await append('alertmanager', firing('C', 3))).id,
    ];
    await drain();
    const states = await Promise.all(ids.map(async (id) => (await store.getInboxEntry(id))!.state));
    expect(states).toEqual(['done', 'done', 'done', 'dead', 'done']);
    expect((await store.getInboxEntry(ids[0]!))!.outcome).toEqual({ alerts: 1, ignoredReason: null });
    const incidents = (await store.listIncidents({ limit: 10 })).items;
    const names = (await Promise.all(incidents.map(async (i) => (await store.getIncident(i.id))!.alerts))).flat().map((a) => a.labels.alertname);
    expect(names.sort()).toEqual(['A', 'B', 'C']);
    // The PagerDuty entry went through the paging path, not the alert run.
    expect((await store.pagedIncidentIds(incidents.map((i) => i.id))).size).toBe(1);
  });

  it('when one entry of a run fails in the store, then only it is retried and the others are done', async () => {
    const ids = [(await append('alertmanager', firing('A', 1))).id, (await append('alertmanager', firing('Poison', 2))).id, (await append('alertmanager', firing('C', 3))).id];
    // A store whose run fails for the entry carrying "Poison", as a store error inside its savepoint would.
    const failing = new Proxy(store, {
      get(target, prop) {
        if (prop !== 'recordInboxAlerts') return Reflect.get(target, prop, target);
        const original = target.recordInboxAlerts.bind(target);
        return async (...[entries, owner, ctx]: Parameters<Store['recordInboxAlerts']>) => {
          const poison = entries.findIndex((e) => e.observations.some((o) => o.labels.alertname === 'Poison'));
          const rest = await original(entries.filter((_, i) => i !== poison), owner, ctx);
          return entries.map((_, i) => (i === poison ? { ok: false as const, error: new Error('store refused Poison') } : rest[i < poison ? i : i - 1]!));
        };
      },
    });
    await drain(failing);
    const entries = await Promise.all(ids.map(async (id) => (await store.getInboxEntry(id))!));
    expect(entries.map((e) => e.state)).toEqual(['done', 'pending', 'done']);
    expect(entries[1]!.lastError).toBe('Error: store refused Poison');
  });
});
