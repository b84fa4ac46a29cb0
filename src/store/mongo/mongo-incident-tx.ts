import { randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, ClientSession, Document } from 'mongodb';
import { alertAfterResend, newAlert, type Alert, type AlertObservation, type CorrelationDecision } from '../../domain/alert';
import { pageServiceOf } from '../../domain/correlation/correlation-keys';
import {
  DECISION_EVENT_KIND, assertAlertInIncident, assertNotAlreadyIn, assertNotMerged, assertSplitLeavesSomething, humanDecision, lateMergeDecision,
  lateMergeEvents, mergeEvents, mergeSourceIds, moveEvents, splitEvents, withHumanPlacementKey, type CorrectionActor,
} from '../../domain/correlation/corrections';
import type { Correlator, IncidentCandidate, IncidentOrigin, KeyActivity } from '../../domain/correlation/correlator';
import { alertActivity, incidentKeyActivity } from '../../domain/correlation/key-activity';
import { summarizePages } from '../../domain/correlation/page-summary';
import { alertPlacementEvents, pagingDecisionEvent, pagingTimelineEvent } from '../../domain/correlation/placement';
import type { Incident, NewIncidentEvent } from '../../domain/incident';
import { summarizeIncident } from '../../domain/incident-summary';
import type { PagingEvent } from '../../domain/paging-event';
import { findPagingTwin, twinTimeToKeep } from '../../domain/paging-twins';
import { NotFoundError } from '../../errors';
import type { MergeResult, MoveResult, PlacedPaging, SplitResult } from '../store';
import { WriteRaceError } from './mongo-errors';
import { COLLECTIONS, type MongoCollections, type StoredDoc } from './mongo-indexes';
import {
  alertIdentityFilter, alertInsertUpsert, alertResendUpdate, candidateFilter, incidentJoinedUpdate, incidentSummaryUpdate, keyHolderUpsert, lockBump,
} from './mongo-queries';
import {
  ACTIVE_SENTINEL, alertDocSchema, fenceDocSchema, incidentDocSchema, keyDocSchema, newIncidentDoc, pagingDocSchema, parseDoc,
  toAlert, toAlertDoc, toDecisionDoc, toEventDoc, toIncident, toKeyActivity, toPlacedPaging, type AlertDoc, type IncidentDoc,
} from './mongo-schemas';

/**
 * The alert/incident writes of one MongoDB multi-document transaction (the counterpart of the
 * SQLite `IncidentTx`): placing alerts and paging events, keeping each incident's correlation
 * keys and summary current, and the SRE corrections. Every operation passes the session; the
 * object is created afresh for each (re-)run of the transaction, so it holds no state from an
 * aborted attempt.
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
 * `correlation_locks` (`_id` = the key), which every transaction bumps (`$inc`, upsert) for
 *  - each key it decides on: the alert's lookup and probe keys (what it reads candidates by),
 *  - each key it changes any incident's activity on: the keys a placed alert holds, and every
 *    key of an incident whose key activity it rewrites (refresh, merge, split, move, resolve).
 * So two transactions where one decides on key K and the other changes activity on K write the
 * same lock document: the second writer gets a WriteConflict, the driver aborts and re-runs it
 * on a fresh snapshot, and it now sees the other's incident and joins it. Placements of
 * unrelated groups touch different locks and proceed in parallel. Conflicts surface at the
 * lock write, before any incident is created, because locks are bumped first.
 *
 * Two transactions inserting the same alert identity (or paging event) also conflict, on the
 * unique index: E11000 or WriteConflict, and the re-run takes the update path.
 *
 * Incidents whose alerts changed status are "dirty" and recomputed before the next decision
 * (and at the end), so a decision always sees the exact state.
 */
export class MongoIncidentTx {
  private readonly dirty = new Set<string>();
  readonly touched = new Set<string>();
  /** Stored paging events claimed as the twin of an event placed in this transaction (`findPagingTwin`). */
  private readonly twinned = new Set<string>();
  /** True once an incident was merged away in this transaction (alerts may have moved). */
  merged = false;
  private readonly locked = new Set<string>();

