import { Binary, ObjectId, type Document } from 'mongodb';
import { z } from 'zod';
import type { Alert, CorrelationDecision } from '../../domain/alert';
import type { IncidentOrigin, KeyActivity } from '../../domain/correlation/correlator';
import { facetKey, type AlertFacet, type IncidentTally } from '../../domain/incident-facets';
import type { PlacedPagingEvent } from '../../domain/correlation/page-summary';
import type { Incident, IncidentDeclaration, IncidentEvent } from '../../domain/incident';
import type { PageRef } from '../../domain/paging-event';
import { TRACKER_KINDS } from '../../domain/trackers/tracker';
import type { ActionItem, PublishedReportVersion, ReportAuditEntry, StoredReport } from '../../domain/report/report-model';
import type { DeliveryRecord } from '../delivery-store';
import type { RememberedLink } from '../remembered-link-store';
import type { PendingCarryOver } from '../report-store';
import type { ReportAutosave } from '../../domain/report/report-autosave';
import type { InboxEntry, InboxEntrySummary } from '../store';

/**
 * MongoDB document shapes, their zod schemas (every document read back is validated, so a
 * corrupt or foreign document fails with the collection and field named instead of spreading
 * `undefined` through the domain) and the document <-> domain mapping.
 *
 * Storage choices:
 * - Times are the domain's ISO-8601 UTC strings (they sort correctly as strings, and `$min`/`$max`
 *   compare them correctly); only TTL fields are BSON dates.
 * - Maps whose keys come from outside Debrief (alert labels and annotations, group labels, HTTP
 *   headers, a decision's `matched` values) are stored as `[name, value]` pairs: a label name
 *   is then never a BSON field name, so names with `.` or a leading `$` cannot break an insert
 *   or an update operator.
 * - Open-ended blobs nobody queries (incident event `data`, audit `changes`, frozen published
 *   report snapshots) are stored as JSON text, exactly as written; the one field of event data
 *   that is queried (`alertId`) is copied to the top level.
 */

/** A document that failed validation: names the collection, the document and the field. */
export class CorruptDocumentError extends Error {
  constructor(
    readonly collection: string,
    readonly documentId: string,
    readonly field: string,
    detail: string,
  ) {
    super(`corrupt document in MongoDB collection "${collection}" (_id ${documentId}): field "${field}": ${detail}`);
    this.name = 'CorruptDocumentError';
  }
}

/** Validates a document read from `collection`; throws `CorruptDocumentError` on the first bad field. */
export function parseDoc<S extends z.ZodType>(collection: string, schema: S, doc: unknown): z.output<S> {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const rawId = doc && typeof doc === 'object' ? (doc as Document)._id : undefined;
  const id = rawId === undefined ? '(none)' : rawId instanceof ObjectId ? rawId.toHexString() : JSON.stringify(rawId);
  const field = issue.path.length ? issue.path.map(String).join('.') : '(document)';
  throw new CorruptDocumentError(collection, id, field, issue.message);
}

// ------------------------------------------------------------------- helpers

const iso = z.string().min(1);
const nullableString = z.string().nullable();
const count = z.number().int().min(0);
const pairs = z.array(z.tuple([z.string(), z.string()]));
export type Pairs = z.infer<typeof pairs>;

export const toPairs = (map: Record<string, string>): Pairs => Object.entries(map);
export const fromPairs = (entries: Pairs): Record<string, string> => Object.fromEntries(entries);

/** JSON text holding an object: parsed, then checked to be an object. */
const jsonObject = z.string().transform((text, ctx): Record<string, unknown> => {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    ctx.addIssue({ code: 'custom', message: 'JSON text is not an object' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON text (${(err as Error).message})` });
  }
  return z.NEVER;
});

const jsonArray = z.string().transform((text, ctx): unknown[] => {
  try {
    const value = JSON.parse(text) as unknown;
    if (Array.isArray(value)) return value;
    ctx.addIssue({ code: 'custom', message: 'JSON text is not an array' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON text (${(err as Error).message})` });
  }
  return z.NEVER;
});

/** BSON binary as read back (a Buffer with `promoteBuffers`, a `Binary` without). */
const bytes = z.union([z.instanceof(Buffer), z.instanceof(Binary), z.instanceof(Uint8Array)]).transform((data): Buffer => {
  if (Buffer.isBuffer(data)) return data;
  const u8 = data instanceof Binary ? data.value() : data;
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
});

