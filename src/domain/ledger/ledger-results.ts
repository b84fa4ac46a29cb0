import type { Alert } from '../alert';
import type { Incident } from '../incident';

/** What the incident ledger's use cases return (and the store contract passes on). */

export interface RecordResult {
  created: Alert[];
  updated: Alert[];
  /** Incidents whose alerts changed (opened or updated). */
  incidentIds: string[];
}

export interface PagingRecordResult {
  /** Newly placed events. */
  placed: PlacedPaging[];
  /** Events already stored (redeliveries): nothing changed. */
  duplicates: number;
  /** Events whose twin from another channel was already stored (`findPagingTwin`): skipped. */
  twins: number;
  incidentIds: string[];
}

export interface PlacedPaging {
  instance: string;
  eventId: string;
  incidentId: string;
  /** The IncidentEvent recorded for it. */
  incidentEventId: string;
  /** Link used (`pagerduty-incident`, `pagerduty-dedup-key`, `pagerduty-service`) or null when it opened an incident. */
  rule: string | null;
  explanation: string;
}

export interface MergeResult {
  incident: Incident;
  merged: Incident[];
  movedAlertIds: string[];
}

export interface SplitResult {
  incident: Incident;
  newIncident: Incident;
}

export interface MoveResult {
  alert: Alert;
  from: Incident;
  to: Incident;
}
