import type { ClientSession, Document } from 'mongodb';
import type { Alert } from '../../domain/alert';
import { DECISION_EVENT_KIND } from '../../domain/correlation/corrections';
import type { IncidentCandidate, KeyActivity } from '../../domain/correlation/correlator';
import type { IncidentDeclaration, IncidentEvent } from '../../domain/incident';
import { spanOf, type AlertFacet, type IncidentTally } from '../../domain/incident-facets';
import type { IncidentSummary } from '../../domain/incident-summary';
import {
  identityKey, type AlertIdentity, type AlertPlacement, type AlertProbe, type AsyncLedgerPort, type IncidentRecord, type KeyHolderActivity, type NewIncidentRecord,
  type StoredAlert, type StoredPaging,
} from '../../domain/ledger/ledger-port';
import { WriteRaceError } from './mongo-errors';
import { COLLECTIONS, type MongoCollections } from './mongo-indexes';
import {
  alertIdentityFilter, alertInsertUpsert, alertResendUpdate, candidateFilter, incidentSummaryUpdate, keyHolderUpsert, lockBump,
} from './mongo-queries';
import {
  ACTIVE_SENTINEL, alertDocSchema, alertProbeDocSchema, alertProbeFields, fromPairs, facetDocId, facetDocSchema, fenceDocSchema, toFacet, toFacetDoc, toTally, incidentDocSchema, keyDocSchema, newIncidentDoc, pagingDocSchema, parseDoc, toAlert, toAlertDoc,
  toDecisionDoc, toEventDoc, toIncident, toKeyActivity, toPlacedPaging, type AlertDoc, type IncidentDoc, type PagingDoc,
} from './mongo-schemas';

const PROBE_CHUNK = 500;

/**
 * The incident ledger's port on MongoDB (`src/domain/ledger`), inside one multi-document
 * transaction: every operation passes the session. It is created afresh for each (re-)run of the
 * transaction, so it holds no state from an aborted attempt.
 *
 * ## Why concurrent placements of one group yield one incident
 *
 * A MongoDB transaction reads a snapshot and fails (WriteConflict, retried by the driver) only
 * when it writes a document another transaction wrote after that snapshot. Two replicas placing
 * the first two alerts of one Alertmanager group would each read "no candidate", each insert a
 * different incident and different `correlation_keys` documents, and both commit: two
 * incidents. Nothing they wrote overlaps, so snapshot isolation alone does not stop it.
 *
 * The correlation lock makes them overlap: a document per correlation key in
 * `correlation_locks` (`_id` = the key), which `lockKeys` bumps (`$inc`, upsert). The ledger
 * locks
 *  - each key it decides on: the alert's lookup and probe keys (what it reads candidates by),
 *  - each key it changes any incident's activity on: the keys a placed alert holds, and every
 *    key of an incident whose key activity it rewrites (refresh, merge, split, move, resolve).
 * So two transactions where one decides on key K and the other changes activity on K write the
 * same lock document: the second writer gets a WriteConflict, the driver aborts and re-runs it
 * on a fresh snapshot, and it now sees the other's incident and joins it. Placements of
 * unrelated groups touch different locks and proceed in parallel. Conflicts surface at the
 * lock write, before any incident is created, because the ledger locks first.
 *
 * Two transactions inserting the same alert identity (or paging event) also conflict, on the
 * unique index: E11000 or WriteConflict, and the re-run takes the update path.
 */
export class MongoLedgerPort implements AsyncLedgerPort {
  private readonly locked = new Set<string>();

  constructor(
    private readonly c: MongoCollections,
    private readonly session: ClientSession,
    private readonly now: string,
  ) {}

  private get s() {
    return { session: this.session };
  }

  /** Bumps the correlation locks of `keys`, once per key per transaction (see the class comment). */
  async lockKeys(keys: readonly string[]): Promise<void> {
    const fresh = [...new Set(keys)].filter((k) => !this.locked.has(k)).sort();
    if (fresh.length === 0) return;
    for (const k of fresh) this.locked.add(k);
    const touchedAt = new Date(this.now);
    await this.c.correlationLocks.bulkWrite(fresh.map((k) => ({ updateOne: lockBump(k, touchedAt) })), { ...this.s, ordered: true });
  }

  // ------------------------------------------------------------------ reads

