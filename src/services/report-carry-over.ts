import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { IncidentDetail } from '../domain/incident';
import { mergeReportContent } from '../domain/report/merge-report-content';
import {
  emptyStoredReport, type ActionItem, type AuditChange, type ReportAuditAction, type ReportAuditEntry, type StoredReport,
} from '../domain/report/report-model';
import { startNextVersion } from '../domain/report/report-workflow';
import { ConflictError, NotFoundError } from '../errors';
import type { PendingCarryOver, ReportStore } from '../store/report-store';
import type { Store } from '../store/store';
import { actionItemFields } from '../domain/report/report-model';

export interface ReportCarryOverDeps {
  store: Pick<Store, 'getIncident'>;
  reports: ReportStore;
  clock: () => Date;
  logger?: Logger;
  newId?: () => string;
}

/** What a carry-over did: sources whose human report parts reached the target, action items moved. */
export interface CarryResult {
  sources: number;
  actionItems: number;
}

/** How many times the carried report write retries a lost race (it does not depend on what anyone saw). */
const CAS_RETRIES = 5;

/**
 * A pending carry-over whose sources are not (yet) merged into its target is left alone this
 * long: its merge may still be committing in another request. Older, the merge never happened
 * (refused, or the process stopped first) and the record is dropped.
 */
export const MERGE_SETTLE_MS = 5 * 60_000;

/**
 * Carries what people wrote on merged-away incidents' reports (human report parts, action
 * items) to the incident they were merged into, and makes sure it happens even when the
 * process stops between the merge and the carry-over.
 *
 * The incident store and the report store cannot share a transaction (on MongoDB they are
 * separate collections written by separate code, and the merge's transaction is the incident
 * store's own), so the carry-over is recorded as pending *before* the merge and forgotten once
 * done; a pending one is finished at start-up and on the next read of the target's report.
 * Finishing may run twice, or concurrently with the request that merged, so every step is
 * idempotent: the carried report write records each source in its audit entry (`mergedFrom`)
 * in the same compare-and-set commit, and sources already recorded there are skipped; each
 * action item moves in one store transaction that does nothing once the item is gone.
 */
export class ReportCarryOver {
  private readonly newId: () => string;