  constructor(
    private readonly c: MongoCollections,
    private readonly session: ClientSession,
    private readonly serviceLabels: readonly string[],
    private readonly now: string,
    /** How long a still-firing alert keeps its keys active after its start (`Correlator.firingHorizonMs`). */
    private readonly firingHorizonMs: number,
  ) {}

  private get s() {
    return { session: this.session };
  }

  /** Bumps the correlation locks of `keys` (once per key per transaction; see the class comment). */
  private async lock(keys: Iterable<string>): Promise<void> {
    const fresh = [...new Set(keys)].filter((k) => !this.locked.has(k)).sort();
    if (fresh.length === 0) return;
    for (const k of fresh) this.locked.add(k);
    const touchedAt = new Date(this.now);
    await this.c.correlationLocks.bulkWrite(fresh.map((k) => ({ updateOne: lockBump(k, touchedAt) })), { ...this.s, ordered: true });
  }

  // ---------------------------------------------------------------- alerts

  private async alertDocs(filter: Document, sort: Document = { startsAt: 1, _id: 1 }): Promise<AlertDoc[]> {
    const docs = await this.c.alerts.find(filter, this.s).sort(sort).toArray();
    return docs.map((d) => parseDoc(COLLECTIONS.alerts, alertDocSchema, d));
  }

  async findAlert(obs: Pick<AlertObservation, 'instance' | 'fingerprint' | 'startsAt'>): Promise<Alert | null> {
    const d = await this.c.alerts.findOne(alertIdentityFilter(obs), this.s);
    return d ? toAlert(parseDoc(COLLECTIONS.alerts, alertDocSchema, d)) : null;
  }

  async getAlertDoc(id: string): Promise<AlertDoc | null> {
    const d = await this.c.alerts.findOne({ _id: id }, this.s);
    return d ? parseDoc(COLLECTIONS.alerts, alertDocSchema, d) : null;
  }

  /** A re-sent notification of a known firing. The alert stays in its incident whoever placed it there. */
  async updateAlert(alert: Alert, obs: AlertObservation): Promise<Alert> {
    const next = alertAfterResend(alert, obs, this.now);
    await this.c.alerts.updateOne({ _id: alert.id }, alertResendUpdate(next), this.s);
    this.touched.add(alert.incidentId);
    if (next.status !== alert.status || next.endsAt !== alert.endsAt) this.dirty.add(alert.incidentId);
    return next;
  }

  /** Only the bookkeeping fields (reconciliation puts them back: it is no notification). */
  async setAlertBookkeeping(id: string, notificationCount: number, lastSeenAt: string): Promise<void> {
    await this.c.alerts.updateOne({ _id: id }, { $set: { notificationCount, lastSeenAt } }, this.s);
  }

