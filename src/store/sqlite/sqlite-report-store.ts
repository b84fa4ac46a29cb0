import type Database from 'better-sqlite3';
import type {
  ActionItem, ActionItemStatus, PublishedReportVersion, ReportAuditEntry, StoredReport,
} from '../../domain/report/report-model';
import type { ReportAutosave } from '../../domain/report/report-autosave';
import { decodeCursor, toPage } from '../cursor';
import type { ActionItemTrackerLink } from '../../domain/trackers/tracker-link';
import type { ActionItemMove, ActionItemQuery, CommitResult, OverdueCount, PendingCarryOver, ReportCommit, ReportStore } from '../report-store';
import type { Page } from '../store';
import { json, optStr, type Row } from './sqlite-rows';

/**
 * Report tables, created idempotently beside the main schema in the same SQLite file. A stored
 * report is one JSON document (`doc`) with the columns needed for compare-and-set and lists.
 */
export const SQLITE_REPORT_SCHEMA = `
CREATE TABLE IF NOT EXISTS reports (
  incident_id  TEXT PRIMARY KEY,
  version      INTEGER NOT NULL,
  revision     INTEGER NOT NULL,
  status       TEXT NOT NULL,
  doc          TEXT NOT NULL,
  updated_at   TEXT
);

CREATE TABLE IF NOT EXISTS report_versions (
  incident_id   TEXT NOT NULL,
  version       INTEGER NOT NULL,
  published_at  TEXT NOT NULL,
  published_by  TEXT NOT NULL,
  etag          TEXT NOT NULL,
  report        TEXT NOT NULL,
  PRIMARY KEY (incident_id, version)
);
CREATE INDEX IF NOT EXISTS report_versions_published ON report_versions(published_at DESC, incident_id DESC);

CREATE TABLE IF NOT EXISTS report_audit (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  incident_id     TEXT NOT NULL,
  at              TEXT NOT NULL,
  actor           TEXT NOT NULL,
  action          TEXT NOT NULL,
  version         INTEGER NOT NULL,
  action_item_id  TEXT,
  changes         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS report_audit_incident ON report_audit(incident_id, seq);

CREATE TABLE IF NOT EXISTS action_items (
  id           TEXT PRIMARY KEY,
  incident_id  TEXT NOT NULL,
  title        TEXT NOT NULL,
  owner        TEXT,
  due_date     TEXT,
  status       TEXT NOT NULL,
  tracker_url  TEXT,
  tracker_kind TEXT,
  tracker_key  TEXT,
  tracker_link TEXT,
  tracker_claim_owner TEXT,
  tracker_claim_until TEXT,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  updated_by   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS action_items_incident ON action_items(incident_id, created_at);
CREATE INDEX IF NOT EXISTS action_items_status_due ON action_items(status, due_date);

CREATE TABLE IF NOT EXISTS report_autosaves (
  incident_id  TEXT NOT NULL,
  author       TEXT NOT NULL,
  saved_at     TEXT NOT NULL,
  doc          TEXT NOT NULL,
  PRIMARY KEY (incident_id, author)
);

CREATE TABLE IF NOT EXISTS report_pending_carry_overs (
  id            TEXT PRIMARY KEY,
  target_id     TEXT NOT NULL,
  source_ids    TEXT NOT NULL,
  actor         TEXT NOT NULL,
  requested_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS report_pending_carry_overs_target ON report_pending_carry_overs(target_id, requested_at);
`;

/**
 * Columns added after the first release of the report tables (the link to a tracker's issue:
 * kind and key to find an item from a tracker's webhook, the whole link as JSON; the claim on
 * making it): a new file has
 * them from `CREATE TABLE`, an older one gets them here. The check and the additions hold the
 * write lock, so replicas starting together on one older file add each column once. The index
 * comes after, as it needs the columns.
 */
const ADDED_ACTION_ITEM_COLUMNS = ['tracker_kind', 'tracker_key', 'tracker_link', 'tracker_claim_owner', 'tracker_claim_until'];
const TRACKER_INDEX = 'CREATE INDEX IF NOT EXISTS action_items_tracker ON action_items(tracker_kind, tracker_key) WHERE tracker_kind IS NOT NULL';

// Items without a due date sort after every dated one.
const DUE_KEY = "coalesce(due_date, '9999-12-31')";

/**
 * The report store on the SQLite file the main store opened. Writes run in `BEGIN IMMEDIATE`
 * transactions, so the compare-and-set of `commitReport` holds across processes sharing the file.
 */
export class SqliteReportStore implements ReportStore {
  readonly kind = 'sqlite';

  /** `database` is called after the main store's `init()` has opened the file. */
  constructor(private readonly database: () => Database.Database) {}

