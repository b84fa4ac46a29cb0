import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert, AlertObservation } from '../../domain/alert';
import { AUDIT_ONLY_EVENT_KINDS } from '../../domain/correlation/corrections';
import type { Correlator } from '../../domain/correlation/correlator';
import { firingHorizonMsOf } from '../../domain/correlation/key-activity';
import { inPlacementOrder, pagingInPlacementOrder } from '../../domain/correlation/placement';
import type { Incident, IncidentDetail, IncidentEvent, IncidentStatus } from '../../domain/incident';
import type { PagingEvent } from '../../domain/paging-event';
import { decodeCursor, toPage } from '../cursor';
import type {
  CorrectionContext, InboxEntry, InboxEntrySummary, InboxOutcome, InboxQuery, InboxState, IncidentQuery, MergeResult, MoveResult,
  NewInboxEntry, Page, PagingRecordResult, PlacedPaging, RecordContext, RecordResult, RequeueContext, ResolveContext, SplitResult, Store,
} from '../store';
import { IncidentTx } from './sqlite-incident-tx';
import { toAlert, toEvent, toInboxEntry, toInboxSummary, toIncident, type Row } from './sqlite-rows';
import { decodeBody, encodeBody } from './inbox-body-codec';
import { SQLITE_ADDED_COLUMNS, SQLITE_DROPPED, SQLITE_MOVE_INBOX_BODIES, SQLITE_SCHEMA } from './sqlite-schema';
import { probeWritable } from './sqlite-faults';

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
  private readonly statements = new Map<string, Database.Statement>();

  /** The open database handle, for companion stores sharing the file (reports). Valid after `init()`. */
  get database(): Database.Database {
    return this.db;
  }

  constructor(private readonly options: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.options.file !== ':memory:') mkdirSync(dirname(this.options.file), { recursive: true });
    this.db = new Database(this.options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.options.synchronous ?? 'FULL'}`);
    this.db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SQLITE_SCHEMA);
    for (const c of SQLITE_ADDED_COLUMNS) {
      const columns = this.db.prepare(`PRAGMA table_info(${c.table})`).all() as Row[];
      if (!columns.some((col) => col.name === c.column)) this.db.exec(c.ddl);
    }
    this.db.exec(SQLITE_DROPPED);
    // Only an old file takes the write lock here: opening must work while another connection
    // writes (an inbox worker restarting while the file is locked). Checked again under the
    // lock, since several processes may start on one old file at once.
    const hasInboxBodyColumn = () => (this.db.prepare('PRAGMA table_info(inbox)').all() as Row[]).some((col) => col.name === 'body');
    if (hasInboxBodyColumn()) {
      this.db.transaction(() => { if (hasInboxBodyColumn()) this.db.exec(SQLITE_MOVE_INBOX_BODIES); }).immediate();
    }
  }

  async ping(): Promise<void> {
    // Readiness means "can take a webhook": check the write path, not only that reads work.
    probeWritable(this.db);
  }

  async close(): Promise<void> {
    this.statements.clear();
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
      const { lastInsertRowid: seq } = this.sql(`INSERT INTO inbox (id, instance, connector, received_at, headers, delivery_id)
        VALUES (?, ?, ?, ?, ?, ?)`).run(id, entry.instance, entry.connector, entry.receivedAt, JSON.stringify(entry.headers), entry.deliveryId);
      const { encoding, data } = encodeBody(entry.body);
      this.sql('INSERT INTO inbox_bodies (seq, encoding, bytes, body) VALUES (?, ?, ?, ?)').run(seq, encoding, entry.body.length, data);
      return { id, duplicate: false };
    });
    return run.immediate();
  }

  async claimInbox(owner: string, leaseMs: number, limit: number, now: string): Promise<InboxEntry[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    const run = this.db.transaction(() => this.sql(`
      UPDATE inbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
      WHERE seq IN (
        SELECT seq FROM inbox WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < ?)
        ORDER BY seq LIMIT ?)
      RETURNING *`).all(owner, until, now, limit) as Row[]);
    const bodyOf = this.sql('SELECT encoding, body FROM inbox_bodies WHERE seq = ?');
    return run.immediate()
      .map((row) => {
        const stored = bodyOf.get(row.seq) as Row | undefined;
        return toInboxEntry({ ...row, body: stored ? decodeBody(String(stored.encoding), stored.body as Buffer) : Buffer.alloc(0) });
      })
      .sort((a, b) => a.seq - b.seq);
  }

  async completeInbox(id: string, owner: string, outcome: InboxOutcome, now: string): Promise<void> {
    this.sql(`UPDATE inbox SET state = 'done', processed_at = ?, outcome = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
      WHERE id = ? AND lease_owner = ?`).run(now, JSON.stringify(outcome), id, owner);
  }

  async failInbox(id: string, owner: string, reason: string, dead: boolean, now: string): Promise<void> {
    // A failed attempt keeps its lease until it expires, so retries back off by the lease time.
    this.db.prepare(`UPDATE inbox SET state = ?, last_error = ?, processed_at = CASE WHEN ? THEN ? ELSE processed_at END
      WHERE id = ? AND lease_owner = ?`).run(dead ? 'dead' : 'pending', reason, dead ? 1 : 0, now, id, owner);
  }

  async listInbox(query: InboxQuery): Promise<Page<InboxEntrySummary>> {
    const after = query.cursor ? Number(decodeCursor(query.cursor, ['seq']).seq) : null;
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.state) { where.push('state = ?'); args.push(query.state); }
    if (after !== null && Number.isFinite(after)) { where.push('seq < ?'); args.push(after); }
    const rows = this.db.prepare(`SELECT seq, id, instance, connector, received_at, state, attempts, last_error, processed_at, outcome,
        (SELECT bytes FROM inbox_bodies b WHERE b.seq = inbox.seq) AS body_bytes
      FROM inbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map(toInboxSummary), query.limit, (last) => ({ seq: last.seq }));
  }

  async getInboxEntry(id: string): Promise<InboxEntry | null> {
    const row = this.db.prepare('SELECT inbox.*, b.encoding, b.body, b.bytes AS body_bytes FROM inbox JOIN inbox_bodies b ON b.seq = inbox.seq WHERE inbox.id = ?').get(id) as Row | undefined;
    return row ? toInboxEntry({ ...row, body: decodeBody(String(row.encoding), row.body as Buffer) }) : null;
  }

  async requeueInbox(id: string, context: RequeueContext): Promise<boolean> {
    // The requeue and the record of who did it are one statement: never one without the other.
    const r = this.db.prepare(`UPDATE inbox SET state = 'pending', lease_owner = NULL, lease_until = NULL, attempts = 0,
      requeues = json_insert(requeues, '$[#]', json_object('at', ?, 'actor', ?)) WHERE id = ? AND state = 'dead'`).run(context.now, context.actor, id);
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

  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction with a fresh incident writer. */
  private write<T>(ctx: { serviceLabels: readonly string[]; now: string; correlator?: Correlator }, fn: (tx: IncidentTx) => T): T {
    return this.db.transaction(() => fn(new IncidentTx((q) => this.sql(q), ctx.serviceLabels, ctx.now, firingHorizonMsOf(ctx.correlator)))).immediate();
  }

  async recordObservations(observations: AlertObservation[], ctx: RecordContext): Promise<RecordResult> {
    const ordered = inPlacementOrder(observations);
    return this.write(ctx, (tx) => {
      let created: Alert[] = [];
      let updated: Alert[] = [];
      for (const obs of ordered) {
        const existing = tx.findAlert(obs);
        if (existing) updated.push(tx.updateAlert(existing, obs));
        else created.push(tx.placeAlert(obs, ctx.correlator));
      }
      tx.finish();
      if (tx.merged) {
        // A late alert merged incidents: report where the alerts are now.
        const reread = (a: Alert) => toAlert(this.sql('SELECT * FROM alerts WHERE id = ?').get(a.id) as Row);
        created = created.map(reread);
        updated = updated.map(reread);
      }
      return { created, updated, incidentIds: [...tx.touched] };
    });
  }

  async recordPagingEvents(events: PagingEvent[], ctx: RecordContext): Promise<PagingRecordResult> {
    const ordered = pagingInPlacementOrder(events);
    return this.write(ctx, (tx) => {
      const placed: PlacedPaging[] = [];
      let duplicates = 0;
      let twins = 0;
      for (const event of ordered) {
        const p = tx.placePaging(event, ctx.correlator);
        if (p === 'duplicate') duplicates += 1;
        else if (p === 'twin') twins += 1;
        else placed.push(p);
      }
      tx.finish();
      return { placed, duplicates, twins, incidentIds: [...tx.touched] };
    });
  }

  async mergeIncidents(targetId: string, sourceIds: string[], ctx: CorrectionContext): Promise<MergeResult> {
    return this.write(ctx, (tx) => tx.merge(targetId, sourceIds, ctx));
  }

  async splitIncident(incidentId: string, alertIds: string[], ctx: CorrectionContext): Promise<SplitResult> {
    return this.write(ctx, (tx) => tx.split(incidentId, alertIds, ctx));
  }

  async moveAlert(alertId: string, targetIncidentId: string, ctx: CorrectionContext): Promise<MoveResult> {
    return this.write(ctx, (tx) => tx.move(alertId, targetIncidentId, ctx));
  }

  async getIncidentAudit(id: string): Promise<IncidentEvent[] | null> {
    if (!this.sql('SELECT 1 FROM incidents WHERE id = ?').get(id)) return null;
    return (this.sql('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY at, rowid').all(id) as Row[]).map(toEvent);
  }

  async getIncident(id: string): Promise<IncidentDetail | null> {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    const alerts = (this.db.prepare('SELECT * FROM alerts WHERE incident_id = ? ORDER BY starts_at, id').all(id) as Row[]).map(toAlert);
    const hidden = AUDIT_ONLY_EVENT_KINDS.map((k) => `'${k}'`).join(', ');
    const events = (this.sql(`SELECT * FROM incident_events WHERE incident_id = ? AND kind NOT IN (${hidden}) ORDER BY at, rowid`).all(id) as Row[]).map(toEvent);
    return { incident: toIncident(row), alerts, events };
  }

  async listIncidents(query: IncidentQuery): Promise<Page<Incident>> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.status) { where.push('i.status = ?'); args.push(query.status); } else where.push("i.status <> 'merged'");
    if (query.severity) { where.push('i.severity = ?'); args.push(query.severity); }
    if (query.service) { where.push('i.id IN (SELECT incident_id FROM incident_services WHERE service = ?)'); args.push(query.service); }
    if (query.since) { where.push('(i.ended_at IS NULL OR i.ended_at >= ?)'); args.push(query.since); }
    if (query.until) { where.push('i.started_at < ?'); args.push(query.until); }
    if (query.cursor) {
      const c = decodeCursor(query.cursor, ['s', 'id']);
      where.push('(i.started_at < ? OR (i.started_at = ? AND i.id < ?))');
      args.push(String(c.s), String(c.s), String(c.id));
    }
    const rows = this.db.prepare(`SELECT i.* FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.started_at DESC, i.id DESC LIMIT ?`).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map(toIncident), query.limit, (last) => ({ s: last.startedAt, id: last.id }));
  }

  async pagedIncidentIds(incidentIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(incidentIds)];
    if (ids.length === 0) return new Set();
    // Uses the (incident_id, at) index; not cached: the statement's shape varies with the page size.
    const rows = this.db.prepare(`SELECT DISTINCT incident_id FROM incident_events
      WHERE incident_id IN (${ids.map(() => '?').join(', ')}) AND kind LIKE 'pagerduty.%'`).all(...ids) as Array<{ incident_id: string }>;
    return new Set(rows.map((r) => r.incident_id));
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

  // --- reconciliation with a pull source (Alertmanager API); added for issue 4 ---------------

  async listFiringAlerts(instance: string): Promise<Alert[]> {
    return (this.sql("SELECT * FROM alerts WHERE instance = ? AND status = 'firing' ORDER BY starts_at, id").all(instance) as Row[]).map(toAlert);
  }

  async resolveAlerts(ids: string[], endsAt: string, reason: string, ctx: ResolveContext): Promise<Alert[]> {
    return this.write(ctx, (tx) => {
      const resolved: Alert[] = [];
      for (const id of [...new Set(ids)]) {
        const row = this.sql('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
        if (!row || row.status !== 'firing') continue;
        const alert = toAlert(row);
        const end = endsAt < alert.startsAt ? alert.startsAt : endsAt;
        // Through updateAlert so the incident's keys and summary are recomputed as for a webhook;
        // then the notification bookkeeping is put back: this was no notification.
        const next = tx.updateAlert(alert, { ...alert, status: 'resolved', endsAt: end });
        this.sql('UPDATE alerts SET notification_count = ?, last_seen_at = ? WHERE id = ?').run(alert.notificationCount, alert.lastSeenAt, id);
        tx.insertEvent({
          incidentId: alert.incidentId, at: end, kind: 'alert.reconciled', actor: 'debrief',
          text: `${alert.labels.alertname ?? 'Alert'} marked resolved: ${reason}`,
          data: { alertId: id, fingerprint: alert.fingerprint, endsAt: end, reason },
        });
        resolved.push({ ...next, notificationCount: alert.notificationCount, lastSeenAt: alert.lastSeenAt });
      }
      tx.finish();
      return resolved;
    });
  }
  // --- end reconciliation ---------------------------------------------------------------------
}
