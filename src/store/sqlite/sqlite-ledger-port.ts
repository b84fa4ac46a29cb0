import type Database from 'better-sqlite3';
import type { Alert } from '../../domain/alert';
import { DECISION_EVENT_KIND } from '../../domain/correlation/corrections';
import type { IncidentCandidate, KeyActivity } from '../../domain/correlation/correlator';
import type { IncidentDeclaration, IncidentEvent } from '../../domain/incident';
import { facetKey, spanOf, type AlertFacet, type IncidentTally } from '../../domain/incident-facets';
import type { IncidentSummary } from '../../domain/incident-summary';
import type {
  AlertIdentity, AlertPlacement, AlertProbe, IncidentRecord, KeyHolderActivity, LedgerPort, NewIncidentRecord, StoredAlert, StoredPaging,
} from '../../domain/ledger/ledger-port';
import { ACTIVE_SENTINEL, json, optStr, originOf, toAlert, toIncident, toPlacedPaging, type Row } from './sqlite-rows';

type Statement = (sql: string) => Database.Statement;

/**
 * The incident ledger's port on SQLite (`src/domain/ledger`): each operation is one or a few
 * prepared statements. It runs inside the store's `BEGIN IMMEDIATE` transaction, which holds
 * SQLite's single write lock, so `lockKeys` has nothing to do. Every lookup is by key or id
 * through an index.
 */
export class SqliteLedgerPort implements LedgerPort {
  constructor(private readonly sql: Statement) {}

  lockKeys(): void {
    // BEGIN IMMEDIATE already serialises every read-decide-write sequence.
  }

  // ------------------------------------------------------------------ reads

  findAlert(identity: AlertIdentity): StoredAlert | null {
    const row = this.sql('SELECT * FROM alert_rows WHERE instance = ? AND fingerprint = ? AND starts_at = ?')
      .get(identity.instance, identity.fingerprint, identity.startsAt) as Row | undefined;
    return row ? storedAlert(row) : null;
  }

  /** One statement for the lot: `json_each` walks the identities, each joined through the identity index. */
  probeAlerts(identities: readonly AlertIdentity[]): (AlertProbe | null)[] {
    const out: (AlertProbe | null)[] = identities.map(() => null);
    if (identities.length === 0) return out;
    const rows = this.sql(`SELECT j.key AS i, a.id, a.incident_id, a.status, a.ends_at, a.labels, a.annotations, a.generator_url
      FROM json_each(?) j JOIN alerts a ON a.instance = j.value ->> 0 AND a.fingerprint = j.value ->> 1 AND a.starts_at = j.value ->> 2`)
      .all(JSON.stringify(identities.map((i) => [i.instance, i.fingerprint, i.startsAt]))) as Row[];
    for (const row of rows) {
      out[Number(row.i)] = {
        id: String(row.id), incidentId: String(row.incident_id), status: row.status as AlertProbe['status'], endsAt: optStr(row.ends_at),
        labelsJson: String(row.labels), annotationsJson: String(row.annotations), generatorUrl: optStr(row.generator_url),
      };
    }
    return out;
  }

  getAlert(id: string): StoredAlert | null {
    const row = this.sql('SELECT * FROM alert_rows WHERE id = ?').get(id) as Row | undefined;
    return row ? storedAlert(row) : null;
  }

  alertsOf(incidentId: string): StoredAlert[] {
    return (this.sql('SELECT * FROM alert_rows WHERE incident_id = ? ORDER BY starts_at, id').all(incidentId) as Row[]).map(storedAlert);
  }

  countAlerts(incidentId: string): number {
    return Number((this.sql('SELECT count(*) AS n FROM alerts WHERE incident_id = ?').get(incidentId) as Row).n);
  }

  pagesOf(incidentId: string): StoredPaging[] {
    return (this.sql('SELECT * FROM paging_events WHERE incident_id = ?').all(incidentId) as Row[]).map(storedPaging);
  }

  countPages(incidentId: string): number {
    return Number((this.sql('SELECT count(*) AS n FROM paging_events WHERE incident_id = ?').get(incidentId) as Row).n);
  }

  hasPagingEvent(instance: string, eventId: string): boolean {
    return this.sql('SELECT 1 FROM paging_events WHERE instance = ? AND event_id = ?').get(instance, eventId) !== undefined;
  }

