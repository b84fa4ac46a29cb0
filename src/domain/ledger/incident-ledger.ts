import type { ServiceLabels } from '../service-naming';
import { alertAfterResend, isPlainResend, newAlert, type Alert, type AlertObservation, type CorrelationDecision } from '../alert';
import { labelsSettingApart } from '../alert-differences';
import { isFiringSpanKey, isOutagePageKey, isOutageServiceKey, pageServiceOf } from '../correlation/correlation-keys';
import {
  assertAlertInIncident, assertNotAlreadyIn, assertNotMerged, assertSplitLeavesSomething, humanDecision, lateMergeDecision, lateMergeEvents,
  keysHeldAfter, mergeEvents, mergeSourceIds, moveEvents, placedAloneKeys, splitEvents, withHumanPlacementKey, type CorrectionActor,
} from '../correlation/corrections';
import { LINK_RULES, type Correlator, type IncidentCandidate, type IncidentOrigin } from '../correlation/correlator';
import { holderActivity, incidentKeyActivity, pageKeyActivity, spanAfterResend, withSpanHolder } from '../correlation/key-activity';
import { outageHold } from '../correlation/ongoing-outage';
import { pageStates, summarizePages } from '../correlation/page-summary';
import { alertPlacementEvents, inPlacementOrder, pagingDecisionEvent, pagingInPlacementOrder, pagingTimelineEvent } from '../correlation/placement';
import { assertDeclarationSpan, changedDeclaration, declarationChangedEvent, declarationEvent, declaredLabels, declaredTally, type DeclarationChange } from '../declared-incident';
import type { Incident, IncidentDeclaration, NewIncidentEvent } from '../incident';
import {
  facetAfterResend, facetKey, facetOf, facetsOf, facetWithAlert, firstAlertIdOf, namesAndServices, tallyAfterResend, tallyOf, tallyWithAlert, titleFor, type AlertFacet,
} from '../incident-facets';
import type { PagingEvent } from '../paging-event';
import { findPagingTwin, twinTimeToKeep } from '../paging-twins';
import { NotFoundError } from '../../errors';
import { identityKey, port, type AlertProbe, type IncidentRecord, type LedgerStep, type StoredAlert } from './ledger-port';
import type { MergeResult, MoveResult, PagingRecordResult, PlacedPaging, RecordResult, SplitResult } from './ledger-results';

/**
 * The incident ledger: every write sequence over alerts, pages and incidents — placing alerts
 * and paging events as the correlator decides, keeping each incident's correlation keys and
 * summary current, the SRE corrections and reconciliation — written once, for every store.
 * Each function is a generator of port operations (`ledger-port.ts`); a store runs it inside one
 * of its transactions with `runSync` or `runAsync`, so the whole sequence is atomic.
 *
 * Within one transaction every decision sees the exact state: what earlier steps changed is
 * brought up to date before the next decision (`LedgerTx.flush`).
 */
