import type { ClientSession } from 'mongodb';
import type { ReportAutosave } from '../../domain/report/report-autosave';
import type { ActionItem, PublishedReportVersion, ReportAuditEntry, StoredReport } from '../../domain/report/report-model';
import { toPage } from '../cursor';
import type { ActionItemMove, ActionItemQuery, CommitResult, OverdueCount, PendingCarryOver, ReportCommit, ReportStore } from '../report-store';
import type { Page } from '../store';
import type { MongoConnection } from './mongo-connection';
import { WriteRaceError, runTransaction, type TransactionRetry } from './mongo-errors';
import { COLLECTIONS, collectionsOf, type MongoCollections } from './mongo-indexes';
import {
  actionItemCursor, actionItemListQuery, auditCounterId, auditListQuery, latestPublishedQuery, reportCasFilter,
} from './mongo-queries';
import {
  actionItemDocSchema, auditDocSchema, autosaveDocSchema, autosaveId, toAutosave, toAutosaveDoc, counterDocSchema, parseDoc, pendingCarryOverDocSchema, reportDocSchema, toActionItem, toActionItemDoc,
  toAudit, toAuditDoc, toPendingCarryOver, toPendingCarryOverDoc, toPublishedVersion, toReportDoc, toStoredReport, toVersionDoc, versionDocSchema,
} from './mongo-schemas';

/**
 * Reports, published versions, action items and their audit trail on MongoDB, sharing the
 * main store's connection. Every write and its audit entries commit in one transaction
 * (majority read/write concern), so the audit trail never misses or invents a change.
 */
export class MongoReportStore implements ReportStore {
  readonly kind = 'mongodb';

  constructor(private readonly connection: MongoConnection, private readonly retry?: TransactionRetry) {}

  private get c(): MongoCollections {
    return collectionsOf(this.connection.db);
  }

  async init(): Promise<void> {
    // Opens the shared connection when the main store has not (collections and indexes included).
    await this.connection.open();
  }

  async getReport(incidentId: string): Promise<StoredReport | null> {
    const doc = await this.c.reports.findOne({ _id: incidentId });
    return doc ? toStoredReport(parseDoc(COLLECTIONS.reports, reportDocSchema, doc)) : null;
  }

  async getReports(incidentIds: readonly string[]): Promise<Map<string, StoredReport>> {
    const out = new Map<string, StoredReport>();
    for (let i = 0; i < incidentIds.length; i += 500) {
      const chunk = [...incidentIds.slice(i, i + 500)];
      for (const doc of await this.c.reports.find({ _id: { $in: chunk } }).toArray()) {
        const report = toStoredReport(parseDoc(COLLECTIONS.reports, reportDocSchema, doc));
        out.set(report.incidentId, report);
      }
    }
    return out;
  }

  /**
   * Optimistic concurrency on `revision`. In one transaction: read the stored revision; if it
   * is not the expected one, the caller lost a race and gets the current record. Otherwise
   * write the report with the expected revision in the filter (revision 0: an insert, whose
   * unique `_id` refuses a second first write), the frozen version and the audit entries.
   *
   * Two commits from the same revision both write the report document, so one of them gets a
   * WriteConflict (or E11000 for two first writes); the driver (or `runTransaction`) re-runs it
   * on a fresh snapshot, where it reads the winner's revision and returns `ok: false`.
   */
  async commitReport(commit: ReportCommit): Promise<CommitResult> {
    const { next } = commit;
    if (next.revision !== commit.expectedRevision + 1) throw new Error('commitReport: next.revision must be expectedRevision + 1');
    return runTransaction(this.connection.client, async (session): Promise<CommitResult> => {
      const raw = await this.c.reports.findOne({ _id: next.incidentId }, { session });
      const current = raw ? toStoredReport(parseDoc(COLLECTIONS.reports, reportDocSchema, raw)) : null;
      if ((current?.revision ?? 0) !== commit.expectedRevision) return { ok: false, current };
      if (commit.expectedRevision === 0) {
        await this.c.reports.insertOne(toReportDoc(next), { session });
      } else {
        const result = await this.c.reports.replaceOne(reportCasFilter(next.incidentId, commit.expectedRevision), toReportDoc(next), { session });
        if (result.matchedCount !== 1) throw new WriteRaceError(`report ${next.incidentId}`);
      }
      if (commit.published) await this.insertVersion(commit.published, session);
      await this.appendAudit(commit.audit, session);
      return { ok: true, report: next };
    }, this.retry);
  }

