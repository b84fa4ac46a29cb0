import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActionItem, AuditChange, ReportAuditEntry } from '../domain/report/report-model';
import type { TrackerIssueState, TrackerKind } from '../domain/trackers/tracker';
import { applyTrackerState, trackerActor, type TrackerStatusRule } from '../domain/trackers/tracker-status';
import type { ReportStore } from '../store/report-store';
import type { Page } from '../store/store';

export interface TrackerStatesDeps {
  reports: Pick<ReportStore, 'listActionItems' | 'updateActionItem' | 'getReport'>;
  /** Which tracker states mean which item status, per tracker (`trackers.<kind>.statusMap`). */
  rules: Partial<Record<TrackerKind, readonly TrackerStatusRule[]>>;
  clock: () => Date;
  logger?: Logger;
  newId?: () => string;
}

/** What applying some tracker states did, item by item. */
export interface TrackerStatesResult {
  changed: number;
  stale: number;
  unchanged: number;
  /** States about issues no action item is linked to (issues Debrief did not make). */
  unlinked: number;
}

/**
 * Tracker states (from a tracker's webhook through the inbox, or read by the reconcile) applied
 * to the action items linked to their issues. Each change is written with its audit entry under
 * the tracker's name (`tracker:github`); a stale or repeated state writes nothing, so a replayed
 * delivery is harmless. Inbox processing awaits `apply` before it marks the webhook's entry done.
 */
export class TrackerStates {
  private readonly newId: () => string;

  constructor(private readonly deps: TrackerStatesDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  async apply(states: readonly TrackerIssueState[]): Promise<TrackerStatesResult> {
    const result: TrackerStatesResult = { changed: 0, stale: 0, unchanged: 0, unlinked: 0 };
    for (const state of states) {
      const items = await this.linkedItems(state);
      if (items.length === 0) result.unlinked++;
      for (const item of items) result[await this.applyOne(item, state)]++;
    }
    return result;
  }

  private async applyOne(item: ActionItem, state: TrackerIssueState): Promise<'changed' | 'stale' | 'unchanged'> {
    const link = item.tracker!;
    const outcome = applyTrackerState({ status: item.status, link }, state, this.deps.rules[state.tracker] ?? []);
    if (outcome.kind !== 'changed') return outcome.kind;
    const now = this.deps.clock().toISOString();
    const actor = trackerActor(state.tracker);
    const changes: AuditChange[] = [];
    if (outcome.status !== item.status) changes.push({ path: `actionItems.${item.id}.status`, from: item.status, to: outcome.status });
    changes.push({
      path: `actionItems.${item.id}.tracker.state`,
      from: { state: link.state, category: link.category, changedAt: link.changedAt },
      to: { state: state.state, category: state.category, changedAt: state.changedAt },
    });
    const version = (await this.deps.reports.getReport(item.incidentId))?.version ?? 1;
    const audit: ReportAuditEntry = {
      id: this.newId(), incidentId: item.incidentId, at: now, actor, action: 'action-item.updated', version, actionItemId: item.id, changes,
    };
    const updated: ActionItem = { ...item, status: outcome.status, tracker: outcome.link, updatedAt: now, updatedBy: actor };
    return (await this.deps.reports.updateActionItem(updated, audit)) ? 'changed' : 'unchanged';
  }

  private async linkedItems(state: TrackerIssueState): Promise<ActionItem[]> {
    const items: ActionItem[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<ActionItem> = await this.deps.reports.listActionItems({ trackerKind: state.tracker, trackerKey: state.key, limit: 100, cursor });
      items.push(...page.items.filter((item) => item.tracker));
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}
