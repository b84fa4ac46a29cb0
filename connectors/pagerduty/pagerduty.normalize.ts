import { NormalizeError, type NormalizeContext, type Normalized } from '../connector';
import { parseRfc3339 } from '../shared/rfc3339';
import type { Change } from '../../src/domain/changes/change';
import type { PageRef, PagingEvent } from '../../src/domain/paging-event';
import type {
  PagerDutyChangeEvent,
  PagerDutyEventData,
  PagerDutyLogEntry,
  PagerDutyNote,
  PagerDutyPayload,
  PagerDutyReference,
  PagerDutyRestIncident,
} from './pagerduty.payload';

/*
 * PagerDuty -> Debrief's words. Pure: no clock, no I/O.
 *
 * Two inputs produce the same `PagingEvent` vocabulary so a timeline can mix them:
 * - Webhooks V3 (`normalizePagerDuty`): kind = event_type without `incident.`.
 * - REST log entries and notes (`logEntryToPagingEvent`, `noteToPagingEvent`), used for
 *   enrichment and backfill: `trigger_log_entry` -> `triggered`, `annotate_log_entry` -> `annotated`...
 */

export const PAGERDUTY_SOURCE = 'pagerduty';

const INCIDENT_PREFIX = 'incident.';

/**
 * Turns one V3 webhook event into at most one paging event.
 *
 * Every `incident.*` type gives one event, including types Debrief has no special wording for.
 * Anything else (`pagey.ping`, `service.*`, future resource types) gives none, with
 * `ignoredReason` set: such bodies must still be answered 2xx, because PagerDuty disables a
 * subscription after three rejected deliveries.
 *
 * @throws NormalizeError when the body cannot be placed on a timeline: `occurred_at` is not a
 *   time, or an incident event names no incident.
 */
export function normalizePagerDuty(payload: PagerDutyPayload, ctx: NormalizeContext): Normalized {
  const { event } = payload;
  const eventType = event.event_type;
  if (!eventType.startsWith(INCIDENT_PREFIX)) {
    return { alerts: [], pagingEvents: [], ignoredReason: ignoredReasonFor(eventType) };
  }

  const occurredAt = toUtcIso(event.occurred_at);
  if (occurredAt === null) {
    throw new NormalizeError(
      `PagerDuty ${eventType} event ${event.id}: occurred_at ${JSON.stringify(event.occurred_at)} is not an ISO 8601 time.`,
      'event.occurred_at',
    );
  }
  const page = pageRefFromEventData(event.data);
  if (page === null) {
    throw new NormalizeError(
      `PagerDuty ${eventType} event ${event.id} names no incident (neither an incident object in data nor data.incident.id).`,
      'event.data',
    );
  }

  const kind = eventType.slice(INCIDENT_PREFIX.length) || 'unknown';
  const actor = text(event.agent?.summary);
  return {
    alerts: [],
    pagingEvents: [
      {
        instance: ctx.instance,
        source: PAGERDUTY_SOURCE,
        eventId: event.id,
        kind,
        vendorType: eventType,
        occurredAt,
        actor,
        text: describeWebhookEvent(kind, event.data, actor, page),
        page,
        identity: { channel: 'webhook', objectId: webhookObjectId(event.data) },
      },
    ],
    ignoredReason: null,
  };
}

/**
 * The id of the changed object that the REST API reports too: a note (`data.type` incident_note,
 * whose `data.id` is the note id that `GET /incidents/{id}/notes` returns). State events carry
 * the incident itself in `data`, and no log entry id.
 */
function webhookObjectId(data: PagerDutyEventData): string | null {
  return data.type === 'incident_note' && text(data.id) !== null ? `note:${data.id}` : null;
}

function ignoredReasonFor(eventType: string): string {
  if (eventType === 'pagey.ping') {
    return 'PagerDuty ping (pagey.ping): a subscription test, nothing to record.';
  }
  if (eventType.startsWith('service.')) {
    return `PagerDuty ${eventType} is a service event; Debrief records only incident.* events.`;
  }
  return `PagerDuty event type "${eventType}" is not an incident event; Debrief records only incident.* events.`;
}

