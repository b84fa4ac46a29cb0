import type { ServiceLabels } from '../domain/service-naming';
import type { Alert, AlertObservation } from '../domain/alert';
import type { Change } from '../domain/changes/change';
import type { Correlator } from '../domain/correlation/correlator';
import type { DeclarationChange } from '../domain/declared-incident';
import type { Incident, IncidentDeclaration, IncidentDetail, IncidentEvent, IncidentStatus } from '../domain/incident';
import type { PagingEvent } from '../domain/paging-event';
import type { MergeResult, MoveResult, PagingRecordResult, RecordResult, SplitResult } from '../domain/ledger/ledger-results';

export type { MergeResult, MoveResult, PagingRecordResult, PlacedPaging, RecordResult, SplitResult } from '../domain/ledger/ledger-results';

/**
 * The store contract, in the parts a caller needs: a route or service depends only on the part
 * it uses (`InboxStore`, `IncidentReads`, ...); `Store` is all of them. Every implementation
 * (SQLite embedded, MongoDB) passes the one contract suite in `tests/contract/store.contract.ts`.
 *
 * Operations that must be atomic across several Debrief processes sharing one store are
 * single methods here (`claimInbox`, `recordObservations`) rather than read-then-write
 * sequences in services: the implementation decides how (an immediate SQLite transaction,
 * a MongoDB transaction with unique keys). The domain logic they need (correlation) is
 * passed in as pure functions.
 */
export interface Store extends StoreLifecycle, InboxStore, IncidentWrites, CorrectionStore, DeclarationStore, IncidentReads, ReconciliationStore, ChangeStore {}