  pagingEventsOfKind(instance: string, pageId: string, kind: string): StoredPaging[] {
    return (this.sql('SELECT * FROM paging_events WHERE instance = ? AND page_id = ? AND kind = ?').all(instance, pageId, kind) as Row[]).map(storedPaging);
  }

  getIncident(id: string): IncidentRecord | null {
    const row = this.sql('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    return row ? { incident: toIncident(row), origin: originOf(row), humanPlaced: Number(row.human_placed) === 1, tally: toTally(row) } : null;
  }

  keysOf(incidentId: string): string[] {
    return (this.sql('SELECT key FROM correlation_keys WHERE incident_id = ?').all(incidentId) as Row[]).map((r) => String(r.key));
  }

  keyActivityOf(incidentId: string, keys: readonly string[]): KeyActivity[] {
    const get = this.sql('SELECT * FROM correlation_keys WHERE key = ? AND incident_id = ?');
    const out: KeyActivity[] = [];
    for (const key of new Set(keys)) {
      const r = get.get(key, incidentId) as Row | undefined;
      if (r) out.push(toKeyActivity(r));
    }
    return out;
  }

  /** One indexed range scan per key; page keys (`page:`) match whenever, since a page id names one page. */
  findCandidates(lookup: readonly string[], probe: readonly string[], at: string, lookbackMs: number): IncidentCandidate[] {
    if (lookup.length === 0) return [];
    const t = Date.parse(at);
    const from = new Date(t - lookbackMs).toISOString();
    const to = new Date(t + lookbackMs).toISOString();
    const byIncident = new Map<string, KeyActivity[]>();
    const ranged = this.sql('SELECT * FROM correlation_keys WHERE key = ? AND active_until >= ? AND first_at <= ?');
    const exact = this.sql('SELECT * FROM correlation_keys WHERE key = ?');
    for (const key of lookup) {
      const rows = (key.startsWith('page:') ? exact.all(key) : ranged.all(key, from, to)) as Row[];
      for (const r of rows) {
        const id = String(r.incident_id);
        (byIncident.get(id) ?? byIncident.set(id, []).get(id)!).push(toKeyActivity(r));
      }
    }
    const candidates: IncidentCandidate[] = [];
    const probeStatement = this.sql('SELECT * FROM correlation_keys WHERE key = ? AND incident_id = ?');
    for (const [id, keyActivity] of [...byIncident].sort(([a], [b]) => a.localeCompare(b))) {
      const record = this.getIncident(id);
      if (!record || record.incident.status === 'merged') continue;
      for (const key of probe) {
        const r = probeStatement.get(key, id) as Row | undefined;
        if (r) keyActivity.push(toKeyActivity(r));
      }
      const fences = (this.sql('SELECT other_id FROM incident_fences WHERE incident_id = ?').all(id) as Row[]).map((f) => String(f.other_id));
      candidates.push({ ...record, keys: keyActivity, fencedWith: fences });
    }
    return candidates;
  }

  // ----------------------------------------------------------------- writes

  insertIncident(i: NewIncidentRecord): void {
    this.sql(`INSERT INTO incidents (id, title, status, severity, services, started_at, ended_at, last_activity_at, alert_count, created_at, updated_at,
        merged_into, origin, human_placed, declaration)
      VALUES (?, '(new incident)', 'open', NULL, '[]', ?, NULL, ?, 0, ?, ?, NULL, ?, ?, ?)`)
      .run(i.id, i.at, i.at, i.now, i.now, i.origin, i.humanPlaced ? 1 : 0, i.declaration ? JSON.stringify(i.declaration) : null);
  }

  insertAlert(a: Alert, keys: readonly string[]): void {
    this.sql(`INSERT INTO alerts (id, instance, source, fingerprint, fingerprint_computed, starts_at, ends_at, status, labels, annotations,
        generator_url, source_group_key, source_group_labels, incident_id, decision, first_seen_at, last_seen_at, notification_count, corr_keys)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      a.id, a.instance, a.source, a.fingerprint, a.fingerprintComputed ? 1 : 0, a.startsAt, a.endsAt, a.status,
      JSON.stringify(a.labels), JSON.stringify(a.annotations), a.generatorUrl, a.sourceGroupKey, JSON.stringify(a.sourceGroupLabels),
      a.incidentId, JSON.stringify(a.decision), a.firstSeenAt, a.lastSeenAt, a.notificationCount, JSON.stringify(keys),
    );
  }

  updateAlertResend(next: Alert): void {
    this.sql('UPDATE alerts SET status = ?, ends_at = ?, annotations = ?, generator_url = ?, last_seen_at = ?, notification_count = ? WHERE id = ?')
      .run(next.status, next.endsAt, JSON.stringify(next.annotations), next.generatorUrl, next.lastSeenAt, next.notificationCount, next.id);
    this.setSeen(next.id, next.notificationCount, next.lastSeenAt);
  }

  /**
   * Counted in `alert_seen` (sqlite-schema.ts): first the alerts that have a row there, then a
   * row for each that has none yet, from its alert row's values.
   */
  countResends(ids: readonly string[], seenAt: string): void {
    if (ids.length === 0) return;
    const list = JSON.stringify(ids);
    this.sql(`UPDATE alert_seen SET notification_count = notification_count + 1, last_seen_at = max(last_seen_at, ?)
      WHERE alert_id IN (SELECT value FROM json_each(?))`).run(seenAt, list);
    this.sql(`INSERT INTO alert_seen (group_ref, alert_id, notification_count, last_seen_at)
      SELECT debrief_group_ref(a.instance, a.source_group_key), a.id, a.notification_count + 1, max(a.last_seen_at, ?)
      FROM alerts a WHERE a.id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM alert_seen s WHERE s.alert_id = a.id)`).run(seenAt, list);
  }

  setAlertBookkeeping(id: string, notificationCount: number, lastSeenAt: string): void {
    this.sql('UPDATE alerts SET notification_count = ?, last_seen_at = ? WHERE id = ?').run(notificationCount, lastSeenAt, id);
    this.setSeen(id, notificationCount, lastSeenAt);
  }

  /** A full write of an alert's bookkeeping also sets its `alert_seen` row, where it has one. */
  private setSeen(id: string, notificationCount: number, lastSeenAt: string): void {
    this.sql('UPDATE alert_seen SET notification_count = ?, last_seen_at = ? WHERE alert_id = ?').run(notificationCount, lastSeenAt, id);
  }

  setAlertPlacements(placements: readonly AlertPlacement[]): void {
    const update = this.sql('UPDATE alerts SET incident_id = ?, decision = ?, corr_keys = ? WHERE id = ?');
    for (const p of placements) update.run(p.incidentId, JSON.stringify(p.decision), JSON.stringify(p.keys), p.id);
  }

  moveDecisionEvents(alertId: string, fromIncidentId: string, toIncidentId: string): void {
    this.sql(`UPDATE incident_events SET incident_id = ? WHERE incident_id = ? AND kind = '${DECISION_EVENT_KIND}' AND json_extract(data, '$.alertId') = ?`)
      .run(toIncidentId, fromIncidentId, alertId);
  }

  insertEvent(e: IncidentEvent): void {
    this.sql('INSERT INTO incident_events (id, incident_id, at, kind, actor, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.id, e.incidentId, e.at, e.kind, e.actor, e.text, JSON.stringify(e.data));
  }

  setEventTime(eventId: string, at: string): void {
    this.sql('UPDATE incident_events SET at = ? WHERE id = ?').run(at, eventId);
  }

  insertPagingEvent(p: StoredPaging): void {
    this.sql(`INSERT INTO paging_events (instance, event_id, incident_id, page_id, kind, occurred_at, page, service, keys, incident_event_id, channel, object_id, actor)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(p.instance, p.eventId, p.incidentId, p.page.id, p.kind, p.occurredAt,
      JSON.stringify(p.page), p.service, JSON.stringify(p.keys), p.incidentEventId, p.channel, p.objectId, p.actor);
  }

  setPagingEventTime(instance: string, eventId: string, at: string): void {
    this.sql('UPDATE paging_events SET occurred_at = ? WHERE instance = ? AND event_id = ?').run(at, instance, eventId);
  }

  addKeyHolder(incidentId: string, keys: readonly string[], h: KeyHolderActivity): void {
    const upsert = this.sql(`INSERT INTO correlation_keys (key, incident_id, first_at, last_at, firing, holders, active_until, depth) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
      ON CONFLICT (key, incident_id) DO UPDATE SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
        firing = firing + excluded.firing, holders = holders + 1, active_until = max(active_until, excluded.active_until), depth = min(depth, excluded.depth)`);
    for (const key of keys) upsert.run(key, incidentId, h.onset, h.onset, h.firing, h.onset, h.depth);
  }

  addKeyFiring(incidentId: string, keys: readonly string[], delta: number): void {
    const update = this.sql('UPDATE correlation_keys SET firing = max(0, firing + ?) WHERE key = ? AND incident_id = ?');
    for (const key of keys) update.run(delta, key, incidentId);
  }

  putKeyActivity(incidentId: string, activity: readonly KeyActivity[]): void {
    const insert = this.sql(`INSERT OR REPLACE INTO correlation_keys (key, incident_id, first_at, last_at, firing, holders, active_until, depth)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const a of activity) insert.run(a.key, incidentId, a.firstAt, a.lastAt, a.firing, a.holders, a.activeUntil ?? ACTIVE_SENTINEL, a.depth);
  }

  writeTally(incidentId: string, t: IncidentTally, now: string): void {
    const span = spanOf(t);
    this.sql(`UPDATE incidents SET alert_count = ?, firing_count = ?, started_at = ?, last_start_at = ?, last_end_at = ?, severity = ?, status = ?,
      ended_at = ?, last_activity_at = ?, updated_at = ? WHERE id = ?`)
      .run(t.alertCount, t.firingCount, t.startedAt, t.lastStartAt, t.lastEndAt, t.severity, span.status, span.endedAt, span.lastActivityAt, now, incidentId);
  }

  writeLabels(incidentId: string, labels: { title: string; services: readonly string[] }, now: string): void {
    this.sql('UPDATE incidents SET title = ?, services = ?, updated_at = ? WHERE id = ?').run(labels.title, JSON.stringify(labels.services), now, incidentId);
    this.writeServiceIndex(incidentId, labels.services);
  }

  writeDeclaration(incidentId: string, declaration: IncidentDeclaration, now: string): void {
    this.sql('UPDATE incidents SET declaration = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(declaration), now, incidentId);
  }

  writePageSummary(incidentId: string, s: IncidentSummary, now: string): void {
    this.sql(`UPDATE incidents SET title = ?, status = ?, severity = ?, services = ?, started_at = ?, ended_at = ?, last_activity_at = ?, alert_count = 0,
      firing_count = 0, last_start_at = NULL, last_end_at = NULL, updated_at = ? WHERE id = ?`)
      .run(s.title, s.status, s.severity, JSON.stringify(s.services), s.startedAt, s.endedAt, s.lastActivityAt, now, incidentId);
    this.writeServiceIndex(incidentId, s.services);
  }

  private writeServiceIndex(incidentId: string, services: readonly string[]): void {
    this.sql('DELETE FROM incident_services WHERE incident_id = ?').run(incidentId);
    const insert = this.sql('INSERT OR IGNORE INTO incident_services (incident_id, service) VALUES (?, ?)');
    for (const service of services) insert.run(incidentId, service);
  }

  getFacet(incidentId: string, alertname: string, service: string | null): AlertFacet | null {
    const row = this.sql('SELECT * FROM incident_facets WHERE incident_id = ? AND facet = ?').get(incidentId, facetKey(alertname, service)) as Row | undefined;
    return row ? toFacet(row) : null;
  }

  facetsOf(incidentId: string): AlertFacet[] {
    return (this.sql('SELECT * FROM incident_facets WHERE incident_id = ?').all(incidentId) as Row[]).map(toFacet);
  }

  putFacets(incidentId: string, facets: readonly AlertFacet[]): void {
    const upsert = this.sql(`INSERT OR REPLACE INTO incident_facets (incident_id, facet, alertname, service, first_at, first_alert_id, last_start_at, last_end_at,
        last_seen_at, alerts, firing, severity, clusters, namespaces, regions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const f of facets) {
      upsert.run(incidentId, facetKey(f.alertname, f.service), f.alertname, f.service, f.firstAt, f.firstAlertId, f.lastStartAt, f.lastEndAt, f.lastSeenAt,
        f.alerts, f.firing, f.severity, JSON.stringify(f.clusters), JSON.stringify(f.namespaces), JSON.stringify(f.regions));
    }
  }

  replaceFacets(incidentId: string, facets: readonly AlertFacet[]): void {
    this.sql('DELETE FROM incident_facets WHERE incident_id = ?').run(incidentId);
    this.putFacets(incidentId, facets);
  }

  replaceKeyActivity(incidentId: string, activity: readonly KeyActivity[]): void {
    this.sql('DELETE FROM correlation_keys WHERE incident_id = ?').run(incidentId);
    this.putKeyActivity(incidentId, activity);
  }

  mergeIncidentInto(sourceId: string, targetId: string, now: string): void {
    this.sql('UPDATE paging_events SET incident_id = ? WHERE incident_id = ?').run(targetId, sourceId);
    this.sql('UPDATE incident_events SET incident_id = ? WHERE incident_id = ?').run(targetId, sourceId);
    // Fences of the source now fence the target (both directions), then the source's are dropped.
    this.sql(`INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor)
      SELECT ?, other_id, created_at, actor FROM incident_fences WHERE incident_id = ? AND other_id <> ?`).run(targetId, sourceId, targetId);
    this.sql(`INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor)
      SELECT incident_id, ?, created_at, actor FROM incident_fences WHERE other_id = ? AND incident_id <> ?`).run(targetId, sourceId, targetId);
    this.sql('DELETE FROM incident_fences WHERE incident_id = ? OR other_id = ?').run(sourceId, sourceId);
    this.sql('DELETE FROM correlation_keys WHERE incident_id = ?').run(sourceId);
    this.sql('DELETE FROM incident_services WHERE incident_id = ?').run(sourceId);
    this.sql('DELETE FROM incident_facets WHERE incident_id = ?').run(sourceId);
    this.sql(`UPDATE incidents SET status = 'merged', merged_into = ?, alert_count = 0, updated_at = ? WHERE id = ?`).run(targetId, now, sourceId);
    this.sql('UPDATE incidents SET merged_into = ? WHERE merged_into = ?').run(targetId, sourceId);
  }

  setHumanPlaced(incidentIds: readonly string[]): void {
    const update = this.sql('UPDATE incidents SET human_placed = 1 WHERE id = ?');
    for (const id of incidentIds) update.run(id);
  }

  addFence(incidentId: string, otherId: string, createdAt: string, actor: string | null): void {
    this.sql('INSERT OR IGNORE INTO incident_fences (incident_id, other_id, created_at, actor) VALUES (?, ?, ?, ?)').run(incidentId, otherId, createdAt, actor);
  }
}

/** The tally columns of an incident row; null while it has no alerts. */
function toTally(r: Row): IncidentTally | null {
  if (Number(r.alert_count) === 0 || r.last_start_at === null || r.last_start_at === undefined) return null;
  return {
    alertCount: Number(r.alert_count), firingCount: Number(r.firing_count), startedAt: String(r.started_at), lastStartAt: String(r.last_start_at),
    lastEndAt: optStr(r.last_end_at), severity: optStr(r.severity),
  };
}

function toFacet(r: Row): AlertFacet {
  return {
    alertname: String(r.alertname), service: optStr(r.service), firstAt: String(r.first_at), firstAlertId: String(r.first_alert_id),
    lastStartAt: String(r.last_start_at), lastEndAt: optStr(r.last_end_at), lastSeenAt: String(r.last_seen_at), alerts: Number(r.alerts),
    firing: Number(r.firing), severity: optStr(r.severity), clusters: json<string[]>(r.clusters), namespaces: json<string[]>(r.namespaces),
    regions: json<string[]>(r.regions),
  };
}

const storedAlert = (row: Row): StoredAlert => ({ alert: toAlert(row), keys: json<string[]>(row.corr_keys) });

function storedPaging(r: Row): StoredPaging {
  return {
    ...toPlacedPaging(r), instance: String(r.instance), incidentId: String(r.incident_id), incidentEventId: String(r.incident_event_id),
    keys: json<string[]>(r.keys), channel: optStr(r.channel), objectId: optStr(r.object_id), actor: optStr(r.actor),
  };
}

function toKeyActivity(r: Row): KeyActivity {
  const activeUntil = String(r.active_until);
  return {
    key: String(r.key), firstAt: String(r.first_at), lastAt: String(r.last_at), activeUntil: activeUntil === ACTIVE_SENTINEL ? null : activeUntil,
    firing: Number(r.firing), holders: Number(r.holders), depth: Number(r.depth ?? 0),
  };
}
