import { z } from 'zod';

/*
 * What PagerDuty sends us and what its REST API returns, as forgiving zod schemas.
 *
 * Sources: PagerDuty/developer-docs `docs/webhooks/01-Overview.md` (envelope, event types,
 * event data types), PagerDuty/api-schema `reference/REST/openapiv3.json` (REST responses), and
 * the captured bodies in `./fixtures` (see fixtures/SOURCES.md). Summary in docs/payloads.md §4–6.
 *
 * Rules for everything in this file:
 * - Loose objects: unknown keys pass through untouched (PagerDuty adds fields without notice).
 * - Only what Debrief cannot work without is required. A 4xx answer makes PagerDuty drop the
 *   webhook, and three drops in a row disable the subscription for 24 h (docs `02-Behavior.md`),
 *   so a strict schema costs far more than a lenient one.
 * - No transforms: the webhook schema is exported to OpenAPI with `z.toJSONSchema(..., { io: 'input' })`.
 *   Time parsing and other interpretation happen in `pagerduty.normalize.ts`.
 */

const optionalText = z.string().nullish();

/**
 * A PagerDuty reference object (`user_reference`, `service_reference`, `incident_reference`, ...).
 * The ping's agent carries only `id` and `type`; references inside non-incident objects may
 * have `summary: null`. Every key is therefore optional.
 */
export const pagerdutyReferenceSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  summary: optionalText,
  self: optionalText,
  html_url: optionalText,
});
export type PagerDutyReference = z.infer<typeof pagerdutyReferenceSchema>;

const referenceOrNull = pagerdutyReferenceSchema.nullish();
const referenceList = z.array(pagerdutyReferenceSchema).nullish();

/** Custom field value (`incident_field_values` / `service_field_values`); `value` may be an array. */
const fieldValueSchema = z.looseObject({
  id: z.string().optional(),
  name: optionalText,
  display_name: optionalText,
  value: z.unknown().optional(),
});

/**
 * `event.data`. Its shape depends on `event_type` (docs "Event Data Types"):
 *
 * | event_type | data.type |
 * |---|---|
 * | incident.triggered/acknowledged/unacknowledged/resolved/reassigned/escalated/delegated/reopened/priority_updated/service_updated/incident_type.changed | `incident` |
 * | incident.annotated | `incident_note` |
 * | incident.responder.added/replied | `incident_responder` |
 * | incident.status_update_published | `incident_status_update` |
 * | incident.conference_bridge.updated | `incident_conference_bridge` |
 * | incident.custom_field_values.updated | `incident_field_values` |
 * | incident.role.assigned | `incident_role_assignment` |
 * | incident.task.* | `incident_task` |
 * | incident.action_invocation.* | `incident_action_invocation` |
 * | incident.workflow.* | `incident_workflow_instance` |
 * | service.* | `service`, `service_field_values` |
 * | pagey.ping | `ping` |
 *
 * One object schema holding the union of the documented keys (all optional) keeps 400 details
 * precise (`event.data.number: expected number`) where a zod union would only say "Invalid input".
 * Only an `incident`-typed `data` is itself the incident; the others point at it with `incident`.
 */
