import { CHANGE_KINDS, CHANGE_ORIGINS } from '../domain/changes/change';
import { z } from 'zod';

/** Schemas of the public API: they validate requests and document responses (OpenAPI). */

const isoTime = z.string().describe('ISO-8601 UTC time');
const labels = z.record(z.string(), z.string());

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
    requestId: z.string(),
  }),
}).meta({ id: 'Error' });

export const evidenceSchema = z.object({
  strength: z.enum(['explicit', 'strong', 'moderate', 'weak']).nullable().describe('How strong the link is, strongest first; null when the alert opened a new incident.'),
  score: z.number().describe('0..1: the strength weighed by how close in time the alert started to what it matched, and by topology steps.'),
  depth: z.number().int().describe('Topology steps between the alert and the incident\'s root (0: its core).'),
  via: z.string().nullable().describe('The member the link went through, for people; null for a new incident.'),
}).meta({ id: 'CorrelationEvidence' });

export const decisionSchema = z.object({
  kind: z.enum(['rule', 'new-incident', 'human']),
  rule: z.string().nullable(),
  matched: labels,
  gapMs: z.number().nullable(),
  explanation: z.string(),
  evidence: evidenceSchema.optional().describe('Debrief\'s own decisions: the evidence behind the link. Absent on human decisions and on decisions made before evidence was recorded.'),
  others: z.array(z.string()).optional().describe('Debrief\'s own decisions: why each other explicit link and rule did not place the alert (`<rule>: <reason>`); for a new incident, why none did. Absent on human decisions and older ones.'),
  apart: labels.optional().describe('A split\'s decision: the labels that set the alerts split off apart from those left behind (one value on each of them, on none of the others), such as `pod`; the new incident\'s title names them. Absent when none did.'),
  decidedBy: z.string(),
  decidedAt: isoTime,
}).meta({ id: 'CorrelationDecision' });

export const alertSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  instance: z.string(),
  source: z.string(),
  fingerprint: z.string(),
  fingerprintComputed: z.boolean(),
  status: z.enum(['firing', 'resolved']),
  startsAt: isoTime,
  endsAt: isoTime.nullable(),
  labels,
  annotations: labels,
  generatorUrl: z.string().nullable(),
  sourceGroupKey: z.string().nullable(),
  sourceGroupLabels: labels,
  decision: decisionSchema,
  firstSeenAt: isoTime,
  lastSeenAt: isoTime,
  notificationCount: z.number().int(),
}).meta({ id: 'Alert' });

export const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['open', 'resolved', 'merged']).describe('`merged`: merged into `mergedInto` (by a person, or when a late alert linked it); it holds no alerts then.'),
  severity: z.string().nullable(),
  services: z.array(z.string()),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  lastActivityAt: isoTime,
  alertCount: z.number().int(),
  createdAt: isoTime,
  updatedAt: isoTime,
  mergedInto: z.string().nullable().describe('The incident now holding its alerts, when status is `merged`.'),
  declaration: z.object({
    title: z.string(), services: z.array(z.string()), severity: z.string().nullable(), startedAt: isoTime, endedAt: isoTime.nullable(),
    missedByMonitoring: z.boolean().describe('No alert reported the outage.'), declaredBy: z.string(), declaredAt: isoTime,
  }).optional().describe('Present only on an incident a person declared by hand (POST /api/v1/incidents): what they declared. Its title stays; its start, end, severity and services combine with alerts moved in later; it is open until the declaration has an end.'),
}).meta({ id: 'Incident' });

export const timelineEntrySchema = z.object({
  at: isoTime,
  kind: z.string(),
  source: z.string(),
  text: z.string(),
  actor: z.string().nullable(),
  alertId: z.string().nullable(),
  eventId: z.string().nullable(),
  count: z.number().int().optional().describe('Present on a line that stands for repeated firings of one alert on one service (from 6 firings, or any incident read as a sample): how many.'),
  url: z.string().nullable().optional().describe('A link to what the line is about (a change\'s deployment log or pipeline run), when there is one.'),
}).meta({ id: 'TimelineEntry' });

export const changeSchema = z.object({
  id: z.string().describe('The change\'s key at its source (`github:deployment:<repo>:<id>`, `generic:<instance>:<id>`).'),
  instance: z.string(),
  origin: z.enum(CHANGE_ORIGINS).describe('Where it was learnt from; releases and pushes weigh less than deployments.'),
  kind: z.enum(CHANGE_KINDS),
  service: z.string().nullable(),
  repository: z.string().nullable(),
  environment: z.string().nullable(),
  version: z.string().nullable(),
  summary: z.string(),
  author: z.string().nullable(),
  url: z.string().nullable(),
  at: isoTime,
  status: z.string().nullable(),
  statusAt: isoTime,
}).meta({ id: 'Change' });

export const linkedChangeSchema = z.object({
  change: changeSchema,
  service: z.string().describe('The service the change is about (its own, or its repository\'s through the catalog).'),
  timing: z.enum(['before', 'during']).describe('`before` the first alert: a suspect; `during` the incident: e.g. a rollback.'),
  minutesBeforeFirstAlert: z.number().int().describe('Negative for changes after the first alert.'),
  incidentService: z.string().describe('The incident\'s service it is linked through.'),
  hops: z.number().int().describe('Catalog dependencies between the two services (0: the same service).'),
  path: z.array(z.string()).describe('The catalog path between them, in call direction.'),
  score: z.number().describe('0..1, higher is more suspect (kind of change, distance in the catalog, time before the first alert); 0 for changes during the incident.'),
  reason: z.string().describe('One sentence: what changed and why it is linked.'),
}).meta({ id: 'LinkedChange' });

