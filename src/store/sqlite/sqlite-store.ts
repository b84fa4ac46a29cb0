import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert, AlertObservation } from '../../domain/alert';
import * as ledger from '../../domain/ledger/incident-ledger';
import { runSync, type LedgerStep } from '../../domain/ledger/ledger-port';
import { derivedStateTag, ledgerContext, placementContext } from '../ledger-context';
import type { LedgerContext } from '../../domain/ledger/incident-ledger';
import type { DeclarationChange } from '../../domain/declared-incident';
import type { Incident, IncidentDeclaration, IncidentDetail, IncidentEvent, IncidentStatus } from '../../domain/incident';
import type { ServiceLabels } from '../../domain/service-naming';
import type { PagingEvent } from '../../domain/paging-event';
import type { Change } from '../../domain/changes/change';
import { decodeCursor, toPage } from '../cursor';
import type {
  ChangeQuery, ChangeRecordResult, CorrectionContext, InboxAlerts, InboxAlertsResult, InboxEntry, InboxEntrySummary, InboxOutcome, InboxQuery, InboxState, IncidentQuery, IncidentValues, MergeResult, MoveResult,
  NewInboxEntry, Page, PagingRecordResult, RecordContext, RecordResult, RequeueContext, ResolveContext, SplitResult, Store,
} from '../store';
import { knownValues } from '../known-values';
import { SqliteChanges } from './sqlite-changes';
import { SqliteCommitPolicy } from './sqlite-commit-policy';
import { incidentListWhere } from './sqlite-incident-query';
import { namesByIncident } from '../incident-alert-names';
import { SqliteLedgerPort } from './sqlite-ledger-port';
import { groupRef, toAlert, toEvent, toIncident, type Row } from './sqlite-rows';
import { inboxFileFor, SqliteInbox } from './sqlite-inbox';
import { SQLITE_ADDED_COLUMNS, SQLITE_DROPPED, SQLITE_SCHEMA, SQLITE_VIEWS, TIMELINE_EVENTS } from './sqlite-schema';
import { sampledAlerts, sampledEvents } from '../bounded-detail';
import { SQLITE_JOURNAL_SIZE_LIMIT_BYTES } from './sqlite-checkpointer';
import { isStoreUnavailable, probeWritable } from './sqlite-faults';
import { cannotWrite, matchCompanionModes, type Reopenable } from './sqlite-reopen';

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
  /**
   * Group-commit webhook appends, run derived writes at NORMAL and checkpoint off the thread
   * (sqlite-commit-policy.ts). What a serving store does (open-stores.ts); tests may leave it off.
   */
  commitPolicy?: boolean;
  /** `wal_autocheckpoint` of every connection this store opens (pages); SQLite's default (1,000) when absent. */
  walAutocheckpointPages?: number;
}

/**
 * Page cache of an inbox connection, in KiB (better-sqlite3 opens every connection with 16 MB).
 * The inbox file is appended to at its right edge and each body is read back once, so its pages
 * are seldom reused; with two inbox connections (the HTTP thread appends, the inbox worker reads)
 * the default caches filled up with pages nobody read again during a storm. Peak RSS of the storm
 * run, with the checkpointer's caches also trimmed: about 20-40 MB lower
 * (bench/ingest/notes.md, "Figures behind code comments").
 */
const INBOX_CACHE_KIB = 2000;

/**
 * The embedded default store: one SQLite file in WAL mode, plus its inbox file beside it
 * (sqlite-inbox.ts: received webhooks, so that appends never wait for processing). Several
 * Debrief processes may share the files; atomic operations run in `BEGIN IMMEDIATE` transactions, which take SQLite's single
 * write lock up front, so a read-decide-write sequence (inbox claim, correlation) is never
 * interleaved with another process's.
 */
export class SqliteStore implements Store, Reopenable {
  readonly kind = 'sqlite';
  private db!: Database.Database;
  private inboxDb!: Database.Database;
  private inbox!: SqliteInbox;
  private readonly statements = new Map<string, Database.Statement>();
  private policy: SqliteCommitPolicy | null = null;
  private readonly ledgerPort = new SqliteLedgerPort((text) => this.sql(text));
  private readonly changes = new SqliteChanges(() => this.db);
  /** The derived-state tag this connection has checked (`upgradeDerivedState`). */
  private derivedFor: string | null = null;

