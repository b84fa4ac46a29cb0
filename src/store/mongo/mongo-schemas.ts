import { Binary, ObjectId, type Document } from 'mongodb';
import { z } from 'zod';
import type { Alert, CorrelationDecision } from '../../domain/alert';
import type { IncidentOrigin, KeyActivity } from '../../domain/correlation/correlator';
import type { PlacedPagingEvent } from '../../domain/correlation/page-summary';
import type { Incident, IncidentEvent } from '../../domain/incident';
import type { PageRef } from '../../domain/paging-event';
import type { ActionItem, PublishedReportVersion, ReportAuditEntry, StoredReport } from '../../domain/report/report-model';
import type { DeliveryRecord } from '../delivery-store';
import type { PendingCarryOver } from '../report-store';
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
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
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

export const toPairs = (m: Record<string, string>): Pairs => Object.entries(m);
export const fromPairs = (p: Pairs): Record<string, string> => Object.fromEntries(p);

/** JSON text holding an object: parsed, then checked to be an object. */
const jsonObject = z.string().transform((text, ctx): Record<string, unknown> => {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    ctx.addIssue({ code: 'custom', message: 'JSON text is not an object' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON text (${(err as Error).message})` });
  }
  return z.NEVER;
});

const jsonArray = z.string().transform((text, ctx): unknown[] => {
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v)) return v;
    ctx.addIssue({ code: 'custom', message: 'JSON text is not an array' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not JSON text (${(err as Error).message})` });
  }
  return z.NEVER;
});