/**
 * The incident an event belongs to. For state events `data` is the incident itself; for notes,
 * responders, status updates, conference bridges, tasks... it is `data.incident` (a reference
 * whose summary is the title, possibly null); role assignments nest it one level deeper.
 */
export function pageRefFromEventData(data: PagerDutyEventData): PageRef | null {
  const looksLikeIncident = data.type === 'incident' || (data.type === undefined && !data.incident && data.id !== undefined);
  if (looksLikeIncident) {
    const id = text(data.id);
    if (id === null) return null;
    return { id, number: typeof data.number === 'number' ? data.number : null, title: text(data.title), ...incidentState(data) };
  }
  const reference = data.incident ?? data.incident_role_assignments?.find((assignment) => text(assignment.incident?.id) !== null)?.incident;
  return reference ? pageRefFromReference(reference) : null;
}

/**
 * A page from an `incident_reference`. REST references carry the summary `[#1234] Title`;
 * webhook references carry the bare title. Both are accepted.
 */
export function pageRefFromReference(reference: PagerDutyReference, service?: PagerDutyReference | null): PageRef | null {
  const id = text(reference.id);
  if (id === null) return null;
  const { number, title } = splitNumberedSummary(text(reference.summary));
  return {
    id,
    number,
    title,
    url: text(reference.html_url),
    status: null,
    urgency: null,
    priority: null,
    serviceId: text(service?.id),
    serviceName: text(service?.summary),
    incidentKey: null,
  };
}

/** A page from a REST incident (`GET /incidents/{id}`); note `incident_number`, not `number`. */
export function pageRefFromRestIncident(incident: PagerDutyRestIncident): PageRef {
  const fromSummary = splitNumberedSummary(text(incident.summary));
  return {
    id: incident.id,
    number: typeof incident.incident_number === 'number' ? incident.incident_number : fromSummary.number,
    title: text(incident.title) ?? fromSummary.title,
    ...incidentState(incident),
  };
}

/** What a webhook incident object and a REST incident carry alike, under the same names. */
function incidentState(incident: PagerDutyEventData | PagerDutyRestIncident): Omit<PageRef, 'id' | 'number' | 'title'> {
  return {
    url: text(incident.html_url),
    status: text(incident.status),
    urgency: text(incident.urgency),
    priority: text(incident.priority?.summary),
    serviceId: text(incident.service?.id),
    serviceName: text(incident.service?.summary),
    incidentKey: text(incident.incident_key),
  };
}

