import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
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
import { ACTIVE_SENTINEL, json, originOf, toAlert, toIncident, toPlacedPaging, type Row } from './sqlite-rows';

type Stmt = (sql: string) => Database.Statement;

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
  /** Stored paging events claimed as the twin of an event placed in this transaction (`findPagingTwin`). */
  private readonly twinned = new Set<string>();
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

  /** A re-sent notification of a known firing. The alert stays in its incident whoever placed it there. */
  updateAlert(alert: Alert, obs: AlertObservation): Alert {
    const next = alertAfterResend(alert, obs, this.now);
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
    const alert = newAlert(obs, randomUUID(), incidentId, placement.decision, this.now);
    this.insertAlert(alert, keys.hold);
    this.applyNewAlert(alert, keys.hold);
    for (const e of alertPlacementEvents(alert, placement)) this.insertEvent(e);
    if (placement.action === 'join') {
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
    const span = alertActivity(a, this.firingHorizonMs);
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

  /**
   * Places one paging event; `duplicate` when (instance, eventId) is already stored, `twin` when
   * another channel's report of the same change is (`findPagingTwin`): nothing is written then,
   * except the webhook's more precise time on the stored copy (`twinTimeToKeep`).
   */
  placePaging(event: PagingEvent, correlator: Correlator): PlacedPaging | 'duplicate' | 'twin' {
    if (this.q('SELECT 1 FROM paging_events WHERE instance = ? AND event_id = ?').get(event.instance, event.eventId)) return 'duplicate';
    if (event.identity) {
      const sameKind = this.q(`SELECT event_id, kind, occurred_at, actor, channel, object_id, incident_id, incident_event_id FROM paging_events
        WHERE instance = ? AND page_id = ? AND kind = ?`).all(event.instance, event.page.id, event.kind) as Row[];
      const stored = sameKind.map((r) => ({
        eventId: String(r.event_id), kind: String(r.kind), occurredAt: String(r.occurred_at),
        actor: r.actor === null ? null : String(r.actor), channel: r.channel === null ? null : String(r.channel), objectId: r.object_id === null ? null : String(r.object_id),
      }));
      const twin = findPagingTwin(event, stored, this.twinned);
      if (twin) {
        this.twinned.add(twin.eventId);
        const time = twinTimeToKeep(event, twin);
        if (time !== null) {
          const row = sameKind[stored.indexOf(twin)]!;
          this.q('UPDATE paging_events SET occurred_at = ? WHERE instance = ? AND event_id = ?').run(time, event.instance, twin.eventId);
          this.q('UPDATE incident_events SET at = ? WHERE id = ?').run(time, row.incident_event_id);
          this.touched.add(String(row.incident_id));
          this.markChanged(String(row.incident_id));
        }
        return 'twin';
      }
    }
    this.flush();
    const keys = correlator.pagingKeysFor(event);
    const candidates = this.findCandidates([keys.page, ...keys.dedup, ...keys.service], [], event.occurredAt, correlator.lookbackMs);
    const placement = correlator.decidePaging(event, candidates, this.now);
    const incidentId = placement.action === 'join' ? placement.incidentId : this.createIncident(event.occurredAt, 'paging', false);
    const incidentEventId = this.insertEvent(pagingTimelineEvent(event, incidentId, placement));
    this.q(`INSERT INTO paging_events (instance, event_id, incident_id, page_id, kind, occurred_at, page, service, keys, incident_event_id, channel, object_id, actor)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(event.instance, event.eventId, incidentId, event.page.id, event.kind, event.occurredAt,
      JSON.stringify(event.page), pageServiceOf(keys.hold), JSON.stringify(keys.hold), incidentEventId,
      event.identity?.channel ?? null, event.identity?.objectId ?? null, event.actor);
    const decided = pagingDecisionEvent(event, incidentId, placement);
    if (decided) this.insertEvent(decided);
    this.touched.add(incidentId);
    this.markChanged(incidentId);
    return { instance: event.instance, eventId: event.eventId, incidentId, incidentEventId, rule: placement.rule, explanation: placement.explanation };
  }

  // -------------------------------------------------------------- corrections

  merge(targetId: string, sourceIds: readonly string[], by: CorrectionActor): MergeResult {
    const sources = mergeSourceIds(targetId, sourceIds);
    const target = assertNotMerged(this.incident(targetId), 'params.id');
    const sourceIncidents = sources.map((id) => assertNotMerged(this.incident(id), 'body.sourceIncidentIds'));
    const moved: string[] = [];
    for (const s of sourceIncidents) {
      const alertIds = (this.q('SELECT id FROM alerts WHERE incident_id = ?').all(s.id) as Row[]).map((r) => String(r.id));
      moved.push(...alertIds);
      this.absorb(targetId, s.id, (a) => ({ decision: humanDecision('merge', s, by), keys: withHumanPlacementKey(a.keys, a.alert) }), true);
    }
    this.flush();
    for (const e of mergeEvents(target, sourceIncidents, moved, by)) this.insertEvent(e);
    return { incident: this.incident(targetId), merged: sources.map((id) => this.incident(id)), movedAlertIds: moved };
  }

  split(incidentId: string, alertIds: readonly string[], by: CorrectionActor): SplitResult {
    const ids = [...new Set(alertIds)];
    const from = assertNotMerged(this.incident(incidentId), 'params.id');
    const alerts = ids.map((id) => {
      const row = this.q('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
      if (!row) throw new NotFoundError(`no alert "${id}"`);
      const a = toAlert(row);
      assertAlertInIncident(a, incidentId);
      return { alert: a, keys: json<string[]>(row.corr_keys) };
    });
    const total = Number((this.q('SELECT count(*) AS n FROM alerts WHERE incident_id = ?').get(incidentId) as Row).n);
    const pages = Number((this.q('SELECT count(*) AS n FROM paging_events WHERE incident_id = ?').get(incidentId) as Row).n);
    assertSplitLeavesSomething(total, alerts.length, pages);
    const start = alerts.map((a) => a.alert.startsAt).sort()[0]!;
    const newId = this.createIncident(start, 'human', true);
    const decision = humanDecision('split', from, by);
    for (const { alert, keys } of alerts) this.reassign(alert, newId, decision, withHumanPlacementKey(keys, alert));
    const fence = this.q('INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor) VALUES (?, ?, ?, ?)');
    fence.run(incidentId, newId, by.now, by.actor);
    fence.run(newId, incidentId, by.now, by.actor);
    this.q('UPDATE incidents SET human_placed = 1 WHERE id = ?').run(incidentId);
    this.dirty.add(incidentId);
    this.dirty.add(newId);
    this.flush();
    for (const e of splitEvents(this.incident(incidentId), this.incident(newId), alerts.map((a) => a.alert), this.serviceLabels, by)) this.insertEvent(e);
    return { incident: this.incident(incidentId), newIncident: this.incident(newId) };
  }

  move(alertId: string, targetId: string, by: CorrectionActor): MoveResult {
    const row = this.q('SELECT * FROM alerts WHERE id = ?').get(alertId) as Row | undefined;
    if (!row) throw new NotFoundError(`no alert "${alertId}"`);
    const alert = toAlert(row);
    assertNotMerged(this.incident(targetId), 'body.incidentId');
    assertNotAlreadyIn(alert, targetId);
    const from = this.incident(alert.incidentId);
    this.reassign(alert, targetId, humanDecision('move', from, by), withHumanPlacementKey(json<string[]>(row.corr_keys), alert));
    this.q('UPDATE incidents SET human_placed = 1 WHERE id IN (?, ?)').run(targetId, from.id);
    this.dirty.add(targetId);
    const left = Number((this.q('SELECT (SELECT count(*) FROM alerts WHERE incident_id = ?) + (SELECT count(*) FROM paging_events WHERE incident_id = ?) AS n').get(from.id, from.id) as Row).n);
    const emptied = left === 0;
    if (emptied) this.absorb(targetId, from.id, (a) => ({ decision: a.alert.decision, keys: a.keys }), true);
    else this.dirty.add(from.id);
    this.flush();
    for (const e of moveEvents(alert, from, this.incident(targetId), this.serviceLabels, by, emptied)) this.insertEvent(e);
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
    for (const e of lateMergeEvents(this.incident(targetId), sourceId, explanation, at)) this.insertEvent(e);
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

  insertEvent(e: NewIncidentEvent): string {
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

    const activity = incidentKeyActivity(
      alerts.map((alert, i) => ({ alert, keys: json<string[]>(alertRows[i]!.corr_keys) })),
      pages.map((p, i) => ({ ...p, keys: json<string[]>(pageRows[i]!.keys) })),
      this.firingHorizonMs,
    );
    this.q('DELETE FROM correlation_keys WHERE incident_id = ?').run(incidentId);
    const insKey = this.q('INSERT INTO correlation_keys (key, incident_id, first_at, last_at, firing, holders, active_until) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const a of activity) insKey.run(a.key, incidentId, a.firstAt, a.lastAt, a.firing, a.holders, a.activeUntil ?? ACTIVE_SENTINEL);
  }
}

function toKeyActivity(r: Row): KeyActivity {
  const activeUntil = String(r.active_until);
  return {
    key: String(r.key), firstAt: String(r.first_at), lastAt: String(r.last_at), activeUntil: activeUntil === ACTIVE_SENTINEL ? null : activeUntil,
    firing: Number(r.firing), holders: Number(r.holders),
  };
}