/** BSON binary as read back (a Buffer with `promoteBuffers`, a `Binary` without). */
const bytes = z.union([z.instanceof(Buffer), z.instanceof(Binary), z.instanceof(Uint8Array)]).transform((b): Buffer => {
  if (Buffer.isBuffer(b)) return b;
  const u8 = b instanceof Binary ? b.value() : b;
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
export const INBOX_SUMMARY_PROJECTION = Object.fromEntries(Object.keys(inboxSummaryShape).map((k) => [k, 1])) as Record<string, 1>;

export function toInboxSummary(d: z.output<typeof inboxSummaryDocSchema>): InboxEntrySummary {
  return {
    id: d._id, seq: d.seq, instance: d.instance, connector: d.connector, receivedAt: d.receivedAt, state: d.state,
    attempts: d.attempts, lastError: d.lastError, processedAt: d.processedAt, outcome: d.outcome, bodyBytes: d.bodyBytes,
    requeues: (d.requeues ?? []).map((r) => ({ at: r.at, actor: r.actor })),
  };
}

export function toInboxEntry(d: z.output<typeof inboxDocSchema>): InboxEntry {
  return {
    ...toInboxSummary(d), headers: fromPairs(d.headers), body: d.body, deliveryId: d.deliveryId,
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
});
export type IncidentDoc = z.output<typeof incidentDocSchema>;

export function toIncident(d: IncidentDoc): Incident {
  return {
    id: d._id, title: d.title, status: d.status, severity: d.severity, services: d.services, startedAt: d.startedAt,
    endedAt: d.endedAt, lastActivityAt: d.lastActivityAt, alertCount: d.alertCount, createdAt: d.createdAt,
    updatedAt: d.updatedAt, mergedInto: d.mergedInto,
  };
}

export function newIncidentDoc(id: string, at: string, now: string, origin: IncidentOrigin, humanPlaced: boolean): IncidentDoc {
  return {
    _id: id, title: '(new incident)', status: 'open', severity: null, services: [], startedAt: at, endedAt: null,
    lastActivityAt: at, alertCount: 0, createdAt: now, updatedAt: now, mergedInto: null, origin, humanPlaced,
  };
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
});
export type DecisionDoc = z.output<typeof decisionDocSchema>;

export const toDecisionDoc = (d: CorrelationDecision): DecisionDoc => ({ ...d, matched: toPairs(d.matched) });
const fromDecisionDoc = (d: DecisionDoc): CorrelationDecision => ({ ...d, matched: fromPairs(d.matched) });

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

export function toAlertDoc(a: Alert, corrKeys: readonly string[]): AlertDoc {
  return {
    _id: a.id, instance: a.instance, source: a.source, fingerprint: a.fingerprint, fingerprintComputed: a.fingerprintComputed,
    startsAt: a.startsAt, endsAt: a.endsAt, status: a.status, labels: toPairs(a.labels), annotations: toPairs(a.annotations),
    generatorUrl: a.generatorUrl, sourceGroupKey: a.sourceGroupKey, sourceGroupLabels: toPairs(a.sourceGroupLabels),
    incidentId: a.incidentId, decision: toDecisionDoc(a.decision), firstSeenAt: a.firstSeenAt, lastSeenAt: a.lastSeenAt,
    notificationCount: a.notificationCount, corrKeys: [...corrKeys],
  };
}

export function toAlert(d: AlertDoc): Alert {
  return {
    id: d._id, instance: d.instance, source: d.source, fingerprint: d.fingerprint, fingerprintComputed: d.fingerprintComputed,
    startsAt: d.startsAt, endsAt: d.endsAt, status: d.status, labels: fromPairs(d.labels), annotations: fromPairs(d.annotations),
    generatorUrl: d.generatorUrl, sourceGroupKey: d.sourceGroupKey, sourceGroupLabels: fromPairs(d.sourceGroupLabels),
    incidentId: d.incidentId, decision: fromDecisionDoc(d.decision), firstSeenAt: d.firstSeenAt, lastSeenAt: d.lastSeenAt,
    notificationCount: d.notificationCount,
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

export function toEventDoc(e: Omit<IncidentEvent, 'data'> & { data: Record<string, unknown> }): NewEventDoc {
  return {
    _id: e.id, incidentId: e.incidentId, at: e.at, kind: e.kind, actor: e.actor, text: e.text, data: JSON.stringify(e.data),
    alertId: typeof e.data.alertId === 'string' ? e.data.alertId : null, ord: new ObjectId(),
  };
}

export function toEvent(d: z.output<typeof eventDocSchema>): IncidentEvent {
  return { id: d._id, incidentId: d.incidentId, at: d.at, kind: d.kind, actor: d.actor, text: d.text, data: d.data };
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
});
export type KeyDoc = z.output<typeof keyDocSchema>;

export function toKeyActivity(d: KeyDoc): KeyActivity {
  return {
    key: d.key, firstAt: d.firstAt, lastAt: d.lastAt, activeUntil: d.activeUntil === ACTIVE_SENTINEL ? null : d.activeUntil,
    firing: d.firing, holders: d.holders,
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

export const toPlacedPaging = (d: PagingDoc): PlacedPagingEvent => ({
  eventId: d.eventId, kind: d.kind, occurredAt: d.occurredAt, page: d.page as PageRef, service: d.service,
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

export const toReportDoc = (r: StoredReport): Document => ({ _id: r.incidentId, ...r });

export function toStoredReport(d: z.output<typeof reportDocSchema>): StoredReport {
  const { _id: _ignored, ...rest } = d;
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

export const toVersionDoc = (p: PublishedReportVersion, latest: boolean): Document => ({
  incidentId: p.incidentId, version: p.version, publishedAt: p.publishedAt, publishedBy: p.publishedBy, etag: p.etag,
  report: JSON.stringify(p.report), latest,
});

export function toPublishedVersion(d: z.output<typeof versionDocSchema>): PublishedReportVersion {
  return {
    incidentId: d.incidentId, version: d.version, publishedAt: d.publishedAt, publishedBy: d.publishedBy, etag: d.etag,
    report: d.report as unknown as PublishedReportVersion['report'],
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

export const toAuditDoc = (a: ReportAuditEntry, seq: number): Document => ({
  _id: a.id, incidentId: a.incidentId, seq, at: a.at, actor: a.actor, action: a.action, version: a.version,
  actionItemId: a.actionItemId, changes: JSON.stringify(a.changes),
});

export function toAudit(d: z.output<typeof auditDocSchema>): ReportAuditEntry {
  return {
    id: d._id, incidentId: d.incidentId, at: d.at, actor: d.actor, action: d.action, version: d.version,
    actionItemId: d.actionItemId, changes: d.changes as ReportAuditEntry['changes'],
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
  createdAt: iso,
  createdBy: z.string(),
  updatedAt: iso,
  updatedBy: z.string(),
});

export const toActionItemDoc = (i: ActionItem): Document => ({
  _id: i.id, incidentId: i.incidentId, title: i.title, owner: i.owner, dueDate: i.dueDate, dueKey: i.dueDate ?? NO_DUE_DATE,
  status: i.status, trackerUrl: i.trackerUrl, createdAt: i.createdAt, createdBy: i.createdBy, updatedAt: i.updatedAt, updatedBy: i.updatedBy,
});

export function toActionItem(d: z.output<typeof actionItemDocSchema>): ActionItem {
  const { _id, dueKey: _dueKey, ...rest } = d;
  return { id: _id, ...rest };
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

export const toDeliveryDoc = (r: DeliveryRecord): Document => {
  const { id, ...rest } = r;
  return { _id: id, ...rest };
};

export function toDeliveryRecord(d: z.output<typeof deliveryDocSchema>): DeliveryRecord {
  const { _id, ...rest } = d;
  return { id: _id, ...rest };
}