function splitNumberedSummary(summary: string | null): { number: number | null; title: string | null } {
  const match = summary === null ? null : /^\[#(\d+)\]\s*(.*)$/s.exec(summary);
  if (!match) return { number: null, title: summary };
  return { number: Number(match[1]), title: text(match[2]) };
}

// --- one readable line per kind ------------------------------------------------------------

function describeWebhookEvent(kind: string, data: PagerDutyEventData, actor: string | null, page: PageRef): string {
  const by = actor ? ` by ${actor}` : '';
  const assignees = names(data.assignees);
  const policy = text(data.escalation_policy?.summary);
  switch (kind) {
    case 'triggered':
      return page.title ? `Triggered${by}: ${page.title}` : `Triggered${by}`;
    case 'acknowledged':
      return `Acknowledged${by}`;
    case 'unacknowledged':
      return `Unacknowledged${by}`;
    case 'reassigned':
      return assignees ? `Reassigned${by} to ${assignees}` : `Reassigned${by}`;
    case 'escalated':
      return `Escalated${by}${assignees ? ` to ${assignees}` : ''}${policy ? ` (escalation policy: ${policy})` : ''}`;
    case 'delegated':
      return `Delegated${by}${policy ? ` to escalation policy ${policy}` : ''}${assignees ? `, assigned to ${assignees}` : ''}`;
    case 'priority_updated': {
      const priority = text(data.priority?.summary);
      return priority ? `Priority changed${by} to ${priority}` : `Priority removed${by}`;
    }
    case 'annotated':
      return withTrimNote(text(data.content), data.trimmed) ?? `Note added${by}`;
    case 'status_update_published':
      return withTrimNote(text(data.message), data.trimmed) ?? `Status update published${by}`;
    case 'responder.added': {
      const responder = text(data.user?.summary) ?? 'a responder';
      const message = text(data.message);
      return `Responder requested${by}: ${responder}${message ? ` — ${message}` : ''}`;
    }
    case 'responder.replied': {
      const responder = text(data.user?.summary) ?? 'Responder';
      const state = text(data.state);
      if (state === 'accepted' || state === 'declined') return `${responder} ${state} the responder request`;
      return `${responder} replied to the responder request${state ? ` (${state})` : ''}`;
    }
    case 'conference_bridge.updated': {
      const bridge = [
        text(data.conference_url) ?? text(data.conference_bridge?.conference_url),
        ...(data.conference_numbers ?? []).map((entry) => numberText(entry.number)),
        numberText(data.conference_bridge?.conference_number),
      ].filter((part): part is string => part !== null);
      return bridge.length > 0 ? `Conference bridge updated${by}: ${bridge.join(', ')}` : `Conference bridge removed${by}`;
    }
    case 'reopened':
      return `Reopened${by}`;
    case 'resolved': {
      const reason = resolveReason(data.resolve_reason);
      return `Resolved${by}${reason ? ` (reason: ${reason})` : ''}`;
    }
    case 'service_updated':
      return page.serviceName ? `Moved${by} to service ${page.serviceName}` : `Service changed${by}`;
    case 'incident_type.changed': {
      const type = text(data.incident_type?.name);
      return type ? `Incident type changed${by} to ${type}` : `Incident type changed${by}`;
    }
    case 'custom_field_values.updated': {
      const changes = (data.changed_custom_fields ?? []).map((old) => {
        const now = data.custom_fields?.find((field) => field.id !== undefined && field.id === old.id);
        const name = text(old.display_name) ?? text(old.name) ?? text(old.id) ?? 'field';
        return `${name}: ${fieldText(old.value)} → ${fieldText(now?.value)}`;
      });
      return `Custom fields changed${by}${changes.length > 0 ? `: ${changes.join('; ')}` : ''}`;
    }
    case 'role.assigned': {
      const roles = (data.incident_role_assignments ?? []).map(
        (assignment) => `${text(assignment.role?.summary) ?? 'role'} → ${text(assignment.assignee?.summary) ?? 'nobody'}`,
      );
      return `Role assigned${by}${roles.length > 0 ? `: ${roles.join('; ')}` : ''}`;
    }
    default:
      break;
  }
  const [family, verb] = splitKind(kind);
  if (family === 'task') return `Task ${verb}${by}${text(data.name) ? `: ${text(data.name)}` : ''}`;
  if (family === 'action_invocation') {
    return `Automation action ${text(data.action?.summary) ?? ''}`.trimEnd() + ` ${verb}${by}`;
  }
  if (family === 'workflow') {
    return `Workflow ${text(data.incident_workflow?.summary) ?? text(data.summary) ?? ''}`.trimEnd() + ` ${verb}${by}`;
  }
  return `${humanize(kind)}${by}`;
}

function splitKind(kind: string): [string, string] {
  const dot = kind.lastIndexOf('.');
  return dot === -1 ? [kind, kind] : [kind.slice(0, dot), kind.slice(dot + 1)];
}

function humanize(kind: string): string {
  const words = kind.replace(/[._]+/g, ' ').trim();
  return words.length === 0 ? 'PagerDuty event' : words[0]!.toUpperCase() + words.slice(1);
}

function withTrimNote(value: string | null, trimmed: boolean | null | undefined): string | null {
  if (value === null) return null;
  return trimmed ? `${value} […] (cut by PagerDuty; full text via the REST API)` : value;
}

function resolveReason(reason: unknown): string | null {
  if (typeof reason === 'string') return text(reason);
  if (reason && typeof reason === 'object' && 'type' in reason && typeof reason.type === 'string') {
    // REST: { type: 'merge_resolve_reason', incident: {...} }
    return text(reason.type.replace(/_resolve_reason$/, '').replace(/_/g, ' '));
  }
  return null;
}

const names = (refs: PagerDutyReference[] | null | undefined): string | null => {
  const list = (refs ?? []).map((ref) => text(ref.summary)).filter((summary): summary is string => summary !== null);
  return list.length > 0 ? list.join(', ') : null;
};

const numberText = (value: string | number | null | undefined): string | null =>
  typeof value === 'number' ? String(value) : text(value);

function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '(empty)';
  if (Array.isArray(value)) return value.map((item) => fieldText(item)).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Non-empty string or null. */
function text(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

// --- REST log entries and notes ------------------------------------------------------------

/** REST log entry type (without `_log_entry`) -> the webhook kind it corresponds to. */
const LOG_ENTRY_KINDS: Record<string, string> = {
  trigger: 'triggered',
  acknowledge: 'acknowledged',
  unacknowledge: 'unacknowledged',
  resolve: 'resolved',
  assign: 'reassigned',
  escalate: 'escalated',
  delegate: 'delegated',
  annotate: 'annotated',
  custom_field_value_change: 'custom_field_values.updated',
  // No webhook counterpart; named in the same past-tense style.
  notify: 'notified',
  snooze: 'snoozed',
  urgency_change: 'urgency_changed',
  exhaust_escalation_path: 'escalation_path_exhausted',
  repeat_escalation_path: 'escalation_path_repeated',
  reach_ack_limit: 'ack_limit_reached',
  reach_trigger_limit: 'trigger_limit_reached',
  field_value_change: 'field_values_changed',
};

/** The paging-event kind of a REST log entry type; unknown types keep their own name. */
export function logEntryKind(type: string): string {
  const base = type.replace(/_reference$/, '').replace(/_log_entry$/, '');
  return LOG_ENTRY_KINDS[base] ?? base;
}

/**
 * Maps one REST log entry to a paging event comparable with the webhook one for the same change
 * (same `kind`, same wording). `eventId` is `log_entry:<id>`; webhook events have other ids, so
 * the store matches the two by `identity` (page, kind, time, actor), not by id.
 *
 * @param page the incident when the caller fetched it (richer: status, priority, incident key);
 *   otherwise it is built from the entry's own `incident` reference.
 * @throws NormalizeError when `created_at` is not a time or no incident is known.
 */
export function logEntryToPagingEvent(entry: PagerDutyLogEntry, ctx: NormalizeContext, page?: PageRef): PagingEvent {
  const occurredAt = toUtcIso(entry.created_at);
  if (occurredAt === null) {
    throw new NormalizeError(`PagerDuty log entry ${entry.id}: created_at ${JSON.stringify(entry.created_at)} is not an ISO 8601 time.`);
  }
  const ref = page ?? (entry.incident ? pageRefFromReference(entry.incident, entry.service) : null);
  if (!ref) throw new NormalizeError(`PagerDuty log entry ${entry.id} names no incident.`);

  const kind = logEntryKind(entry.type);
  const actor = text(entry.agent?.summary);
  return {
    instance: ctx.instance,
    source: PAGERDUTY_SOURCE,
    eventId: `log_entry:${entry.id}`,
    kind,
    vendorType: entry.type,
    occurredAt,
    actor,
    text: describeLogEntry(kind, entry, actor, ref),
    page: ref,
    // Webhooks carry no log entry id: a twin is matched by page, kind, time and actor.
    identity: { channel: 'rest', objectId: null },
  };
}

function describeLogEntry(kind: string, entry: PagerDutyLogEntry, actor: string | null, page: PageRef): string {
  const by = actor ? ` by ${actor}` : '';
  const assignees = names(entry.assignees);
  const summary = text(entry.summary);
  switch (kind) {
    case 'triggered': {
      const what = page.title ?? text(entry.channel?.summary) ?? text(entry.event_details?.description);
      return what ? `Triggered${by}: ${what}` : `Triggered${by}`;
    }
    case 'acknowledged':
      return `Acknowledged${by}`;
    case 'unacknowledged':
      return `Unacknowledged${by}`;
    case 'resolved':
      return `Resolved${by}`;
    case 'reassigned':
      return assignees ? `Reassigned${by} to ${assignees}` : `Reassigned${by}`;
    case 'escalated':
      return assignees ? `Escalated${by} to ${assignees}` : summary ?? `Escalated${by}`;
    case 'annotated':
      return text(entry.note) ?? text(entry.channel?.summary) ?? `Note added${by}`;
    case 'notified': {
      const who = text(entry.user?.summary);
      const how = text(entry.channel?.notification?.type);
      const status = text(entry.channel?.notification?.status);
      if (!who) return summary ?? 'Notified';
      return `Notified ${who}${how ? ` by ${how}` : ''}${status ? ` (${status})` : ''}`;
    }
    default:
      return summary ?? `${humanize(kind)}${by}`;
  }
}

/**
 * Maps one REST note (`GET /incidents/{id}/notes`) to an `annotated` paging event with eventId
 * `note:<id>`. The note id is the same as `data.id` of the `incident.annotated` webhook.
 * Notes have no incident in them, so the caller passes the page.
 */
export function noteToPagingEvent(note: PagerDutyNote, page: PageRef, ctx: NormalizeContext): PagingEvent {
  const occurredAt = toUtcIso(note.created_at);
  if (occurredAt === null) {
    throw new NormalizeError(`PagerDuty note ${note.id}: created_at ${JSON.stringify(note.created_at)} is not an ISO 8601 time.`);
  }
  const actor = text(note.user?.summary);
  return {
    instance: ctx.instance,
    source: PAGERDUTY_SOURCE,
    eventId: `note:${note.id}`,
    kind: 'annotated',
    vendorType: 'incident_note',
    occurredAt,
    actor,
    text: text(note.content) ?? `Note added${actor ? ` by ${actor}` : ''}`,
    page,
    identity: { channel: 'rest', objectId: `note:${note.id}` },
  };
}

// --- time ----------------------------------------------------------------------------------

/**
 * RFC 3339 with 0-9 fractional digits (truncated to ms) and any offset -> UTC ISO with
 * milliseconds; null when it is not such a time, and for Go's zero time (no real event has it).
 * PagerDuty sends `occurred_at` in UTC with ms, `created_at` with seconds, and REST times in the
 * requested `time_zone` (e.g. `-05:00`). Same parser as the other connectors (`connectors/shared/rfc3339.ts`).
 */
export function toUtcIso(value: string): string | null {
  const parsed = parseRfc3339(value.trim());
  return parsed.ok ? parsed.iso : null;
}

/**
 * A change event PagerDuty related to an incident, as a Debrief `Change` (origin `pagerduty`,
 * kind `other`: PagerDuty does not say which kind), keyed `pagerduty:<instance>:<event id>` so a
 * second fetch updates the same record. `serviceOf` maps a PagerDuty service reference to the
 * catalog's service (null when it maps none: the change is kept, and linked to no incident).
 * Null when the event's time cannot be read. Pure.
 */
export function changeEventToChange(event: PagerDutyChangeEvent, ctx: { instance: string }, serviceOf: (service: PagerDutyReference) => string | null): Change | null {
  const at = toUtcIso(event.timestamp);
  if (!at) return null;
  const service = (event.services ?? []).map(serviceOf).find((name): name is string => !!name) ?? null;
  const url = (event.links ?? []).map((link) => link.href?.trim() ?? '').find((href) => /^https?:\/\//i.test(href)) ?? null;
  return {
    id: `pagerduty:${ctx.instance}:${event.id}`,
    instance: ctx.instance,
    origin: 'pagerduty',
    kind: 'other',
    service,
    repository: null,
    environment: null,
    version: null,
    summary: event.summary?.trim() || event.source?.trim() || 'PagerDuty change event',
    author: null,
    url,
    at,
    status: null,
    statusAt: at,
  };
}
