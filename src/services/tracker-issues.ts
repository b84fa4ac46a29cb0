import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { reportPageUrl } from '../domain/notify/people-notices';
import type { ActionItem, AuditChange, ReportAuditEntry } from '../domain/report/report-model';
import { issueDraftFor, type IssueDraftSettings } from '../domain/trackers/issue-draft';
import { TRACKER_KINDS, type TrackerIssueRef, type TrackerKind } from '../domain/trackers/tracker';
import type { ActionItemTrackerLink } from '../domain/trackers/tracker-link';
import { AppError, ConflictError, NotFoundError, UnavailableError, UnprocessableError } from '../errors';
import type { TrackerClient } from '../integrations/trackers/tracker-client';
import type { ReportStore } from '../store/report-store';
import type { IncidentReads } from '../store/store';

/** The trackers Debrief can make issues in, by kind; the configured ones only. */
export type TrackerRegistry = Partial<Record<TrackerKind, TrackerClient>>;

export interface TrackerIssuesDeps {
  trackers: TrackerRegistry;
  /** Labels and owner -> account map per configured tracker. */
  settings: Partial<Record<TrackerKind, IssueDraftSettings>>;
  reports: Pick<ReportStore, 'getActionItem' | 'updateActionItem' | 'getReport' | 'claimTrackerCreate' | 'releaseTrackerClaim'>;
  store: Pick<IncidentReads, 'getIncident'>;
  /** `status.publicUrl`: the post-mortem link in the issue is built from it, never from a request. */
  publicUrl: string | null;
  clock: () => Date;
  logger?: Logger;
  newId?: () => string;
}

export interface TrackerIssueResult {
  item: ActionItem;
  /** False when the item already had its issue (or a retried create found the one an earlier attempt made). */
  created: boolean;
}

/**
 * "Create in tracker": makes the issue for an action item and stores the link on the item,
 * recorded in the report's audit trail. Idempotent three ways: an item with a link gets its
 * issue back; otherwise the tracker is asked for an issue carrying the item's marker before
 * one is made (a retry after a lost response finds it); and concurrent requests for one item
 * in this process share one attempt.
 */
/** How long a claim on making an item's issue holds: longer than a create with its retries takes. */
const CLAIM_MS = 2 * 60_000;

export class TrackerIssues {
  private readonly inFlight = new Map<string, Promise<TrackerIssueResult>>();
  private readonly newId: () => string;

  constructor(private readonly deps: TrackerIssuesDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** The configured trackers' kinds. */
  get configured(): TrackerKind[] {
    return TRACKER_KINDS.filter((kind) => this.deps.trackers[kind] !== undefined);
  }

  async createIssue(itemId: string, tracker: string, actor: string): Promise<TrackerIssueResult> {
    const running = this.inFlight.get(itemId);
    if (running) return running.then((result) => ({ ...result, created: false }));
    const attempt = this.create(itemId, tracker, actor).finally(() => this.inFlight.delete(itemId));
    this.inFlight.set(itemId, attempt);
    return attempt;
  }

  private async create(itemId: string, tracker: string, actor: string): Promise<TrackerIssueResult> {
    const item = await this.deps.reports.getActionItem(itemId);
    if (!item) throw new NotFoundError(`no action item "${itemId}"`);
    if (item.tracker) return { item, created: false };
    const kind = this.trackerKind(tracker);
    const client = this.deps.trackers[kind]!;
    const publicUrl = reportPageUrl(this.deps.publicUrl, item.incidentId);
    if (!publicUrl) {
      throw new UnprocessableError('status.publicUrl is not configured, so the issue could not link the post-mortem', [
        { path: 'tracker', message: 'set status.publicUrl (DEBRIEF_PUBLIC_URL) to make issues' },
      ]);
    }
    const detail = await this.deps.store.getIncident(item.incidentId);
    if (!detail) throw new NotFoundError(`no incident "${item.incidentId}"`);
    const draft = issueDraftFor(item, detail.incident, publicUrl, this.deps.settings[kind] ?? { labels: [], assignees: {} });
    return this.whileClaimed(item.id, async () => {
      // Another replica may have linked it between our read and our claim.
      const current = await this.deps.reports.getActionItem(item.id);
      if (!current) throw new NotFoundError(`no action item "${itemId}"`);
      if (current.tracker) return { item: current, created: false };
      const ref = await this.callTracker(kind, async () => (await client.findIssueFor(item.id)) ?? client.createIssue(draft));
      return { item: await this.link(current, ref, actor), created: true };
    });
  }

  /**
   * Runs `make` holding the store's claim on making the item's issue, so two replicas asked at
   * the same moment make one issue (the in-process `inFlight` only covers one replica). A claim
   * left by a crash expires after `CLAIM_MS`; the next request then looks for the issue first.
   */
  private async whileClaimed<T>(itemId: string, make: () => Promise<T>): Promise<T> {
    const owner = `claim-${randomUUID()}`;
    const now = this.deps.clock();
    const until = new Date(now.getTime() + CLAIM_MS).toISOString();
    if (!(await this.deps.reports.claimTrackerCreate(itemId, owner, now.toISOString(), until))) {
      throw new ConflictError(`the issue of action item "${itemId}" is being made by another request; ask again in a moment`);
    }
    try {
      return await make();
    } finally {
      await this.deps.reports.releaseTrackerClaim(itemId, owner);
    }
  }

  private trackerKind(tracker: string): TrackerKind {
    const known = (TRACKER_KINDS as readonly string[]).includes(tracker);
    if (known && this.deps.trackers[tracker as TrackerKind]) return tracker as TrackerKind;
    const configured = this.configured;
    const message = known
      ? `tracker "${tracker}" is not configured (configured: ${configured.join(', ') || 'none'})`
      : `unknown tracker "${tracker}" (one of: ${TRACKER_KINDS.join(', ')})`;
    throw new UnprocessableError(message, [{ path: 'tracker', message }]);
  }

  /** A tracker that fails or refuses is Debrief's dependency failing, never the caller's request. */
  private async callTracker<T>(kind: TrackerKind, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger?.warn({ tracker: kind, err: { message } }, 'tracker call failed');
      throw new UnavailableError(`${kind} did not make the issue: ${message}`, 30);
    }
  }

  /** Stores the link (and the issue's page as `trackerUrl`) with its audit entry. */
  private async link(item: ActionItem, ref: TrackerIssueRef, actor: string): Promise<ActionItem> {
    const now = this.deps.clock().toISOString();
    const link: ActionItemTrackerLink = { tracker: ref.tracker, key: ref.key, url: ref.url, state: null, category: null, changedAt: null };
    const updated: ActionItem = { ...item, tracker: link, trackerUrl: ref.url, updatedAt: now, updatedBy: actor };
    const changes: AuditChange[] = [{ path: `actionItems.${item.id}.tracker`, from: null, to: { tracker: ref.tracker, key: ref.key, url: ref.url } }];
    if (item.trackerUrl !== ref.url) changes.push({ path: `actionItems.${item.id}.trackerUrl`, from: item.trackerUrl, to: ref.url });
    const version = (await this.deps.reports.getReport(item.incidentId))?.version ?? 1;
    const audit: ReportAuditEntry = {
      id: this.newId(), incidentId: item.incidentId, at: now, actor, action: 'action-item.updated', version, actionItemId: item.id, changes,
    };
    if (!(await this.deps.reports.updateActionItem(updated, audit))) {
      // Deleted meanwhile: the issue exists and names the item; nothing left to link it to.
      throw new ConflictError(`action item "${item.id}" was deleted while its issue ${ref.key} was made`);
    }
    return updated;
  }
}