/** Opening, readiness and closing. */
export interface StoreLifecycle {
  readonly kind: string;
  /** Creates tables/indexes idempotently. */
  init(): Promise<void>;
  /** Throws when the store cannot serve requests (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Raw webhook bodies, durable before the sender is answered, and their processing state. */
export interface InboxStore {
  /**
   * Durably stores a raw body. When `deliveryId` repeats an earlier entry's for the same
   * instance, nothing is stored and the earlier entry's id is returned with `duplicate: true`.
   */
  appendInbox(entry: NewInboxEntry): Promise<{ id: string; duplicate: boolean }>;
  /**
   * Claims up to `limit` pending entries whose lease is free or expired, oldest first, for
   * `owner` until `now + leaseMs`. Each entry is claimed by exactly one caller at a time.
   */
  claimInbox(owner: string, leaseMs: number, limit: number, now: string): Promise<InboxEntry[]>;
  /** Marks a claimed entry processed. Has no effect unless `owner` still holds its lease. */
  completeInbox(id: string, owner: string, outcome: InboxOutcome, now: string): Promise<void>;
  /**
   * Records a failed attempt; `dead` keeps it as a dead letter with the reason, never dropped.
   * Not dead, it stays pending with the reason and keeps its lease until it expires, so retries
   * back off by the lease time. Has no effect unless `owner` still holds its lease.
   */
  failInbox(id: string, owner: string, reason: string, dead: boolean, now: string): Promise<void>;
  /** Newest first (reverse arrival order); cursor pagination. */
  listInbox(query: InboxQuery): Promise<Page<InboxEntrySummary>>;
  getInboxEntry(id: string): Promise<InboxEntry | null>;
  /**
   * Puts a dead letter back to pending (after a fix), keeping its history, and appends
   * `{ at: context.now, actor: context.actor }` to the entry's `requeues`. False (nothing
   * changed, nothing recorded) when `id` is unknown or not a dead letter.
   */
  requeueInbox(id: string, context: RequeueContext): Promise<boolean>;
  /** Entries in each state. Counts every entry ever received: for reports and tests, not for every scrape. */
  inboxCounts(): Promise<Record<InboxState, number>>;
  /**
   * Entries waiting to be processed and dead letters, counted through the state index so the
   * cost follows the backlog, not the history (done entries are never visited): what `/metrics`
   * and shutdown read.
   */
  inboxBacklog(): Promise<{ pending: number; dead: number }>;

}

/** What processing writes: alerts and paging events placed into incidents. */
export interface IncidentWrites {
  /**
   * Upserts alerts by identity (instance, fingerprint, startsAt) and places new ones into
   * incidents using `correlator`, atomically. Re-sent observations update status, endsAt and
   * lastSeenAt only (plus notificationCount + 1 and the latest annotations/generatorUrl; lastSeenAt
   * never goes back; a resolution is final). Observations are applied in event-time order.
   *
   * For each new alert the store offers `correlator.decide` every non-merged incident holding one
   * of `keysFor(alert).lookup` with activity within `correlator.lookbackMs` of the alert's start
   * (see `KeyActivity`), each with its `lookup` and `probe` keys' activity, then applies the
   * placement: the incident holds the alert's `hold` keys; `absorb`ed incidents are merged into
   * the chosen one; `reopened` becomes an `incident.reopened` timeline event at the alert's start;
   * the decision is stored as an audit-only `correlation.decided` event (text: its explanation).
   */
  recordObservations(observations: AlertObservation[], context: RecordContext): Promise<RecordResult>;
  /**
   * Places paging events (PagerDuty incident lifecycle) atomically. Upserts by (instance,
   * eventId): a redelivered event changes nothing. An event with an `identity` whose twin from
   * another channel (webhook vs REST API, `findPagingTwin`) is stored for its page is skipped
   * too, whichever came first. A new event joins the incident already
   * holding its page, else the one holding alerts/pages with its dedup key, else (when the
   * catalog maps its PagerDuty service) the one on that service within the window, else opens
   * its own incident. Each becomes an IncidentEvent `pagerduty.<kind>` at `occurredAt`.
   * (The choice is `correlator.decidePaging`'s; the store offers candidates as for alerts, except
   * that the page key `PagingKeys.page` is looked up without the lookback window.)
   */
  recordPagingEvents(events: PagingEvent[], context: RecordContext): Promise<PagingRecordResult>;
  /**
   * What the inbox processor does for a run of claimed entries carrying alerts: per entry, in
   * order, `recordObservations` then `completeInbox` with its
   * outcome, each entry all or nothing. The SQLite store writes the whole run in one transaction
   * (a savepoint per entry), so a backlog costs one commit per run instead of two per entry.
   *
   * Returns one result per entry: `ok`, or the error that kept it from being recorded (its
   * writes undone, the entry left claimed for the caller to fail). Throws only when nothing of
   * the run was recorded (the store could not write at all).
   */
  recordInboxAlerts(entries: readonly InboxAlerts[], owner: string, context: Omit<RecordContext, 'inboxId'>): Promise<InboxAlertsResult[]>;
}

/** One claimed inbox entry's alerts and the outcome to record with them (`recordInboxAlerts`). */
export interface InboxAlerts {
  id: string;
  observations: AlertObservation[];
  outcome: InboxOutcome;
}

export type InboxAlertsResult = { ok: true } | { ok: false; error: unknown };

/** SRE corrections. */
export interface CorrectionStore {
  // --- SRE corrections: each atomic, recorded in both incidents' timelines, remembered
  // (every alert a person placed gets a `human` decision and holds `humanPlacementKey`, so its
  // later firings find where it went; a moved alert holds only that key, so its group does not
  // follow it; split-off incidents have origin `human`)
  /**
   * Moves every alert, page and event of `sourceIds` into `targetId`; the sources become
   * `merged` with `mergedInto`. NotFoundError for unknown ids, ValidationError when the
   * target is among the sources, ConflictError when an incident is already merged.
   */
  mergeIncidents(targetId: string, sourceIds: string[], context: CorrectionContext): Promise<MergeResult>;
  /**
   * Moves `alertIds` out of `incidentId` into a new incident, fenced from the old one so that
   * rules never merge them back. NotFoundError for unknown ids, ConflictError when an alert is
   * not in the incident, ValidationError when nothing would remain.
   */
  splitIncident(incidentId: string, alertIds: string[], context: CorrectionContext): Promise<SplitResult>;
  /**
   * Moves one alert to another incident. An incident left with nothing becomes `merged` into
   * the target. NotFoundError, ValidationError (already there), ConflictError (target merged).
   */
  moveAlert(alertId: string, targetIncidentId: string, context: CorrectionContext): Promise<MoveResult>;
}

/** Incidents declared by hand (a customer reported an outage no alert did). */
export interface DeclarationStore {
  /**
   * Opens an incident from a person's declaration (origin `human`), atomically with its
   * `incident.declared` timeline and audit entry. Its summary is the declaration's until alerts
   * are moved in, then both combined (`declared-incident.ts`). ValidationError when it would end
   * before it started.
   */
  declareIncident(declaration: IncidentDeclaration, context: { now: string; serviceLabels: ServiceLabels }): Promise<Incident>;
  /**
   * Changes a declared incident's declaration (an end once known) and recomputes its summary,
   * recording an `incident.declaration-changed` entry. NotFoundError for an unknown incident or
   * one not declared by hand, ConflictError when merged, ValidationError for an end before the start.
   */
  changeDeclaration(incidentId: string, change: DeclarationChange, context: CorrectionContext): Promise<Incident>;
}

/** Incidents, alerts and their audit trails as stored. */
/** Services and severities seen on incidents (`IncidentReads.incidentValues`). */
export interface IncidentValues {
  services: string[];
  severities: string[];
}

/** The most values of one kind `incidentValues` returns: a picker, not an export. */
export const KNOWN_VALUES_LIMIT = 1000;

export interface IncidentReads {
  /** Every stored event of an incident, audit-only ones (`correlation.decided`) included; null when unknown. */
  getIncidentAudit(id: string): Promise<IncidentEvent[] | null>;