export const impactItemSchema = z.object({
  service: z.string(),
  clusters: z.array(z.string()),
  namespaces: z.array(z.string()),
  regions: z.array(z.string()),
  severity: z.string().nullable(),
  firstSeenAt: isoTime,
  lastSeenAt: isoTime,
  durationMs: z.number(),
  ongoing: z.boolean(),
  alertCount: z.number().int(),
  customerFacing: z.boolean().nullable(),
}).meta({ id: 'ImpactItem' });

export const incidentPageRefSchema = z.object({
  instance: z.string().describe('Connector instance the page came through.'),
  source: z.string().describe('The paging tool (`pagerduty`).'),
  id: z.string().describe('The tool\'s id of the page (PagerDuty incident id).'),
  number: z.number().int().nullable().describe('PagerDuty\'s incident number, as responders know it.'),
  title: z.string().nullable(),
  url: z.string().nullable().describe('The page in the tool (PagerDuty `html_url`).'),
  status: z.string().nullable(),
  urgency: z.string().nullable(),
  serviceName: z.string().nullable(),
  firstEventAt: isoTime,
  lastEventAt: isoTime,
}).meta({ id: 'IncidentPageRef' });

const labelPair = z.object({ name: z.string(), value: z.string().describe('`""` when the alert lacks the label.') });

export const incidentDetailSchema = incidentSchema.extend({
  alerts: z.array(alertSchema).describe('Every alert; for an incident with more than 1,000, a sample (the earliest and latest by start, and the first of each alert name): page through all with GET /api/v1/incidents/{id}/alerts.'),
  alertsOmitted: z.number().int().describe('Alerts of the incident not in `alerts` (0: all are there). Timeline and impact always count every alert.'),
  eventsOmitted: z.number().int().describe('Timeline events left out of a very long timeline (0: none); the earliest and latest 500 are kept.'),
  timeline: z.array(timelineEntrySchema),
  impact: z.array(impactItemSchema),
  pages: z.array(incidentPageRefSchema).describe('Every page (PagerDuty incident) this incident holds, first paged first, each field the latest any of its events gave.'),
  distinguishingLabels: z.record(z.string(), z.array(labelPair)).describe('By alert id, for alerts sharing their name with another alert here: the labels whose values tell them apart (pod, instance, cluster, ...), most telling first, at most 4.'),
  changes: z.array(linkedChangeSchema).describe('Changes linked to the incident: suspects (before the first alert, most suspect first), then changes during it, oldest first.'),
}).meta({ id: 'IncidentDetail' });

export const postmortemSummarySchema = z.object({
  required: z.boolean().describe('Whether this incident needs a post-mortem: the configured policy, unless a person requested or waived one.'),
  reason: z.string().describe('One sentence: the policy\'s reason, or who requested/waived it and why.'),
}).meta({ id: 'PostmortemSummary' });

export const incidentListItemSchema = incidentSchema.extend({
  postmortem: postmortemSummarySchema.describe('Same `required` as the report\'s `postmortem` (GET /api/v1/incidents/:id/report).'),
}).meta({ id: 'IncidentListItem' });

export const incidentPageSchema = z.object({
  items: z.array(incidentListItemSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page.'),
}).meta({ id: 'IncidentPage' });

export const inboxRequeueSchema = z.object({
  at: isoTime,
  actor: z.string().describe('The API token\'s configured name that requeued the dead letter.'),
}).meta({ id: 'InboxRequeue' });

export const inboxEntrySchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  instance: z.string(),
  connector: z.string(),
  receivedAt: isoTime,
  state: z.enum(['pending', 'done', 'dead']),
  attempts: z.number().int(),
  lastError: z.string().nullable().describe('Why processing failed (dead letters keep it).'),
  processedAt: isoTime.nullable(),
  outcome: z.object({ alerts: z.number().int(), ignoredReason: z.string().nullable() }).nullable(),
  bodyBytes: z.number().int(),
  requeues: z.array(inboxRequeueSchema).describe('Who requeued this entry, and when, oldest first; empty when never requeued.'),
}).meta({ id: 'InboxEntry' });

export const inboxPageSchema = z.object({ items: z.array(inboxEntrySchema), nextCursor: z.string().nullable() }).meta({ id: 'InboxPage' });

export const inboxRequeuedSchema = z.object({
  id: z.string(),
  state: z.literal('pending'),
  requeue: inboxRequeueSchema.describe('This requeue, as recorded on the entry.'),
}).meta({ id: 'InboxRequeued' });

export const webhookAcceptedSchema = z.object({
  inboxId: z.string().describe('Inbox entry holding the stored body.'),
  duplicate: z.boolean().describe('True when this delivery id was already stored; nothing new was stored.'),
  alerts: z.number().int().describe('Alerts found in the body (processed asynchronously).'),
  ignoredReason: z.string().nullable(),
}).meta({ id: 'WebhookAccepted' });

export const idParamsSchema = z.object({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/, 'ids contain only letters, digits, dot, dash, underscore') });

const limit = z.coerce.number().int().min(1).max(500).default(50).describe('Page size (1-500).');
const cursor = z.string().max(1000).optional().describe('Opaque cursor from the previous page.');

export const incidentQuerySchema = z.object({
  status: z.enum(['open', 'resolved', 'merged']).optional().describe('Without it, merged incidents are left out.'),
  service: z.string().max(500).optional().describe('Only incidents affecting this service.'),
  severity: z.string().max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('Only incidents active at or after this time.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Only incidents started before this time.'),
  limit,
  cursor,
});

export const incidentAlertPageSchema = z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() }).meta({ id: 'IncidentAlertPage' });

export const pageQuerySchema = z.object({ limit, cursor });

export const inboxQuerySchema = z.object({
  state: z.enum(['pending', 'done', 'dead']).optional(),
  limit,
  cursor,
});