  /** Stores a frozen version; it becomes its incident's `latest` unless a newer one exists. */
  private async insertVersion(version: PublishedReportVersion, session: ClientSession): Promise<void> {
    const newest = await this.c.reportVersions.find({ incidentId: version.incidentId }, { session, projection: { version: 1 } }).sort({ version: -1 }).limit(1).next();
    const latest = !newest || Number(newest.version) < version.version;
    if (latest) await this.c.reportVersions.updateMany({ incidentId: version.incidentId, latest: true }, { $set: { latest: false } }, { session });
    await this.c.reportVersions.insertOne(toVersionDoc(version, latest), { session });
  }

  /**
   * Appends audit entries in order. Their `seq` comes from a per-incident counter bumped in the
   * same transaction, so concurrent writes to one incident's report are also serialised there.
   */
  private async appendAudit(entries: readonly ReportAuditEntry[], session: ClientSession): Promise<void> {
    const byIncident = new Map<string, ReportAuditEntry[]>();
    for (const entry of entries) (byIncident.get(entry.incidentId) ?? byIncident.set(entry.incidentId, []).get(entry.incidentId)!).push(entry);
    for (const [incidentId, list] of byIncident) {
      const counter = await this.c.counters.findOneAndUpdate(
        { _id: auditCounterId(incidentId) }, { $inc: { seq: list.length } }, { session, upsert: true, returnDocument: 'after' },
      );
      const end = parseDoc(COLLECTIONS.counters, counterDocSchema, counter).seq;
      await this.c.reportAudit.insertMany(list.map((entry, index) => toAuditDoc(entry, end - list.length + 1 + index)), { session, ordered: true });
    }
  }

  async listPublishedVersions(incidentId: string): Promise<PublishedReportVersion[]> {
    const docs = await this.c.reportVersions.find({ incidentId }).sort({ version: 1 }).toArray();
    return docs.map((doc) => toPublishedVersion(parseDoc(COLLECTIONS.reportVersions, versionDocSchema, doc)));
  }

  async getPublishedVersion(incidentId: string, version: number): Promise<PublishedReportVersion | null> {
    const doc = await this.c.reportVersions.findOne({ incidentId, version });
    return doc ? toPublishedVersion(parseDoc(COLLECTIONS.reportVersions, versionDocSchema, doc)) : null;
  }

  async listLatestPublished(query: { limit: number; cursor?: string | null }): Promise<Page<PublishedReportVersion>> {
    const listQuery = latestPublishedQuery(query);
    const docs = await this.c.reportVersions.find(listQuery.filter).sort(listQuery.sort).limit(listQuery.limit).toArray();
    const items = docs.map((doc) => toPublishedVersion(parseDoc(COLLECTIONS.reportVersions, versionDocSchema, doc)));
    return toPage(items, query.limit, (last) => ({ p: last.publishedAt, id: last.incidentId }));
  }

  async listAudit(incidentId: string, query: { limit: number; cursor?: string | null }): Promise<Page<ReportAuditEntry>> {
    const listQuery = auditListQuery(incidentId, query);
    const docs = (await this.c.reportAudit.find(listQuery.filter).sort(listQuery.sort).limit(listQuery.limit).toArray())
      .map((doc) => parseDoc(COLLECTIONS.reportAudit, auditDocSchema, doc));
    const page = toPage(docs, query.limit, (last) => ({ seq: last.seq }));
    return { items: page.items.map(toAudit), nextCursor: page.nextCursor };
  }

  async createActionItem(item: ActionItem, audit: ReportAuditEntry): Promise<void> {
    await runTransaction(this.connection.client, async (session) => {
      await this.c.actionItems.insertOne(toActionItemDoc(item), { session });
      await this.appendAudit([audit], session);
    }, this.retry);
  }

  async updateActionItem(item: ActionItem, audit: ReportAuditEntry): Promise<boolean> {
    const { _id: _ignored, createdAt: _c, createdBy: _b, incidentId: _i, ...fields } = toActionItemDoc(item);
    return runTransaction(this.connection.client, async (session) => {
      const result = await this.c.actionItems.updateOne({ _id: item.id }, { $set: fields }, { session });
      if (result.matchedCount === 0) return false;
      await this.appendAudit([audit], session);
      return true;
    }, this.retry);
  }

  async deleteActionItem(id: string, audit: ReportAuditEntry): Promise<boolean> {
    return runTransaction(this.connection.client, async (session) => {
      const result = await this.c.actionItems.deleteOne({ _id: id }, { session });
      if (result.deletedCount === 0) return false;
      await this.appendAudit([audit], session);
      return true;
    }, this.retry);
  }

