import { randomUUID } from 'node:crypto';
import type { Alert, AlertObservation } from '../../domain/alert';
import { AUDIT_ONLY_EVENT_KINDS } from '../../domain/correlation/corrections';
import type { DeclarationChange } from '../../domain/declared-incident';
import type { Incident, IncidentDeclaration, IncidentDetail, IncidentEvent, IncidentStatus } from '../../domain/incident';
import type { ServiceLabels } from '../../domain/service-naming';
import type { PagingEvent } from '../../domain/paging-event';
import type { Change } from '../../domain/changes/change';
import { listChangesMongo, recordChangesMongo } from './mongo-changes';
import { decodeCursor, toPage } from '../cursor';
import { sampledAlerts, sampledEvents } from '../bounded-detail';
import { namesByIncident } from '../incident-alert-names';
import type {
  ChangeQuery, ChangeRecordResult,
  CorrectionContext, InboxAlerts, InboxAlertsResult, InboxEntry, InboxEntrySummary, InboxOutcome, InboxQuery, InboxState, IncidentQuery, IncidentValues, MergeResult, MoveResult,
  NewInboxEntry, Page, PagingRecordResult, RecordContext, RecordResult, RequeueContext, ResolveContext, SplitResult, Store,
} from '../store';
import { knownValues } from '../known-values';
import { MongoConnection, type MongoSettings } from './mongo-connection';
import { isDuplicateKey, isMongoUnavailable, runTransaction, toUnavailable, type TransactionRetry } from './mongo-errors';
import { MongoLedgerPort } from './mongo-ledger-port';
import * as ledger from '../../domain/ledger/incident-ledger';
import { runAsync, type LedgerStep } from '../../domain/ledger/ledger-port';
import { derivedStateTag, ledgerContext, placementContext } from '../ledger-context';
import type { LedgerContext } from '../../domain/ledger/incident-ledger';
import { COLLECTIONS, collectionsOf, type MongoCollections } from './mongo-indexes';
import {
  CLAIM_SORT, INBOX_COUNTER_ID, claimFilter, claimUpdate, completeUpdate, failUpdate, incidentCursor, incidentListQuery,
  inboxListQuery, leaseUntil, newInboxDoc, ownedEntryFilter, requeueFilter, requeueUpdate,
} from './mongo-queries';
import {
  INBOX_SUMMARY_PROJECTION, alertDocSchema, counterDocSchema, eventDocSchema, facetDocSchema, inboxDocSchema, inboxStates, inboxSummaryDocSchema,
  incidentDocSchema, parseDoc, toAlert, toEvent, toFacet, toInboxEntry, toInboxSummary, toIncident,
} from './mongo-schemas';

export interface MongoStoreOptions extends MongoSettings {
  /** Whole-transaction retries on duplicate-key races (tests shorten the sleeps). */
  transactionRetry?: TransactionRetry;
}

/**
 * The MongoDB store: alerts, incidents and the inbox on a replica set (transactions need one),
 * for several Debrief replicas sharing one database. Atomic operations:
 * - inbox append: one insert; the unique partial index (instance, deliveryId) decides duplicates;
 * - inbox claim: one `findOneAndUpdate` per entry (see `claimInbox`);
 * - alert upsert and correlation decision, paging events, corrections and reconciliation: one
 *   multi-document transaction each, with correlation locks (see `mongo-ledger-port.ts`).
 * Read and write concern are majority throughout (client defaults and transaction options).
 */
export class MongoStore implements Store {
  readonly kind = 'mongodb';
  readonly connection: MongoConnection;
  private collectionsValue: MongoCollections | null = null;

  /** `target`: a `mongodb://` URL, or a connection to share (its settings apply). */
  constructor(target: string | MongoConnection, private readonly options: MongoStoreOptions = {}) {
    this.connection = typeof target === 'string' ? new MongoConnection(target, options) : target;
  }

  /** The derived-state tag this process has checked (`upgradeDerivedState`). */
  private derivedFor: string | null = null;

  private get c(): MongoCollections {
    this.collectionsValue ??= collectionsOf(this.connection.db);
    return this.collectionsValue;
  }

