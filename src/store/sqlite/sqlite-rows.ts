import type { Alert, CorrelationDecision } from '../../domain/alert';
import type { IncidentOrigin } from '../../domain/correlation/correlator';
import type { PlacedPagingEvent } from '../../domain/correlation/page-summary';
import type { Incident, IncidentDeclaration, IncidentEvent, IncidentStatus } from '../../domain/incident';
import type { PageRef } from '../../domain/paging-event';
import type { InboxEntry, InboxEntrySummary, InboxOutcome, InboxRequeue, InboxState } from '../store';

/** Row <-> domain mapping for the SQLite store. */

export type Row = Record<string, unknown>;

export const json = <T>(value: unknown): T => JSON.parse(String(value)) as T;
export const optStr = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** Stands for "still active" in `correlation_keys.active_until`; sorts after every real time. */
export const ACTIVE_SENTINEL = '9999-12-31T23:59:59.999Z';

export function toInboxSummary(row: Row): InboxEntrySummary {
  return {
    id: String(row.id),
    seq: Number(row.seq),
    instance: String(row.instance),
    connector: String(row.connector),
    receivedAt: String(row.received_at),
    state: row.state as InboxState,
    attempts: Number(row.attempts),
    lastError: optStr(row.last_error),
    processedAt: optStr(row.processed_at),
    outcome: row.outcome ? json<InboxOutcome>(row.outcome) : null,
    // Every inbox read selects the stored length (`bytes AS body_bytes`): lists never read bodies.
    bodyBytes: Number(row.body_bytes),
    requeues: json<InboxRequeue[]>(row.requeues),
  };
}

export function toInboxEntry(row: Row): InboxEntry {
  return {
    ...toInboxSummary(row), headers: json(row.headers), body: row.body as Buffer, deliveryId: optStr(row.delivery_id),
  };
}

export function toIncident(row: Row): Incident {
  return {
    id: String(row.id),
    title: String(row.title),
    status: row.status as IncidentStatus,
    severity: optStr(row.severity),
    services: json<string[]>(row.services),
    startedAt: String(row.started_at),
    endedAt: optStr(row.ended_at),
    lastActivityAt: String(row.last_activity_at),
    alertCount: Number(row.alert_count),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    mergedInto: optStr(row.merged_into),
    // Only on incidents declared by hand, so every other incident reads as before.
    ...(row.declaration ? { declaration: json<IncidentDeclaration>(row.declaration) } : {}),
  };
}

export const originOf = (row: Row): IncidentOrigin => (row.origin === 'human' || row.origin === 'paging' ? row.origin : 'rule');

export function toAlert(row: Row): Alert {
  return {
    id: String(row.id),
    instance: String(row.instance),
    source: String(row.source),
    fingerprint: String(row.fingerprint),
    fingerprintComputed: Number(row.fingerprint_computed) === 1,
    startsAt: String(row.starts_at),
    endsAt: optStr(row.ends_at),
    status: row.status as Alert['status'],
    labels: json(row.labels),
    annotations: json(row.annotations),
    generatorUrl: optStr(row.generator_url),
    sourceGroupKey: optStr(row.source_group_key),
    sourceGroupLabels: json(row.source_group_labels),
    incidentId: String(row.incident_id),
    decision: json<CorrelationDecision>(row.decision),
    firstSeenAt: String(row.first_seen_at),
    // From `alert_rows`: the bookkeeping of `alert_seen` wins where there is some.
    lastSeenAt: String(row.seen_last ?? row.last_seen_at),
    notificationCount: Number(row.seen_count ?? row.notification_count),
  };
}

export function toEvent(row: Row): IncidentEvent {
  return {
    id: String(row.id),
    incidentId: String(row.incident_id),
    at: String(row.at),
    kind: String(row.kind),
    actor: optStr(row.actor),
    text: String(row.text),
    data: json(row.data),
  };
}

export function toPlacedPaging(row: Row): PlacedPagingEvent {
  return { eventId: String(row.event_id), kind: String(row.kind), occurredAt: String(row.occurred_at), page: json<PageRef>(row.page), service: optStr(row.service) };
}

/**
 * A small integer naming an alert's Alertmanager group (FNV-1a of instance and group key),
 * registered as the SQL function `debrief_group_ref`: `alert_seen` is clustered by it. Two
 * groups sharing a number only share pages.
 */
export function groupRef(instance: unknown, groupKey: unknown): number {
  const text = `${String(instance)}\u0000${groupKey === null || groupKey === undefined ? '' : String(groupKey)}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
