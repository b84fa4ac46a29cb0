import { alertAfterResend, newAlert, type Alert, type AlertObservation, type CorrelationDecision } from '../alert';
import { pageServiceOf } from '../correlation/correlation-keys';
import {
  assertAlertInIncident, assertNotAlreadyIn, assertNotMerged, assertSplitLeavesSomething, humanDecision, lateMergeDecision, lateMergeEvents,
  mergeEvents, mergeSourceIds, moveEvents, splitEvents, withHumanPlacementKey, type CorrectionActor,
} from '../correlation/corrections';
import type { Correlator, IncidentOrigin } from '../correlation/correlator';
import { alertActivity, incidentKeyActivity } from '../correlation/key-activity';
import { summarizePages } from '../correlation/page-summary';
import { alertPlacementEvents, inPlacementOrder, pagingDecisionEvent, pagingInPlacementOrder, pagingTimelineEvent } from '../correlation/placement';
import type { Incident, NewIncidentEvent } from '../incident';
import { summarizeIncident } from '../incident-summary';
import type { PagingEvent } from '../paging-event';
import { findPagingTwin, twinTimeToKeep } from '../paging-twins';
import { NotFoundError } from '../../errors';
import { port, type LedgerStep, type StoredAlert } from './ledger-port';
import type { MergeResult, MoveResult, PagingRecordResult, PlacedPaging, RecordResult, SplitResult } from './ledger-results';

/**
 * The incident ledger: every write sequence over alerts, pages and incidents — placing alerts
 * and paging events as the correlator decides, keeping each incident's correlation keys and
 * summary current, the SRE corrections and reconciliation — written once, for every store.
 * Each function is a generator of port operations (`ledger-port.ts`); a store runs it inside one
 * of its transactions with `runSync` or `runAsync`, so the whole sequence is atomic.
 *
 * Within one transaction, incidents whose alerts changed status are "dirty" and recomputed
 * before the next decision (and at the end), so a decision always sees the exact state, while a
 * burst of resolutions in one notification costs one recomputation.
 */
export interface LedgerContext {
  serviceLabels: readonly string[];
  /** Processing time (decision time, last seen); never used as event time. */
  now: string;
  /** How long a still-firing alert keeps its keys active after its start (`Correlator.firingHorizonMs`). */
  firingHorizonMs: number;
  /** New ids for incidents, alerts and events. */
  newId: () => string;
}

export interface PlacementContext extends LedgerContext {
  correlator: Correlator;
}

// ------------------------------------------------------------------ use cases

/**
 * Upserts alerts by identity and places new ones as the correlator decides (see
 * `Store.recordObservations`).
 */
export function* recordObservations(observations: readonly AlertObservation[], ctx: PlacementContext): LedgerStep<RecordResult> {
  const tx = new LedgerTx(ctx);
  let created: Alert[] = [];
  let updated: Alert[] = [];
  for (const obs of inPlacementOrder(observations)) {
    const existing = yield* port.findAlert(obs);
    if (existing) updated.push(yield* tx.updateAlert(existing.alert, obs));
    else created.push(yield* tx.placeAlert(obs, ctx.correlator));
  }
  yield* tx.finish();
  if (tx.merged) {
    // A late alert merged incidents: report where the alerts are now.
    created = yield* reread(created);
    updated = yield* reread(updated);
  }
  return { created, updated, incidentIds: [...tx.touched] };
}

/** Places paging events (see `Store.recordPagingEvents`). */
export function* recordPagingEvents(events: readonly PagingEvent[], ctx: PlacementContext): LedgerStep<PagingRecordResult> {
  const tx = new LedgerTx(ctx);
  const placed: PlacedPaging[] = [];
  let duplicates = 0;
  let twins = 0;
  for (const event of pagingInPlacementOrder(events)) {
    const p = yield* tx.placePaging(event, ctx.correlator);
    if (p === 'duplicate') duplicates += 1;
    else if (p === 'twin') twins += 1;
    else placed.push(p);
  }
  yield* tx.finish();
  return { placed, duplicates, twins, incidentIds: [...tx.touched] };
}