export interface LedgerContext {
  serviceLabels: ServiceLabels;
  /** Processing time (decision time, last seen); never used as event time. */
  now: string;
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
    if (existing) updated.push(yield* tx.updateAlert(existing, obs));
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

/**
 * The same writes as `recordObservations`, for callers that need no alerts back (inbox runs),
 * with the reads and writes of unchanged re-sends taken together. Every stored firing the
 * notification names is probed in one read; a re-send that changes nothing but the bookkeeping
 * (`isPlainResend`, most of a storm) is decided from its probe, and all of them are counted in
 * one write before anything else. That order gives the same result as one at a time: a plain
 * re-send changes only its alert's notification count and last-seen time and its facet's
 * last-seen time, which no decision reads, and a full recompute later in the transaction reads
 * them back from the alerts. The rest go one at a time, in placement order: new firings are
 * placed, changed ones read in full and updated. An identity named twice in one notification is
 * probed again when it comes round a second time, so it sees what the first one wrote.
 */
export function* recordNotifications(observations: readonly AlertObservation[], ctx: PlacementContext): LedgerStep<void> {
  const tx = new LedgerTx(ctx);
  const ordered = inPlacementOrder(observations);
  const probes = yield* port.probeAlerts(ordered);
  const seen = new Set<string>();
  const plain: { probe: AlertProbe; obs: AlertObservation }[] = [];
  const rest: { probe: AlertProbe | null | 'again'; obs: AlertObservation }[] = [];
  ordered.forEach((obs, i) => {
    const key = identityKey(obs);
    const probe = seen.has(key) ? 'again' : probes[i]!;
    seen.add(key);
    if (probe !== 'again' && probe !== null && isPlainResend(probe, obs)) plain.push({ probe, obs });
    else rest.push({ probe, obs });
  });
  yield* tx.countResends(plain);
  for (const { obs, probe: probed } of rest) {
    const probe = probed === 'again' ? (yield* port.probeAlerts([obs]))[0]! : probed;
    if (!probe) yield* tx.placeAlert(obs, ctx.correlator);
    else if (isPlainResend(probe, obs)) yield* tx.countResends([{ probe, obs }]);
    else yield* tx.updateAlert((yield* port.findAlert(obs))!, obs);
  }
  yield* tx.finish();
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
  const splitIds = new Set(alerts.map((a) => a.alert.id));
  const left = (yield* port.alertsOf(incidentId)).filter((a) => !splitIds.has(a.alert.id)).map((a) => a.alert);
  const decision = humanDecision('split', from, by, labelsSettingApart(alerts.map((a) => a.alert), left));
  for (const { alert, keys } of alerts) yield* tx.reassign(alert, newId, decision, withHumanPlacementKey(keys, alert));
  yield* port.addFence(incidentId, newId, by.now, by.actor);
  yield* port.addFence(newId, incidentId, by.now, by.actor);
  yield* port.setHumanPlaced([incidentId]);
  tx.markRebuild(incidentId);
  tx.markRebuild(newId);
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
  // The move places this one alert: it takes only its placement key along (`placedAloneKeys`).
  yield* tx.reassign(alert, targetId, humanDecision('move', from, by), placedAloneKeys(alert));
  yield* port.setHumanPlaced([targetId, from.id]);
  tx.markRebuild(targetId);
  // A declared incident stands without alerts: moving its last one out leaves it as declared.
  const emptied = !from.declaration && (yield* port.countAlerts(from.id)) + (yield* port.countPages(from.id)) === 0;
  if (emptied) yield* tx.absorb(targetId, from.id, (a) => ({ decision: a.alert.decision, keys: a.keys }), true);
  else tx.markRebuild(from.id);
  yield* tx.flush();
  for (const e of moveEvents(alert, from, yield* tx.incident(targetId), ctx.serviceLabels, by, emptied)) yield* tx.insertEvent(e);
  const moved = yield* port.getAlert(alertId);
  return { alert: moved!.alert, from: yield* tx.incident(from.id), to: yield* tx.incident(targetId) };
}

/**
 * Opens an incident a person declared by hand (no alert reported it): its summary comes from the
 * declaration, its timeline and audit trail get an `incident.declared` entry, and alerts can be
 * moved into it later like into any incident.
 */
export function* declareIncident(declaration: IncidentDeclaration, ctx: LedgerContext): LedgerStep<Incident> {
  assertDeclarationSpan(declaration);
  const tx = new LedgerTx(ctx);
  const id = yield* tx.createIncident(declaration.startedAt, 'human', true, declaration);
  yield* port.writeTally(id, declaredTally(declaration, null), ctx.now);
  yield* port.writeLabels(id, declaredLabels(declaration, { services: [] }), ctx.now);
  yield* tx.insertEvent(declarationEvent(id, declaration));
  return yield* tx.incident(id);
}

/** Changes the declaration of a declared incident (an end given later, a corrected start) and recomputes its summary. */
export function* changeDeclaration(incidentId: string, change: DeclarationChange, ctx: LedgerContext, by: CorrectionActor): LedgerStep<Incident> {
  const tx = new LedgerTx(ctx);
  const incident = assertNotMerged(yield* tx.incident(incidentId), 'params.id');
  const before = incident.declaration;
  if (!before) throw new NotFoundError(`incident "${incidentId}" was not declared by hand`);
  const after = changedDeclaration(before, change);
  yield* port.writeDeclaration(incidentId, after, ctx.now);
  tx.markRebuild(incidentId);
  yield* tx.flush();
  yield* tx.insertEvent(declarationChangedEvent(incidentId, before, after, by.actor, by.now));
  return yield* tx.incident(incidentId);
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
    const next = yield* tx.updateAlert(stored, { ...alert, status: 'resolved', endsAt: end });
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

/**
 * Recomputes incidents in full from their alerts and pages: what a store runs once when it finds
 * state written by an older version (`DERIVED_STATE_VERSION`).
 */
export function* rebuildIncidents(incidentIds: readonly string[], ctx: LedgerContext): LedgerStep<void> {
  const tx = new LedgerTx(ctx);
  for (const id of incidentIds) tx.markRebuild(id);
  yield* tx.finish();
}

/** An alert's keys whose activity spans its firing (`isFiringSpanKey`), and the others (onsets). */
function splitKeys(keys: readonly string[]): [string[], string[]] {
  const span: string[] = [];
  const onset: string[] = [];
  for (const k of keys) (isFiringSpanKey(k) ? span : onset).push(k);
  return [span, onset];
}

function* reread(alerts: readonly Alert[]): LedgerStep<Alert[]> {
  const out: Alert[] = [];
  for (const a of alerts) out.push((yield* port.getAlert(a.id))!.alert);
  return out;
}

// ------------------------------------------------------- one transaction's state

/**
 * What one transaction has touched and still has to write. Summaries are kept incrementally: a
 * placed alert or a changed status updates its incident's tally at once (decisions read it) and
 * its facet in memory (written at the end); names and services are re-read from the facets only
 * when a new facet appeared or a facet's first alert changed. Corrections, and the rare re-send
 * that moves an end earlier, recompute their incidents in full (`rebuild`).
 */
class LedgerTx {
  /** Incidents to recompute in full from their alerts and pages before the next decision. */
  private readonly rebuild = new Set<string>();
  /** Incidents whose pages changed: their page keys (and a page-only summary) are recomputed before the next decision. */
  private readonly pagesStale = new Set<string>();
  /** Facets read or changed in this transaction, per incident; `dirty` ones are written by `finish`. */
  private readonly facets = new Map<string, Map<string, { facet: AlertFacet; dirty: boolean }>>();
  /** Incidents whose every stored facet is in `facets` (`allFacets`). */
  private readonly facetsComplete = new Set<string>();
  /** Incidents whose names or services (title) may have changed. */
  private readonly labelsStale = new Set<string>();
  readonly touched = new Set<string>();
  /** Stored paging events claimed as the twin of an event placed in this transaction (`findPagingTwin`). */
  private readonly twinned = new Set<string>();
  /** True once an incident was merged away in this transaction (alerts may have moved). */
  merged = false;

  constructor(private readonly ctx: LedgerContext) {}

  /** Recompute the incident in full (corrections). */
  markRebuild(incidentId: string): void {
    this.rebuild.add(incidentId);
  }

  *incident(id: string): LedgerStep<Incident> {
    return (yield* this.record(id)).incident;
  }

  private *record(id: string): LedgerStep<IncidentRecord> {
    const record = yield* port.getIncident(id);
    if (!record) throw new NotFoundError(`no incident "${id}"`);
    return record;
  }

  /**
   * A re-sent notification of a known firing. The alert stays in its incident whoever placed it
   * there; a resolution takes it off its keys' firing counts and updates facet and tally.
   */
  *updateAlert(stored: StoredAlert, obs: AlertObservation): LedgerStep<Alert> {
    const { alert } = stored;
    const next = alertAfterResend(alert, obs, this.ctx.now);
    yield* port.updateAlertResend(next);
    this.touched.add(alert.incidentId);
    const [spanKeys, onsetKeys] = splitKeys(stored.keys);
    if (alert.status === 'firing' && next.status !== 'firing' && onsetKeys.length > 0) {
      yield* port.lockKeys(onsetKeys);
      yield* port.addKeyFiring(alert.incidentId, onsetKeys, -1);
    }
    if (spanKeys.length > 0 && next.status !== 'firing' && (alert.status === 'firing' || next.endsAt !== alert.endsAt)) {
      yield* port.lockKeys(spanKeys);
      const prior = yield* port.keyActivityOf(alert.incidentId, spanKeys);
      yield* port.putKeyActivity(alert.incidentId, prior.map((a) => spanAfterResend(a, alert, next)));
    }
    if (this.rebuild.has(alert.incidentId)) return next;
    const cached = yield* this.facet(alert.incidentId, alert);
    const facet = cached ? facetAfterResend(cached, alert, next) : null;
    if (!facet) {
      this.rebuild.add(alert.incidentId);
      return next;
    }
    this.putFacet(alert.incidentId, facet);
    if (next.status !== alert.status || next.endsAt !== alert.endsAt) {
      const record = yield* this.record(alert.incidentId);
      const tally = record.tally ? tallyAfterResend(record.tally, alert, next) : null;
      if (tally) yield* port.writeTally(alert.incidentId, tally, this.ctx.now);
      else this.rebuild.add(alert.incidentId);
    }
    return next;
  }

  /**
   * Re-sends that change nothing but the bookkeeping (`isPlainResend`): one more notification
   * each, and their facets seen now. Status, end and the keys' activity stay as they are, as
   * `updateAlert` would leave them.
   */
  *countResends(resends: readonly { probe: AlertProbe; obs: AlertObservation }[]): LedgerStep<void> {
    if (resends.length === 0) return;
    yield* port.countResends(resends.map((r) => r.probe.id), this.ctx.now);
    for (const { probe, obs } of resends) {
      this.touched.add(probe.incidentId);
      if (this.rebuild.has(probe.incidentId)) continue;
      const cached = yield* this.facet(probe.incidentId, obs);
      if (!cached) this.rebuild.add(probe.incidentId);
      else if (cached.lastSeenAt < this.ctx.now) this.putFacet(probe.incidentId, { ...cached, lastSeenAt: this.ctx.now });
    }
  }

  /** Places a firing seen for the first time, as the correlator decides. */
  *placeAlert(obs: AlertObservation, correlator: Correlator): LedgerStep<Alert> {
    const keys = correlator.keysFor(obs);
    yield* port.lockKeys([...keys.lookup, ...keys.probe, ...keys.hold]);
    yield* this.flush();
    const candidates = yield* this.withOutageContext(yield* port.findCandidates(keys.lookup, keys.probe, obs.startsAt, correlator.lookbackMs));
    const placement = correlator.decide(obs, candidates, this.ctx.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : yield* this.createIncident(obs.startsAt, 'rule', false);
    const alert = newAlert(obs, this.ctx.newId(), incidentId, placement.decision, this.ctx.now);
    // A firing that followed a person's move holds only its `hfp:` key; otherwise every key, with
    // the ongoing-outage ones only for the incident's core.
    const hold = keysHeldAfter(placement, outageHold(keys.hold, placement.decision), obs);
    yield* port.insertAlert(alert, hold);
    yield* this.applyNewAlert(alert, hold);
    for (const e of alertPlacementEvents(alert, placement)) yield* this.insertEvent(e);
    if (placement.action === 'join') {
      for (const a of placement.absorb) yield* this.absorbLate(incidentId, a.incidentId, a.explanation, alert.startsAt, a.rule === LINK_RULES.pageGroupMerge ? a.rule : undefined);
    }
    return alert;
  }

  /**
   * Candidates an ongoing-outage link may join carry what it reads: their pages, so the decision
   * can name the page, and their facets, to count the different critical alerts (a few rows
   * each, read only for such candidates, once per transaction, as this transaction has them).
   */
  private *withOutageContext(candidates: IncidentCandidate[]): LedgerStep<IncidentCandidate[]> {
    const out: IncidentCandidate[] = [];
    for (const c of candidates) {
      let next = c;
      if (c.keys.some((k) => isOutagePageKey(k.key))) next = { ...next, pages: pageStates(yield* port.pagesOf(c.incident.id)) };
      if (c.keys.some((k) => isFiringSpanKey(k.key))) next = { ...next, facets: yield* this.allFacets(c.incident.id) };
      out.push(next);
    }
    return out;
  }

  /** Incremental update for a new alert, so the next decision in the batch sees it at once. */
  private *applyNewAlert(a: Alert, keys: readonly string[]): LedgerStep<void> {
    this.touched.add(a.incidentId);
    if (keys.length > 0) yield* port.lockKeys(keys);
    const [spanKeys, onsetKeys] = splitKeys(keys);
    if (onsetKeys.length > 0) yield* port.addKeyHolder(a.incidentId, onsetKeys, holderActivity(a));
    if (spanKeys.length > 0) {
      const prior = new Map((yield* port.keyActivityOf(a.incidentId, spanKeys)).map((k) => [k.key, k]));
      yield* port.putKeyActivity(a.incidentId, spanKeys.map((k) => withSpanHolder(prior.get(k) ?? null, k, a)));
    }
    if (this.rebuild.has(a.incidentId)) return;
    const before = yield* this.facet(a.incidentId, a);
    const facet = facetWithAlert(before, a, this.ctx.serviceLabels);
    this.putFacet(a.incidentId, facet);
    if (!before || before.firstAt !== facet.firstAt || before.firstAlertId !== facet.firstAlertId) this.labelsStale.add(a.incidentId);
    // A service (or cluster) new to the incident: its pages, if any, now speak for it too.
    if (keys.some(isOutageServiceKey) && (!before || before.clusters !== facet.clusters || !a.labels.cluster?.trim())) this.pagesStale.add(a.incidentId);
    const record = yield* this.record(a.incidentId);
    const declaration = record.incident.declaration;
    const tally = record.tally ?? (declaration ? declaredTally(declaration, null) : null);
    yield* port.writeTally(a.incidentId, tallyWithAlert(tally, a), this.ctx.now);
  }

  /** The facet `alert` belongs to in `incidentId`, from this transaction's cache or the store. */
  private *facet(incidentId: string, alert: Pick<Alert, 'labels'>): LedgerStep<AlertFacet | null> {
    const { alertname, service } = facetOf(alert, this.ctx.serviceLabels);
    const key = facetKey(alertname, service);
    const cached = this.facets.get(incidentId)?.get(key);
    if (cached) return cached.facet;
    const stored = yield* port.getFacet(incidentId, alertname, service);
    if (stored) this.cacheFacets(incidentId).set(key, { facet: stored, dirty: false });
    return stored;
  }

  /**
   * Every facet of an incident as this transaction has it: the stored ones, read once, overlaid
   * with those changed here and not yet written (`finish`), so a decision sees a resolution or a
   * new alert earlier in the same notification.
   */
  private *allFacets(incidentId: string): LedgerStep<AlertFacet[]> {
    const cache = this.cacheFacets(incidentId);
    if (!this.facetsComplete.has(incidentId)) {
      for (const f of yield* port.facetsOf(incidentId)) {
        const key = facetKey(f.alertname, f.service);
        if (!cache.has(key)) cache.set(key, { facet: f, dirty: false });
      }
      this.facetsComplete.add(incidentId);
    }
    return [...cache.values()].map((c) => c.facet);
  }

  private putFacet(incidentId: string, facet: AlertFacet): void {
    this.cacheFacets(incidentId).set(facetKey(facet.alertname, facet.service), { facet, dirty: true });
  }

  private cacheFacets(incidentId: string): Map<string, { facet: AlertFacet; dirty: boolean }> {
    return this.facets.get(incidentId) ?? this.facets.set(incidentId, new Map()).get(incidentId)!;
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
          this.pagesStale.add(stored.incidentId);
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
    for (const a of placement.absorb) yield* this.absorbLate(incidentId, a.incidentId, a.explanation, event.occurredAt, a.rule);
    this.touched.add(incidentId);
    this.pagesStale.add(incidentId);
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

  /**
   * Debrief merges an incident into another: a late alert linked an incident that opened after it
   * started (as in-order processing would have), or a page covers both parts of its group.
   */
  private *absorbLate(targetId: string, sourceId: string, explanation: string, at: string, rule?: string): LedgerStep<void> {
    const source = yield* this.incident(sourceId);
    yield* this.absorb(targetId, sourceId, (a) => ({ decision: lateMergeDecision(a.alert.decision, source, explanation, this.ctx.now, rule), keys: a.keys }), false);
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
    this.forget(sourceId);
    this.rebuild.add(targetId);
    this.touched.add(targetId);
    this.touched.add(sourceId);
    this.merged = true;
  }

  /** Drops what this transaction still meant to write for an incident that was merged away. */
  private forget(incidentId: string): void {
    this.rebuild.delete(incidentId);
    this.pagesStale.delete(incidentId);
    this.labelsStale.delete(incidentId);
    this.dropFacets(incidentId);
  }

  private dropFacets(incidentId: string): void {
    this.facets.delete(incidentId);
    this.facetsComplete.delete(incidentId);
  }

  *createIncident(at: string, origin: IncidentOrigin, humanPlaced: boolean, declaration: IncidentDeclaration | null = null): LedgerStep<string> {
    const id = this.ctx.newId();
    yield* port.insertIncident({ id, at, origin, humanPlaced, now: this.ctx.now, declaration });
    this.touched.add(id);
    return id;
  }

  *insertEvent(e: NewIncidentEvent): LedgerStep<string> {
    const id = this.ctx.newId();
    yield* port.insertEvent({ id, ...e });
    return id;
  }

  /** Brings every incident a decision may read up to date: full rebuilds, then key activity. */
  *flush(): LedgerStep<void> {
    for (const id of [...this.rebuild].sort()) {
      this.dropFacets(id);
      this.labelsStale.delete(id);
      this.pagesStale.delete(id);
      yield* this.rebuildIncident(id);
    }
    this.rebuild.clear();
    for (const id of [...this.pagesStale].sort()) yield* this.refreshPages(id);
    this.pagesStale.clear();
  }

  /** End of the transaction: pending recomputes, then the changed facets and the titles they change. */
  *finish(): LedgerStep<void> {
    yield* this.flush();
    for (const [incidentId, cached] of [...this.facets].sort(([a], [b]) => a.localeCompare(b))) {
      const dirty = [...cached.values()].filter((c) => c.dirty).map((c) => c.facet);
      if (dirty.length > 0) yield* port.putFacets(incidentId, dirty);
    }
    for (const id of [...this.labelsStale].sort()) {
      const facets = yield* port.facetsOf(id);
      const { names, services } = namesAndServices(facets);
      const declaration = (yield* port.getIncident(id))?.incident.declaration;
      if (declaration) {
        yield* port.writeLabels(id, declaredLabels(declaration, { services }), this.ctx.now);
      } else {
        const firstId = firstAlertIdOf(facets);
        const apart = firstId === null ? undefined : (yield* port.getAlert(firstId))?.alert.decision.apart;
        yield* port.writeLabels(id, { title: titleFor(names, services, apart), services }, this.ctx.now);
      }
    }
  }

  /**
   * Recomputes an incident in full from its alerts (facets, tally, title, services) or, with no
   * alerts yet, from its pages, and its key activity. Corrections and rare re-sends only.
   */
  private *rebuildIncident(incidentId: string): LedgerStep<void> {
    const record = yield* port.getIncident(incidentId);
    if (!record || record.incident.status === 'merged') return;
    const stored = yield* port.alertsOf(incidentId);
    const pages = yield* port.pagesOf(incidentId);
    const declaration = record.incident.declaration;
    if (stored.length === 0 && pages.length === 0 && !declaration) return;
    const alerts = stored.map((a) => a.alert);
    const facets = facetsOf(alerts, this.ctx.serviceLabels);
    yield* port.replaceFacets(incidentId, facets);
    const tally = tallyOf(alerts);
    if (declaration) {
      // Its pages, if any, are on its timeline; the declaration and its alerts make the summary.
      yield* port.writeTally(incidentId, declaredTally(declaration, tally), this.ctx.now);
      yield* port.writeLabels(incidentId, declaredLabels(declaration, namesAndServices(facets)), this.ctx.now);
    } else if (tally) {
      const { names, services } = namesAndServices(facets);
      const apart = alerts.find((a) => a.id === firstAlertIdOf(facets))?.decision.apart;
      yield* port.writeTally(incidentId, tally, this.ctx.now);
      yield* port.writeLabels(incidentId, { title: titleFor(names, services, apart), services }, this.ctx.now);
    } else {
      yield* port.writePageSummary(incidentId, summarizePages(pages), this.ctx.now);
    }
    const activity = incidentKeyActivity(stored, pages);
    yield* port.lockKeys([...(yield* port.keysOf(incidentId)), ...activity.map((a) => a.key)]);
    yield* port.replaceKeyActivity(incidentId, activity);
  }

  /**
   * After a page event, or an alert naming a service new to the incident: the keys its pages
   * hold (bounded: a page has few events; `outage:page:` keys follow the services its alerts
   * name) and, for an incident that has only pages, its summary from them.
   */
  private *refreshPages(incidentId: string): LedgerStep<void> {
    const pages = yield* port.pagesOf(incidentId);
    if (pages.length === 0) return;
    const record = yield* port.getIncident(incidentId);
    if (!record || record.incident.status === 'merged') return;
    if (!record.tally && !record.incident.declaration) yield* port.writePageSummary(incidentId, summarizePages(pages), this.ctx.now);
    const activity = pageKeyActivity(pages, yield* port.keysOf(incidentId));
    yield* port.lockKeys(activity.map((a) => a.key));
    yield* port.putKeyActivity(incidentId, activity);
  }
}
