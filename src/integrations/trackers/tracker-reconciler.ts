import type { Logger } from 'pino';
import type { ActionItem } from '../../domain/report/report-model';
import { TRACKER_KINDS, type TrackerIssueState, type TrackerKind } from '../../domain/trackers/tracker';
import type { ReportStore } from '../../store/report-store';
import type { Page } from '../../store/store';
import { OutboundError } from '../resilient-http';
import type { TrackerClient } from './tracker-client';

export interface TrackerReconcilerDeps {
  trackers: Partial<Record<TrackerKind, TrackerClient>>;
  reports: Pick<ReportStore, 'listActionItems'>;
  /** Where the states read are applied (`TrackerStates.apply`: the same mapping and audit as webhooks). */
  apply: (states: readonly TrackerIssueState[]) => Promise<unknown>;
  intervalSeconds: number;
  logger?: Logger;
}

export interface TrackerReconcileResult {
  checked: number;
  failed: number;
}

/**
 * Catches missed tracker webhooks: every `intervalSeconds`, the state of each linked action item
 * not done yet is read from its tracker and applied like a webhook's. Off the webhook path; a
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
      if (client) await this.reconcileTracker(kind, client, result);
    }
    return result;
  }

  private async reconcileTracker(kind: TrackerKind, client: TrackerClient, result: TrackerReconcileResult): Promise<void> {
    let cursor: string | null = null;
    try {
      do {
        const page: Page<ActionItem> = await this.deps.reports.listActionItems({ trackerKind: kind, statuses: ['open', 'in_progress'], limit: 100, cursor });
        for (const item of page.items) {
          if (!item.tracker) continue;
          try {
            await this.deps.apply([await client.issueState(item.tracker.key)]);
            result.checked++;
          } catch (err) {
            result.failed++;
            this.deps.logger?.warn({ tracker: kind, key: item.tracker.key, err: { message: (err as Error)?.message } }, 'tracker reconcile could not read an issue');
            // An open circuit fails every call at once: wait for the next round.
            if (err instanceof OutboundError && err.kind === 'circuit_open') return;
          }
        }
        cursor = page.nextCursor;
      } while (cursor);
    } catch (err) {
      this.deps.logger?.warn({ tracker: kind, err: { message: (err as Error)?.message } }, 'tracker reconcile round failed');
    }
  }
}
