import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Alert, AlertObservation, CorrelationDecision } from '../../domain/alert';
import { humanPlacementKey } from '../../domain/correlation/correlation-keys';
import {
  CORRECTION_EVENT_KINDS, DECISION_EVENT_KIND, REOPENED_EVENT_KIND, humanDecision, lateMergeDecision, mergeTexts, moveTexts, splitTexts,
  type CorrectionActor,
} from '../../domain/correlation/corrections';
import type { Correlator, IncidentCandidate, IncidentOrigin, KeyActivity } from '../../domain/correlation/correlator';
import { summarizePages } from '../../domain/correlation/page-summary';
import type { Incident } from '../../domain/incident';
import { summarizeIncident } from '../../domain/incident-summary';
import type { PagingEvent } from '../../domain/paging-event';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { MergeResult, MoveResult, PlacedPaging, SplitResult } from '../store';
import { ACTIVE_SENTINEL, json, originOf, toAlert, toIncident, toPlacedPaging, type Row } from './sqlite-rows';

type Stmt = (sql: string) => Database.Statement;

interface NewEvent {
  incidentId: string;
  at: string;
  kind: string;
  actor: string | null;
  text: string;
  data: Record<string, unknown>;
}

/**
 * The alert/incident writes of one SQLite transaction: placing alerts and paging events,
 * keeping each incident's correlation keys and summary current, and the SRE corrections.
 * Created inside `BEGIN IMMEDIATE`, so its read-decide-write sequences are never interleaved
 * with another process's. Every lookup is by key or id through an index.
 *
 * Incidents whose alerts changed status are "dirty" and recomputed before the next decision
 * (and at the end), so a decision always sees the exact state, while a burst of resolutions
 * in one notification costs one recomputation.
 */
export class IncidentTx {
  private readonly dirty = new Set<string>();
  /** Incidents whose alerts, pages or status changed; recomputed in full by `finish`. */
  private readonly changed = new Set<string>();
  readonly touched = new Set<string>();
  /** True once an incident was merged away in this transaction (alerts may have moved). */
  merged = false;

  constructor(
    private readonly q: Stmt,
    private readonly serviceLabels: readonly string[],
    private readonly now: string,
    /** How long a still-firing alert keeps its keys active after its start (`Correlator.firingHorizonMs`). */
    private readonly firingHorizonMs: number,
  ) {}

  // ---------------------------------------------------------------- alerts

  findAlert(obs: Pick<AlertObservation, 'instance' | 'fingerprint' | 'startsAt'>): Alert | null {
    const row = this.q('SELECT * FROM alerts WHERE instance = ? AND fingerprint = ? AND starts_at = ?').get(obs.instance, obs.fingerprint, obs.startsAt) as Row | undefined;
    return row ? toAlert(row) : null;
  }

  /**
   * A re-sent notification of a known firing. A resolution is final for this firing: a late
   * "firing" re-send (HA peer, retry) after the resolved one must not reopen it. The alert
   * stays in its incident whoever placed it there.
   */
  updateAlert(alert: Alert, obs: AlertObservation): Alert {
    const resolved = alert.status === 'resolved' || obs.status === 'resolved';
    const endsAt = obs.status === 'resolved' ? (obs.endsAt ?? alert.endsAt) : alert.endsAt;
    const next: Alert = {
      ...alert,
      status: resolved ? 'resolved' : 'firing',
      endsAt: resolved ? endsAt : null,
      annotations: obs.annotations,
      generatorUrl: obs.generatorUrl ?? alert.generatorUrl,
      lastSeenAt: this.now > alert.lastSeenAt ? this.now : alert.lastSeenAt,
      notificationCount: alert.notificationCount + 1,
    };
    this.q('UPDATE alerts SET status = ?, ends_at = ?, annotations = ?, generator_url = ?, last_seen_at = ?, notification_count = ? WHERE id = ?')
      .run(next.status, next.endsAt, JSON.stringify(next.annotations), next.generatorUrl, next.lastSeenAt, next.notificationCount, next.id);
    this.touched.add(alert.incidentId);
    if (next.status !== alert.status || next.endsAt !== alert.endsAt) this.markChanged(alert.incidentId);
    return next;
  }