  /** Places a firing seen for the first time, as the correlator decides. */
  async placeAlert(obs: AlertObservation, correlator: Correlator): Promise<Alert> {
    const keys = correlator.keysFor(obs);
    await this.lock([...keys.lookup, ...keys.probe, ...keys.hold]);
    await this.flush();
    const candidates = await this.findCandidates(keys.lookup, keys.probe, obs.startsAt, correlator.lookbackMs);
    const placement = correlator.decide(obs, candidates, this.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : await this.createIncident(obs.startsAt, 'rule', false);
    const alert = newAlert(obs, randomUUID(), incidentId, placement.decision, this.now);
    const upsert = alertInsertUpsert(toAlertDoc(alert, keys.hold));
    const r = await this.c.alerts.updateOne(upsert.filter, upsert.update, { ...this.s, upsert: true });
    if (r.upsertedCount !== 1) throw new WriteRaceError(`alert ${obs.instance}/${obs.fingerprint}@${obs.startsAt}`);
    await this.applyNewAlert(alert, keys.hold);
    for (const e of alertPlacementEvents(alert, placement)) await this.insertEvent(e);
    if (placement.action === 'join') {
      for (const a of placement.absorb) await this.absorbLate(incidentId, a.incidentId, a.explanation, alert.startsAt);
    }
    return alert;
  }

  /** Incremental update for a new alert, so the next decision in the batch sees it at once. */
  private async applyNewAlert(a: Alert, keys: readonly string[]): Promise<void> {
    this.touched.add(a.incidentId);
    const firing = a.status === 'firing';
    const span = alertActivity(a, this.firingHorizonMs);
    if (keys.length) {
      await this.lock(keys);
      await this.c.correlationKeys.bulkWrite(keys.map((key) => ({
        updateOne: keyHolderUpsert(key, a.incidentId, { firstAt: a.startsAt, lastAt: span.last, firing: firing ? 1 : 0, activeUntil: span.until }),
      })), { ...this.s, ordered: true });
    }
    if (firing) await this.c.incidents.updateOne({ _id: a.incidentId }, incidentJoinedUpdate(a.startsAt, this.now), this.s);
    else this.dirty.add(a.incidentId);
  }

  /**
   * Incidents holding any of `keys` with activity within `lookbackMs` of `at` (one indexed
   * query), with their probe-key activity and fences. Merged incidents are never candidates.
   */
  async findCandidates(keys: readonly string[], probe: readonly string[], at: string, lookbackMs: number): Promise<IncidentCandidate[]> {
    const filter = candidateFilter(keys, at, lookbackMs);
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
    return live.map((id) => {
      const d = incidents.get(id)!;
      return { incident: toIncident(d), keys: byIncident.get(id)!, origin: d.origin, humanPlaced: d.humanPlaced, fencedWith: fences.get(id) ?? [] };
    });
  }

  // ----------------------------------------------------------- paging events

  /**
   * Places one paging event; `duplicate` when (instance, eventId) is already stored, `twin` when
   * another channel's report of the same change is (`findPagingTwin`): nothing is written then,
   * except the webhook's more precise time on the stored copy (`twinTimeToKeep`).
   */
  async placePaging(event: PagingEvent, correlator: Correlator): Promise<PlacedPaging | 'duplicate' | 'twin'> {
    if (await this.c.pagingEvents.findOne({ instance: event.instance, eventId: event.eventId }, this.s)) return 'duplicate';
    const keys = correlator.pagingKeysFor(event);
    const lookup = [keys.page, ...keys.dedup, ...keys.service];
    // The page key is locked before the twin lookup, so a webhook and its REST twin placed at the
    // same time serialize and the second sees the first.
    await this.lock([...lookup, ...keys.hold]);
    if (event.identity) {
      const sameKind = (await this.c.pagingEvents.find({ instance: event.instance, pageId: event.page.id, kind: event.kind }, this.s).toArray())
        .map((raw) => parseDoc(COLLECTIONS.pagingEvents, pagingDocSchema, raw));
      const stored = sameKind.map((d) => ({
        eventId: d.eventId, kind: d.kind, occurredAt: d.occurredAt, actor: d.actor ?? null, channel: d.channel ?? null, objectId: d.objectId ?? null,
      }));
      const twin = findPagingTwin(event, stored, this.twinned);
      if (twin) {
        this.twinned.add(twin.eventId);
        const time = twinTimeToKeep(event, twin);
        if (time !== null) {
          const doc = sameKind[stored.indexOf(twin)]!;
          await this.c.pagingEvents.updateOne({ instance: event.instance, eventId: twin.eventId }, { $set: { occurredAt: time } }, this.s);
          await this.c.incidentEvents.updateOne({ _id: doc.incidentEventId }, { $set: { at: time } }, this.s);
          this.touched.add(doc.incidentId);
          this.dirty.add(doc.incidentId);
        }
        return 'twin';
      }
    }
    await this.flush();
    const candidates = await this.findCandidates(lookup, [], event.occurredAt, correlator.lookbackMs);
    const placement = correlator.decidePaging(event, candidates, this.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : await this.createIncident(event.occurredAt, 'paging', false);
    const incidentEventId = await this.insertEvent(pagingTimelineEvent(event, incidentId, placement));
    // Unique (instance, eventId): a concurrent placement of the same event fails here (E11000) and the re-run sees a duplicate.
    await this.c.pagingEvents.insertOne({
      instance: event.instance, eventId: event.eventId, incidentId, pageId: event.page.id, kind: event.kind, occurredAt: event.occurredAt,
      page: event.page, service: pageServiceOf(keys.hold), keys: keys.hold, incidentEventId,
      channel: event.identity?.channel ?? null, objectId: event.identity?.objectId ?? null, actor: event.actor,
    }, this.s);
    const decided = pagingDecisionEvent(event, incidentId, placement);
    if (decided) await this.insertEvent(decided);
    this.touched.add(incidentId);
    this.dirty.add(incidentId);
    return { instance: event.instance, eventId: event.eventId, incidentId, incidentEventId, rule: placement.rule, explanation: placement.explanation };
  }

  // -------------------------------------------------------------- corrections

  async merge(targetId: string, sourceIds: readonly string[], by: CorrectionActor): Promise<MergeResult> {
    const sources = mergeSourceIds(targetId, sourceIds);
    const target = assertNotMerged(await this.incident(targetId), 'params.id');
    const sourceIncidents: Incident[] = [];
    for (const id of sources) sourceIncidents.push(assertNotMerged(await this.incident(id), 'body.sourceIncidentIds'));
    const moved: string[] = [];
    for (const s of sourceIncidents) {
      const alerts = await this.alertDocs({ incidentId: s.id });
      moved.push(...alerts.map((a) => a._id));
      await this.absorb(targetId, s.id, (a) => ({ decision: humanDecision('merge', s, by), keys: withHumanPlacementKey(a.keys, a.alert) }), true);
    }
    await this.flush();
    for (const e of mergeEvents(target, sourceIncidents, moved, by)) await this.insertEvent(e);
    const merged: Incident[] = [];
    for (const id of sources) merged.push(await this.incident(id));
    return { incident: await this.incident(targetId), merged, movedAlertIds: moved };
  }

  async split(incidentId: string, alertIds: readonly string[], by: CorrectionActor): Promise<SplitResult> {
    const ids = [...new Set(alertIds)];
    const from = assertNotMerged(await this.incident(incidentId), 'params.id');
    const alerts: Array<{ alert: Alert; keys: string[] }> = [];
    for (const id of ids) {
      const d = await this.getAlertDoc(id);
      if (!d) throw new NotFoundError(`no alert "${id}"`);
      const alert = toAlert(d);
      assertAlertInIncident(alert, incidentId);
      alerts.push({ alert, keys: d.corrKeys });
    }
    const total = await this.c.alerts.countDocuments({ incidentId }, this.s);
    const pages = await this.c.pagingEvents.countDocuments({ incidentId }, this.s);
    assertSplitLeavesSomething(total, alerts.length, pages);
    const start = alerts.map((a) => a.alert.startsAt).sort()[0]!;
    const newId = await this.createIncident(start, 'human', true);
    const decision = humanDecision('split', from, by);
    for (const { alert, keys } of alerts) await this.reassign(alert, newId, decision, withHumanPlacementKey(keys, alert));
    await this.addFence(incidentId, newId, by.now, by.actor);
    await this.addFence(newId, incidentId, by.now, by.actor);
    await this.c.incidents.updateOne({ _id: incidentId }, { $set: { humanPlaced: true } }, this.s);
    this.dirty.add(incidentId);
    this.dirty.add(newId);
    await this.flush();
    const events = splitEvents(await this.incident(incidentId), await this.incident(newId), alerts.map((a) => a.alert), this.serviceLabels, by);
    for (const e of events) await this.insertEvent(e);
    return { incident: await this.incident(incidentId), newIncident: await this.incident(newId) };
  }

  async move(alertId: string, targetId: string, by: CorrectionActor): Promise<MoveResult> {
    const d = await this.getAlertDoc(alertId);
    if (!d) throw new NotFoundError(`no alert "${alertId}"`);
    const alert = toAlert(d);
    assertNotMerged(await this.incident(targetId), 'body.incidentId');
    assertNotAlreadyIn(alert, targetId);
    const from = await this.incident(alert.incidentId);
    await this.reassign(alert, targetId, humanDecision('move', from, by), withHumanPlacementKey(d.corrKeys, alert));
    await this.c.incidents.updateMany({ _id: { $in: [targetId, from.id] } }, { $set: { humanPlaced: true } }, this.s);
    this.dirty.add(targetId);
    const left = (await this.c.alerts.countDocuments({ incidentId: from.id }, this.s)) + (await this.c.pagingEvents.countDocuments({ incidentId: from.id }, this.s));
    const emptied = left === 0;
    if (emptied) await this.absorb(targetId, from.id, (a) => ({ decision: a.alert.decision, keys: a.keys }), true);
    else this.dirty.add(from.id);
    await this.flush();
    for (const e of moveEvents(alert, from, await this.incident(targetId), this.serviceLabels, by, emptied)) await this.insertEvent(e);
    const moved = await this.getAlertDoc(alertId);
    return { alert: toAlert(moved!), from: await this.incident(from.id), to: await this.incident(targetId) };
  }

  /** Moves one alert, with its decision audit entries, to another incident under a new decision. */
  private async reassign(alert: Alert, incidentId: string, decision: CorrelationDecision, keys: string[]): Promise<void> {
    await this.lock(keys);
    await this.c.alerts.updateOne({ _id: alert.id }, { $set: { incidentId, decision: toDecisionDoc(decision), corrKeys: keys } }, this.s);
    await this.c.incidentEvents.updateMany({ incidentId: alert.incidentId, kind: DECISION_EVENT_KIND, alertId: alert.id }, { $set: { incidentId } }, this.s);
    this.touched.add(incidentId);
    this.touched.add(alert.incidentId);
  }

  private async addFence(incidentId: string, otherId: string, createdAt: string, actor: string | null): Promise<void> {
    await this.c.incidentFences.updateOne({ incidentId, otherId }, { $setOnInsert: { incidentId, otherId, createdAt, actor } }, { ...this.s, upsert: true });
  }

  /** A late alert linked an incident that opened after it started: merge it, as in-order processing would have. */
  private async absorbLate(targetId: string, sourceId: string, explanation: string, at: string): Promise<void> {
    const source = await this.incident(sourceId);
    await this.absorb(targetId, sourceId, (a) => ({ decision: lateMergeDecision(a.alert.decision, source, explanation, this.now), keys: a.keys }), false);
    for (const e of lateMergeEvents(await this.incident(targetId), sourceId, explanation, at)) await this.insertEvent(e);
  }

  /**
   * Moves everything of `sourceId` (alerts, pages, events, fences) into `targetId` and marks
   * the source `merged`. `rewrite` gives each moved alert its new decision and keys.
   */
  private async absorb(
    targetId: string, sourceId: string, rewrite: (a: { alert: Alert; keys: string[] }) => { decision: CorrelationDecision; keys: string[] }, human: boolean,
  ): Promise<void> {
    const sourceKeys = (await this.c.correlationKeys.find({ incidentId: sourceId }, this.s).toArray())
      .map((raw) => parseDoc(COLLECTIONS.correlationKeys, keyDocSchema, raw).key);
    await this.lock(sourceKeys);
    const alerts = await this.alertDocs({ incidentId: sourceId });
    const updates: AnyBulkWriteOperation<StoredDoc>[] = [];
    for (const d of alerts) {
      const next = rewrite({ alert: toAlert(d), keys: d.corrKeys });
      await this.lock(next.keys);
      updates.push({ updateOne: { filter: { _id: d._id }, update: { $set: { incidentId: targetId, decision: toDecisionDoc(next.decision), corrKeys: next.keys } } } });
    }
    if (updates.length) await this.c.alerts.bulkWrite(updates, { ...this.s, ordered: true });
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

    const src = await this.incidentDoc(sourceId);
    await this.c.incidents.updateOne({ _id: sourceId }, { $set: { status: 'merged', mergedInto: targetId, alertCount: 0, updatedAt: this.now } }, this.s);
    await this.c.incidents.updateMany({ mergedInto: sourceId }, { $set: { mergedInto: targetId } }, this.s);
    if (human || src.humanPlaced) await this.c.incidents.updateOne({ _id: targetId }, { $set: { humanPlaced: true } }, this.s);
    this.dirty.delete(sourceId);
    this.dirty.add(targetId);
    this.touched.add(targetId);
    this.touched.add(sourceId);
    this.merged = true;
  }

  // ------------------------------------------------------------------ shared

  private async createIncident(at: string, origin: IncidentOrigin, humanPlaced: boolean): Promise<string> {
    const id = randomUUID();
    await this.c.incidents.insertOne(newIncidentDoc(id, at, this.now, origin, humanPlaced), this.s);
    this.touched.add(id);
    return id;
  }

  async insertEvent(e: NewIncidentEvent): Promise<string> {
    const id = randomUUID();
    await this.c.incidentEvents.insertOne(toEventDoc({ id, ...e }), this.s);
    return id;
  }

  private async incidentDoc(id: string): Promise<IncidentDoc> {
    const d = await this.c.incidents.findOne({ _id: id }, this.s);
    if (!d) throw new NotFoundError(`no incident "${id}"`);
    return parseDoc(COLLECTIONS.incidents, incidentDocSchema, d);
  }

  async incident(id: string): Promise<Incident> {
    return toIncident(await this.incidentDoc(id));
  }

  /** Recomputes every dirty incident. */
  async flush(): Promise<void> {
    for (const id of [...this.dirty].sort()) await this.refresh(id);
    this.dirty.clear();
  }

  /** Marks the touched incidents for recomputation and recomputes them (end of a batch). */
  async finish(): Promise<void> {
    for (const id of this.touched) this.dirty.add(id);
    await this.flush();
  }

  /**
   * Recomputes an incident's summary and correlation keys from its alerts (pure
   * `summarizeIncident`) or, with no alerts yet, from its pages. Locks the keys it had and has.
   */
  private async refresh(incidentId: string): Promise<void> {
    const inc = await this.c.incidents.findOne({ _id: incidentId }, this.s);
    if (!inc || parseDoc(COLLECTIONS.incidents, incidentDocSchema, inc).status === 'merged') return;
    const alertDocs = await this.alertDocs({ incidentId });
    const pageDocs = (await this.c.pagingEvents.find({ incidentId }, this.s).toArray()).map((raw) => parseDoc(COLLECTIONS.pagingEvents, pagingDocSchema, raw));
    if (alertDocs.length === 0 && pageDocs.length === 0) return;
    const alerts = alertDocs.map(toAlert);
    const s = alerts.length > 0 ? summarizeIncident(alerts, this.serviceLabels) : summarizePages(pageDocs.map(toPlacedPaging));
    await this.c.incidents.updateOne({ _id: incidentId }, incidentSummaryUpdate(s, this.now), this.s);

    const activity = incidentKeyActivity(alerts.map((alert, i) => ({ alert, keys: alertDocs[i]!.corrKeys })), pageDocs, this.firingHorizonMs);
    const old = (await this.c.correlationKeys.find({ incidentId }, { ...this.s, projection: { key: 1 } }).toArray()).map((d) => String(d.key));
    await this.lock([...old, ...activity.map((a) => a.key)]);
    await this.c.correlationKeys.deleteMany({ incidentId }, this.s);
    if (activity.length) {
      await this.c.correlationKeys.insertMany(activity.map(({ key, firstAt, lastAt, firing, holders, activeUntil }) => (
        { key, incidentId, firstAt, lastAt, firing, holders, activeUntil: activeUntil ?? ACTIVE_SENTINEL }
      )), { ...this.s, ordered: true });
    }
  }
}
