import type { Alert, CorrelationDecision } from '../../domain/alert';
import type { IncidentOrigin } from '../../domain/correlation/correlator';
import type { PlacedPagingEvent } from '../../domain/correlation/page-summary';
import type { Incident, IncidentEvent, IncidentStatus } from '../../domain/incident';
import type { PageRef } from '../../domain/paging-event';
import type { InboxEntry, InboxEntrySummary, InboxOutcome, InboxRequeue, InboxState } from '../store';

/** Row <-> domain mapping for the SQLite store. */

export type Row = Record<string, unknown>;

export const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
export const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Stands for "still active" in `correlation_keys.active_until`; sorts after every real time. */
export const ACTIVE_SENTINEL = '9999-12-31T23:59:59.999Z';

export function toInboxSummary(r: Row): InboxEntrySummary {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    instance: String(r.instance),
    connector: String(r.connector),
    receivedAt: String(r.received_at),
    state: r.state as InboxState,
    attempts: Number(r.attempts),
    lastError: optStr(r.last_error),
    processedAt: optStr(r.processed_at),
    outcome: r.outcome ? json<InboxOutcome>(r.outcome) : null,
    // Every inbox read selects the stored length (`bytes AS body_bytes`): lists never read bodies.
    bodyBytes: Number(r.body_bytes),
    requeues: json<InboxRequeue[]>(r.requeues),
  };
}

export function toInboxEntry(r: Row): InboxEntry {
  return {
    ...toInboxSummary(r), headers: json(r.headers), body: r.body as Buffer, deliveryId: optStr(r.delivery_id),
  };
}

export function toIncident(r: Row): Incident {
  return {
    id: String(r.id),
    title: String(r.title),
    status: r.status as IncidentStatus,
    severity: optStr(r.severity),
    services: json<string[]>(r.services),
    startedAt: String(r.started_at),
    endedAt: optStr(r.ended_at),
    lastActivityAt: String(r.last_activity_at),
    alertCount: Number(r.alert_count),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    mergedInto: optStr(r.merged_into),
  };
}

export const originOf = (r: Row): IncidentOrigin => (r.origin === 'human' || r.origin === 'paging' ? r.origin : 'rule');

export function toAlert(r: Row): Alert {
  return {
    id: String(r.id),
    instance: String(r.instance),
    source: String(r.source),
    fingerprint: String(r.fingerprint),
    fingerprintComputed: Number(r.fingerprint_computed) === 1,
    startsAt: String(r.starts_at),
    endsAt: optStr(r.ends_at),
    status: r.status as Alert['status'],
    labels: json(r.labels),
    annotations: json(r.annotations),
    generatorUrl: optStr(r.generator_url),
    sourceGroupKey: optStr(r.source_group_key),
    sourceGroupLabels: json(r.source_group_labels),
    incidentId: String(r.incident_id),
    decision: json<CorrelationDecision>(r.decision),
    firstSeenAt: String(r.first_seen_at),
    lastSeenAt: String(r.last_seen_at),
    notificationCount: Number(r.notification_count),
  };
}

export function toEvent(r: Row): IncidentEvent {
  return {
    id: String(r.id),
    incidentId: String(r.incident_id),
    at: String(r.at),
    kind: String(r.kind),
    actor: optStr(r.actor),
    text: String(r.text),
    data: json(r.data),
  };
}

export function toPlacedPaging(r: Row): PlacedPagingEvent {
  return { eventId: String(r.event_id), kind: String(r.kind), occurredAt: String(r.occurred_at), page: json<PageRef>(r.page), service: optStr(r.service) };
}