// --------------------------------------------------------------------- inbox

export const inboxStates = z.enum(['pending', 'done', 'dead']);

const inboxSummaryShape = {
  _id: z.string(),
  seq: z.number().int().positive(),
  instance: z.string(),
  connector: z.string(),
  receivedAt: iso,
  state: inboxStates,
  attempts: count,
  lastError: nullableString,
  processedAt: nullableString,
  outcome: z.object({ alerts: count, ignoredReason: nullableString }).nullable(),
  bodyBytes: count,
  /** Who requeued this dead letter, when, oldest first; absent in documents written before it. */
  requeues: z.array(z.object({ at: iso, actor: z.string() })).optional(),
};

export const inboxSummaryDocSchema = z.object(inboxSummaryShape);
export const inboxDocSchema = z.object({
  ...inboxSummaryShape,
  headers: pairs,
  body: bytes,
  deliveryId: nullableString,
  leaseOwner: nullableString,
  leaseUntil: nullableString,
});

/** Fields of an inbox summary (the body left on the server). */
export const INBOX_SUMMARY_PROJECTION = Object.fromEntries(Object.keys(inboxSummaryShape).map((key) => [key, 1])) as Record<string, 1>;

export function toInboxSummary(doc: z.output<typeof inboxSummaryDocSchema>): InboxEntrySummary {
  return {
    id: doc._id, seq: doc.seq, instance: doc.instance, connector: doc.connector, receivedAt: doc.receivedAt, state: doc.state,
    attempts: doc.attempts, lastError: doc.lastError, processedAt: doc.processedAt, outcome: doc.outcome, bodyBytes: doc.bodyBytes,
    requeues: (doc.requeues ?? []).map((requeue) => ({ at: requeue.at, actor: requeue.actor })),
  };
}

export function toInboxEntry(doc: z.output<typeof inboxDocSchema>): InboxEntry {
  return {
    ...toInboxSummary(doc), headers: fromPairs(doc.headers), body: doc.body, deliveryId: doc.deliveryId,
  };
}

// ----------------------------------------------------------------- incidents

const origins = z.enum(['rule', 'human', 'paging']);

export const incidentDocSchema = z.object({
  _id: z.string(),
  title: z.string(),
  status: z.enum(['open', 'resolved', 'merged']),
  severity: nullableString,
  services: z.array(z.string()),
  startedAt: iso,
  endedAt: nullableString,
  lastActivityAt: iso,
  alertCount: count,
  createdAt: iso,
  updatedAt: iso,
  mergedInto: nullableString,
  origin: origins,
  humanPlaced: z.boolean(),
  /** The tally of its alerts (incident-facets.ts), kept incrementally with alertCount; absent before they were kept. */
  firingCount: count.optional(),
  lastStartAt: nullableString.optional(),
  lastEndAt: nullableString.optional(),
  /** Set on an incident a person declared by hand (`IncidentDeclaration`); absent otherwise. */
  declaration: z.object({
    title: z.string(), services: z.array(z.string()), severity: nullableString, startedAt: iso, endedAt: nullableString,
    missedByMonitoring: z.boolean(), declaredBy: z.string(), declaredAt: iso,
  }).nullable().optional(),
});
export type IncidentDoc = z.output<typeof incidentDocSchema>;

export function toIncident(doc: IncidentDoc): Incident {
  return {
    id: doc._id, title: doc.title, status: doc.status, severity: doc.severity, services: doc.services, startedAt: doc.startedAt,
    endedAt: doc.endedAt, lastActivityAt: doc.lastActivityAt, alertCount: doc.alertCount, createdAt: doc.createdAt,
    updatedAt: doc.updatedAt, mergedInto: doc.mergedInto,
    // Only on incidents declared by hand, so every other incident reads as before.
    ...(doc.declaration ? { declaration: doc.declaration } : {}),
  };
}

export function newIncidentDoc(id: string, at: string, now: string, origin: IncidentOrigin, humanPlaced: boolean, declaration: IncidentDeclaration | null = null): IncidentDoc {
  return {
    _id: id, title: '(new incident)', status: 'open', severity: null, services: [], startedAt: at, endedAt: null,
    lastActivityAt: at, alertCount: 0, createdAt: now, updatedAt: now, mergedInto: null, origin, humanPlaced, firingCount: 0, lastStartAt: null, lastEndAt: null,
    ...(declaration ? { declaration: { ...declaration, services: [...declaration.services] } } : {}),
  };
}