  constructor(private readonly deps: ReportCarryOverDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** Before the merge: records the carry-over, so that it is finished even if this process stops after the merge. */
  async plan(targetId: string, sourceIds: readonly string[], actor: string): Promise<PendingCarryOver> {
    const pending: PendingCarryOver = { id: `carry_${this.newId()}`, targetId, sourceIds: [...sourceIds], actor, requestedAt: this.now() };
    await this.deps.reports.addPendingCarryOver(pending);
    return pending;
  }

  /** After the merge committed, with the merged sources: carries, then forgets the record. */
  async complete(pending: PendingCarryOver, sources: ReadonlyArray<{ id: string; title: string }>): Promise<CarryResult> {
    const result = await this.carry(pending.targetId, sources, pending.actor);
    await this.deps.reports.removePendingCarryOver(pending.id);
    return result;
  }

  /** The merge was refused: nothing to carry. */
  async cancel(pending: PendingCarryOver): Promise<void> {
    await this.deps.reports.removePendingCarryOver(pending.id);
  }

  /**
   * Finishes pending carry-overs: every one (start-up) or those into `targetId` (before its
   * report is read). A failure is logged and the record kept for the next try.
   */
  async resume(targetId?: string): Promise<void> {
    const pending = await this.deps.reports.listPendingCarryOvers(targetId === undefined ? {} : { targetId });
    for (const carry of pending) {
      try {
        await this.finish(carry);
      } catch (err) {
        this.deps.logger?.warn({ err: { message: (err as Error)?.message }, carryOver: carry.id, incidentId: carry.targetId }, 'merge carry-over not finished; will retry');
      }
    }
  }

  private async finish(pending: PendingCarryOver): Promise<void> {
    const details = await Promise.all(pending.sourceIds.map((id) => this.deps.store.getIncident(id)));
    const merged = details
      .filter((d): d is IncidentDetail => d !== null && d.incident.status === 'merged' && d.incident.mergedInto === pending.targetId)
      .map((d) => ({ id: d.incident.id, title: d.incident.title }));
    const settled = merged.length === pending.sourceIds.length || Date.parse(this.now()) - Date.parse(pending.requestedAt) >= MERGE_SETTLE_MS;
    if (!settled) return;
    if (merged.length > 0) await this.carry(pending.targetId, merged, pending.actor);
    await this.deps.reports.removePendingCarryOver(pending.id);
  }

  /**
   * Carries the sources' human report parts into the target's report (`mergeReportContent`:
   * never overwrites human text on the target) in one audited write, then moves the sources'
   * action items to the target. Safe to run again: what was carried is skipped.
   */
  private async carry(targetId: string, sources: ReadonlyArray<{ id: string; title: string }>, actor: string): Promise<CarryResult> {
    const detail = await this.deps.store.getIncident(targetId);
    if (!detail) throw new NotFoundError(`no incident "${targetId}"`);
    const stored = await this.deps.reports.getReports(sources.map((s) => s.id));
    const written = sources.filter((s) => stored.has(s.id));
    let carried = 0;
    for (let attempt = 0; written.length > 0; attempt++) {
      if (attempt === CAS_RETRIES) throw new ConflictError('the report kept changing while carrying the merged reports; try again');
      const current = await this.loadStored(targetId);
      // Read after the record: a carry committed since then makes this attempt's compare-and-set fail.
      const done = await this.carriedSources(targetId);
      const now = this.now();
      const base = current.status === 'published' ? startNextVersion(current) : current;
      let content = base.content;
      const changes: AuditChange[] = [];
      carried = 0;
      for (const source of written) {
        if (done.has(source.id)) continue;
        const r = mergeReportContent(content, stored.get(source.id)!.content, {
          sourceIncidentId: source.id, sourceTitle: source.title, actor, now, target: detail.incident,
        });
        if (r.changes.length === 0) continue;
        content = r.content;
        changes.push(...r.changes);
        carried++;
      }
      if (changes.length === 0) break;
      const next: StoredReport = { ...base, content, revision: current.revision + 1, createdAt: current.createdAt ?? now, updatedAt: now, updatedBy: actor };
      const audit: ReportAuditEntry[] = [];
      if (base !== current) audit.push(this.auditEntry(targetId, 'report.version-created', next.version, actor, now, [{ path: 'version', from: current.version, to: next.version }]));
      audit.push(this.auditEntry(targetId, 'report.updated', next.version, actor, now, changes));
      if ((await this.deps.reports.commitReport({ expectedRevision: current.revision, next, audit })).ok) break;
    }
    let moved = 0;
    const targetVersion = (await this.loadStored(targetId)).version;
    for (const source of sources) {
      const sourceVersion = (await this.loadStored(source.id)).version;
      // Moved, not duplicated: the merged-away incident's open work now lives on the target,
      // so global lists (overdue items) show each item once. Both audit trails record it.
      for (const item of await this.allActionItems(source.id)) {
        if (await this.moveActionItem(item, targetId, targetVersion, sourceVersion, actor)) moved++;
      }
    }
    return { sources: carried, actionItems: moved };
  }

  private async moveActionItem(item: ActionItem, targetId: string, targetVersion: number, sourceVersion: number, actor: string): Promise<boolean> {
    const now = this.now();
    const copy: ActionItem = {
      id: `ai_${this.newId()}`, incidentId: targetId, title: item.title, owner: item.owner, dueDate: item.dueDate,
      status: item.status, trackerUrl: item.trackerUrl, createdAt: now, createdBy: actor, updatedAt: now, updatedBy: actor,
      // The issue stays linked, so its tracker's states still reach the item on the target.
      ...(item.tracker ? { tracker: item.tracker } : {}),
    };
    const created = this.auditEntry(targetId, 'action-item.created', targetVersion, actor, now, [
      { path: `actionItems.${copy.id}`, from: null, to: actionItemFields(copy) },
      { path: `actionItems.${copy.id}.copiedFrom`, from: null, to: { incidentId: item.incidentId, actionItemId: item.id } },
    ], copy.id);
    const deleted = this.auditEntry(item.incidentId, 'action-item.deleted', sourceVersion, actor, now, [
      { path: `actionItems.${item.id}`, from: actionItemFields(item), to: null },
    ], item.id);
    return this.deps.reports.moveActionItem({ fromId: item.id, to: copy, audit: [created, deleted] });
  }

  /** Sources whose report parts a committed carry-over already brought into `targetId` (its audit trail says so). */
  private async carriedSources(targetId: string): Promise<Set<string>> {
    const out = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await this.deps.reports.listAudit(targetId, { limit: 500, cursor });
      for (const entry of page.items) {
        if (entry.action !== 'report.updated') continue;
        for (const change of entry.changes) {
          const from = change.path === 'mergedFrom' ? (change.to as { incidentId?: unknown } | null)?.incidentId : undefined;
          if (typeof from === 'string') out.add(from);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  private async allActionItems(incidentId: string): Promise<ActionItem[]> {
    const items: ActionItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.deps.reports.listActionItems({ incidentId, limit: 500, cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  private async loadStored(incidentId: string): Promise<StoredReport> {
    return (await this.deps.reports.getReport(incidentId)) ?? emptyStoredReport(incidentId);
  }

  private auditEntry(incidentId: string, action: ReportAuditAction, version: number, actor: string, at: string, changes: AuditChange[], actionItemId: string | null = null): ReportAuditEntry {
    return { id: this.newId(), incidentId, at, actor, action, version, actionItemId, changes };
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }
}