  async init(): Promise<void> {
    await this.connection.open();
    // The inbox sequence counter exists before the first append (an upsert race on it is then impossible).
    await this.c.counters.updateOne({ _id: INBOX_COUNTER_ID }, { $setOnInsert: { seq: 0 } }, { upsert: true }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(): Promise<void> {
    this.collectionsValue = null;
    await this.connection.close();
  }

  // ---------------------------------------------------------------- changes

  async recordChanges(changes: readonly Change[]): Promise<ChangeRecordResult> {
    return recordChangesMongo(this.c, changes);
  }

  async listChanges(query: ChangeQuery): Promise<Change[]> {
    return listChangesMongo(this.c, query);
  }

  // ---------------------------------------------------------------- inbox

  /**
   * One insert. `seq` (FIFO order and list cursor) comes from an atomic `$inc` on a counter;
   * a gap after a duplicate is harmless. A repeated (instance, deliveryId) is refused by the
   * unique partial index, also when two replicas receive the redelivery at once: the loser
   * reads the winner's id.
   */
  async appendInbox(entry: NewInboxEntry): Promise<{ id: string; duplicate: boolean }> {
    if (entry.deliveryId !== null) {
      const prior = await this.findDelivery(entry.instance, entry.deliveryId);
      if (prior) return { id: prior, duplicate: true };
    }
    const counter = await this.c.counters.findOneAndUpdate({ _id: INBOX_COUNTER_ID }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    const seq = parseDoc(COLLECTIONS.counters, counterDocSchema, counter).seq;
    const id = randomUUID();
    try {
      await this.c.inbox.insertOne(newInboxDoc(id, seq, entry));
      return { id, duplicate: false };
    } catch (err) {
      if (entry.deliveryId === null || !isDuplicateKey(err)) throw err;
      const prior = await this.findDelivery(entry.instance, entry.deliveryId);
      if (!prior) throw err;
      return { id: prior, duplicate: true };
    }
  }

  private async findDelivery(instance: string, deliveryId: string): Promise<string | null> {
    const d = await this.c.inbox.findOne({ instance, deliveryId }, { projection: { _id: 1 } });
    return d ? String(d._id) : null;
  }

  /**
   * Claims entries one `findOneAndUpdate` at a time: each is a single-document atomic
   * operation whose filter (pending, lease free or expired) the server re-checks on the document
   * it modifies, so an entry is claimed by exactly one caller however many replicas race.
   *
   * Not `updateMany` with a claim token and then a find: `updateMany` has no limit (it would
   * claim the whole backlog for one replica) and no order. `limit` round trips are cheap next to
   * processing the entries; a replica that dies holding claims loses them when the lease ends.
   */
  async claimInbox(owner: string, leaseMs: number, limit: number, now: string): Promise<InboxEntry[]> {
    const until = leaseUntil(now, leaseMs);
    const claimed: InboxEntry[] = [];
    while (claimed.length < limit) {
      const d = await this.c.inbox.findOneAndUpdate(claimFilter(now), claimUpdate(owner, until), { sort: CLAIM_SORT, returnDocument: 'after' });
      if (!d) break;
      claimed.push(toInboxEntry(parseDoc(COLLECTIONS.inbox, inboxDocSchema, d)));
    }
    return claimed.sort((a, b) => a.seq - b.seq);
  }

  async completeInbox(id: string, owner: string, outcome: InboxOutcome, now: string): Promise<void> {
    await this.c.inbox.updateOne(ownedEntryFilter(id, owner), completeUpdate(outcome, now));
  }

  async failInbox(id: string, owner: string, reason: string, dead: boolean, now: string): Promise<void> {
    await this.c.inbox.updateOne(ownedEntryFilter(id, owner), failUpdate(reason, dead, now));
  }

  async listInbox(query: InboxQuery): Promise<Page<InboxEntrySummary>> {
    const q = inboxListQuery(query);
    const docs = await this.c.inbox.find(q.filter, { projection: INBOX_SUMMARY_PROJECTION }).sort(q.sort).limit(q.limit).toArray();
    const items = docs.map((d) => toInboxSummary(parseDoc(COLLECTIONS.inbox, inboxSummaryDocSchema, d)));
    return toPage(items, query.limit, (last) => ({ seq: last.seq }));
  }

  async getInboxEntry(id: string): Promise<InboxEntry | null> {
    const d = await this.c.inbox.findOne({ _id: id });
    return d ? toInboxEntry(parseDoc(COLLECTIONS.inbox, inboxDocSchema, d)) : null;
  }

  async requeueInbox(id: string, context: RequeueContext): Promise<boolean> {
    // One update: the requeue and the record of who did it (`requeues`) never part.
    const r = await this.c.inbox.updateOne(requeueFilter(id), requeueUpdate(context));
    return r.modifiedCount > 0;
  }

  async inboxBacklog(): Promise<{ pending: number; dead: number }> {
    // Each count is a range of the (state, seq) index: done entries are never visited.
    const [pending, dead] = await Promise.all([this.c.inbox.countDocuments({ state: 'pending' }), this.c.inbox.countDocuments({ state: 'dead' })]);
    return { pending, dead };
  }

  async inboxCounts(): Promise<Record<InboxState, number>> {
    const counts: Record<InboxState, number> = { pending: 0, done: 0, dead: 0 };
    for (const row of await this.c.inbox.aggregate<{ _id: unknown; n: number }>([{ $group: { _id: '$state', n: { $sum: 1 } } }]).toArray()) {
      const state = inboxStates.safeParse(row._id);
      if (state.success) counts[state.data] = row.n;
    }
    return counts;
  }

  // ------------------------------------------------------- alerts/incidents

  /**
   * Runs a ledger sequence in one transaction, with a fresh port (and sequence) per attempt, after
   * bringing state derived by an older version (or under other service labels) up to date.
   */
  private async write<C extends LedgerContext, T>(ctx: C, step: (ctx: C) => LedgerStep<T>): Promise<T> {
    if (this.derivedFor !== derivedStateTag(ctx)) await this.upgradeDerivedState(ctx);
    return runTransaction(this.connection.client, (session) => runAsync(step(ctx), new MongoLedgerPort(this.c, session, ctx.now)), this.options.transactionRetry);
  }

  /**
   * Tallies, facets and key activity are derived from alerts with the configured service labels:
   * a database written by an older version, or under other labels, has its incidents recomputed
   * once, a hundred per transaction (replicas doing it at once get the same result).
   */
  private async upgradeDerivedState(ctx: LedgerContext): Promise<void> {
    const tag = derivedStateTag(ctx);
    const meta = await this.c.storeMeta.findOne({ _id: 'derived_state' });
    if (meta?.value !== tag) {
      const ids = (await this.c.incidents.find({ status: { $ne: 'merged' } }, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();
      for (let i = 0; i < ids.length; i += 100) {
        const batch = ids.slice(i, i + 100);
        await runTransaction(this.connection.client, (session) => runAsync(ledger.rebuildIncidents(batch, ctx), new MongoLedgerPort(this.c, session, ctx.now)), this.options.transactionRetry);
      }
      await this.c.storeMeta.updateOne({ _id: 'derived_state' }, { $set: { value: tag } }, { upsert: true });
    }
    this.derivedFor = tag;
  }

  /**
   * The alert upsert and the correlation decision in one transaction per notification: each
   * known firing is updated in place, each new one placed (read candidates, decide, write) under
   * the correlation locks of its keys. A concurrent insert of the same firing makes this
   * transaction fail (E11000 or WriteConflict) and re-run, and the re-run updates instead.
   */
  async recordObservations(observations: AlertObservation[], ctx: RecordContext): Promise<RecordResult> {
    return this.write(placementContext(ctx), (c) => ledger.recordObservations(observations, c));
  }

  /**
   * One transaction per entry: its alerts and its "done" mark commit together. A store fault
   * stops the run; it and the entries after it fail with an `UnavailableError` (retried later).
   */
  async recordInboxAlerts(entries: readonly InboxAlerts[], owner: string, ctx: Omit<RecordContext, 'inboxId'>): Promise<InboxAlertsResult[]> {
    const base = placementContext(ctx);
    if (this.derivedFor !== derivedStateTag(base)) await this.upgradeDerivedState(base);
    const results: InboxAlertsResult[] = [];
    for (const entry of entries) {
      try {
        await runTransaction(this.connection.client, async (session) => {
          if (entry.observations.length > 0) await runAsync(ledger.recordNotifications(entry.observations, base), new MongoLedgerPort(this.c, session, ctx.now));
          await this.c.inbox.updateOne(ownedEntryFilter(entry.id, owner), completeUpdate(entry.outcome, ctx.now), { session });
        }, this.options.transactionRetry);
        results.push({ ok: true });
      } catch (error) {
        if (!isMongoUnavailable(error)) {
          results.push({ ok: false, error });
          continue;
        }
        const fault = toUnavailable(error, 'MongoDB cannot serve the request');
        while (results.length < entries.length) results.push({ ok: false, error: fault });
        break;
      }
    }
    return results;
  }

  async recordPagingEvents(events: PagingEvent[], ctx: RecordContext): Promise<PagingRecordResult> {
    return this.write(placementContext(ctx), (c) => ledger.recordPagingEvents(events, c));
  }

  async mergeIncidents(targetId: string, sourceIds: string[], ctx: CorrectionContext): Promise<MergeResult> {
    return this.write(ledgerContext(ctx), (c) => ledger.mergeIncidents(targetId, sourceIds, c, ctx));
  }

  async splitIncident(incidentId: string, alertIds: string[], ctx: CorrectionContext): Promise<SplitResult> {
    return this.write(ledgerContext(ctx), (c) => ledger.splitIncident(incidentId, alertIds, c, ctx));
  }

  async moveAlert(alertId: string, targetIncidentId: string, ctx: CorrectionContext): Promise<MoveResult> {
    return this.write(ledgerContext(ctx), (c) => ledger.moveAlert(alertId, targetIncidentId, c, ctx));
  }

  async declareIncident(declaration: IncidentDeclaration, ctx: { now: string; serviceLabels: ServiceLabels }): Promise<Incident> {
    return this.write(ledgerContext(ctx), (c) => ledger.declareIncident(declaration, c));
  }

  async changeDeclaration(incidentId: string, change: DeclarationChange, ctx: CorrectionContext): Promise<Incident> {
    return this.write(ledgerContext(ctx), (c) => ledger.changeDeclaration(incidentId, change, c, ctx));
  }

  async getIncidentAudit(id: string): Promise<IncidentEvent[] | null> {
    if (!(await this.c.incidents.findOne({ _id: id }, { projection: { _id: 1 } }))) return null;
    return this.events({ incidentId: id });
  }

  private async events(filter: Record<string, unknown>): Promise<IncidentEvent[]> {
    const docs = await this.c.incidentEvents.find(filter).sort({ at: 1, ord: 1 }).toArray();
    return docs.map((d) => toEvent(parseDoc(COLLECTIONS.incidentEvents, eventDocSchema, d)));
  }

  /** Bounded (`bounded-detail.ts`): a sample of a large incident's alerts with its facets; events likewise. */
  async getIncident(id: string): Promise<IncidentDetail | null> {
    const d = await this.c.incidents.findOne({ _id: id });
    if (!d) return null;
    const dir = (order: 'asc' | 'desc') => (order === 'asc' ? 1 : -1);
    const alertsOf = async (filter: Record<string, unknown>, direction: 1 | -1, limit: number) =>
      (await this.c.alerts.find({ incidentId: id, ...filter }).sort({ startsAt: direction, _id: direction }).limit(limit).toArray())
        .map((a) => toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, a)));
    const alerts = await sampledAlerts({
      byStart: (order, limit) => alertsOf({}, dir(order), limit),
      facets: async () => (await this.c.incidentFacets.find({ incidentId: id }).toArray()).map((f) => toFacet(parseDoc(COLLECTIONS.incidentFacets, facetDocSchema, f))),
      byIds: (ids) => alertsOf({ _id: { $in: [...ids] } }, 1, ids.length),
      count: () => this.c.alerts.countDocuments({ incidentId: id }),
    });
    const eventFilter = { incidentId: id, kind: { $nin: [...AUDIT_ONLY_EVENT_KINDS] } };
    const events = await sampledEvents({
      byTime: async (order, limit) => (await this.c.incidentEvents.find(eventFilter).sort({ at: dir(order), ord: dir(order) }).limit(limit).toArray())
        .map((e) => toEvent(parseDoc(COLLECTIONS.incidentEvents, eventDocSchema, e))),
      pagingEvents: async (limit) => {
        const ids = (await this.c.pagingEvents.find({ incidentId: id }, { projection: { incidentEventId: 1 } }).toArray()).map((p) => String(p.incidentEventId));
        return (await this.c.incidentEvents.find({ _id: { $in: ids }, incidentId: id }).sort({ at: 1, ord: 1 }).limit(limit).toArray())
          .map((e) => toEvent(parseDoc(COLLECTIONS.incidentEvents, eventDocSchema, e)));
      },
      count: () => this.c.incidentEvents.countDocuments(eventFilter),
    });
    return { incident: toIncident(parseDoc(COLLECTIONS.incidents, incidentDocSchema, d)), ...alerts, ...events };
  }

  async listIncidentAlerts(id: string, query: { limit: number; cursor?: string | null }): Promise<Page<Alert> | null> {
    if (!(await this.c.incidents.findOne({ _id: id }, { projection: { _id: 1 } }))) return null;
    const filter: Record<string, unknown> = { incidentId: id };
    if (query.cursor) {
      const c = decodeCursor(query.cursor, ['s', 'id']);
      filter.$or = [{ startsAt: { $gt: String(c.s) } }, { startsAt: String(c.s), _id: { $gt: String(c.id) } }];
    }
    const docs = await this.c.alerts.find(filter).sort({ startsAt: 1, _id: 1 }).limit(query.limit + 1).toArray();
    return toPage(docs.map((a) => toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, a))), query.limit, (last) => ({ s: last.startsAt, id: last.id }));
  }

  async listIncidents(query: IncidentQuery): Promise<Page<Incident>> {
    const q = incidentListQuery(query);
    const docs = await this.c.incidents.find(q.filter).sort(q.sort).limit(q.limit).toArray();
    return toPage(docs.map((d) => toIncident(parseDoc(COLLECTIONS.incidents, incidentDocSchema, d))), query.limit, incidentCursor);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const d = await this.c.alerts.findOne({ _id: id });
    return d ? toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, d)) : null;
  }

  async pagedIncidentIds(incidentIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(incidentIds)];
    if (ids.length === 0) return new Set();
    // The (incidentId, occurredAt) index of paging events: a few documents per incident.
    const docs = await this.c.pagingEvents.find({ incidentId: { $in: ids } }, { projection: { incidentId: 1 } }).toArray();
    return new Set(docs.map((d) => String(d.incidentId)));
  }

  async incidentAlertNames(incidentIds: readonly string[]): Promise<Map<string, string[]>> {
    const ids = [...new Set(incidentIds)];
    if (ids.length === 0) return new Map();
    // The incidentId index of facets: one document per (alert name, service) of each incident.
    const docs = await this.c.incidentFacets.find({ incidentId: { $in: ids } }, { projection: { incidentId: 1, alertname: 1 } }).toArray();
    return namesByIncident(docs.map((d) => [String(d.incidentId), String(d.alertname)]));
  }

  async firstAcknowledgements(incidentIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(incidentIds)];
    if (ids.length === 0) return new Map();
    const docs = await this.c.pagingEvents
      .find({ incidentId: { $in: ids }, kind: 'acknowledged' }, { projection: { incidentId: 1, occurredAt: 1 } })
      .toArray();
    const first = new Map<string, string>();
    for (const d of docs) {
      const id = String(d.incidentId);
      const at = String(d.occurredAt);
      if (!first.has(id) || at < first.get(id)!) first.set(id, at);
    }
    return first;
  }

  async incidentValues(): Promise<IncidentValues> {
    // `services` is indexed (incidents_service_started): distinct reads the index, not the documents.
    const [services, severities] = await Promise.all([
      this.c.incidents.distinct('services'),
      this.c.incidents.distinct('severity', { severity: { $type: 'string' } }),
    ]);
    return { services: knownValues(services), severities: knownValues(severities) };
  }

  async countIncidents(status?: IncidentStatus): Promise<number> {
    return this.c.incidents.countDocuments(status ? { status } : {});
  }

  // --- reconciliation with a pull source (Alertmanager API) --------------------------------

  async listFiringAlerts(instance: string): Promise<Alert[]> {
    const docs = await this.c.alerts.find({ instance, status: 'firing' }).sort({ startsAt: 1, _id: 1 }).toArray();
    return docs.map((d) => toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, d)));
  }

  async resolveAlerts(ids: string[], endsAt: string, reason: string, ctx: ResolveContext): Promise<Alert[]> {
    return this.write(ledgerContext(ctx), (c) => ledger.resolveAlerts(ids, endsAt, reason, c));
  }
}