/** An incident's tally; null while it has no alerts. */
export function toTally(d: IncidentDoc): IncidentTally | null {
  if (d.alertCount === 0 || !d.lastStartAt) return null;
  return { alertCount: d.alertCount, firingCount: d.firingCount ?? 0, startedAt: d.startedAt, lastStartAt: d.lastStartAt, lastEndAt: d.lastEndAt ?? null, severity: d.severity };
}

export const facetDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(),
  alertname: z.string(),
  service: nullableString,
  firstAt: iso,
  firstAlertId: z.string(),
  lastStartAt: iso,
  lastEndAt: nullableString,
  lastSeenAt: iso,
  alerts: count,
  firing: count,
  severity: nullableString,
  clusters: z.array(z.string()),
  namespaces: z.array(z.string()),
  regions: z.array(z.string()),
});

export const facetDocId = (incidentId: string, alertname: string, service: string | null): string => `${incidentId}|${facetKey(alertname, service)}`;

export function toFacetDoc(incidentId: string, f: AlertFacet): z.output<typeof facetDocSchema> {
  return { _id: facetDocId(incidentId, f.alertname, f.service), incidentId, ...f, clusters: [...f.clusters], namespaces: [...f.namespaces], regions: [...f.regions] };
}

export function toFacet(d: z.output<typeof facetDocSchema>): AlertFacet {
  const { _id, incidentId, ...facet } = d;
  void _id;
  void incidentId;
  return facet;
}

// -------------------------------------------------------------------- alerts

const decisionDocSchema = z.object({
  kind: z.enum(['rule', 'new-incident', 'human']),
  rule: nullableString,
  matched: pairs,
  gapMs: z.number().nullable(),
  explanation: z.string(),
  decidedBy: z.string(),
  decidedAt: iso,
  evidence: z.object({
    strength: z.enum(['explicit', 'strong', 'moderate', 'weak']).nullable(),
    score: z.number(),
    depth: count,
    via: nullableString,
  }).optional(),
  others: z.array(z.string()).optional(),
  apart: pairs.optional(),
});
export type DecisionDoc = z.output<typeof decisionDocSchema>;

export const toDecisionDoc = ({ apart, ...decision }: CorrelationDecision): DecisionDoc => ({
  ...decision, matched: toPairs(decision.matched), ...(apart ? { apart: toPairs(apart) } : {}),
});
const fromDecisionDoc = ({ apart, ...doc }: DecisionDoc): CorrelationDecision => ({
  ...doc, matched: fromPairs(doc.matched), ...(apart ? { apart: fromPairs(apart) } : {}),
});

export const alertDocSchema = z.object({
  _id: z.string(),
  instance: z.string(),
  source: z.string(),
  fingerprint: z.string(),
  fingerprintComputed: z.boolean(),
  startsAt: iso,
  endsAt: nullableString,
  status: z.enum(['firing', 'resolved']),
  labels: pairs,
  annotations: pairs,
  generatorUrl: nullableString,
  sourceGroupKey: nullableString,
  sourceGroupLabels: pairs,
  incidentId: z.string(),
  decision: decisionDocSchema,
  firstSeenAt: iso,
  lastSeenAt: iso,
  notificationCount: count,
  /** Correlation keys this alert holds (what its incident holds because of it). */
  corrKeys: z.array(z.string()),
});
export type AlertDoc = z.output<typeof alertDocSchema>;

/** What `probeAlerts` reads of an alert (its projection). */
export const alertProbeFields = { _id: 1, instance: 1, fingerprint: 1, startsAt: 1, incidentId: 1, status: 1, endsAt: 1, labels: 1, annotations: 1, generatorUrl: 1 } as const;
export const alertProbeDocSchema = alertDocSchema.pick({ _id: true, instance: true, fingerprint: true, startsAt: true, incidentId: true, status: true, endsAt: true, labels: true, annotations: true, generatorUrl: true });

export function toAlertDoc(alert: Alert, corrKeys: readonly string[]): AlertDoc {
  return {
    _id: alert.id, instance: alert.instance, source: alert.source, fingerprint: alert.fingerprint, fingerprintComputed: alert.fingerprintComputed,
    startsAt: alert.startsAt, endsAt: alert.endsAt, status: alert.status, labels: toPairs(alert.labels), annotations: toPairs(alert.annotations),
    generatorUrl: alert.generatorUrl, sourceGroupKey: alert.sourceGroupKey, sourceGroupLabels: toPairs(alert.sourceGroupLabels),
    incidentId: alert.incidentId, decision: toDecisionDoc(alert.decision), firstSeenAt: alert.firstSeenAt, lastSeenAt: alert.lastSeenAt,
    notificationCount: alert.notificationCount, corrKeys: [...corrKeys],
  };
}