export function* mergeIncidents(targetId: string, sourceIds: readonly string[], ctx: LedgerContext, by: CorrectionActor): LedgerStep<MergeResult> {
  const tx = new LedgerTx(ctx);
  const sources = mergeSourceIds(targetId, sourceIds);
  const target = assertNotMerged(yield* tx.incident(targetId), 'params.id');
  const sourceIncidents: Incident[] = [];
  for (const id of sources) sourceIncidents.push(assertNotMerged(yield* tx.incident(id), 'body.sourceIncidentIds'));
  const moved: string[] = [];
  for (const source of sourceIncidents) {
    const alerts = yield* port.alertsOf(source.id);
    moved.push(...alerts.map((a) => a.alert.id));
    yield* tx.absorb(targetId, source.id, (a) => ({ decision: humanDecision('merge', source, by), keys: withHumanPlacementKey(a.keys, a.alert) }), true);
  }
  yield* tx.flush();
  for (const e of mergeEvents(target, sourceIncidents, moved, by)) yield* tx.insertEvent(e);
  const merged: Incident[] = [];
  for (const id of sources) merged.push(yield* tx.incident(id));
  return { incident: yield* tx.incident(targetId), merged, movedAlertIds: moved };
}

export function* splitIncident(incidentId: string, alertIds: readonly string[], ctx: LedgerContext, by: CorrectionActor): LedgerStep<SplitResult> {
  const tx = new LedgerTx(ctx);
  const from = assertNotMerged(yield* tx.incident(incidentId), 'params.id');
  const alerts: StoredAlert[] = [];
  for (const id of new Set(alertIds)) {
    const stored = yield* port.getAlert(id);
    if (!stored) throw new NotFoundError(`no alert "${id}"`);
    assertAlertInIncident(stored.alert, incidentId);
    alerts.push(stored);
  }
  assertSplitLeavesSomething(yield* port.countAlerts(incidentId), alerts.length, yield* port.countPages(incidentId));
  const start = alerts.map((a) => a.alert.startsAt).sort()[0]!;
  const newId = yield* tx.createIncident(start, 'human', true);
  const decision = humanDecision('split', from, by);
  for (const { alert, keys } of alerts) yield* tx.reassign(alert, newId, decision, withHumanPlacementKey(keys, alert));
  yield* port.addFence(incidentId, newId, by.now, by.actor);
  yield* port.addFence(newId, incidentId, by.now, by.actor);
  yield* port.setHumanPlaced([incidentId]);
  tx.markDirty(incidentId);
  tx.markDirty(newId);
  yield* tx.flush();
  const events = splitEvents(yield* tx.incident(incidentId), yield* tx.incident(newId), alerts.map((a) => a.alert), ctx.serviceLabels, by);
  for (const e of events) yield* tx.insertEvent(e);
  return { incident: yield* tx.incident(incidentId), newIncident: yield* tx.incident(newId) };
}

export function* moveAlert(alertId: string, targetId: string, ctx: LedgerContext, by: CorrectionActor): LedgerStep<MoveResult> {
  const tx = new LedgerTx(ctx);
  const stored = yield* port.getAlert(alertId);
  if (!stored) throw new NotFoundError(`no alert "${alertId}"`);
  const { alert } = stored;
  assertNotMerged(yield* tx.incident(targetId), 'body.incidentId');
  assertNotAlreadyIn(alert, targetId);
  const from = yield* tx.incident(alert.incidentId);
  yield* tx.reassign(alert, targetId, humanDecision('move', from, by), withHumanPlacementKey(stored.keys, alert));
  yield* port.setHumanPlaced([targetId, from.id]);
  tx.markDirty(targetId);
  const emptied = (yield* port.countAlerts(from.id)) + (yield* port.countPages(from.id)) === 0;
  if (emptied) yield* tx.absorb(targetId, from.id, (a) => ({ decision: a.alert.decision, keys: a.keys }), true);
  else tx.markDirty(from.id);
  yield* tx.flush();
  for (const e of moveEvents(alert, from, yield* tx.incident(targetId), ctx.serviceLabels, by, emptied)) yield* tx.insertEvent(e);
  const moved = yield* port.getAlert(alertId);
  return { alert: moved!.alert, from: yield* tx.incident(from.id), to: yield* tx.incident(targetId) };
}