  /** The open database handle, for companion stores sharing the file (reports). Valid after `init()`. */
  get database(): Database.Database {
    return this.db;
  }

  /** The inbox file's handle (sqlite-inbox.ts): webhook appends write only this file. Valid after `init()`. */
  get inboxDatabase(): Database.Database {
    return this.inboxDb;
  }

  constructor(private readonly options: SqliteStoreOptions) {
    this.options = { ...options };
  }

  /** The file another thread may open with its own connection; null for `:memory:`. */
  fileForOtherThreads(): string | null {
    return this.options.file === ':memory:' || this.options.file === '' ? null : this.options.file;
  }

  async init(): Promise<void> {
    if (this.options.file !== ':memory:') mkdirSync(dirname(this.options.file), { recursive: true });
    this.db = this.open(this.options.file);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SQLITE_SCHEMA);
    for (const c of SQLITE_ADDED_COLUMNS) {
      const columns = this.db.prepare(`PRAGMA table_info(${c.table})`).all() as Row[];
      if (!columns.some((col) => col.name === c.column)) this.db.exec(c.ddl);
    }
    this.db.exec(SQLITE_DROPPED);
    this.createViews();
    this.changes.init();
    this.inboxDb = this.open(inboxFileFor(this.options.file), INBOX_CACHE_KIB);
    this.inbox = new SqliteInbox(this.inboxDb, this.db);
    this.inbox.init();
    if (this.options.commitPolicy) this.startCommitPolicy();
  }

  /** (Re)creates the views when their definition changed, so processes opening the file leave them be. */
  private createViews(): void {
    for (const { name, sql } of SQLITE_VIEWS) {
      const row = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?").get(name) as Row | undefined;
      if (row?.sql === sql) continue;
      this.db.exec(`DROP VIEW IF EXISTS ${name}; ${sql}`);
    }
  }

  /** Applies the commit policy from now on (a serving store does: open-stores.ts). */
  useCommitPolicy(): void {
    this.options.commitPolicy = true;
    if (this.db?.open) this.startCommitPolicy();
  }

  private startCommitPolicy(): void {
    if (this.policy) return;
    this.policy = new SqliteCommitPolicy({ store: () => this.db ?? null, inbox: () => this.inboxDb ?? null }, (entry) => this.inbox.append(entry));
    this.policy.start();
  }

  /** A write re-derivable from the inbox: at NORMAL under the commit policy (sqlite-commit-policy.ts). */
  private derived<T>(write: () => T): T {
    return this.policy ? this.policy.derived(write) : write();
  }

  private open(file: string, cacheKiB?: number): Database.Database {
    const db = new Database(file);
    db.function('debrief_group_ref', { deterministic: true }, groupRef);
    if (cacheKiB !== undefined) db.pragma(`cache_size = -${cacheKiB}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.options.synchronous ?? 'FULL'}`);
    db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    // The WAL file never shrinks by itself (sqlite-checkpointer.ts).
    db.pragma(`journal_size_limit = ${SQLITE_JOURNAL_SIZE_LIMIT_BYTES}`);
    if (this.options.walAutocheckpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${this.options.walAutocheckpointPages}`);
    return db;
  }

  /**
   * Reopens the connections that cannot write although nothing asked them not to: opened while
   * their file was read-only, SQLite keeps them read-only for good (sqlite-reopen.ts). A new
   * connection is opened before the old one closes, so the WAL file is never removed under the
   * commit policy's fsync; if an open fails, nothing has changed.
   */
  reopenStuckConnections(): boolean {
    const reopenStore = cannotWrite(this.db);
    const reopenInbox = cannotWrite(this.inboxDb);
    if (!reopenStore && !reopenInbox) return false;
    const fresh = (file: string, cacheKiB?: number) => {
      matchCompanionModes(file);
      return this.open(file, cacheKiB);
    };
    const [oldDb, oldInboxDb] = [this.db, this.inboxDb];
    const db = reopenStore ? fresh(this.options.file) : oldDb;
    let inboxDb: Database.Database;
    try {
      inboxDb = reopenInbox ? fresh(inboxFileFor(this.options.file), INBOX_CACHE_KIB) : oldInboxDb;
    } catch (err) {
      if (db !== oldDb) db.close();
      throw err;
    }
    if (db !== oldDb) db.pragma('foreign_keys = ON');
    this.statements.clear();
    this.inbox.clear();
    [this.db, this.inboxDb] = [db, inboxDb];
    this.inbox = new SqliteInbox(inboxDb, db);
    this.policy?.connectionsReopened();
    if (db !== oldDb) oldDb.close();
    if (inboxDb !== oldInboxDb) oldInboxDb.close();
    return true;
  }

  async ping(): Promise<void> {
    // Readiness means "can take a webhook and process it": check both files' write paths, not only that reads work.
    probeWritable(this.inboxDb);
    probeWritable(this.db);
  }

  async close(): Promise<void> {
    await this.policy?.stop();
    this.policy = null;
    this.statements.clear();
    this.inbox?.clear();
    if (this.inboxDb?.open) this.inboxDb.close();
    if (this.db?.open) this.db.close();
  }

  // ---------------------------------------------------------------- inbox

  async appendInbox(entry: NewInboxEntry): Promise<{ id: string; duplicate: boolean }> {
    return this.policy ? this.policy.append(entry) : this.inbox.append(entry);
  }

  async claimInbox(owner: string, leaseMs: number, limit: number, now: string): Promise<InboxEntry[]> {
    return this.derived(() => this.inbox.claim(owner, leaseMs, limit, now));
  }

  async completeInbox(id: string, owner: string, outcome: InboxOutcome, now: string): Promise<void> {
    this.derived(() => this.inbox.complete(id, owner, outcome, now));
  }

  async failInbox(id: string, owner: string, reason: string, dead: boolean, now: string): Promise<void> {
    this.derived(() => this.inbox.fail(id, owner, reason, dead, now));
  }

  async listInbox(query: InboxQuery): Promise<Page<InboxEntrySummary>> {
    return this.inbox.list(query);
  }

  async getInboxEntry(id: string): Promise<InboxEntry | null> {
    return this.inbox.get(id);
  }

  async requeueInbox(id: string, context: RequeueContext): Promise<boolean> {
    return this.inbox.requeue(id, context);
  }

  async inboxCounts(): Promise<Record<InboxState, number>> {
    return this.inbox.counts();
  }

  async inboxBacklog(): Promise<{ pending: number; dead: number }> {
    return this.inbox.backlog();
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

  /**
   * Runs a ledger sequence in one `BEGIN IMMEDIATE` transaction, after bringing state derived by
   * an older version (or under other service labels) up to date, once per connection.
   */
  private write<C extends LedgerContext, T>(ctx: C, step: (ctx: C) => LedgerStep<T>): T {
    return this.db.transaction(() => {
      if (this.derivedFor !== derivedStateTag(ctx)) this.upgradeDerivedState(ctx);
      return runSync(step(ctx), this.ledgerPort);
    }).immediate();
  }

  /**
   * Tallies, facets and key activity are derived from alerts with the configured service labels:
   * a file written by an older version, or under other labels, has its incidents recomputed once.
   */
  private upgradeDerivedState(ctx: LedgerContext): void {
    const tag = derivedStateTag(ctx);
    const row = this.sql("SELECT value FROM schema_meta WHERE key = 'derived_state'").get() as Row | undefined;
    if (row?.value !== tag) {
      const ids = (this.sql("SELECT id FROM incidents WHERE status <> 'merged' ORDER BY id").all() as Row[]).map((r) => String(r.id));
      runSync(ledger.rebuildIncidents(ids, ctx), this.ledgerPort);
      this.sql("INSERT OR REPLACE INTO schema_meta (key, value) VALUES ('derived_state', ?)").run(tag);
    }
    this.derivedFor = tag;
  }

  async recordObservations(observations: AlertObservation[], ctx: RecordContext): Promise<RecordResult> {
    return this.derived(() => this.write(placementContext(ctx), (c) => ledger.recordObservations(observations, c)));
  }

  async recordInboxAlerts(entries: readonly InboxAlerts[], owner: string, ctx: Omit<RecordContext, 'inboxId'>): Promise<InboxAlertsResult[]> {
    const results: InboxAlertsResult[] = [];
    this.derived(() => this.db.transaction(() => {
      const base = placementContext(ctx);
      if (this.derivedFor !== derivedStateTag(base)) this.upgradeDerivedState(base);
      for (const entry of entries) {
        try {
          // A savepoint per entry: one that fails is undone alone and left claimed.
          this.db.transaction(() => {
            if (entry.observations.length > 0) runSync(ledger.recordNotifications(entry.observations, base), this.ledgerPort);
            this.inbox.complete(entry.id, owner, entry.outcome, ctx.now);
          })();
          results.push({ ok: true });
        } catch (error) {
          // SQLite rolls the whole transaction back by itself on some errors (FULL, IOERR, BUSY):
          // then nothing of the run is stored and the rest must not run outside it. A store
          // fault undoes the run too: it says nothing about the entry (the guard maps it).
          if (!this.db.inTransaction || isStoreUnavailable(error)) throw error;
          results.push({ ok: false, error });
        }
      }
    }).immediate());
    return results;
  }

  async recordPagingEvents(events: PagingEvent[], ctx: RecordContext): Promise<PagingRecordResult> {
    return this.derived(() => this.write(placementContext(ctx), (c) => ledger.recordPagingEvents(events, c)));
  }

  async recordChanges(changes: readonly Change[]): Promise<ChangeRecordResult> {
    return this.derived(() => this.changes.record(changes));
  }

  async listChanges(query: ChangeQuery): Promise<Change[]> {
    return this.changes.list(query);
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
    if (!this.sql('SELECT 1 FROM incidents WHERE id = ?').get(id)) return null;
    return (this.sql('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY at, rowid').all(id) as Row[]).map(toEvent);
  }

  /** Bounded (`bounded-detail.ts`): a sample of a large incident's alerts with its facets; timeline events through their own index. */
  async getIncident(id: string): Promise<IncidentDetail | null> {
    const row = this.sql('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    const alerts = await sampledAlerts({
      byStart: (order, limit) => (this.sql(`SELECT * FROM alert_rows WHERE incident_id = ? ORDER BY starts_at ${order}, id ${order} LIMIT ?`).all(id, limit) as Row[]).map(toAlert),
      facets: () => this.ledgerPort.facetsOf(id),
      byIds: (ids) => ids.map((alertId) => this.sql('SELECT * FROM alert_rows WHERE id = ?').get(alertId) as Row | undefined).filter((r): r is Row => r !== undefined).map(toAlert),
      count: () => Number((this.sql('SELECT count(*) AS n FROM alerts WHERE incident_id = ?').get(id) as Row).n),
    });
    // Timeline events through `incident_events_timeline` (audit-only ones left out).
    const events = await sampledEvents({
      byTime: (order, limit) => (this.sql(`SELECT * FROM incident_events WHERE incident_id = ? AND ${TIMELINE_EVENTS} ORDER BY at ${order}, rowid ${order} LIMIT ?`).all(id, limit) as Row[]).map(toEvent),
      pagingEvents: (limit) => (this.sql(`SELECT e.* FROM paging_events p JOIN incident_events e ON e.id = p.incident_event_id
        WHERE p.incident_id = ? AND e.incident_id = p.incident_id ORDER BY e.at, e.rowid LIMIT ?`).all(id, limit) as Row[]).map(toEvent),
      count: () => Number((this.sql(`SELECT count(*) AS n FROM incident_events WHERE incident_id = ? AND ${TIMELINE_EVENTS}`).get(id) as Row).n),
    });
    return { incident: toIncident(row), ...alerts, ...events };
  }

  async listIncidentAlerts(id: string, query: { limit: number; cursor?: string | null }): Promise<Page<Alert> | null> {
    if (!this.sql('SELECT 1 FROM incidents WHERE id = ?').get(id)) return null;
    const args: unknown[] = [id];
    let after = '';
    if (query.cursor) {
      const c = decodeCursor(query.cursor, ['s', 'id']);
      after = 'AND (starts_at > ? OR (starts_at = ? AND id > ?))';
      args.push(String(c.s), String(c.s), String(c.id));
    }
    const rows = this.db.prepare(`SELECT * FROM alert_rows WHERE incident_id = ? ${after} ORDER BY starts_at, id LIMIT ?`).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map(toAlert), query.limit, (last) => ({ s: last.startsAt, id: last.id }));
  }

  async listIncidents(query: IncidentQuery): Promise<Page<Incident>> {
    const { where, args } = incidentListWhere(query);
    const rows = this.db.prepare(`SELECT i.* FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.started_at DESC, i.id DESC LIMIT ?`).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map(toIncident), query.limit, (last) => ({ s: last.startedAt, id: last.id }));
  }

  async pagedIncidentIds(incidentIds: readonly string[]): Promise<Set<string>> {
    const rows = this.byIncidentIds(incidentIds, (marks) => `SELECT DISTINCT incident_id FROM paging_events WHERE incident_id IN (${marks})`);
    return new Set(rows.map((r) => String(r.incident_id)));
  }

  async firstAcknowledgements(incidentIds: readonly string[]): Promise<Map<string, string>> {
    const rows = this.byIncidentIds(incidentIds, (marks) => `SELECT incident_id, min(occurred_at) AS at FROM paging_events
      WHERE incident_id IN (${marks}) AND kind = 'acknowledged' GROUP BY incident_id`);
    return new Map(rows.map((r) => [String(r.incident_id), String(r.at)]));
  }

  async incidentAlertNames(incidentIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = this.byIncidentIds(incidentIds, (marks) => `SELECT DISTINCT incident_id, alertname FROM incident_facets WHERE incident_id IN (${marks})`);
    return namesByIncident(rows.map((r) => [String(r.incident_id), String(r.alertname)]));
  }

  /**
   * Runs a query over paging events for many incidents, 500 ids a statement (the
   * `(incident_id, occurred_at)` index: a few rows per incident). Not cached: the shape varies.
   */
  private byIncidentIds(incidentIds: readonly string[], sql: (marks: string) => string): Row[] {
    const ids = [...new Set(incidentIds)];
    const rows: Row[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      rows.push(...(this.db.prepare(sql(chunk.map(() => '?').join(', '))).all(...chunk) as Row[]));
    }
    return rows;
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = this.db.prepare('SELECT * FROM alert_rows WHERE id = ?').get(id) as Row | undefined;
    return row ? toAlert(row) : null;
  }

  async incidentValues(): Promise<IncidentValues> {
    // Services: the (service, incident_id) primary key, one step per distinct service.
    const services = this.db.prepare('SELECT DISTINCT service AS v FROM incident_services').all() as Row[];
    const severities = this.db.prepare('SELECT DISTINCT severity AS v FROM incidents WHERE severity IS NOT NULL').all() as Row[];
    return { services: knownValues(services.map((r) => r.v)), severities: knownValues(severities.map((r) => r.v)) };
  }

  async countIncidents(status?: IncidentStatus): Promise<number> {
    const row = (status
      ? this.db.prepare('SELECT count(*) AS n FROM incidents WHERE status = ?').get(status)
      : this.db.prepare('SELECT count(*) AS n FROM incidents').get()) as Row;
    return Number(row.n);
  }

  // --- reconciliation with a pull source (Alertmanager API) ---------------------------------

  async listFiringAlerts(instance: string): Promise<Alert[]> {
    return (this.sql("SELECT * FROM alert_rows WHERE instance = ? AND status = 'firing' ORDER BY starts_at, id").all(instance) as Row[]).map(toAlert);
  }

  async resolveAlerts(ids: string[], endsAt: string, reason: string, ctx: ResolveContext): Promise<Alert[]> {
    return this.write(ledgerContext(ctx), (c) => ledger.resolveAlerts(ids, endsAt, reason, c));
  }
  // --- end reconciliation ---------------------------------------------------------------------
}