  async moveActionItem(move: ActionItemMove): Promise<boolean> {
    return runTransaction(this.connection.client, async (session) => {
      const r = await this.c.actionItems.deleteOne({ _id: move.fromId }, { session });
      if (r.deletedCount === 0) return false;
      await this.c.actionItems.insertOne(toActionItemDoc(move.to), { session });
      await this.appendAudit(move.audit, session);
      return true;
    }, this.retry);
  }

  async getActionItem(id: string): Promise<ActionItem | null> {
    const doc = await this.c.actionItems.findOne({ _id: id });
    return doc ? toActionItem(parseDoc(COLLECTIONS.actionItems, actionItemDocSchema, doc)) : null;
  }

  async claimTrackerCreate(itemId: string, owner: string, now: string, until: string): Promise<boolean> {
    const free = [{ trackerClaimUntil: null }, { trackerClaimUntil: { $lt: now } }, { trackerClaimOwner: owner }];
    const result = await this.c.actionItems.updateOne({ _id: itemId, $or: free }, { $set: { trackerClaimOwner: owner, trackerClaimUntil: until } });
    return result.matchedCount === 1;
  }

  async releaseTrackerClaim(itemId: string, owner: string): Promise<void> {
    await this.c.actionItems.updateOne({ _id: itemId, trackerClaimOwner: owner }, { $set: { trackerClaimOwner: null, trackerClaimUntil: null } });
  }

  async listActionItems(query: ActionItemQuery): Promise<Page<ActionItem>> {
    const listQuery = actionItemListQuery(query);
    const docs = await this.c.actionItems.find(listQuery.filter).sort(listQuery.sort).limit(listQuery.limit).toArray();
    const items = docs.map((doc) => toActionItem(parseDoc(COLLECTIONS.actionItems, actionItemDocSchema, doc)));
    return toPage(items, query.limit, actionItemCursor);
  }

  async countOverdueActionItems(today: string): Promise<OverdueCount[]> {
    // Only the overdue items' incident and owner are read (by the status index), then counted.
    const docs = await this.c.actionItems.find(
      { status: { $in: ['open', 'in_progress'] }, dueDate: { $type: 'string', $lt: today } }, { projection: { incidentId: 1, owner: 1 } },
    ).toArray();
    const counts = new Map<string, OverdueCount>();
    for (const doc of docs) {
      const owner = typeof doc.owner === 'string' ? doc.owner : null;
      const key = JSON.stringify([doc.incidentId, owner]);
      const entry = counts.get(key) ?? counts.set(key, { incidentId: String(doc.incidentId), owner, count: 0 }).get(key)!;
      entry.count++;
    }
    return [...counts.values()].sort((a, b) => a.incidentId.localeCompare(b.incidentId) || (a.owner ?? '').localeCompare(b.owner ?? ''));
  }

  async getAutosave(incidentId: string, author: string): Promise<ReportAutosave | null> {
    const doc = await this.c.reportAutosaves.findOne({ _id: autosaveId(incidentId, author) });
    return doc ? toAutosave(parseDoc(COLLECTIONS.reportAutosaves, autosaveDocSchema, doc)) : null;
  }

  async putAutosave(autosave: ReportAutosave): Promise<void> {
    const { _id, ...doc } = toAutosaveDoc(autosave);
    // `$set` of every field replaces the whole document (`fields` included) or inserts it.
    await this.c.reportAutosaves.updateOne({ _id }, { $set: doc }, { upsert: true });
  }

  async deleteAutosave(incidentId: string, author: string): Promise<void> {
    await this.c.reportAutosaves.deleteOne({ _id: autosaveId(incidentId, author) });
  }

  async addPendingCarryOver(carry: PendingCarryOver): Promise<void> {
    await this.c.pendingCarryOvers.insertOne(toPendingCarryOverDoc(carry));
  }

  async listPendingCarryOvers(query: { targetId?: string } = {}): Promise<PendingCarryOver[]> {
    const filter = query.targetId === undefined ? {} : { targetId: query.targetId };
    const docs = await this.c.pendingCarryOvers.find(filter).sort({ requestedAt: 1, _id: 1 }).toArray();
    return docs.map((d) => toPendingCarryOver(parseDoc(COLLECTIONS.pendingCarryOvers, pendingCarryOverDocSchema, d)));
  }

  async removePendingCarryOver(id: string): Promise<void> {
    await this.c.pendingCarryOvers.deleteOne({ _id: id });
  }
}