  private get db(): Database.Database {
    return this.database();
  }

  async init(): Promise<void> {
    this.db.exec(SQLITE_REPORT_SCHEMA);
    const missing = () => {
      const columns = new Set((this.db.prepare('PRAGMA table_info(action_items)').all() as Row[]).map((column) => String(column.name)));
      return ADDED_ACTION_ITEM_COLUMNS.filter((column) => !columns.has(column));
    };
    if (missing().length > 0) {
      this.db.transaction(() => {
        for (const column of missing()) this.db.exec(`ALTER TABLE action_items ADD COLUMN ${column} TEXT`);
      }).immediate();
    }
    this.db.exec(TRACKER_INDEX);
  }

  async getReport(incidentId: string): Promise<StoredReport | null> {
    const row = this.db.prepare('SELECT doc FROM reports WHERE incident_id = ?').get(incidentId) as Row | undefined;
    return row ? json<StoredReport>(row.doc) : null;
  }

  async getReports(incidentIds: readonly string[]): Promise<Map<string, StoredReport>> {
    const out = new Map<string, StoredReport>();
    // SQLite's default limit on bound parameters is 32766; list pages are far smaller, but chunk anyway.
    for (let i = 0; i < incidentIds.length; i += 500) {
      const chunk = incidentIds.slice(i, i + 500);
      const rows = this.db.prepare(`SELECT doc FROM reports WHERE incident_id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Row[];
      for (const row of rows) {
        const doc = json<StoredReport>(row.doc);
        out.set(doc.incidentId, doc);
      }
    }
    return out;
  }

  async commitReport(commit: ReportCommit): Promise<CommitResult> {
    const { next } = commit;
    if (next.revision !== commit.expectedRevision + 1) throw new Error('commitReport: next.revision must be expectedRevision + 1');
    const run = this.db.transaction((): CommitResult => {
      const row = this.db.prepare('SELECT revision, doc FROM reports WHERE incident_id = ?').get(next.incidentId) as Row | undefined;
      const currentRevision = row ? Number(row.revision) : 0;
      if (currentRevision !== commit.expectedRevision) return { ok: false, current: row ? json<StoredReport>(row.doc) : null };
      this.db.prepare(`INSERT INTO reports (incident_id, version, revision, status, doc, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (incident_id) DO UPDATE SET version = excluded.version, revision = excluded.revision, status = excluded.status,
          doc = excluded.doc, updated_at = excluded.updated_at`)
        .run(next.incidentId, next.version, next.revision, next.status, JSON.stringify(next), next.updatedAt);
      if (commit.published) {
        const published = commit.published;
        this.db.prepare('INSERT INTO report_versions (incident_id, version, published_at, published_by, etag, report) VALUES (?, ?, ?, ?, ?, ?)')
          .run(published.incidentId, published.version, published.publishedAt, published.publishedBy, published.etag, JSON.stringify(published.report));
      }
      for (const entry of commit.audit) this.insertAudit(entry);
      return { ok: true, report: next };
    });
    return run.immediate();
  }

  async listPublishedVersions(incidentId: string): Promise<PublishedReportVersion[]> {
    return (this.db.prepare('SELECT * FROM report_versions WHERE incident_id = ? ORDER BY version').all(incidentId) as Row[]).map(toVersion);
  }

  async getPublishedVersion(incidentId: string, version: number): Promise<PublishedReportVersion | null> {
    const row = this.db.prepare('SELECT * FROM report_versions WHERE incident_id = ? AND version = ?').get(incidentId, version) as Row | undefined;
    return row ? toVersion(row) : null;
  }

  async listLatestPublished(query: { limit: number; cursor?: string | null }): Promise<Page<PublishedReportVersion>> {
    const where = ['v.version = (SELECT max(w.version) FROM report_versions w WHERE w.incident_id = v.incident_id)'];
    const args: unknown[] = [];
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      where.push('(v.published_at < ? OR (v.published_at = ? AND v.incident_id < ?))');
      args.push(String(cursor.p), String(cursor.p), String(cursor.id));
    }
    const rows = this.db.prepare(`SELECT v.* FROM report_versions v WHERE ${where.join(' AND ')}
      ORDER BY v.published_at DESC, v.incident_id DESC LIMIT ?`).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map(toVersion), query.limit, (last) => ({ p: last.publishedAt, id: last.incidentId }));
  }

  async listAudit(incidentId: string, query: { limit: number; cursor?: string | null }): Promise<Page<ReportAuditEntry>> {
    const after = query.cursor ? Number(decodeCursor(query.cursor).seq) : 0;
    const rows = this.db.prepare('SELECT * FROM report_audit WHERE incident_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(incidentId, Number.isFinite(after) ? after : 0, query.limit + 1) as Row[];
    const page = toPage(rows, query.limit, (last) => ({ seq: Number(last.seq) }));
    return { items: page.items.map(toAudit), nextCursor: page.nextCursor };
  }

  async createActionItem(item: ActionItem, audit: ReportAuditEntry): Promise<void> {
    this.writeAudited(audit, () => this.insertActionItem(item));
  }

  async moveActionItem(move: ActionItemMove): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.db.prepare('DELETE FROM action_items WHERE id = ?').run(move.fromId).changes === 0) return false;
      this.insertActionItem(move.to);
      for (const a of move.audit) this.insertAudit(a);
      return true;
    }).immediate();
  }

  async updateActionItem(item: ActionItem, audit: ReportAuditEntry): Promise<boolean> {
    return this.writeAudited(audit, () => this.db.prepare(`UPDATE action_items SET title = ?, owner = ?, due_date = ?, status = ?, tracker_url = ?,
      tracker_kind = ?, tracker_key = ?, tracker_link = ?, updated_at = ?, updated_by = ? WHERE id = ?`)
      .run(item.title, item.owner, item.dueDate, item.status, item.trackerUrl, ...trackerColumns(item.tracker), item.updatedAt, item.updatedBy, item.id));
  }

  async deleteActionItem(id: string, audit: ReportAuditEntry): Promise<boolean> {
    return this.writeAudited(audit, () => this.db.prepare('DELETE FROM action_items WHERE id = ?').run(id));
  }

  async getActionItem(id: string): Promise<ActionItem | null> {
    const row = this.db.prepare('SELECT * FROM action_items WHERE id = ?').get(id) as Row | undefined;
    return row ? toActionItem(row) : null;
  }

  async claimTrackerCreate(itemId: string, owner: string, now: string, until: string): Promise<boolean> {
    return this.db.prepare(`UPDATE action_items SET tracker_claim_owner = ?, tracker_claim_until = ?
      WHERE id = ? AND (tracker_claim_until IS NULL OR tracker_claim_until < ? OR tracker_claim_owner = ?)`).run(owner, until, itemId, now, owner).changes === 1;
  }

  async releaseTrackerClaim(itemId: string, owner: string): Promise<void> {
    this.db.prepare('UPDATE action_items SET tracker_claim_owner = NULL, tracker_claim_until = NULL WHERE id = ? AND tracker_claim_owner = ?').run(itemId, owner);
  }

  async listActionItems(query: ActionItemQuery): Promise<Page<ActionItem>> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.incidentId) { where.push('incident_id = ?'); args.push(query.incidentId); }
    if (query.statuses?.length) { where.push(`status IN (${query.statuses.map(() => '?').join(',')})`); args.push(...query.statuses); }
    if (query.dueBefore) { where.push('due_date IS NOT NULL AND due_date < ?'); args.push(query.dueBefore); }
    if (query.trackerKind) { where.push('tracker_kind = ?'); args.push(query.trackerKind); }
    if (query.trackerKind && query.trackerKey !== undefined) { where.push('tracker_key = ?'); args.push(query.trackerKey); }
    if (query.updatedSince) { where.push('updated_at >= ?'); args.push(query.updatedSince); }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      where.push(`(${DUE_KEY} > ? OR (${DUE_KEY} = ? AND (created_at > ? OR (created_at = ? AND id > ?))))`);
      args.push(String(cursor.d), String(cursor.d), String(cursor.c), String(cursor.c), String(cursor.id));
    }
    const rows = this.db.prepare(`SELECT * FROM action_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${DUE_KEY}, created_at, id LIMIT ?`).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map(toActionItem), query.limit, (last) => ({ d: last.dueDate ?? '9999-12-31', c: last.createdAt, id: last.id }));
  }

  async countOverdueActionItems(today: string): Promise<OverdueCount[]> {
    const rows = this.db.prepare(`SELECT incident_id, owner, count(*) AS n FROM action_items
      WHERE status IN ('open', 'in_progress') AND due_date IS NOT NULL AND due_date < ? GROUP BY incident_id, owner ORDER BY incident_id, owner`).all(today) as Row[];
    return rows.map((row) => ({ incidentId: String(row.incident_id), owner: optStr(row.owner), count: Number(row.n) }));
  }

  async getAutosave(incidentId: string, author: string): Promise<ReportAutosave | null> {
    const row = this.db.prepare('SELECT doc FROM report_autosaves WHERE incident_id = ? AND author = ?').get(incidentId, author) as Row | undefined;
    return row ? json<ReportAutosave>(row.doc) : null;
  }

  async putAutosave(autosave: ReportAutosave): Promise<void> {
    this.db.prepare(`INSERT INTO report_autosaves (incident_id, author, saved_at, doc) VALUES (?, ?, ?, ?)
      ON CONFLICT (incident_id, author) DO UPDATE SET saved_at = excluded.saved_at, doc = excluded.doc`)
      .run(autosave.incidentId, autosave.author, autosave.savedAt, JSON.stringify(autosave));
  }

  async deleteAutosave(incidentId: string, author: string): Promise<void> {
    this.db.prepare('DELETE FROM report_autosaves WHERE incident_id = ? AND author = ?').run(incidentId, author);
  }

  async addPendingCarryOver(carry: PendingCarryOver): Promise<void> {
    this.db.prepare('INSERT INTO report_pending_carry_overs (id, target_id, source_ids, actor, requested_at) VALUES (?, ?, ?, ?, ?)')
      .run(carry.id, carry.targetId, JSON.stringify(carry.sourceIds), carry.actor, carry.requestedAt);
  }

  async listPendingCarryOvers(query: { targetId?: string } = {}): Promise<PendingCarryOver[]> {
    const rows = (query.targetId === undefined
      ? this.db.prepare('SELECT * FROM report_pending_carry_overs ORDER BY requested_at, id').all()
      : this.db.prepare('SELECT * FROM report_pending_carry_overs WHERE target_id = ? ORDER BY requested_at, id').all(query.targetId)) as Row[];
    return rows.map((r) => ({
      id: String(r.id), targetId: String(r.target_id), sourceIds: json<string[]>(r.source_ids), actor: String(r.actor), requestedAt: String(r.requested_at),
    }));
  }

  async removePendingCarryOver(id: string): Promise<void> {
    this.db.prepare('DELETE FROM report_pending_carry_overs WHERE id = ?').run(id);
  }

  private insertActionItem(item: ActionItem): Database.RunResult {
    return this.db.prepare(`INSERT INTO action_items (id, incident_id, title, owner, due_date, status, tracker_url, tracker_kind, tracker_key, tracker_link,
      created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      item.id, item.incidentId, item.title, item.owner, item.dueDate, item.status, item.trackerUrl, ...trackerColumns(item.tracker),
      item.createdAt, item.createdBy, item.updatedAt, item.updatedBy,
    );
  }

  /** Runs `write` and, when it changed a row, records `audit` with it: one transaction, so the trail never misses or invents a change. */
  private writeAudited(audit: ReportAuditEntry, write: () => Database.RunResult): boolean {
    return this.db.transaction(() => {
      if (write().changes === 0) return false;
      this.insertAudit(audit);
      return true;
    }).immediate();
  }

  private insertAudit(entry: ReportAuditEntry): void {
    this.db.prepare(`INSERT INTO report_audit (id, incident_id, at, actor, action, version, action_item_id, changes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(entry.id, entry.incidentId, entry.at, entry.actor, entry.action, entry.version, entry.actionItemId, JSON.stringify(entry.changes));
  }
}

function toVersion(row: Row): PublishedReportVersion {
  return {
    incidentId: String(row.incident_id),
    version: Number(row.version),
    publishedAt: String(row.published_at),
    publishedBy: String(row.published_by),
    etag: String(row.etag),
    report: json(row.report),
  };
}

function toAudit(row: Row): ReportAuditEntry {
  return {
    id: String(row.id),
    incidentId: String(row.incident_id),
    at: String(row.at),
    actor: String(row.actor),
    action: row.action as ReportAuditEntry['action'],
    version: Number(row.version),
    actionItemId: optStr(row.action_item_id),
    changes: json(row.changes),
  };
}

/** `tracker_kind`, `tracker_key`, `tracker_link` of a link (all null without one). */
const trackerColumns = (link: ActionItemTrackerLink | undefined): [string | null, string | null, string | null] =>
  (link ? [link.tracker, link.key, JSON.stringify(link)] : [null, null, null]);

function toActionItem(row: Row): ActionItem {
  const link = optStr(row.tracker_link);
  return {
    id: String(row.id),
    incidentId: String(row.incident_id),
    title: String(row.title),
    owner: optStr(row.owner),
    dueDate: optStr(row.due_date),
    status: row.status as ActionItemStatus,
    trackerUrl: optStr(row.tracker_url),
    createdAt: String(row.created_at),
    createdBy: String(row.created_by),
    updatedAt: String(row.updated_at),
    updatedBy: String(row.updated_by),
    ...(link ? { tracker: json<ActionItemTrackerLink>(link) } : {}),
  };
}