export function toAlert(doc: AlertDoc): Alert {
  return {
    id: doc._id, instance: doc.instance, source: doc.source, fingerprint: doc.fingerprint, fingerprintComputed: doc.fingerprintComputed,
    startsAt: doc.startsAt, endsAt: doc.endsAt, status: doc.status, labels: fromPairs(doc.labels), annotations: fromPairs(doc.annotations),
    generatorUrl: doc.generatorUrl, sourceGroupKey: doc.sourceGroupKey, sourceGroupLabels: fromPairs(doc.sourceGroupLabels),
    incidentId: doc.incidentId, decision: fromDecisionDoc(doc.decision), firstSeenAt: doc.firstSeenAt, lastSeenAt: doc.lastSeenAt,
    notificationCount: doc.notificationCount,
  };
}

// ----------------------------------------------------------- incident events

export const eventDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(),
  at: iso,
  kind: z.string(),
  actor: nullableString,
  text: z.string(),
  data: jsonObject,
  /** `data.alertId` when it is a string: decision events follow their alert when it moves. */
  alertId: nullableString,
  /** Insertion order among events with the same `at` (ObjectIds grow within a process). */
  ord: z.instanceof(ObjectId),
});

export interface NewEventDoc {
  _id: string;
  incidentId: string;
  at: string;
  kind: string;
  actor: string | null;
  text: string;
  data: string;
  alertId: string | null;
  ord: ObjectId;
}

export function toEventDoc(event: Omit<IncidentEvent, 'data'> & { data: Record<string, unknown> }): NewEventDoc {
  return {
    _id: event.id, incidentId: event.incidentId, at: event.at, kind: event.kind, actor: event.actor, text: event.text, data: JSON.stringify(event.data),
    alertId: typeof event.data.alertId === 'string' ? event.data.alertId : null, ord: new ObjectId(),
  };
}

export function toEvent(doc: z.output<typeof eventDocSchema>): IncidentEvent {
  return { id: doc._id, incidentId: doc.incidentId, at: doc.at, kind: doc.kind, actor: doc.actor, text: doc.text, data: doc.data };
}

// ---------------------------------------------------------- correlation keys

/** Stands for "still active" in `activeUntil` (an unresolved page); sorts after every real time. */
export const ACTIVE_SENTINEL = '9999-12-31T23:59:59.999Z';

export const keyDocSchema = z.object({
  key: z.string(),
  incidentId: z.string(),
  firstAt: iso,
  lastAt: iso,
  firing: count,
  holders: count,
  activeUntil: iso,
  /** Absent in documents written before depths were kept. */
  depth: count.optional(),
});
export type KeyDoc = z.output<typeof keyDocSchema>;

export function toKeyActivity(doc: KeyDoc): KeyActivity {
  return {
    key: doc.key, firstAt: doc.firstAt, lastAt: doc.lastAt, activeUntil: doc.activeUntil === ACTIVE_SENTINEL ? null : doc.activeUntil,
    firing: doc.firing, holders: doc.holders, depth: doc.depth ?? 0,
  };
}

export const fenceDocSchema = z.object({
  incidentId: z.string(),
  otherId: z.string(),
  createdAt: iso,
  actor: nullableString,
});

// ------------------------------------------------------------- paging events

const pageRefSchema = z.object({
  id: z.string(),
  number: z.number().nullable(),
  title: nullableString,
  url: nullableString,
  status: nullableString,
  urgency: nullableString,
  priority: nullableString,
  serviceId: nullableString,
  serviceName: nullableString,
  incidentKey: nullableString,
});

export const pagingDocSchema = z.object({
  instance: z.string(),
  eventId: z.string(),
  incidentId: z.string(),
  pageId: z.string(),
  kind: z.string(),
  occurredAt: iso,
  page: pageRefSchema,
  service: nullableString,
  keys: z.array(z.string()),
  incidentEventId: z.string(),
  /** `PagingEvent.identity` and actor, for twin detection; absent in documents written before it. */
  channel: nullableString.optional(),
  objectId: nullableString.optional(),
  actor: nullableString.optional(),
});
export type PagingDoc = z.output<typeof pagingDocSchema>;