  /** Places a firing seen for the first time, as the correlator decides. */
  placeAlert(obs: AlertObservation, correlator: Correlator): Alert {
    this.flush();
    const keys = correlator.keysFor(obs);
    const candidates = this.findCandidates(keys.lookup, keys.probe, obs.startsAt, correlator.lookbackMs);
    const placement = correlator.decide(obs, candidates, this.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : this.createIncident(obs.startsAt, 'rule', false);
    const alert: Alert = {
      ...obs,
      id: randomUUID(),
      incidentId,
      decision: placement.decision,
      firstSeenAt: this.now,
      lastSeenAt: this.now,
      notificationCount: 1,
    };
    this.insertAlert(alert, keys.hold);
    this.applyNewAlert(alert, keys.hold);
    this.insertEvent({
      incidentId, at: alert.startsAt, kind: DECISION_EVENT_KIND, actor: 'debrief', text: placement.decision.explanation,
      data: { alertId: alert.id, fingerprint: alert.fingerprint, decision: placement.decision },
    });
    if (placement.action === 'join') {
      if (placement.reopened) {
        this.insertEvent({
          incidentId, at: alert.startsAt, kind: REOPENED_EVENT_KIND, actor: null,
          text: `Reopened: ${alert.labels.alertname ?? 'an alert'} fired after the incident had resolved. ${placement.reopened.text}`,
          data: { alertId: alert.id, resolvedAt: placement.reopened.resolvedAt },
        });
      }
      for (const a of placement.absorb) this.absorbLate(incidentId, a.incidentId, a.explanation, alert.startsAt);
    }
    return alert;
  }

  private insertAlert(a: Alert, keys: string[]): void {
    this.q(`INSERT INTO alerts (id, instance, source, fingerprint, fingerprint_computed, starts_at, ends_at, status, labels, annotations,
        generator_url, source_group_key, source_group_labels, incident_id, decision, first_seen_at, last_seen_at, notification_count, corr_keys)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      a.id, a.instance, a.source, a.fingerprint, a.fingerprintComputed ? 1 : 0, a.startsAt, a.endsAt, a.status,
      JSON.stringify(a.labels), JSON.stringify(a.annotations), a.generatorUrl, a.sourceGroupKey, JSON.stringify(a.sourceGroupLabels),
      a.incidentId, JSON.stringify(a.decision), a.firstSeenAt, a.lastSeenAt, a.notificationCount, JSON.stringify(keys),
    );
  }

  /** Incremental update for a new alert, so the next decision in the batch sees it at once. */
  private applyNewAlert(a: Alert, keys: string[]): void {
    this.touched.add(a.incidentId);
    this.changed.add(a.incidentId);
    const firing = a.status === 'firing';
    const span = this.activity(a);
    this.upsertKeys(a.incidentId, keys, a.startsAt, span.last, firing ? 1 : 0, span.until);
    if (firing) {
      this.q(`UPDATE incidents SET status = 'open', ended_at = NULL, started_at = min(started_at, ?), last_activity_at = max(last_activity_at, ?),
        alert_count = alert_count + 1, updated_at = ? WHERE id = ?`).run(a.startsAt, a.startsAt, this.now, a.incidentId);
    } else {
      this.markChanged(a.incidentId);
    }
  }

  private markChanged(incidentId: string): void {
    this.dirty.add(incidentId);
    this.changed.add(incidentId);
  }

  /** An alert's latest event time, and until when it keeps its keys active. */
  private activity(a: Pick<Alert, 'status' | 'startsAt' | 'endsAt'>): { last: string; until: string } {
    if (a.status === 'firing') return { last: a.startsAt, until: new Date(Date.parse(a.startsAt) + this.firingHorizonMs).toISOString() };
    const last = a.endsAt && a.endsAt > a.startsAt ? a.endsAt : a.startsAt;
    return { last, until: last };
  }

  private upsertKeys(incidentId: string, keys: readonly string[], firstAt: string, lastAt: string, firing: number, activeUntil: string): void {
    const stmt = this.q(`INSERT INTO correlation_keys (key, incident_id, first_at, last_at, firing, holders, active_until) VALUES (?, ?, ?, ?, ?, 1, ?)
      ON CONFLICT (key, incident_id) DO UPDATE SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
        firing = firing + excluded.firing, holders = holders + 1, active_until = max(active_until, excluded.active_until)`);
    for (const key of keys) stmt.run(key, incidentId, firstAt, lastAt, firing, activeUntil);
  }

  /**
   * Incidents holding any of `keys` with activity within `lookbackMs` of `at`. One indexed
   * range scan per key; page keys (`page:`) match whenever, since a page id names one page.
   */
  findCandidates(keys: readonly string[], probe: readonly string[], at: string, lookbackMs: number): IncidentCandidate[] {
    if (keys.length === 0) return [];
    const t = Date.parse(at);
    const from = new Date(t - lookbackMs).toISOString();
    const to = new Date(t + lookbackMs).toISOString();
    const byIncident = new Map<string, KeyActivity[]>();
    const ranged = this.q('SELECT * FROM correlation_keys WHERE key = ? AND active_until >= ? AND first_at <= ?');
    const exact = this.q('SELECT * FROM correlation_keys WHERE key = ?');
    for (const key of keys) {
      const rows = (key.startsWith('page:') ? exact.all(key) : ranged.all(key, from, to)) as Row[];
      for (const r of rows) {
        const id = String(r.incident_id);
        (byIncident.get(id) ?? byIncident.set(id, []).get(id)!).push(toKeyActivity(r));
      }
    }
    const out: IncidentCandidate[] = [];
    const probeStmt = this.q('SELECT * FROM correlation_keys WHERE key = ? AND incident_id = ?');
    for (const [id, keyActivity] of [...byIncident].sort(([a], [b]) => a.localeCompare(b))) {
      const row = this.q('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
      if (!row || row.status === 'merged') continue;
      for (const key of probe) {
        const r = probeStmt.get(key, id) as Row | undefined;
        if (r) keyActivity.push(toKeyActivity(r));
      }
      const fences = (this.q('SELECT other_id FROM incident_fences WHERE incident_id = ?').all(id) as Row[]).map((f) => String(f.other_id));
      out.push({ incident: toIncident(row), keys: keyActivity, origin: originOf(row), humanPlaced: Number(row.human_placed) === 1, fencedWith: fences });
    }
    return out;
  }

  // ----------------------------------------------------------- paging events

  /** Places one paging event; null when (instance, eventId) is already stored. */
  placePaging(event: PagingEvent, correlator: Correlator): PlacedPaging | null {
    if (this.q('SELECT 1 FROM paging_events WHERE instance = ? AND event_id = ?').get(event.instance, event.eventId)) return null;
    this.flush();
    const keys = correlator.pagingKeysFor(event);
    const candidates = this.findCandidates([keys.page, ...keys.dedup, ...keys.service], [], event.occurredAt, correlator.lookbackMs);
    const placement = correlator.decidePaging(event, candidates, this.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : this.createIncident(event.occurredAt, 'paging', false);
    const mapped = keys.hold.find((k) => k.startsWith('pagesvc:'))?.slice('pagesvc:'.length) ?? null;
    const incidentEventId = this.insertEvent({
      incidentId, at: event.occurredAt, kind: `${event.source}.${event.kind}`, actor: event.actor, text: event.text,
      data: { instance: event.instance, eventId: event.eventId, vendorType: event.vendorType, page: event.page, placement: { rule: placement.rule, explanation: placement.explanation } },
    });
    this.q(`INSERT INTO paging_events (instance, event_id, incident_id, page_id, kind, occurred_at, page, service, keys, incident_event_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(event.instance, event.eventId, incidentId, event.page.id, event.kind, event.occurredAt,
      JSON.stringify(event.page), mapped, JSON.stringify(keys.hold), incidentEventId);
    if (placement.rule !== 'pagerduty-incident') {
      this.insertEvent({
        incidentId, at: event.occurredAt, kind: DECISION_EVENT_KIND, actor: 'debrief', text: placement.explanation,
        data: { pageId: event.page.id, eventId: event.eventId, rule: placement.rule, matched: placement.matched },
      });
    }
    this.touched.add(incidentId);
    this.markChanged(incidentId);
    return { instance: event.instance, eventId: event.eventId, incidentId, incidentEventId, rule: placement.rule, explanation: placement.explanation };
  }

  // -------------------------------------------------------------- corrections

  merge(targetId: string, sourceIds: readonly string[], by: CorrectionActor): MergeResult {
    const sources = [...new Set(sourceIds)];
    if (sources.includes(targetId)) throw new ValidationError('an incident cannot be merged into itself', [{ path: 'body.sourceIncidentIds', message: `contains the target incident ${targetId}` }]);
    const target = this.liveIncident(targetId, 'params.id');
    const sourceIncidents = sources.map((id) => this.liveIncident(id, 'body.sourceIncidentIds'));
    const moved: string[] = [];
    for (const s of sourceIncidents) {
      const alertIds = (this.q('SELECT id FROM alerts WHERE incident_id = ?').all(s.id) as Row[]).map((r) => String(r.id));
      moved.push(...alertIds);
      this.absorb(targetId, s.id, (a) => ({ decision: humanDecision('merge', s, by), keys: addKey(a.keys, humanPlacementKey(a.alert)) }), true);
    }
    this.flush();
    const texts = mergeTexts(target, sourceIncidents, moved.length, by);
    this.insertEvent({ incidentId: targetId, at: by.now, kind: CORRECTION_EVENT_KINDS.merge, actor: by.actor, text: texts.target, data: { sourceIncidentIds: sources, alertIds: moved, reason: by.reason ?? null } });
    for (const s of sourceIncidents) {
      this.insertEvent({ incidentId: s.id, at: by.now, kind: CORRECTION_EVENT_KINDS.merge, actor: by.actor, text: texts.source, data: { mergedInto: targetId, reason: by.reason ?? null } });
    }
    return { incident: this.incident(targetId), merged: sources.map((id) => this.incident(id)), movedAlertIds: moved };
  }

  split(incidentId: string, alertIds: readonly string[], by: CorrectionActor): SplitResult {
    const ids = [...new Set(alertIds)];
    const from = this.liveIncident(incidentId, 'params.id');
    const alerts = ids.map((id) => {
      const row = this.q('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
      if (!row) throw new NotFoundError(`no alert "${id}"`);
      const a = toAlert(row);
      if (a.incidentId !== incidentId) throw new ConflictError(`alert "${id}" is in incident "${a.incidentId}", not in "${incidentId}"`, [{ path: 'body.alertIds', message: `${id} is not in this incident` }]);
      return { alert: a, keys: json<string[]>(row.corr_keys) };
    });
    const total = Number((this.q('SELECT count(*) AS n FROM alerts WHERE incident_id = ?').get(incidentId) as Row).n);
    const pages = Number((this.q('SELECT count(*) AS n FROM paging_events WHERE incident_id = ?').get(incidentId) as Row).n);
    if (total - alerts.length === 0 && pages === 0) {
      throw new ValidationError('splitting every alert would leave the incident empty; move or merge instead', [{ path: 'body.alertIds', message: 'lists every alert of the incident' }]);
    }
    const start = alerts.map((a) => a.alert.startsAt).sort()[0]!;
    const newId = this.createIncident(start, 'human', true);
    const decision = humanDecision('split', from, by);
    for (const { alert, keys } of alerts) this.reassign(alert, newId, decision, addKey(keys, humanPlacementKey(alert)));
    const fence = this.q('INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor) VALUES (?, ?, ?, ?)');
    fence.run(incidentId, newId, by.now, by.actor);
    fence.run(newId, incidentId, by.now, by.actor);
    this.q('UPDATE incidents SET human_placed = 1 WHERE id = ?').run(incidentId);
    this.dirty.add(incidentId);
    this.dirty.add(newId);
    this.flush();
    const texts = splitTexts(this.incident(incidentId), this.incident(newId), alerts.map((a) => a.alert), this.serviceLabels, by);
    const data = { fromIncidentId: incidentId, newIncidentId: newId, alertIds: ids, reason: by.reason ?? null };
    this.insertEvent({ incidentId, at: by.now, kind: CORRECTION_EVENT_KINDS.split, actor: by.actor, text: texts.from, data });
    this.insertEvent({ incidentId: newId, at: by.now, kind: CORRECTION_EVENT_KINDS.split, actor: by.actor, text: texts.to, data });
    return { incident: this.incident(incidentId), newIncident: this.incident(newId) };
  }

  move(alertId: string, targetId: string, by: CorrectionActor): MoveResult {
    const row = this.q('SELECT * FROM alerts WHERE id = ?').get(alertId) as Row | undefined;
    if (!row) throw new NotFoundError(`no alert "${alertId}"`);
    const alert = toAlert(row);
    this.liveIncident(targetId, 'body.incidentId');
    if (alert.incidentId === targetId) throw new ValidationError(`alert "${alertId}" is already in incident "${targetId}"`, [{ path: 'body.incidentId', message: 'the alert is already there' }]);
    const from = this.incident(alert.incidentId);
    this.reassign(alert, targetId, humanDecision('move', from, by), addKey(json<string[]>(row.corr_keys), humanPlacementKey(alert)));
    this.q('UPDATE incidents SET human_placed = 1 WHERE id IN (?, ?)').run(targetId, from.id);
    this.dirty.add(targetId);
    const left = Number((this.q('SELECT (SELECT count(*) FROM alerts WHERE incident_id = ?) + (SELECT count(*) FROM paging_events WHERE incident_id = ?) AS n').get(from.id, from.id) as Row).n);
    const emptied = left === 0;
    if (emptied) this.absorb(targetId, from.id, (a) => ({ decision: a.alert.decision, keys: a.keys }), true);
    else this.dirty.add(from.id);
    this.flush();
    const texts = moveTexts(alert, from, this.incident(targetId), this.serviceLabels, by, emptied);
    const data = { alertId, fromIncidentId: from.id, toIncidentId: targetId, previousDecision: alert.decision, reason: by.reason ?? null };
    this.insertEvent({ incidentId: from.id, at: by.now, kind: CORRECTION_EVENT_KINDS.move, actor: by.actor, text: texts.from, data });
    this.insertEvent({ incidentId: targetId, at: by.now, kind: CORRECTION_EVENT_KINDS.move, actor: by.actor, text: texts.to, data });
    return { alert: toAlert(this.q('SELECT * FROM alerts WHERE id = ?').get(alertId) as Row), from: this.incident(from.id), to: this.incident(targetId) };
  }

  /** Moves one alert, with its audit entries, to another incident under a new decision. */
  private reassign(alert: Alert, incidentId: string, decision: CorrelationDecision, keys: string[]): void {
    this.q('UPDATE alerts SET incident_id = ?, decision = ?, corr_keys = ? WHERE id = ?').run(incidentId, JSON.stringify(decision), JSON.stringify(keys), alert.id);
    this.q(`UPDATE incident_events SET incident_id = ? WHERE incident_id = ? AND kind = '${DECISION_EVENT_KIND}' AND json_extract(data, '$.alertId') = ?`)
      .run(incidentId, alert.incidentId, alert.id);
    this.touched.add(incidentId);
    this.touched.add(alert.incidentId);
  }

  /** A late alert linked an incident that opened after it started: merge it, as in-order processing would have. */
  private absorbLate(targetId: string, sourceId: string, explanation: string, at: string): void {
    const source = this.incident(sourceId);
    this.absorb(targetId, sourceId, (a) => ({ decision: lateMergeDecision(a.alert.decision, source, explanation, this.now), keys: a.keys }), false);
    const target = this.incident(targetId);
    const data = { sourceIncidentIds: [sourceId], automatic: true };
    this.insertEvent({ incidentId: targetId, at, kind: CORRECTION_EVENT_KINDS.merge, actor: 'debrief', text: explanation, data });
    this.insertEvent({ incidentId: sourceId, at, kind: CORRECTION_EVENT_KINDS.merge, actor: 'debrief', text: `Merged into "${target.title}" (${targetId}): ${explanation}`, data: { mergedInto: targetId, automatic: true } });
  }

  /**
   * Moves everything of `sourceId` (alerts, pages, events, fences) into `targetId` and marks
   * the source `merged`. `rewrite` gives each moved alert its new decision and keys.
   */
  private absorb(targetId: string, sourceId: string, rewrite: (a: { alert: Alert; keys: string[] }) => { decision: CorrelationDecision; keys: string[] }, human: boolean): void {
    const rows = this.q('SELECT * FROM alerts WHERE incident_id = ?').all(sourceId) as Row[];
    const upd = this.q('UPDATE alerts SET incident_id = ?, decision = ?, corr_keys = ? WHERE id = ?');
    for (const r of rows) {
      const next = rewrite({ alert: toAlert(r), keys: json<string[]>(r.corr_keys) });
      upd.run(targetId, JSON.stringify(next.decision), JSON.stringify(next.keys), String(r.id));
    }
    this.q('UPDATE paging_events SET incident_id = ? WHERE incident_id = ?').run(targetId, sourceId);
    this.q('UPDATE incident_events SET incident_id = ? WHERE incident_id = ?').run(targetId, sourceId);
    this.q('INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor) SELECT ?, other_id, created_at, actor FROM incident_fences WHERE incident_id = ? AND other_id <> ?').run(targetId, sourceId, targetId);
    this.q('INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor) SELECT incident_id, ?, created_at, actor FROM incident_fences WHERE other_id = ? AND incident_id <> ?').run(targetId, sourceId, targetId);
    this.q('DELETE FROM incident_fences WHERE incident_id = ? OR other_id = ?').run(sourceId, sourceId);
    this.q('DELETE FROM correlation_keys WHERE incident_id = ?').run(sourceId);
    this.q('DELETE FROM incident_services WHERE incident_id = ?').run(sourceId);
    const src = this.q('SELECT human_placed FROM incidents WHERE id = ?').get(sourceId) as Row;
    this.q(`UPDATE incidents SET status = 'merged', merged_into = ?, alert_count = 0, updated_at = ? WHERE id = ?`).run(targetId, this.now, sourceId);
    this.q('UPDATE incidents SET merged_into = ? WHERE merged_into = ?').run(targetId, sourceId);
    if (human || Number(src.human_placed) === 1) this.q('UPDATE incidents SET human_placed = 1 WHERE id = ?').run(targetId);
    this.dirty.delete(sourceId);
    this.markChanged(targetId);
    this.touched.add(targetId);
    this.touched.add(sourceId);
    this.merged = true;
  }

  // ------------------------------------------------------------------ shared

  private createIncident(at: string, origin: IncidentOrigin, humanPlaced: boolean): string {
    const id = randomUUID();
    this.q(`INSERT INTO incidents (id, title, status, severity, services, started_at, ended_at, last_activity_at, alert_count, created_at, updated_at, merged_into, origin, human_placed)
      VALUES (?, '(new incident)', 'open', NULL, '[]', ?, NULL, ?, 0, ?, ?, NULL, ?, ?)`).run(id, at, at, this.now, this.now, origin, humanPlaced ? 1 : 0);
    this.touched.add(id);
    return id;
  }

  insertEvent(e: NewEvent): string {
    const id = randomUUID();
    this.q('INSERT INTO incident_events (id, incident_id, at, kind, actor, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, e.incidentId, e.at, e.kind, e.actor, e.text, JSON.stringify(e.data));
    return id;
  }

  incident(id: string): Incident {
    const row = this.q('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new NotFoundError(`no incident "${id}"`);
    return toIncident(row);
  }

  /** The incident, which must exist (NotFoundError) and not be merged away (ConflictError). */
  private liveIncident(id: string, path: string): Incident {
    const inc = this.incident(id);
    if (inc.status === 'merged') {
      throw new ConflictError(`incident "${id}" was merged into "${inc.mergedInto}"; use that incident instead`, [{ path, message: `merged into ${inc.mergedInto}` }]);
    }
    return inc;
  }

  /** Recomputes every dirty incident. */
  flush(): void {
    for (const id of this.dirty) this.refresh(id);
    this.dirty.clear();
  }

  /**
   * Recomputes, in full, every incident that changed (end of a batch): incremental updates
   * keep spans and keys current for decisions; titles, severity and services follow here.
   * Pure re-sends change nothing an incident summarises, so they cost no recomputation.
   */
  finish(): void {
    for (const id of this.changed) this.dirty.add(id);
    this.flush();
  }

  /**
   * Recomputes an incident's summary and correlation keys from its alerts (pure
   * `summarizeIncident`) or, with no alerts yet, from its pages.
   */
  private refresh(incidentId: string): void {
    const row = this.q('SELECT status FROM incidents WHERE id = ?').get(incidentId) as Row | undefined;
    if (!row || row.status === 'merged') return;
    const alertRows = this.q('SELECT * FROM alerts WHERE incident_id = ?').all(incidentId) as Row[];
    const pageRows = this.q('SELECT * FROM paging_events WHERE incident_id = ?').all(incidentId) as Row[];
    if (alertRows.length === 0 && pageRows.length === 0) return;
    const alerts = alertRows.map(toAlert);
    const pages = pageRows.map(toPlacedPaging);
    const s = alerts.length > 0 ? summarizeIncident(alerts, this.serviceLabels) : summarizePages(pages);
    this.q(`UPDATE incidents SET title = ?, status = ?, severity = ?, services = ?, started_at = ?, ended_at = ?, last_activity_at = ?, alert_count = ?, updated_at = ?
      WHERE id = ?`).run(s.title, s.status, s.severity, JSON.stringify(s.services), s.startedAt, s.endedAt, s.lastActivityAt, s.alertCount, this.now, incidentId);
    this.q('DELETE FROM incident_services WHERE incident_id = ?').run(incidentId);
    const ins = this.q('INSERT OR IGNORE INTO incident_services (incident_id, service) VALUES (?, ?)');
    for (const service of s.services) ins.run(incidentId, service);

    const activity = new Map<string, { first: string; last: string; firing: number; holders: number; until: string }>();
    const add = (key: string, first: string, last: string, firing: number, until: string) => {
      const a = activity.get(key);
      if (!a) activity.set(key, { first, last, firing, holders: 1, until });
      else {
        if (first < a.first) a.first = first;
        if (last > a.last) a.last = last;
        if (until > a.until) a.until = until;
        a.firing += firing;
        a.holders += 1;
      }
    };
    alerts.forEach((a, i) => {
      const span = this.activity(a);
      for (const key of json<string[]>(alertRows[i]!.corr_keys)) add(key, a.startsAt, span.last, a.status === 'firing' ? 1 : 0, span.until);
    });
    const byPage = new Map<string, Row[]>();
    for (const r of pageRows) (byPage.get(String(r.page_id)) ?? byPage.set(String(r.page_id), []).get(String(r.page_id))!).push(r);
    for (const list of byPage.values()) {
      list.sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)));
      const first = String(list[0]!.occurred_at);
      const lastRow = list.at(-1)!;
      const open = lastRow.kind !== 'resolved' && json<{ status: string | null }>(lastRow.page).status !== 'resolved' ? 1 : 0;
      const keys = new Set(list.flatMap((r) => json<string[]>(r.keys)));
      // A page counts as active until it is resolved (PagerDuty dedups into it until then).
      for (const key of keys) add(key, first, String(lastRow.occurred_at), open, open ? ACTIVE_SENTINEL : String(lastRow.occurred_at));
    }
    this.q('DELETE FROM correlation_keys WHERE incident_id = ?').run(incidentId);
    const insKey = this.q('INSERT INTO correlation_keys (key, incident_id, first_at, last_at, firing, holders, active_until) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const [key, a] of activity) insKey.run(key, incidentId, a.first, a.last, a.firing, a.holders, a.until);
  }
}

const addKey = (keys: readonly string[], key: string): string[] => (keys.includes(key) ? [...keys] : [...keys, key]);

function toKeyActivity(r: Row): KeyActivity {
  const activeUntil = String(r.active_until);
  return {
    key: String(r.key), firstAt: String(r.first_at), lastAt: String(r.last_at), activeUntil: activeUntil === ACTIVE_SENTINEL ? null : activeUntil,
    firing: Number(r.firing), holders: Number(r.holders),
  };
}