  private async alertDocs(filter: Document): Promise<AlertDoc[]> {
    const docs = await this.c.alerts.find(filter, this.s).sort({ startsAt: 1, _id: 1 }).toArray();
    return docs.map((d) => parseDoc(COLLECTIONS.alerts, alertDocSchema, d));
  }

  async findAlert(identity: AlertIdentity): Promise<StoredAlert | null> {
    const d = await this.c.alerts.findOne(alertIdentityFilter(identity), this.s);
    return d ? storedAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, d)) : null;
  }

  /**
   * One query per 500 identities (an `$or` of identities, each clause through the identity
   * index; a group can hold thousands of alerts), matched back by identity.
   */
  async probeAlerts(identities: readonly AlertIdentity[]): Promise<(AlertProbe | null)[]> {
    const docs: Document[] = [];
    for (let i = 0; i < identities.length; i += PROBE_CHUNK) {
      const chunk = identities.slice(i, i + PROBE_CHUNK);
      docs.push(...(await this.c.alerts.find({ $or: chunk.map(alertIdentityFilter) }, { ...this.s, projection: alertProbeFields }).toArray()));
    }
    const byIdentity = new Map<string, AlertProbe>();
    for (const d of docs) {
      const doc = parseDoc(COLLECTIONS.alerts, alertProbeDocSchema, d);
      byIdentity.set(identityKey(doc), {
        id: doc._id, incidentId: doc.incidentId, status: doc.status, endsAt: doc.endsAt, generatorUrl: doc.generatorUrl,
        labelsJson: JSON.stringify(fromPairs(doc.labels)), annotationsJson: JSON.stringify(fromPairs(doc.annotations)),
      });
    }
    return identities.map((i) => byIdentity.get(identityKey(i)) ?? null);
  }

  async getAlert(id: string): Promise<StoredAlert | null> {
    const d = await this.c.alerts.findOne({ _id: id }, this.s);
    return d ? storedAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, d)) : null;
  }

  async alertsOf(incidentId: string): Promise<StoredAlert[]> {
    return (await this.alertDocs({ incidentId })).map(storedAlert);
  }

  async countAlerts(incidentId: string): Promise<number> {
    return this.c.alerts.countDocuments({ incidentId }, this.s);
  }

  private async pagingDocs(filter: Document): Promise<StoredPaging[]> {
    return (await this.c.pagingEvents.find(filter, this.s).toArray()).map((raw) => storedPaging(parseDoc(COLLECTIONS.pagingEvents, pagingDocSchema, raw)));
  }

  async pagesOf(incidentId: string): Promise<StoredPaging[]> {
    return this.pagingDocs({ incidentId });
  }

  async countPages(incidentId: string): Promise<number> {
    return this.c.pagingEvents.countDocuments({ incidentId }, this.s);
  }

  async hasPagingEvent(instance: string, eventId: string): Promise<boolean> {
    return (await this.c.pagingEvents.findOne({ instance, eventId }, this.s)) !== null;
  }

  async pagingEventsOfKind(instance: string, pageId: string, kind: string): Promise<StoredPaging[]> {
    return this.pagingDocs({ instance, pageId, kind });
  }

  private async incidentDoc(id: string): Promise<IncidentDoc | null> {
    const d = await this.c.incidents.findOne({ _id: id }, this.s);
    return d ? parseDoc(COLLECTIONS.incidents, incidentDocSchema, d) : null;
  }

  async getIncident(id: string): Promise<IncidentRecord | null> {
    const d = await this.incidentDoc(id);
    return d ? incidentRecord(d) : null;
  }

  async keysOf(incidentId: string): Promise<string[]> {
    return (await this.c.correlationKeys.find({ incidentId }, { ...this.s, projection: { key: 1 } }).toArray()).map((d) => String(d.key));
  }

  async keyActivityOf(incidentId: string, keys: readonly string[]): Promise<KeyActivity[]> {
    if (keys.length === 0) return [];
    return (await this.c.correlationKeys.find({ incidentId, key: { $in: [...new Set(keys)] } }, this.s).toArray())
      .map((raw) => toKeyActivity(parseDoc(COLLECTIONS.correlationKeys, keyDocSchema, raw)));
  }

  /** One indexed query for the keys, one for their incidents, one each for probe keys and fences. */
  async findCandidates(lookup: readonly string[], probe: readonly string[], at: string, lookbackMs: number): Promise<IncidentCandidate[]> {
    const filter = candidateFilter(lookup, at, lookbackMs);
    if (!filter) return [];
    const byIncident = new Map<string, KeyActivity[]>();
    for (const raw of await this.c.correlationKeys.find(filter, this.s).toArray()) {
      const d = parseDoc(COLLECTIONS.correlationKeys, keyDocSchema, raw);
      (byIncident.get(d.incidentId) ?? byIncident.set(d.incidentId, []).get(d.incidentId)!).push(toKeyActivity(d));
    }
    if (byIncident.size === 0) return [];
    const ids = [...byIncident.keys()].sort();
    const incidents = new Map<string, IncidentDoc>();
    for (const raw of await this.c.incidents.find({ _id: { $in: ids } }, this.s).toArray()) {
      const d = parseDoc(COLLECTIONS.incidents, incidentDocSchema, raw);
      incidents.set(d._id, d);
    }
    const live = ids.filter((id) => incidents.get(id) && incidents.get(id)!.status !== 'merged');
    if (live.length === 0) return [];
    if (probe.length) {
      for (const raw of await this.c.correlationKeys.find({ incidentId: { $in: live }, key: { $in: [...new Set(probe)] } }, this.s).toArray()) {
        const d = parseDoc(COLLECTIONS.correlationKeys, keyDocSchema, raw);
        const list = byIncident.get(d.incidentId)!;
        if (!list.some((k) => k.key === d.key)) list.push(toKeyActivity(d));
      }
    }
    const fences = new Map<string, string[]>();
    for (const raw of await this.c.incidentFences.find({ incidentId: { $in: live } }, this.s).toArray()) {
      const f = parseDoc(COLLECTIONS.incidentFences, fenceDocSchema, raw);
      (fences.get(f.incidentId) ?? fences.set(f.incidentId, []).get(f.incidentId)!).push(f.otherId);
    }
    return live.map((id) => ({ ...incidentRecord(incidents.get(id)!), keys: byIncident.get(id)!, fencedWith: fences.get(id) ?? [] }));
  }

  // ----------------------------------------------------------------- writes

  async insertIncident(i: NewIncidentRecord): Promise<void> {
    await this.c.incidents.insertOne(newIncidentDoc(i.id, i.at, i.now, i.origin, i.humanPlaced, i.declaration ?? null), this.s);
  }

  async insertAlert(alert: Alert, keys: readonly string[]): Promise<void> {
    const upsert = alertInsertUpsert(toAlertDoc(alert, keys));
    const r = await this.c.alerts.updateOne(upsert.filter, upsert.update, { ...this.s, upsert: true });
    if (r.upsertedCount !== 1) throw new WriteRaceError(`alert ${alert.instance}/${alert.fingerprint}@${alert.startsAt}`);
  }

  async updateAlertResend(next: Alert): Promise<void> {
    await this.c.alerts.updateOne({ _id: next.id }, alertResendUpdate(next), this.s);
  }

  async countResends(ids: readonly string[], seenAt: string): Promise<void> {
    if (ids.length === 0) return;
    await this.c.alerts.updateMany({ _id: { $in: [...ids] } }, { $inc: { notificationCount: 1 }, $max: { lastSeenAt: seenAt } }, this.s);
  }

  async setAlertBookkeeping(id: string, notificationCount: number, lastSeenAt: string): Promise<void> {
    await this.c.alerts.updateOne({ _id: id }, { $set: { notificationCount, lastSeenAt } }, this.s);
  }

  async setAlertPlacements(placements: readonly AlertPlacement[]): Promise<void> {
    if (placements.length === 0) return;
    await this.c.alerts.bulkWrite(placements.map((p) => ({
      updateOne: { filter: { _id: p.id }, update: { $set: { incidentId: p.incidentId, decision: toDecisionDoc(p.decision), corrKeys: [...p.keys] } } },
    })), { ...this.s, ordered: true });
  }

  async moveDecisionEvents(alertId: string, fromIncidentId: string, toIncidentId: string): Promise<void> {
    await this.c.incidentEvents.updateMany({ incidentId: fromIncidentId, kind: DECISION_EVENT_KIND, alertId }, { $set: { incidentId: toIncidentId } }, this.s);
  }

  async insertEvent(e: IncidentEvent): Promise<void> {
    await this.c.incidentEvents.insertOne(toEventDoc(e), this.s);
  }

  async setEventTime(eventId: string, at: string): Promise<void> {
    await this.c.incidentEvents.updateOne({ _id: eventId }, { $set: { at } }, this.s);
  }

  async insertPagingEvent(p: StoredPaging): Promise<void> {
    // Unique (instance, eventId): a concurrent placement of the same event fails here (E11000) and the re-run sees a duplicate.
    await this.c.pagingEvents.insertOne({
      instance: p.instance, eventId: p.eventId, incidentId: p.incidentId, pageId: p.page.id, kind: p.kind, occurredAt: p.occurredAt,
      page: p.page, service: p.service, keys: p.keys, incidentEventId: p.incidentEventId, channel: p.channel, objectId: p.objectId, actor: p.actor,
    }, this.s);
  }

  async setPagingEventTime(instance: string, eventId: string, at: string): Promise<void> {
    await this.c.pagingEvents.updateOne({ instance, eventId }, { $set: { occurredAt: at } }, this.s);
  }

  async addKeyHolder(incidentId: string, keys: readonly string[], holder: KeyHolderActivity): Promise<void> {
    if (keys.length === 0) return;
    await this.c.correlationKeys.bulkWrite(keys.map((key) => ({ updateOne: keyHolderUpsert(key, incidentId, holder) })), { ...this.s, ordered: true });
  }

  async addKeyFiring(incidentId: string, keys: readonly string[], delta: number): Promise<void> {
    if (keys.length === 0) return;
    await this.c.correlationKeys.updateMany({ incidentId, key: { $in: [...keys] } }, { $inc: { firing: delta } }, this.s);
  }

  async putKeyActivity(incidentId: string, activity: readonly KeyActivity[]): Promise<void> {
    if (activity.length === 0) return;
    await this.c.correlationKeys.bulkWrite(activity.map(({ key, firstAt, lastAt, firing, holders, activeUntil, depth }) => ({
      updateOne: {
        filter: { key, incidentId },
        update: { $set: { key, incidentId, firstAt, lastAt, firing, holders, activeUntil: activeUntil ?? ACTIVE_SENTINEL, depth } },
        upsert: true,
      },
    })), { ...this.s, ordered: true });
  }

  async writeTally(incidentId: string, t: IncidentTally, now: string): Promise<void> {
    const span = spanOf(t);
    await this.c.incidents.updateOne({ _id: incidentId }, {
      $set: {
        alertCount: t.alertCount, firingCount: t.firingCount, startedAt: t.startedAt, lastStartAt: t.lastStartAt, lastEndAt: t.lastEndAt, severity: t.severity,
        status: span.status, endedAt: span.endedAt, lastActivityAt: span.lastActivityAt, updatedAt: now,
      },
    }, this.s);
  }

  async writeLabels(incidentId: string, labels: { title: string; services: readonly string[] }, now: string): Promise<void> {
    await this.c.incidents.updateOne({ _id: incidentId }, { $set: { title: labels.title, services: [...labels.services], updatedAt: now } }, this.s);
  }

  async writeDeclaration(incidentId: string, declaration: IncidentDeclaration, now: string): Promise<void> {
    await this.c.incidents.updateOne({ _id: incidentId }, { $set: { declaration: { ...declaration, services: [...declaration.services] }, updatedAt: now } }, this.s);
  }

  async writePageSummary(incidentId: string, summary: IncidentSummary, now: string): Promise<void> {
    await this.c.incidents.updateOne({ _id: incidentId }, incidentSummaryUpdate(summary, now), this.s);
    await this.c.incidents.updateOne({ _id: incidentId }, { $set: { firingCount: 0, lastStartAt: null, lastEndAt: null } }, this.s);
  }

  async getFacet(incidentId: string, alertname: string, service: string | null): Promise<AlertFacet | null> {
    const d = await this.c.incidentFacets.findOne({ _id: facetDocId(incidentId, alertname, service) }, this.s);
    return d ? toFacet(parseDoc(COLLECTIONS.incidentFacets, facetDocSchema, d)) : null;
  }

  async facetsOf(incidentId: string): Promise<AlertFacet[]> {
    return (await this.c.incidentFacets.find({ incidentId }, this.s).toArray()).map((d) => toFacet(parseDoc(COLLECTIONS.incidentFacets, facetDocSchema, d)));
  }

  async putFacets(incidentId: string, facets: readonly AlertFacet[]): Promise<void> {
    if (facets.length === 0) return;
    await this.c.incidentFacets.bulkWrite(facets.map((f) => {
      const { _id, ...doc } = toFacetDoc(incidentId, f);
      return { updateOne: { filter: { _id }, update: { $set: doc }, upsert: true } };
    }), { ...this.s, ordered: true });
  }

  async replaceFacets(incidentId: string, facets: readonly AlertFacet[]): Promise<void> {
    await this.c.incidentFacets.deleteMany({ incidentId }, this.s);
    await this.putFacets(incidentId, facets);
  }

  async replaceKeyActivity(incidentId: string, activity: readonly KeyActivity[]): Promise<void> {
    await this.c.correlationKeys.deleteMany({ incidentId }, this.s);
    if (activity.length) {
      await this.c.correlationKeys.insertMany(activity.map(({ key, firstAt, lastAt, firing, holders, activeUntil, depth }) => (
        { key, incidentId, firstAt, lastAt, firing, holders, activeUntil: activeUntil ?? ACTIVE_SENTINEL, depth }
      )), { ...this.s, ordered: true });
    }
  }

  async mergeIncidentInto(sourceId: string, targetId: string, now: string): Promise<void> {
    await this.c.pagingEvents.updateMany({ incidentId: sourceId }, { $set: { incidentId: targetId } }, this.s);
    await this.c.incidentEvents.updateMany({ incidentId: sourceId }, { $set: { incidentId: targetId } }, this.s);
    // Fences of the source now fence the target (both directions), then the source's are dropped.
    const fences = (await this.c.incidentFences.find({ $or: [{ incidentId: sourceId }, { otherId: sourceId }] }, this.s).toArray())
      .map((raw) => parseDoc(COLLECTIONS.incidentFences, fenceDocSchema, raw));
    for (const f of fences) {
      if (f.incidentId === sourceId && f.otherId !== targetId) await this.addFence(targetId, f.otherId, f.createdAt, f.actor);
      if (f.otherId === sourceId && f.incidentId !== targetId) await this.addFence(f.incidentId, targetId, f.createdAt, f.actor);
    }
    await this.c.incidentFences.deleteMany({ $or: [{ incidentId: sourceId }, { otherId: sourceId }] }, this.s);
    await this.c.correlationKeys.deleteMany({ incidentId: sourceId }, this.s);
    await this.c.incidentFacets.deleteMany({ incidentId: sourceId }, this.s);
    await this.c.incidents.updateOne({ _id: sourceId }, { $set: { status: 'merged', mergedInto: targetId, alertCount: 0, updatedAt: now } }, this.s);
    await this.c.incidents.updateMany({ mergedInto: sourceId }, { $set: { mergedInto: targetId } }, this.s);
  }

  async setHumanPlaced(incidentIds: readonly string[]): Promise<void> {
    await this.c.incidents.updateMany({ _id: { $in: [...incidentIds] } }, { $set: { humanPlaced: true } }, this.s);
  }

  async addFence(incidentId: string, otherId: string, createdAt: string, actor: string | null): Promise<void> {
    await this.c.incidentFences.updateOne({ incidentId, otherId }, { $setOnInsert: { incidentId, otherId, createdAt, actor } }, { ...this.s, upsert: true });
  }
}

const storedAlert = (d: AlertDoc): StoredAlert => ({ alert: toAlert(d), keys: d.corrKeys });

const incidentRecord = (d: IncidentDoc): IncidentRecord => ({ incident: toIncident(d), origin: d.origin, humanPlaced: d.humanPlaced, tally: toTally(d) });

const storedPaging = (d: PagingDoc): StoredPaging => ({
  ...toPlacedPaging(d), instance: d.instance, incidentId: d.incidentId, incidentEventId: d.incidentEventId, keys: d.keys,
  channel: d.channel ?? null, objectId: d.objectId ?? null, actor: d.actor ?? null,
});