export const toPlacedPaging = (doc: PagingDoc): PlacedPagingEvent => ({
  eventId: doc.eventId, kind: doc.kind, occurredAt: doc.occurredAt, page: doc.page as PageRef, service: doc.service,
});

export const counterDocSchema = z.object({ _id: z.string(), seq: z.number().int() });

// ------------------------------------------------------------------- reports

const humanText = z.looseObject({ text: z.string(), by: z.string(), at: iso });
const humanTimestamp = z.looseObject({ time: iso, by: z.string(), at: iso });

/**
 * A stored report is kept as a native document (its keys are Debrief's own) with `_id` =
 * incident id. Loose objects: fields added to the model later are kept, not stripped.
 */
export const reportDocSchema = z.looseObject({
  _id: z.string(),
  incidentId: z.string(),
  version: z.number().int().min(1),
  revision: z.number().int().min(1),
  status: z.enum(['draft', 'in_review', 'published']),
  content: z.looseObject({
    sections: z.record(z.string(), humanText),
    customerSummary: humanText.nullable(),
    impactStartedAt: humanTimestamp.nullable(),
    impactEndedAt: humanTimestamp.nullable(),
    mitigatedAt: humanTimestamp.nullable(),
    preventionNoneNeeded: humanText.nullable(),
    timelineEntries: z.array(z.looseObject({ id: z.string(), at: iso, text: z.string() })),
    timelineEdits: z.array(z.looseObject({ entryId: z.string() })),
  }),
  postmortem: z.looseObject({ kind: z.enum(['requested', 'waived']), reason: nullableString, by: z.string(), at: iso }).nullable(),
  createdAt: nullableString,
  updatedAt: nullableString,
  updatedBy: nullableString,
  publishedAt: nullableString,
  publishedBy: nullableString,
});

export const toReportDoc = (report: StoredReport): Document => ({ _id: report.incidentId, ...report });

export function toStoredReport(doc: z.output<typeof reportDocSchema>): StoredReport {
  const { _id: _ignored, ...rest } = doc;
  return rest as unknown as StoredReport;
}

export const versionDocSchema = z.object({
  incidentId: z.string(),
  version: z.number().int().min(1),
  publishedAt: iso,
  publishedBy: z.string(),
  etag: z.string(),
  report: jsonObject,
  /** True on the newest published version of its incident (status page and feeds list these). */
  latest: z.boolean(),
});

export const toVersionDoc = (version: PublishedReportVersion, latest: boolean): Document => ({
  incidentId: version.incidentId, version: version.version, publishedAt: version.publishedAt, publishedBy: version.publishedBy, etag: version.etag,
  report: JSON.stringify(version.report), latest,
});

export function toPublishedVersion(doc: z.output<typeof versionDocSchema>): PublishedReportVersion {
  return {
    incidentId: doc.incidentId, version: doc.version, publishedAt: doc.publishedAt, publishedBy: doc.publishedBy, etag: doc.etag,
    report: doc.report as unknown as PublishedReportVersion['report'],
  };
}

export const auditDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(),
  /** Order within the incident's audit trail (per-incident counter). */
  seq: z.number().int().positive(),
  at: iso,
  actor: z.string(),
  action: z.enum([
    'report.updated', 'report.transitioned', 'report.version-created', 'postmortem.requested', 'postmortem.waived',
    'action-item.created', 'action-item.updated', 'action-item.deleted',
  ]),
  version: z.number().int(),
  actionItemId: nullableString,
  changes: jsonArray,
});

export const toAuditDoc = (entry: ReportAuditEntry, seq: number): Document => ({
  _id: entry.id, incidentId: entry.incidentId, seq, at: entry.at, actor: entry.actor, action: entry.action, version: entry.version,
  actionItemId: entry.actionItemId, changes: JSON.stringify(entry.changes),
});

export function toAudit(doc: z.output<typeof auditDocSchema>): ReportAuditEntry {
  return {
    id: doc._id, incidentId: doc.incidentId, at: doc.at, actor: doc.actor, action: doc.action, version: doc.version,
    actionItemId: doc.actionItemId, changes: doc.changes as ReportAuditEntry['changes'],
  };
}

/** Items without a due date sort after every dated one. */
export const NO_DUE_DATE = '9999-12-31';