/**
 * Marks firing alerts resolved because their source no longer lists them (see
 * `Store.resolveAlerts`): through the same path as a resolving notification, then the
 * notification bookkeeping is put back, since this was no notification.
 */
export function* resolveAlerts(ids: readonly string[], endsAt: string, reason: string, ctx: LedgerContext): LedgerStep<Alert[]> {
  const tx = new LedgerTx(ctx);
  const resolved: Alert[] = [];
  for (const id of new Set(ids)) {
    const stored = yield* port.getAlert(id);
    if (!stored || stored.alert.status !== 'firing') continue;
    const { alert } = stored;
    const end = endsAt < alert.startsAt ? alert.startsAt : endsAt;
    const next = yield* tx.updateAlert(alert, { ...alert, status: 'resolved', endsAt: end });
    yield* port.setAlertBookkeeping(id, alert.notificationCount, alert.lastSeenAt);
    yield* tx.insertEvent({
      incidentId: alert.incidentId, at: end, kind: 'alert.reconciled', actor: 'debrief',
      text: `${alert.labels.alertname ?? 'Alert'} marked resolved: ${reason}`,
      data: { alertId: id, fingerprint: alert.fingerprint, endsAt: end, reason },
    });
    resolved.push({ ...next, notificationCount: alert.notificationCount, lastSeenAt: alert.lastSeenAt });
  }
  yield* tx.finish();
  return resolved;
}

function* reread(alerts: readonly Alert[]): LedgerStep<Alert[]> {
  const out: Alert[] = [];
  for (const a of alerts) out.push((yield* port.getAlert(a.id))!.alert);
  return out;
}

// ------------------------------------------------------- one transaction's state

/** What one transaction has touched and still has to recompute. */
class LedgerTx {
  /** Incidents to recompute before the next decision. */
  private readonly dirty = new Set<string>();
  /** Incidents whose alerts, pages or status changed; recomputed in full by `finish`. */
  private readonly changed = new Set<string>();
  readonly touched = new Set<string>();
  /** Stored paging events claimed as the twin of an event placed in this transaction (`findPagingTwin`). */
  private readonly twinned = new Set<string>();
  /** True once an incident was merged away in this transaction (alerts may have moved). */
  merged = false;

  constructor(private readonly ctx: LedgerContext) {}

  markDirty(incidentId: string): void {
    this.dirty.add(incidentId);
  }

  private markChanged(incidentId: string): void {
    this.dirty.add(incidentId);
    this.changed.add(incidentId);
  }

  *incident(id: string): LedgerStep<Incident> {
    const record = yield* port.getIncident(id);
    if (!record) throw new NotFoundError(`no incident "${id}"`);
    return record.incident;
  }

  /** A re-sent notification of a known firing. The alert stays in its incident whoever placed it there. */
  *updateAlert(alert: Alert, obs: AlertObservation): LedgerStep<Alert> {
    const next = alertAfterResend(alert, obs, this.ctx.now);
    yield* port.updateAlertResend(next);
    this.touched.add(alert.incidentId);
    if (next.status !== alert.status || next.endsAt !== alert.endsAt) this.markChanged(alert.incidentId);
    return next;
  }

