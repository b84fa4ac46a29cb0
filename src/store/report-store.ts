import type {
  ActionItem, ActionItemStatus, PublishedReportVersion, ReportAuditEntry, StoredReport,
} from '../domain/report/report-model';
import type { ReportAutosave } from '../domain/report/report-autosave';
import type { TrackerKind } from '../domain/trackers/tracker';
import type { Page } from './store';

/**
 * Storage of the human half of post-mortem reports: report records, published version
 * snapshots, action items and the audit trail. Separate from `Store` (alerts, incidents,
 * inbox) so the two evolve independently; an implementation may share the same database.
 *
 * Every write that changes a report or an action item carries its audit entries, and the
 * implementation writes both atomically: the audit trail never misses a change and never
 * records one that did not happen.
 */
export interface ReportStore {
  readonly kind: string;
  /** Creates tables/indexes idempotently. */
  init(): Promise<void>;

  /** The stored record, or null when no person has written anything on this incident's report. */
  getReport(incidentId: string): Promise<StoredReport | null>;
  /** Stored records for many incidents at once (for lists); missing ones are absent from the map. */
  getReports(incidentIds: readonly string[]): Promise<Map<string, StoredReport>>;

  /**
   * Compare-and-set: writes `commit.next` only when the stored revision equals
   * `commit.expectedRevision` (0 = nothing stored yet). `next.revision` must be
   * `expectedRevision + 1`. On success also appends `commit.audit` and, when given, stores
   * `commit.published` as a frozen version. On a lost race returns the current record.
   */
  commitReport(commit: ReportCommit): Promise<CommitResult>;

  /** Published snapshots of one incident, oldest first. */
  listPublishedVersions(incidentId: string): Promise<PublishedReportVersion[]>;
  getPublishedVersion(incidentId: string, version: number): Promise<PublishedReportVersion | null>;
  /**
   * The newest published snapshot of each incident, most recently published first (status page,
   * feeds). Cursor pagination over (publishedAt, incidentId).
   */
  listLatestPublished(query: { limit: number; cursor?: string | null }): Promise<Page<PublishedReportVersion>>;

  /** Audit entries of one incident's report and action items, oldest first. */
  listAudit(incidentId: string, query: { limit: number; cursor?: string | null }): Promise<Page<ReportAuditEntry>>;

  // --- action items (last writer wins; every change is audited)
  createActionItem(item: ActionItem, audit: ReportAuditEntry): Promise<void>;
  /** Replaces the item; false when it does not exist. */
  updateActionItem(item: ActionItem, audit: ReportAuditEntry): Promise<boolean>;
  deleteActionItem(id: string, audit: ReportAuditEntry): Promise<boolean>;
  /**
   * Moves an action item to another incident's report (merge carry-over): deletes `fromId` and
   * creates `to` with `audit`, in one transaction. False, with nothing written, when `fromId`
   * no longer exists (it was moved already), so a move retried or run twice happens once.
   */
  moveActionItem(move: ActionItemMove): Promise<boolean>;
  getActionItem(id: string): Promise<ActionItem | null>;
  /**
   * Claims the making of a tracker issue for an item, for `owner` until `until` (ISO): true when
   * the item has no claim, an expired one (before `now`) or `owner`'s own; false when another
   * holds it, or the item does not exist. Two replicas asked at the same moment to make the
   * item's issue then make one: the tracker has no idempotency key to stop the second.
   */
  claimTrackerCreate(itemId: string, owner: string, now: string, until: string): Promise<boolean>;
  /** Gives the claim back (only `owner`'s). */
  releaseTrackerClaim(itemId: string, owner: string): Promise<void>;
  /** By due date, soonest first (undated last), then oldest created; cursor pagination. */
  listActionItems(query: ActionItemQuery): Promise<Page<ActionItem>>;
  /**
   * Open or in-progress items due before `today` (`YYYY-MM-DD`), counted per incident and owner
   * by the store (an aggregate, not a read of every item): the overdue listing and gauge.
   */
  countOverdueActionItems(today: string): Promise<OverdueCount[]>;

  // --- one autosave per person and incident: text typed and not saved yet (never a revision)
  getAutosave(incidentId: string, author: string): Promise<ReportAutosave | null>;
  /** Replaces the author's autosave of that incident. */
  putAutosave(autosave: ReportAutosave): Promise<void>;
  /** No error when there is none. */
  deleteAutosave(incidentId: string, author: string): Promise<void>;

  // --- merge carry-overs not known to be finished (src/services/correction-service.ts)
  /** Records one; written before the merge, so a process stopping after the merge cannot forget it. */
  addPendingCarryOver(carry: PendingCarryOver): Promise<void>;
  /** Pending carry-overs, oldest first; only those into `targetId` when given. */
  listPendingCarryOvers(query?: { targetId?: string }): Promise<PendingCarryOver[]>;
  /** Forgets one (finished, or its merge never happened); no error when it is already gone. */
  removePendingCarryOver(id: string): Promise<void>;
}

export interface ActionItemMove {
  fromId: string;
  /** The copy on the target incident (a new id). */
  to: ActionItem;
  /** Both incidents' entries: created on the target, deleted on the source. */
  audit: ReportAuditEntry[];
}

/**
 * A merge of `sourceIds` into `targetId` whose report carry-over (human report parts and
 * action items to the target) may not have finished.
 */
export interface PendingCarryOver {
  id: string;
  targetId: string;
  sourceIds: string[];
  /** Who merged: the author of the carried text and of the audit entries. */
  actor: string;
  requestedAt: string;
}

export interface ReportCommit {
  expectedRevision: number;
  next: StoredReport;
  audit: ReportAuditEntry[];
  /** Present when this commit publishes a version. */
  published?: PublishedReportVersion;
}

export type CommitResult = { ok: true; report: StoredReport } | { ok: false; current: StoredReport | null };

export interface ActionItemQuery {
  incidentId?: string;
  statuses?: readonly ActionItemStatus[];
  /** Only items with a due date strictly before this day (`YYYY-MM-DD`). */
  dueBefore?: string;
  /** Only items linked to an issue in this tracker. */
  trackerKind?: TrackerKind;
  /** With `trackerKind`: only the items linked to this issue (`owner/repo#12`, `OPS-12`). */
  trackerKey?: string;
  /** Only items changed at or after this time (ISO-8601, `updatedAt`). */
  updatedSince?: string;
  limit: number;
  cursor?: string | null;
}

/** Overdue action items of one incident and owner (null: no owner). */
export interface OverdueCount {
  incidentId: string;
  owner: string | null;
  count: number;
}