export const pagerdutyEventDataSchema = z.looseObject({
  type: z.string().optional().describe('Data type: incident, incident_note, incident_responder, service, ping, ...'),
  id: z.string().optional(),
  self: optionalText,
  html_url: optionalText,
  summary: optionalText,

  // incident
  number: z.number().nullish().describe('Incident number (incident data only).'),
  status: optionalText.describe('triggered | acknowledged | resolved (incident); todo | ... (incident_task)'),
  incident_key: optionalText.describe('Dedup key of the first alert; sha256 hex of the group key when Alertmanager paged.'),
  created_at: optionalText,
  reopened_at: optionalText,
  title: optionalText,
  service: referenceOrNull,
  escalation_policy: referenceOrNull,
  assignees: referenceList,
  teams: referenceList,
  priority: referenceOrNull.describe('null when the incident has no priority'),
  urgency: optionalText,
  conference_bridge: z
    .looseObject({
      conference_number: z.union([z.string(), z.number()]).nullish(),
      conference_url: optionalText,
    })
    .nullish(),
  resolve_reason: z.union([z.string(), z.looseObject({ type: z.string().optional() })]).nullish(),
  incident_type: z.looseObject({ name: optionalText }).nullish(),

  // incident_note, incident_status_update, incident_responder, incident_conference_bridge, ...
  incident: referenceOrNull.describe('The incident a non-incident data object belongs to.'),
  content: optionalText.describe('Note text (incident_note).'),
  message: optionalText.describe('Status update text or responder request message.'),
  trimmed: z.boolean().nullish().describe('true when content/message was cut; fetch the full text over REST.'),
  user: referenceOrNull.describe('Requested responder (incident_responder).'),
  state: optionalText.describe('pending | accepted | declined (responder); state of an action invocation.'),
  conference_numbers: z
    .array(z.looseObject({ label: optionalText, number: z.union([z.string(), z.number()]).nullish() }))
    .nullish(),
  conference_url: optionalText,
  custom_fields: z.array(fieldValueSchema).nullish(),
  changed_custom_fields: z.array(fieldValueSchema).nullish(),
  incident_role_assignments: z
    .array(
      z.looseObject({
        assignee: referenceOrNull,
        old_assignee: referenceOrNull,
        role: referenceOrNull,
        incident: referenceOrNull,
      }),
    )
    .nullish(),
  name: optionalText.describe('Task name (incident_task).'),
  action: referenceOrNull,
  incident_workflow: referenceOrNull,
});
export type PagerDutyEventData = z.infer<typeof pagerdutyEventDataSchema>;

/**
 * A PagerDuty Webhooks V3 body: exactly one event per request.
 *
 * Legacy V1/V2 bodies (`{"messages": [...]}`) fail this schema (no `event`); call
 * `detectLegacyPagerDuty` first to answer them with a clear message.
 */
export const pagerdutyPayloadSchema = z
  .looseObject({
    event: z.looseObject({
      id: z.string().min(1).describe('Event id; the same on redelivery. ULID-like, UUID or a long decimal string.'),
      event_type: z.string().min(1).describe('<resource>.<verb>, e.g. incident.acknowledged; new types appear without notice.'),
      resource_type: z.string().optional().describe('incident | service | pagey'),
      occurred_at: z.string().describe('ISO 8601 time of the event (UTC, milliseconds).'),
      agent: referenceOrNull.describe('Who caused the event; null for automation.'),
      client: z.looseObject({ name: optionalText, url: optionalText }).nullish(),
      data: pagerdutyEventDataSchema,
    }),
  })
  .describe('PagerDuty Webhooks V3 event envelope (V1/V2 "messages" bodies are rejected).');
export type PagerDutyPayload = z.infer<typeof pagerdutyPayloadSchema>;

const LEGACY_HELP =
  'create a V3 webhook subscription: in PagerDuty open Integrations > Generic Webhooks (v3) > New Webhook, ' +
  'set the URL to https://<debrief-host>/webhooks/<instance>, and give Debrief the signing secret shown ' +
  'after creation (see connectors/pagerduty/README.md)';

/**
 * Recognises a legacy PagerDuty V1/V2 webhook body (`{"messages": [...]}` without `event`) and
 * returns the message to answer it with (HTTP 400), or null when the body is not legacy.
 *
 * Debrief rejects legacy bodies instead of parsing them: V1 stopped working on 2022-10-31, V2 has
 * been unsupported since then and is unsigned, so accepting it would mean accepting unauthenticated
 * timeline events (docs/payloads.md §5).
 */
