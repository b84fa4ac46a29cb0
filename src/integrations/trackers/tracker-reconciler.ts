import type { Logger } from 'pino';
import type { ActionItem } from '../../domain/report/report-model';
import { TRACKER_KINDS, type TrackerIssueState, type TrackerKind } from '../../domain/trackers/tracker';
import type { ActionItemQuery, ReportStore } from '../../store/report-store';
import type { Page } from '../../store/store';
import { OutboundError } from '../resilient-http';
import type { TrackerClient } from './tracker-client';

export interface TrackerReconcilerDeps {
  trackers: Partial<Record<TrackerKind, TrackerClient>>;
  reports: Pick<ReportStore, 'listActionItems'>;
  /** Where the states read are applied (`TrackerStates.apply`: the same mapping and audit as webhooks). */
  apply: (states: readonly TrackerIssueState[]) => Promise<unknown>;
  intervalSeconds: number;
  /** Items finished within this many days are read too (a missed reopen); 0: only items not done. */
  reopenWindowDays?: number;
  clock?: () => Date;
  logger?: Logger;
}

export interface TrackerReconcileResult {
  checked: number;
  failed: number;
}

/**
 * Catches missed tracker webhooks: every `intervalSeconds`, the state of each linked action item
 * not done yet, and of each finished within `reopenWindowDays` (a reopen), is read from its
 * tracker and applied like a webhook's. Items finished before the window are not read: their
 * number only grows, and an issue reopened months later is better told by its webhook. Off the webhook path; a
 * tracker that cannot be read is skipped until the next round (its circuit stops the calls).
 */
export class TrackerReconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TrackerReconcileResult> | null = null;
  private stopped = true;

  constructor(private readonly deps: TrackerReconcilerDeps) {}

  start(): void {
    if (!this.stopped || this.deps.intervalSeconds <= 0) return;
    this.stopped = false;
    this.schedule(this.deps.intervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** One round over every configured tracker. Never throws. */
  reconcileOnce(): Promise<TrackerReconcileResult> {
    if (this.running) return this.running;
    this.running = this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.reconcileOnce().finally(() => this.schedule(this.deps.intervalSeconds * 1000));
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<TrackerReconcileResult> {
    const result: TrackerReconcileResult = { checked: 0, failed: 0 };
    for (const kind of TRACKER_KINDS) {
      const client = this.deps.trackers[kind];
      if (!client) continue;
      if (!(await this.reconcileTracker(client, result, { trackerKind: kind, statuses: ['open', 'in_progress'] }))) continue;
      const days = this.deps.reopenWindowDays ?? 0;
      if (days > 0) {
        const since = new Date((this.deps.clock?.() ?? new Date()).getTime() - days * 86_400_000).toISOString();
        await this.reconcileTracker(client, result, { trackerKind: kind, statuses: ['done', 'wont_do'], updatedSince: since });
      }
    }
    return result;
  }

  /** Reads and applies the issues of the items `filter` lists; false when the round for this tracker should stop (circuit open, store failing). */
  private async reconcileTracker(client: TrackerClient, result: TrackerReconcileResult, filter: Omit<ActionItemQuery, 'limit' | 'cursor'>): Promise<boolean> {
    const kind = client.kind;
    let cursor: string | null = null;
    try {
      do {
        const page: Page<ActionItem> = await this.deps.reports.listActionItems({ ...filter, limit: 100, cursor });
        for (const item of page.items) {
          if (!item.tracker) continue;
          try {
            await this.deps.apply([await client.issueState(item.tracker.key)]);
            result.checked++;
          } catch (err) {
            result.failed++;
            this.deps.logger?.warn({ tracker: kind, key: item.tracker.key, err: { message: (err as Error)?.message } }, 'tracker reconcile could not read an issue');
            // An open circuit fails every call at once: wait for the next round.
            if (err instanceof OutboundError && err.kind === 'circuit_open') return false;
          }
        }
        cursor = page.nextCursor;
      } while (cursor);
      return true;
    } catch (err) {
      this.deps.logger?.warn({ tracker: kind, err: { message: (err as Error)?.message } }, 'tracker reconcile round failed');
      return false;
    }
  }
}