  /**
   * The incident with its alerts and its timeline events. Audit-only events
   * (`correlation.decided`) are left out; see `getIncidentAudit`. A merged incident is
   * returned as stored (status `merged`, `mergedInto`), with the merge event only. Bounded
   * (`src/store/bounded-detail.ts`): an incident with more alerts than `DETAIL_ALERT_LIMIT` comes
   * with a sample of them, its facets and `alertsOmitted`; events likewise (`eventsOmitted`).
   */
  getIncident(id: string): Promise<IncidentDetail | null>;
  /** Newest first (by `startedAt`, descending); cursor pagination. */
  listIncidents(query: IncidentQuery): Promise<Page<Incident>>;
  /** Every alert of an incident, a page at a time, by start (then id); null when the incident is unknown. */
  listIncidentAlerts(id: string, query: { limit: number; cursor?: string | null }): Promise<Page<Alert> | null>;
  getAlert(id: string): Promise<Alert | null>;
  /** Incidents with `status`; without one, every incident (merged ones included). */
  countIncidents(status?: IncidentStatus): Promise<number>;
  /**
   * The services and severities incidents have (merged ones included), each once, sorted: what
   * the incident list's filters offer. At most `KNOWN_VALUES_LIMIT` of each.
   */
  incidentValues(): Promise<IncidentValues>;
  /**
   * Which of `incidentIds` hold at least one paging event (PagerDuty): the post-mortem policy's
   * "paged" fact for a page of incidents, in one query over paging events (never over an
   * incident's alerts or timeline). Unknown ids are simply absent.
   */
  pagedIncidentIds(incidentIds: readonly string[]): Promise<Set<string>>;
  /**
   * When a page of each incident was first acknowledged (the earliest `acknowledged` paging
   * event), for statistics over many incidents without reading their alerts or timelines.
   * Incidents never acknowledged, and unknown ids, are absent.
   */
  firstAcknowledgements(incidentIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * The distinct alert names of each incident's alerts, sorted, from the stored facets (never
   * its alerts), for comparing many incidents ("this happened before", the repeat rate).
   * Incidents without alerts, and unknown ids, are absent.
   */
  incidentAlertNames(incidentIds: readonly string[]): Promise<Map<string, string[]>>;

}

/**
 * Changes to running systems (deploys, config changes, feature flags), as change sources report
 * them. Kept apart from incidents: they are linked to incidents when read (pure,
 * `src/domain/changes/link-changes.ts`) and never move alerts.
 */
export interface ChangeStore {
  /**
   * Upserts by `Change.id`, atomically: an unknown change is added; a known one is replaced by a
   * report whose `statusAt` is not older than the stored one's (a deployment's later status),
   * and left alone otherwise (an older report arriving late, a redelivery).
   */
  recordChanges(changes: readonly Change[]): Promise<ChangeRecordResult>;
  /** Changes with `at` in [`from`, `to`] (inclusive), oldest first (then by id), at most `limit`. */
  listChanges(query: ChangeQuery): Promise<Change[]>;
}

export interface ChangeRecordResult {
  added: number;
  updated: number;
  unchanged: number;
}

export interface ChangeQuery {
  from: string;
  to: string;
  limit: number;
}

/** Reconciliation with a pull source (Alertmanager API). */
export interface ReconciliationStore {
  /** Alerts of `instance` Debrief believes are firing, oldest start first. */
  listFiringAlerts(instance: string): Promise<Alert[]>;
  /**
   * Marks firing alerts resolved at `endsAt` (event time; an alert's own start when `endsAt` is
   * earlier) because their source no longer lists them, atomically, and records `reason` as an
   * `alert.reconciled` event in each one's incident. This is not a notification: notification
   * count and lastSeenAt stay. Unknown ids and alerts already resolved are left alone.
   * Returns the alerts it resolved.
   */
  resolveAlerts(ids: string[], endsAt: string, reason: string, context: ResolveContext): Promise<Alert[]>;
}

export interface ResolveContext {
  serviceLabels: ServiceLabels;
  /** Processing time; never used as event time. */
  now: string;
  /** The configured correlator (unused by the stores since key activity no longer depends on it; kept for callers). */
  correlator?: Correlator;
}

export interface RecordContext {
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  /** Processing time (for lastSeenAt and decision time); never used as event time. */
  now: string;
  inboxId: string | null;
}

export interface RequeueContext {
  /** Who requeues (the API token's name). */
  actor: string;
  /** Requeue time. */
  now: string;
}

export interface CorrectionContext {
  /** Who corrects (the API token's name). */
  actor: string;
  /** The configured correlator. */
  correlator: Correlator;
  /** Decision time. */
  now: string;
  /** Optional words recorded with the correction. */
  reason?: string | null;
  serviceLabels: ServiceLabels;
}
export type InboxState = 'pending' | 'done' | 'dead';

export interface NewInboxEntry {
  instance: string;
  connector: string;
  receivedAt: string;
  /** Selected request headers (never credentials). */
  headers: Record<string, string>;
  body: Buffer;
  deliveryId: string | null;
}

export interface InboxOutcome {
  alerts: number;
  ignoredReason: string | null;
}

export interface InboxEntrySummary {
  id: string;
  seq: number;
  instance: string;
  connector: string;
  receivedAt: string;
  state: InboxState;
  attempts: number;
  lastError: string | null;
  processedAt: string | null;
  outcome: InboxOutcome | null;
  bodyBytes: number;
  /** Every requeue of this entry (a write by a person), oldest first; empty when never requeued. */
  requeues: InboxRequeue[];
}

export interface InboxEntry extends InboxEntrySummary {
  headers: Record<string, string>;
  body: Buffer;
  deliveryId: string | null;
}

/** One requeue of a dead letter: when and by whom (the API token's name). */
export interface InboxRequeue {
  at: string;
  actor: string;
}

export interface InboxQuery {
  state?: InboxState;
  limit: number;
  cursor?: string | null;
}

export interface IncidentQuery {
  /** Without a status, merged incidents are left out (their alerts are listed under the target). */
  status?: IncidentStatus;
  service?: string;
  severity?: string;
  /** Incidents active at or after this time (ended after it, or still open). */
  since?: string;
  /** Incidents that started before this time. */
  until?: string;
  limit: number;
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