export function detectLegacyPagerDuty(body: unknown): string | null {
  if (!isRecord(body) || 'event' in body || !Array.isArray(body.messages)) return null;
  const first: unknown = body.messages[0];
  const seen = isRecord(first) && typeof first.event === 'string'
    ? `V2 "${first.event}"`
    : isRecord(first) && typeof first.type === 'string'
      ? `V1 "${first.type}"`
      : 'V1/V2';
  return `PagerDuty V1/V2 webhooks are not supported (this body looks like a ${seen} webhook: "messages" and no "event"); ${LEGACY_HELP}.`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// REST API v2 responses (pull: enrichment and backfill). Same forgiving rules.

/** REST incident (`GET /incidents/{id}`, `GET /incidents`). Note `incident_number`, not `number`. */
export const pagerdutyRestIncidentSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  summary: optionalText,
  html_url: optionalText,
  incident_number: z.number().nullish(),
  title: optionalText,
  created_at: optionalText,
  status: optionalText,
  incident_key: optionalText,
  service: referenceOrNull,
  priority: referenceOrNull,
  urgency: optionalText,
  resolve_reason: z.unknown().optional(),
});
export type PagerDutyRestIncident = z.infer<typeof pagerdutyRestIncidentSchema>;

/**
 * REST log entry (`GET /incidents/{id}/log_entries`). Types per api-schema: trigger_, acknowledge_,
 * unacknowledge_, resolve_, assign_, escalate_, delegate_, notify_, annotate_, snooze_,
 * urgency_change_, exhaust_escalation_path_, repeat_escalation_path_, reach_ack_limit_,
 * reach_trigger_limit_, field_value_change_, custom_field_value_change_log_entry; `*_reference`
 * variants; expect new ones.
 */
export const pagerdutyLogEntrySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  summary: optionalText,
  html_url: optionalText,
  created_at: z.string(),
  agent: referenceOrNull,
  channel: z
    .looseObject({
      type: optionalText,
      summary: optionalText,
      subject: optionalText,
      details: z.unknown().optional(),
      notification: z.looseObject({ type: optionalText, address: optionalText, status: optionalText }).nullish(),
    })
    .nullish(),
  service: referenceOrNull,
  incident: referenceOrNull,
  user: referenceOrNull,
  assignees: referenceList,
  event_details: z.looseObject({ description: optionalText }).nullish(),
  note: optionalText,
});
export type PagerDutyLogEntry = z.infer<typeof pagerdutyLogEntrySchema>;

/** REST note (`GET /incidents/{id}/notes`). `user` may be a `bot_user_reference` (event rules). */
export const pagerdutyNoteSchema = z.looseObject({
  id: z.string(),
  user: referenceOrNull,
  channel: z.looseObject({ summary: optionalText }).nullish(),
  content: optionalText,
  created_at: z.string(),
});
export type PagerDutyNote = z.infer<typeof pagerdutyNoteSchema>;

/** REST alert of an incident (`GET /incidents/{id}/alerts`); `alert_key` is the sender's dedup key. */
export const pagerdutyRestAlertSchema = z.looseObject({
  id: z.string(),
  alert_key: optionalText,
  status: optionalText,
  severity: optionalText,
  created_at: optionalText,
  summary: optionalText,
  incident: referenceOrNull,
  service: referenceOrNull,
});
export type PagerDutyRestAlert = z.infer<typeof pagerdutyRestAlertSchema>;

/**
 * A change event PagerDuty relates to an incident (`GET /incidents/{id}/related_change_events`).
 * `services` may carry ids only; `correlation_reason.reason` says why PagerDuty related it
 * (`most_recent`, `related_service`, `intelligent`).
 */
export const pagerdutyChangeEventSchema = z.looseObject({
  id: z.string(),
  summary: optionalText,
  timestamp: z.string(),
  source: optionalText,
  services: referenceList,
  links: z.array(z.looseObject({ href: optionalText, text: optionalText })).nullish(),
  correlation_reason: z.looseObject({ reason: optionalText }).nullish(),
});
export type PagerDutyChangeEvent = z.infer<typeof pagerdutyChangeEventSchema>;