export const actionItemDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  owner: nullableString,
  dueDate: nullableString,
  /** `dueDate`, or `NO_DUE_DATE`: the list order's first key. */
  dueKey: z.string(),
  status: z.enum(['open', 'in_progress', 'done', 'wont_do']),
  trackerUrl: nullableString,
  /** The issue made in a tracker (absent in documents written before trackers, null without one); kind and key beside it for lookups. */
  trackerKind: nullableString.optional(),
  trackerKey: nullableString.optional(),
  tracker: z.object({
    tracker: z.enum(TRACKER_KINDS), key: z.string(), url: z.string(), state: nullableString, category: nullableString, changedAt: nullableString,
  }).nullable().optional(),
  createdAt: iso,
  createdBy: z.string(),
  updatedAt: iso,
  updatedBy: z.string(),
});

export const toActionItemDoc = (item: ActionItem): Document => ({
  _id: item.id, incidentId: item.incidentId, title: item.title, owner: item.owner, dueDate: item.dueDate, dueKey: item.dueDate ?? NO_DUE_DATE,
  status: item.status, trackerUrl: item.trackerUrl, trackerKind: item.tracker?.tracker ?? null, trackerKey: item.tracker?.key ?? null, tracker: item.tracker ?? null,
  createdAt: item.createdAt, createdBy: item.createdBy, updatedAt: item.updatedAt, updatedBy: item.updatedBy,
});

export function toActionItem(doc: z.output<typeof actionItemDocSchema>): ActionItem {
  const { _id, dueKey: _dueKey, trackerKind: _kind, trackerKey: _key, tracker, ...rest } = doc;
  return { id: _id, ...rest, ...(tracker ? { tracker } : {}) };
}

/** A merge carry-over not known to be finished (`_id` = its id). */
export const pendingCarryOverDocSchema = z.object({
  _id: z.string(),
  targetId: z.string(),
  sourceIds: z.array(z.string()),
  actor: z.string(),
  requestedAt: z.string(),
});

export const toPendingCarryOverDoc = (c: PendingCarryOver): Document => ({
  _id: c.id, targetId: c.targetId, sourceIds: [...c.sourceIds], actor: c.actor, requestedAt: c.requestedAt,
});

export function toPendingCarryOver(d: z.output<typeof pendingCarryOverDocSchema>): PendingCarryOver {
  const { _id, ...rest } = d;
  return { id: _id, ...rest };
}

/** One person's unsaved text on one incident's report (`_id` = incident id and author, see `autosaveId`). */
export const autosaveDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(),
  author: z.string(),
  savedAt: z.string(),
  baseEtag: z.string(),
  fields: z.record(z.string(), z.object({ base: z.string(), value: z.string() })),
});

/** The document id of an author's autosave: both parts, separated by a character neither may hold. */
export const autosaveId = (incidentId: string, author: string): string => `${incidentId}\u0000${author}`;

export const toAutosaveDoc = (a: ReportAutosave): Document => ({
  _id: autosaveId(a.incidentId, a.author), incidentId: a.incidentId, author: a.author, savedAt: a.savedAt, baseEtag: a.baseEtag, fields: a.fields,
});

export function toAutosave(d: z.output<typeof autosaveDocSchema>): ReportAutosave {
  const { _id, ...rest } = d;
  return rest as ReportAutosave;
}

// ---------------------------------------------------------------- deliveries

export const deliveryDocSchema = z.object({
  _id: z.string(),
  incidentId: z.string(),
  version: z.number().int(),
  event: z.string(),
  target: z.string(),
  body: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: count,
  lastStatusCode: z.number().int().nullable(),
  lastError: nullableString,
  nextAttemptAt: nullableString,
  createdAt: iso,
  updatedAt: iso,
  deliveredAt: nullableString,
});

export const toDeliveryDoc = (record: DeliveryRecord): Document => {
  const { id, ...rest } = record;
  return { _id: id, ...rest };
};

export function toDeliveryRecord(doc: z.output<typeof deliveryDocSchema>): DeliveryRecord {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

// ---------------------------------------------------------------- remembered links

export const rememberedLinkDocSchema = z.object({
  _id: z.string(),
  services: z.tuple([z.string(), z.string()]),
  firstBy: z.string(),
  firstAt: iso,
  lastBy: z.string(),
  lastAt: iso,
  incidentIds: z.array(z.string()),
  reason: nullableString,
  merges: count,
});

export function toRememberedLink(doc: z.output<typeof rememberedLinkDocSchema>): RememberedLink {
  const { _id, ...rest } = doc;
  return rest;
}
