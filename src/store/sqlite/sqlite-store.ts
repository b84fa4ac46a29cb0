import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert, AlertObservation, CorrelationDecision } from '../../domain/alert';
import type { IncidentCandidate } from '../../domain/correlation/correlator';
import type { Incident, IncidentDetail, IncidentEvent, IncidentStatus } from '../../domain/incident';
import { summarizeIncident } from '../../domain/incident-summary';
import { decodeCursor, encodeCursor } from '../cursor';
import type {
  InboxEntry, InboxEntrySummary, InboxOutcome, InboxQuery, InboxState, IncidentQuery, NewInboxEntry, Page,
  RecordContext, RecordResult, Store,
} from '../store';
import { SQLITE_SCHEMA } from './sqlite-schema';

type Row = Record<string, unknown>;

export interface SqliteStoreOptions {
  /** File path, or `:memory:` for throwaway tests. */
  file: string;
  /**
   * `FULL` (default) fsyncs the WAL on every commit: an answered webhook survives a power
   * loss. `NORMAL` survives a process crash but may lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process's lock before failing (ms). */
  busyTimeoutMs?: number;
}

/**
 * The embedded default store: one SQLite file in WAL mode. Several Debrief processes may share
 * the file; atomic operations run in `BEGIN IMMEDIATE` transactions, which take SQLite's single
 * write lock up front, so a read-decide-write sequence (inbox claim, correlation) is never
 * interleaved with another process's.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private db!: Database.Database;

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.options.file !== ':memory:') mkdirSync(dirname(this.options.file), { recursive: true });
    this.db = new Database(this.options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.options.synchronous ?? 'FULL'}`);
    this.db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SQLITE_SCHEMA);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }

  // ---------------------------------------------------------------- inbox

  async appendInbox(entry: NewInboxEntry): Promise<{ id: string; duplicate: boolean }> {
    const id = randomUUID();
    const run = this.db.transaction(() => {
      if (entry.deliveryId !== null) {
        const prior = this.db.prepare('SELECT id FROM inbox WHERE instance = ? AND delivery_id = ?').get(entry.instance, entry.deliveryId) as Row | undefined;
        if (prior) return { id: String(prior.id), duplicate: true };
      }
      this.db.prepare(`INSERT INTO inbox (id, instance, connector, received_at, headers, body, delivery_id)
        VALUES (?, ?, ?, ?, ?, ?, ?)`).run(id, entry.instance, entry.connector, entry.receivedAt, JSON.stringify(entry.headers), entry.body, entry.deliveryId);
      return { id, duplicate: false };
    });
    return run.immediate();
  }

  async claimInbox(owner: string, leaseMs: number, limit: number, now: string): Promise<InboxEntry[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    const run = this.db.transaction(() => this.db.prepare(`
      UPDATE inbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
      WHERE seq IN (
        SELECT seq FROM inbox WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < ?)
        ORDER BY seq LIMIT ?)
      RETURNING *`).all(owner, until, now, limit) as Row[]);
    return run.immediate().map(toInboxEntry).sort((a, b) => a.seq - b.seq);
  }

  async completeInbox(id: string, owner: string, outcome: InboxOutcome, now: string): Promise<void> {
    this.db.prepare(`UPDATE inbox SET state = 'done', processed_at = ?, outcome = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
      WHERE id = ? AND lease_owner = ?`).run(now, JSON.stringify(outcome), id, owner);
  }

  async failInbox(id: string, owner: string, reason: string, dead: boolean, now: string): Promise<void> {
    // A failed attempt keeps its lease until it expires, so retries back off by the lease time.
    this.db.prepare(`UPDATE inbox SET state = ?, last_error = ?, processed_at = CASE WHEN ? THEN ? ELSE processed_at END
      WHERE id = ? AND lease_owner = ?`).run(dead ? 'dead' : 'pending', reason, dead ? 1 : 0, now, id, owner);
  }

  async listInbox(query: InboxQuery): Promise<Page<InboxEntrySummary>> {
    const after = query.cursor ? Number(decodeCursor(query.cursor).seq) : null;
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.state) { where.push('state = ?'); args.push(query.state); }
    if (after !== null && Number.isFinite(after)) { where.push('seq < ?'); args.push(after); }
    const rows = this.db.prepare(`SELECT seq, id, instance, connector, received_at, state, attempts, last_error, processed_at, outcome, length(body) AS body_bytes
      FROM inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`).all(...args, query.limit + 1) as Row[];
    const items = rows.slice(0, query.limit).map(toInboxSummary);
    return { items, nextCursor: rows.length > query.limit ? encodeCursor({ seq: items.at(-1)!.seq }) : null };
  }

  async getInboxEntry(id: string): Promise<InboxEntry | null> {
    const row = this.db.prepare('SELECT *, length(body) AS body_bytes FROM inbox WHERE id = ?').get(id) as Row | undefined;
    return row ? toInboxEntry(row) : null;
  }

  async requeueInbox(id: string, _now: string): Promise<boolean> {
    const r = this.db.prepare(`UPDATE inbox SET state = 'pending', lease_owner = NULL, lease_until = NULL, attempts = 0 WHERE id = ? AND state = 'dead'`).run(id);
    return r.changes > 0;
  }

  async inboxCounts(): Promise<Record<InboxState, number>> {
    const counts: Record<InboxState, number> = { pending: 0, done: 0, dead: 0 };
    for (const row of this.db.prepare('SELECT state, count(*) AS n FROM inbox GROUP BY state').all() as Row[]) {
      counts[row.state as InboxState] = Number(row.n);
    }
    return counts;
  }

  // ------------------------------------------------------- alerts/incidents

  async recordObservations(observations: AlertObservation[], ctx: RecordContext): Promise<RecordResult> {
    const ordered = [...observations].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.fingerprint.localeCompare(b.fingerprint));
    const run = this.db.transaction(() => {
      const created: Alert[] = [];
      const updated: Alert[] = [];
      const touched = new Set<string>();
      for (const obs of ordered) {
        const existing = this.db.prepare('SELECT * FROM alerts WHERE instance = ? AND fingerprint = ? AND starts_at = ?')
          .get(obs.instance, obs.fingerprint, obs.startsAt) as Row | undefined;
        if (existing) {
          updated.push(this.updateAlert(toAlert(existing), obs, ctx.now));
          touched.add(String(existing.incident_id));
        } else {
          const alert = this.placeAlert(obs, ctx);
          created.push(alert);
          touched.add(alert.incidentId);
        }
      }
      for (const incidentId of touched) this.refreshIncident(incidentId, ctx.serviceLabels, ctx.now);
      return { created, updated, incidentIds: [...touched] };
    });
    return run.immediate();
  }

  /**
   * A re-sent notification of a known firing. A resolution is final for this firing: a late
   * "firing" re-send (HA peer, retry) after the resolved one must not reopen it.
   */
  private updateAlert(alert: Alert, obs: AlertObservation, now: string): Alert {
    const resolved = alert.status === 'resolved' || obs.status === 'resolved';
    const endsAt = obs.status === 'resolved' ? (obs.endsAt ?? alert.endsAt) : alert.endsAt;
    const next: Alert = {
      ...alert,
      status: resolved ? 'resolved' : 'firing',
      endsAt: resolved ? endsAt : null,
      annotations: obs.annotations,
      generatorUrl: obs.generatorUrl ?? alert.generatorUrl,
      lastSeenAt: now > alert.lastSeenAt ? now : alert.lastSeenAt,
      notificationCount: alert.notificationCount + 1,
    };
    this.db.prepare(`UPDATE alerts SET status = ?, ends_at = ?, annotations = ?, generator_url = ?, last_seen_at = ?, notification_count = ? WHERE id = ?`)
      .run(next.status, next.endsAt, JSON.stringify(next.annotations), next.generatorUrl, next.lastSeenAt, next.notificationCount, next.id);
    return next;
  }

  private placeAlert(obs: AlertObservation, ctx: RecordContext): Alert {
    const keys = ctx.correlator.keysFor(obs);
    const candidates = this.findCandidates(keys, obs.startsAt, ctx.correlator.lookbackMs);
    const placement = ctx.correlator.decide(obs, candidates, ctx.now);
    let incidentId: string;
    if (placement.action === 'join') {
      incidentId = placement.incidentId;
    } else {
      incidentId = randomUUID();
      this.db.prepare(`INSERT INTO incidents (id, title, status, severity, services, started_at, ended_at, last_activity_at, alert_count, created_at, updated_at)
        VALUES (?, ?, 'open', NULL, '[]', ?, NULL, ?, 0, ?, ?)`).run(incidentId, '(new incident)', obs.startsAt, obs.startsAt, ctx.now, ctx.now);
    }
    const alert: Alert = {
      ...obs,
      id: randomUUID(),
      incidentId,
      decision: placement.decision,
      firstSeenAt: ctx.now,
      lastSeenAt: ctx.now,
      notificationCount: 1,
    };
    this.insertAlert(alert);
    // Keep the incident's span current inside the batch so the next decision sees it.
    this.db.prepare(`UPDATE incidents SET started_at = min(started_at, ?), last_activity_at = max(last_activity_at, ?) WHERE id = ?`)
      .run(obs.startsAt, obs.startsAt, incidentId);
    const span = this.db.prepare('SELECT started_at, last_activity_at FROM incidents WHERE id = ?').get(incidentId) as Row;
    for (const key of keys) {
      this.db.prepare(`INSERT INTO incident_keys (key, incident_id, started_at, last_activity_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (key, incident_id) DO NOTHING`).run(key, incidentId, span.started_at, span.last_activity_at);
    }
    this.db.prepare('UPDATE incident_keys SET started_at = ?, last_activity_at = ? WHERE incident_id = ?').run(span.started_at, span.last_activity_at, incidentId);
    return alert;
  }

  private findCandidates(keys: string[], startsAt: string, lookbackMs: number): IncidentCandidate[] {
    if (keys.length === 0) return [];
    const t = Date.parse(startsAt);
    const from = new Date(t - lookbackMs).toISOString();
    const to = new Date(t + lookbackMs).toISOString();
    const byIncident = new Map<string, string[]>();
    const stmt = this.db.prepare('SELECT incident_id FROM incident_keys WHERE key = ? AND last_activity_at >= ? AND started_at <= ?');
    for (const key of keys) {
      for (const row of stmt.all(key, from, to) as Row[]) {
        const id = String(row.incident_id);
        (byIncident.get(id) ?? byIncident.set(id, []).get(id)!).push(key);
      }
    }
    const incidentStmt = this.db.prepare('SELECT * FROM incidents WHERE id = ?');
    return [...byIncident].map(([id, matched]) => ({ incident: toIncident(incidentStmt.get(id) as Row), keys: matched }));
  }

  private insertAlert(a: Alert): void {
    this.db.prepare(`INSERT INTO alerts (id, instance, source, fingerprint, fingerprint_computed, starts_at, ends_at, status, labels, annotations,
        generator_url, source_group_key, source_group_labels, incident_id, decision, first_seen_at, last_seen_at, notification_count)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      a.id, a.instance, a.source, a.fingerprint, a.fingerprintComputed ? 1 : 0, a.startsAt, a.endsAt, a.status,
      JSON.stringify(a.labels), JSON.stringify(a.annotations), a.generatorUrl, a.sourceGroupKey, JSON.stringify(a.sourceGroupLabels),
      a.incidentId, JSON.stringify(a.decision), a.firstSeenAt, a.lastSeenAt, a.notificationCount,
    );
  }

  /** Recomputes an incident's summary from its alerts (pure `summarizeIncident`). */
  private refreshIncident(incidentId: string, serviceLabels: readonly string[], now: string): void {
    const alerts = (this.db.prepare('SELECT * FROM alerts WHERE incident_id = ?').all(incidentId) as Row[]).map(toAlert);
    if (alerts.length === 0) return;
    const s = summarizeIncident(alerts, serviceLabels);
    this.db.prepare(`UPDATE incidents SET title = ?, status = ?, severity = ?, services = ?, started_at = ?, ended_at = ?, last_activity_at = ?, alert_count = ?, updated_at = ?
      WHERE id = ?`).run(s.title, s.status, s.severity, JSON.stringify(s.services), s.startedAt, s.endedAt, s.lastActivityAt, s.alertCount, now, incidentId);
    this.db.prepare('DELETE FROM incident_services WHERE incident_id = ?').run(incidentId);
    const ins = this.db.prepare('INSERT OR IGNORE INTO incident_services (incident_id, service) VALUES (?, ?)');
    for (const service of s.services) ins.run(incidentId, service);
    this.db.prepare('UPDATE incident_keys SET started_at = ?, last_activity_at = ? WHERE incident_id = ?').run(s.startedAt, s.lastActivityAt, incidentId);
  }

  async getIncident(id: string): Promise<IncidentDetail | null> {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    const alerts = (this.db.prepare('SELECT * FROM alerts WHERE incident_id = ? ORDER BY starts_at, id').all(id) as Row[]).map(toAlert);
    const events = (this.db.prepare('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY at, id').all(id) as Row[]).map(toEvent);
    return { incident: toIncident(row), alerts, events };
  }

  async listIncidents(query: IncidentQuery): Promise<Page<Incident>> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.status) { where.push('i.status = ?'); args.push(query.status); }
    if (query.severity) { where.push('i.severity = ?'); args.push(query.severity); }
    if (query.service) { where.push('i.id IN (SELECT incident_id FROM incident_services WHERE service = ?)'); args.push(query.service); }
    if (query.since) { where.push('(i.ended_at IS NULL OR i.ended_at >= ?)'); args.push(query.since); }
    if (query.until) { where.push('i.started_at < ?'); args.push(query.until); }
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      where.push('(i.started_at < ? OR (i.started_at = ? AND i.id < ?))');
      args.push(String(c.s), String(c.s), String(c.id));
    }
    const rows = this.db.prepare(`SELECT i.* FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.started_at DESC, i.id DESC LIMIT ?`).all(...args, query.limit + 1) as Row[];
    const items = rows.slice(0, query.limit).map(toIncident);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ s: last.startedAt, id: last.id }) : null };
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row ? toAlert(row) : null;
  }

  async countIncidents(status?: IncidentStatus): Promise<number> {
    const row = (status
      ? this.db.prepare('SELECT count(*) AS n FROM incidents WHERE status = ?').get(status)
      : this.db.prepare('SELECT count(*) AS n FROM incidents').get()) as Row;
    return Number(row.n);
  }
}

const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toInboxSummary(r: Row): InboxEntrySummary {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    instance: String(r.instance),
    connector: String(r.connector),
    receivedAt: String(r.received_at),
    state: r.state as InboxState,
    attempts: Number(r.attempts),
    lastError: optStr(r.last_error),
    processedAt: optStr(r.processed_at),
    outcome: r.outcome ? json<InboxOutcome>(r.outcome) : null,
    bodyBytes: r.body_bytes !== undefined ? Number(r.body_bytes) : (r.body as Buffer).length,
  };
}

function toInboxEntry(r: Row): InboxEntry {
  return { ...toInboxSummary(r), headers: json(r.headers), body: r.body as Buffer, deliveryId: optStr(r.delivery_id) };
}

function toIncident(r: Row): Incident {
  return {
    id: String(r.id),
    title: String(r.title),
    status: r.status as IncidentStatus,
    severity: optStr(r.severity),
    services: json<string[]>(r.services),
    startedAt: String(r.started_at),
    endedAt: optStr(r.ended_at),
    lastActivityAt: String(r.last_activity_at),
    alertCount: Number(r.alert_count),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

function toAlert(r: Row): Alert {
  return {
    id: String(r.id),
    instance: String(r.instance),
    source: String(r.source),
    fingerprint: String(r.fingerprint),
    fingerprintComputed: Number(r.fingerprint_computed) === 1,
    startsAt: String(r.starts_at),
    endsAt: optStr(r.ends_at),
    status: r.status as Alert['status'],
    labels: json(r.labels),
    annotations: json(r.annotations),
    generatorUrl: optStr(r.generator_url),
    sourceGroupKey: optStr(r.source_group_key),
    sourceGroupLabels: json(r.source_group_labels),
    incidentId: String(r.incident_id),
    decision: json<CorrelationDecision>(r.decision),
    firstSeenAt: String(r.first_seen_at),
    lastSeenAt: String(r.last_seen_at),
    notificationCount: Number(r.notification_count),
  };
}

function toEvent(r: Row): IncidentEvent {
  return {
    id: String(r.id),
    incidentId: String(r.incident_id),
    at: String(r.at),
    kind: String(r.kind),
    actor: optStr(r.actor),
    text: String(r.text),
    data: json(r.data),
  };
}