  /** Places a firing seen for the first time, as the correlator decides. */
  *placeAlert(obs: AlertObservation, correlator: Correlator): LedgerStep<Alert> {
    const keys = correlator.keysFor(obs);
    yield* port.lockKeys([...keys.lookup, ...keys.probe, ...keys.hold]);
    yield* this.flush();
    const candidates = yield* port.findCandidates(keys.lookup, keys.probe, obs.startsAt, correlator.lookbackMs);
    const placement = correlator.decide(obs, candidates, this.ctx.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : yield* this.createIncident(obs.startsAt, 'rule', false);
    const alert = newAlert(obs, this.ctx.newId(), incidentId, placement.decision, this.ctx.now);
    yield* port.insertAlert(alert, keys.hold);
    yield* this.applyNewAlert(alert, keys.hold);
    for (const e of alertPlacementEvents(alert, placement)) yield* this.insertEvent(e);
    if (placement.action === 'join') {
      for (const a of placement.absorb) yield* this.absorbLate(incidentId, a.incidentId, a.explanation, alert.startsAt);
    }
    return alert;
  }

  /** Incremental update for a new alert, so the next decision in the batch sees it at once. */
  private *applyNewAlert(a: Alert, keys: readonly string[]): LedgerStep<void> {
    this.touched.add(a.incidentId);
    this.changed.add(a.incidentId);
    const firing = a.status === 'firing';
    const span = alertActivity(a, this.ctx.firingHorizonMs);
    if (keys.length > 0) {
      yield* port.lockKeys(keys);
      yield* port.addKeyHolder(a.incidentId, keys, { firstAt: a.startsAt, lastAt: span.last, firing: firing ? 1 : 0, activeUntil: span.until });
    }
    if (firing) yield* port.noteFiringAlertJoined(a.incidentId, a.startsAt, this.ctx.now);
    else this.markChanged(a.incidentId);
  }

  /**
   * Places one paging event; `duplicate` when (instance, eventId) is already stored, `twin` when
   * another channel's report of the same change is (`findPagingTwin`): nothing is written then,
   * except the webhook's more precise time on the stored copy (`twinTimeToKeep`).
   */
  *placePaging(event: PagingEvent, correlator: Correlator): LedgerStep<PlacedPaging | 'duplicate' | 'twin'> {
    if (yield* port.hasPagingEvent(event.instance, event.eventId)) return 'duplicate';
    const keys = correlator.pagingKeysFor(event);
    const lookup = [keys.page, ...keys.dedup, ...keys.service];
    // The page key is locked before the twin lookup, so a webhook and its REST twin placed at the
    // same time serialise and the second sees the first.
    yield* port.lockKeys([...lookup, ...keys.hold]);
    if (event.identity) {
      const sameKind = yield* port.pagingEventsOfKind(event.instance, event.page.id, event.kind);
      const twin = findPagingTwin(event, sameKind, this.twinned);
      if (twin) {
        this.twinned.add(twin.eventId);
        const time = twinTimeToKeep(event, twin);
        if (time !== null) {
          const stored = sameKind.find((p) => p.eventId === twin.eventId)!;
          yield* port.setPagingEventTime(event.instance, twin.eventId, time);
          yield* port.setEventTime(stored.incidentEventId, time);
          this.touched.add(stored.incidentId);
          this.markChanged(stored.incidentId);
        }
        return 'twin';
      }
    }
    yield* this.flush();
    const candidates = yield* port.findCandidates(lookup, [], event.occurredAt, correlator.lookbackMs);
    const placement = correlator.decidePaging(event, candidates, this.ctx.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : yield* this.createIncident(event.occurredAt, 'paging', false);
    const incidentEventId = yield* this.insertEvent(pagingTimelineEvent(event, incidentId, placement));
    yield* port.insertPagingEvent({
      instance: event.instance, eventId: event.eventId, incidentId, kind: event.kind, occurredAt: event.occurredAt, page: event.page,
      service: pageServiceOf(keys.hold), keys: keys.hold, incidentEventId,
      channel: event.identity?.channel ?? null, objectId: event.identity?.objectId ?? null, actor: event.actor,
    });
    const decided = pagingDecisionEvent(event, incidentId, placement);
    if (decided) yield* this.insertEvent(decided);
    this.touched.add(incidentId);
    this.markChanged(incidentId);
    return { instance: event.instance, eventId: event.eventId, incidentId, incidentEventId, rule: placement.rule, explanation: placement.explanation };
  }

  /** Moves one alert, with its audit entries, to another incident under a new decision. */
  *reassign(alert: Alert, incidentId: string, decision: CorrelationDecision, keys: string[]): LedgerStep<void> {
    yield* port.lockKeys(keys);
    yield* port.setAlertPlacements([{ id: alert.id, incidentId, decision, keys }]);
    yield* port.moveDecisionEvents(alert.id, alert.incidentId, incidentId);
    this.touched.add(incidentId);
    this.touched.add(alert.incidentId);
  }

  /** A late alert linked an incident that opened after it started: merge it, as in-order processing would have. */
  private *absorbLate(targetId: string, sourceId: string, explanation: string, at: string): LedgerStep<void> {
    const source = yield* this.incident(sourceId);
    yield* this.absorb(targetId, sourceId, (a) => ({ decision: lateMergeDecision(a.alert.decision, source, explanation, this.ctx.now), keys: a.keys }), false);
    for (const e of lateMergeEvents(yield* this.incident(targetId), sourceId, explanation, at)) yield* this.insertEvent(e);
  }

  /**
   * Moves everything of `sourceId` (alerts, pages, events, fences) into `targetId` and marks the
   * source `merged`. `rewrite` gives each moved alert its new decision and keys.
   */
  *absorb(targetId: string, sourceId: string, rewrite: (a: StoredAlert) => { decision: CorrelationDecision; keys: string[] }, human: boolean): LedgerStep<void> {
    yield* port.lockKeys(yield* port.keysOf(sourceId));
    const alerts = yield* port.alertsOf(sourceId);
    const placements = alerts.map((a) => ({ id: a.alert.id, incidentId: targetId, ...rewrite(a) }));
    yield* port.lockKeys(placements.flatMap((p) => p.keys));
    if (placements.length > 0) yield* port.setAlertPlacements(placements);
    const source = yield* port.getIncident(sourceId);
    yield* port.mergeIncidentInto(sourceId, targetId, this.ctx.now);
    if (human || source?.humanPlaced) yield* port.setHumanPlaced([targetId]);
    this.dirty.delete(sourceId);
    this.changed.delete(sourceId);
    this.markChanged(targetId);
    this.touched.add(targetId);
    this.touched.add(sourceId);
    this.merged = true;
  }

  *createIncident(at: string, origin: IncidentOrigin, humanPlaced: boolean): LedgerStep<string> {
    const id = this.ctx.newId();
    yield* port.insertIncident({ id, at, origin, humanPlaced, now: this.ctx.now });
    this.touched.add(id);
    return id;
  }

  *insertEvent(e: NewIncidentEvent): LedgerStep<string> {
    const id = this.ctx.newId();
    yield* port.insertEvent({ id, ...e });
    return id;
  }

  /** Recomputes every dirty incident. */
  *flush(): LedgerStep<void> {
    for (const id of [...this.dirty].sort()) yield* this.refresh(id);
    this.dirty.clear();
  }

  /**
   * Recomputes, in full, every incident that changed (end of a batch): incremental updates keep
   * spans and keys current for decisions; titles, severity and services follow here. Pure
   * re-sends change nothing an incident summarises, so they cost no recomputation.
   */
  *finish(): LedgerStep<void> {
    for (const id of this.changed) this.dirty.add(id);
    yield* this.flush();
  }

  /**
   * Recomputes an incident's summary and correlation keys from its alerts (pure
   * `summarizeIncident`) or, with no alerts yet, from its pages. Locks the keys it had and has.
   */
  private *refresh(incidentId: string): LedgerStep<void> {
    const record = yield* port.getIncident(incidentId);
    if (!record || record.incident.status === 'merged') return;
    const alerts = yield* port.alertsOf(incidentId);
    const pages = yield* port.pagesOf(incidentId);
    if (alerts.length === 0 && pages.length === 0) return;
    const summary = alerts.length > 0 ? summarizeIncident(alerts.map((a) => a.alert), this.ctx.serviceLabels) : summarizePages(pages);
    yield* port.writeSummary(incidentId, summary, this.ctx.now);
    const activity = incidentKeyActivity(alerts, pages, this.ctx.firingHorizonMs);
    yield* port.lockKeys([...(yield* port.keysOf(incidentId)), ...activity.map((a) => a.key)]);
    yield* port.replaceKeyActivity(incidentId, activity);
  }
}
