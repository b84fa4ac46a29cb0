import type { Alert, AlertObservation } from '../domain/alert';
import type { Correlator } from '../domain/correlation/correlator';
import type { Incident, IncidentDetail, IncidentStatus } from '../domain/incident';

/**
 * The store contract. Every implementation (SQLite embedded, MongoDB) passes the one
 * contract suite in `tests/contract/store.contract.ts`.
 *
 * Operations that must be atomic across several Debrief processes sharing one store are
 * single methods here (`claimInbox`, `recordObservations`) rather than read-then-write
 * sequences in services: the implementation decides how (an immediate SQLite transaction,
 * a MongoDB transaction with unique keys). The domain logic they need (correlation) is
 * passed in as pure functions.
 */
export interface Store {
  readonly kind: string;
  /** Creates tables/indexes idempotently. */
  init(): Promise<void>;
  /** Throws when the store cannot serve requests (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;

  // --- inbox: raw webhook bodies, durable before the sender is answered
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
  /** Marks a claimed entry processed. */
  completeInbox(id: string, owner: string, outcome: InboxOutcome, now: string): Promise<void>;
  /** Records a failed attempt; `dead` keeps it as a dead letter with the reason, never dropped. */
  failInbox(id: string, owner: string, reason: string, dead: boolean, now: string): Promise<void>;
  listInbox(query: InboxQuery): Promise<Page<InboxEntrySummary>>;
  getInboxEntry(id: string): Promise<InboxEntry | null>;
  /** Puts a dead letter back to pending (after a fix), keeping its history. */
  requeueInbox(id: string, now: string): Promise<boolean>;
  inboxCounts(): Promise<Record<InboxState, number>>;

  // --- alerts and incidents
  /**
   * Upserts alerts by identity (instance, fingerprint, startsAt) and places new ones into
   * incidents using `correlator`, atomically. Re-sent observations update status, endsAt and
   * lastSeenAt only. Observations are applied in event-time order.
   */
  recordObservations(observations: AlertObservation[], context: RecordContext): Promise<RecordResult>;
  getIncident(id: string): Promise<IncidentDetail | null>;
  listIncidents(query: IncidentQuery): Promise<Page<Incident>>;
  getAlert(id: string): Promise<Alert | null>;
  countIncidents(status?: IncidentStatus): Promise<number>;
}

export interface RecordContext {
  correlator: Correlator;
  serviceLabels: readonly string[];
  /** Processing time (for lastSeenAt and decision time); never used as event time. */
  now: string;
  inboxId: string | null;
}

export interface RecordResult {
  created: Alert[];
  updated: Alert[];
  /** Incidents whose alerts changed (opened or updated). */
  incidentIds: string[];
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
}

export interface InboxEntry extends InboxEntrySummary {
  headers: Record<string, string>;
  body: Buffer;
  deliveryId: string | null;
}

export interface InboxQuery {
  state?: InboxState;
  limit: number;
  cursor?: string | null;
}

export interface IncidentQuery {
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
