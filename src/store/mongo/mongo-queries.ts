import type { Filter, Sort, UpdateFilter } from 'mongodb';
import type { Alert, AlertObservation } from '../../domain/alert';
import type { IncidentSummary } from '../../domain/incident-summary';
import type { ActionItemQuery } from '../report-store';
import { decodeCursor } from '../cursor';
import type { InboxOutcome, InboxQuery, IncidentQuery, NewInboxEntry, RequeueContext } from '../store';
import type { StoredDoc } from './mongo-indexes';
import { NO_DUE_DATE, toPairs, type AlertDoc } from './mongo-schemas';

/**
 * Pure builders of the MongoDB filters and updates the stores send: no I/O here, so each can
 * be unit-tested without a server. The atomicity arguments live beside the operations that use
 * them (`mongo-store.ts`, `mongo-ledger-port.ts`, `mongo-report-store.ts`).
 */

type Doc = StoredDoc;

export interface ListQuery {
  filter: Filter<Doc>;
  sort: Sort;
  /** One more than the page size: the extra document says whether there is a next page. */
  limit: number;
}

const and = (clauses: Filter<Doc>[]): Filter<Doc> => (clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0]! : { $and: clauses });

// --------------------------------------------------------------------- inbox

export function newInboxDoc(id: string, seq: number, entry: NewInboxEntry): Doc {
  return {
    _id: id, seq, instance: entry.instance, connector: entry.connector, receivedAt: entry.receivedAt, headers: toPairs(entry.headers), body: entry.body,
    bodyBytes: entry.body.length, deliveryId: entry.deliveryId, state: 'pending', attempts: 0, lastError: null, leaseOwner: null,
    leaseUntil: null, processedAt: null, outcome: null, requeues: [],
  };
}

export const leaseUntil = (now: string, leaseMs: number): string => new Date(Date.parse(now) + leaseMs).toISOString();

/**
 * A pending entry whose lease is free (never claimed, or released) or expired at `now`. It is
 * the filter of each atomic claim, so it is re-evaluated by the server on the document it
 * updates: two replicas can never both match a free entry.
 */
export const claimFilter = (now: string): Filter<Doc> => ({ state: 'pending', $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] });
/** Oldest first (the `inbox_state_seq` index serves filter and sort). */
export const CLAIM_SORT: Sort = { seq: 1 };
export const claimUpdate = (owner: string, until: string): UpdateFilter<Doc> => ({ $set: { leaseOwner: owner, leaseUntil: until }, $inc: { attempts: 1 } });

/** Only the current lease holder may settle an entry (a replica whose lease expired changes nothing). */
export const ownedEntryFilter = (id: string, owner: string): Filter<Doc> => ({ _id: id, leaseOwner: owner });

export const completeUpdate = (outcome: InboxOutcome, now: string): UpdateFilter<Doc> => ({
  $set: { state: 'done', processedAt: now, outcome: { alerts: outcome.alerts, ignoredReason: outcome.ignoredReason }, leaseOwner: null, leaseUntil: null, lastError: null },
});

/** A failed attempt keeps its lease until it expires, so retries back off by the lease time. */
export const failUpdate = (reason: string, dead: boolean, now: string): UpdateFilter<Doc> => ({
  $set: dead ? { state: 'dead', lastError: reason, processedAt: now } : { state: 'pending', lastError: reason },
});

export const requeueFilter = (id: string): Filter<Doc> => ({ _id: id, state: 'dead' });
/**
 * Back to pending with a fresh lease and count; who requeued, and when, is appended in the same
 * update. (The driver's `PushOperator` refuses any field of the untyped `StoredDoc`, hence the cast.)
 */
export const requeueUpdate = (context: RequeueContext): UpdateFilter<Doc> => ({
  $set: { state: 'pending', leaseOwner: null, leaseUntil: null, attempts: 0 },
  $push: { requeues: { at: context.now, actor: context.actor } },
}) as unknown as UpdateFilter<Doc>;

/** Newest first; the cursor is the last seq shown. */
export function inboxListQuery(query: InboxQuery): ListQuery {
  const clauses: Filter<Doc>[] = [];
  if (query.state) clauses.push({ state: query.state });
  if (query.cursor) {
    const after = Number(decodeCursor(query.cursor, ['seq']).seq);
    if (Number.isFinite(after)) clauses.push({ seq: { $lt: after } });
  }
  return { filter: and(clauses), sort: { seq: -1 }, limit: query.limit + 1 };
}

// -------------------------------------------------------------------- alerts

/** An alert's identity; the unique index `alerts_identity` has the same fields. */
export const alertIdentityFilter = (observation: Pick<AlertObservation, 'instance' | 'fingerprint' | 'startsAt'>): Filter<Doc> => ({
  instance: observation.instance, fingerprint: observation.fingerprint, startsAt: observation.startsAt,
});

/**
 * Inserts a newly placed alert only if its identity is still free: an upsert whose update is
 * all `$setOnInsert`, so when another writer stored the same firing first nothing is
 * overwritten (the result says "matched", or the unique index raises E11000) and the caller
 * retries, this time finding the alert and applying the observation as a re-send.
 */
export function alertInsertUpsert(doc: AlertDoc): { filter: Filter<Doc>; update: UpdateFilter<Doc>; upsert: true } {
  return { filter: alertIdentityFilter(doc), update: { $setOnInsert: doc }, upsert: true };
}

/** Writes what a re-send changes (never identity, placement or decision). */
export const alertResendUpdate = (next: Alert): UpdateFilter<Doc> => ({
  $set: {
    status: next.status, endsAt: next.endsAt, annotations: toPairs(next.annotations), generatorUrl: next.generatorUrl,
    lastSeenAt: next.lastSeenAt, notificationCount: next.notificationCount,
  },
});

// ---------------------------------------------------------- correlation keys

/**
 * Incidents' key activity that may link an alert starting at `at`: for each key, documents
 * active at or after `at - lookback` that began at or before `at + lookback` (late alerts link
 * forward too). Page keys (`page:`) match whenever: a page id names one page. Null when there
 * is nothing to look up.
 */
export function candidateFilter(keys: readonly string[], at: string, lookbackMs: number): Filter<Doc> | null {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return null;
  const time = Date.parse(at);
  const from = new Date(time - lookbackMs).toISOString();
  const to = new Date(time + lookbackMs).toISOString();
  const pageKeys = unique.filter((key) => key.startsWith('page:'));
  const ranged = unique.filter((key) => !key.startsWith('page:'));
  const clauses: Filter<Doc>[] = [];
  if (ranged.length) clauses.push({ key: ranged.length === 1 ? ranged[0] : { $in: ranged }, activeUntil: { $gte: from }, firstAt: { $lte: to } });
  if (pageKeys.length) clauses.push({ key: pageKeys.length === 1 ? pageKeys[0] : { $in: pageKeys } });
  return clauses.length === 1 ? clauses[0]! : { $or: clauses };
}

/**
 * Adds one holder (a newly placed alert) to an incident's activity on `key`, creating the
 * document on first use: its onset widens the span, its depth may lower the key's.
 * `$min`/`$max` compare ISO strings, which order like the times.
 */
export function keyHolderUpsert(key: string, incidentId: string, h: { onset: string; firing: number; depth: number }) {
  return {
    filter: { key, incidentId } as Filter<Doc>,
    update: { $min: { firstAt: h.onset, depth: h.depth }, $max: { lastAt: h.onset, activeUntil: h.onset }, $inc: { firing: h.firing, holders: 1 } } as UpdateFilter<Doc>,
    upsert: true as const,
  };
}

/**
 * Bumps the correlation lock of `key`: the write that makes two transactions deciding on the
 * same key conflict (see `mongo-ledger-port.ts`). `touchedAt` feeds the TTL index.
 */
export function lockBump(key: string, touchedAt: Date) {
  return { filter: { _id: key } as Filter<Doc>, update: { $inc: { v: 1 }, $set: { touchedAt } } as UpdateFilter<Doc>, upsert: true as const };
}

// ----------------------------------------------------------------- incidents

export const incidentSummaryUpdate = (summary: IncidentSummary, now: string): UpdateFilter<Doc> => ({
  $set: {
    title: summary.title, status: summary.status, severity: summary.severity, services: summary.services, startedAt: summary.startedAt, endedAt: summary.endedAt,
    lastActivityAt: summary.lastActivityAt, alertCount: summary.alertCount, updatedAt: now,
  },
});

/** Newest start first, then id; merged incidents left out unless asked for by status. */
export function incidentListQuery(query: IncidentQuery): ListQuery {
  const clauses: Filter<Doc>[] = [query.status ? { status: query.status } : { status: { $ne: 'merged' } }];
  if (query.severity) clauses.push({ severity: query.severity });
  if (query.service) clauses.push({ services: query.service });
  if (query.since) clauses.push({ $or: [{ endedAt: null }, { endedAt: { $gte: query.since } }] });
  if (query.until) clauses.push({ startedAt: { $lt: query.until } });
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, ['s', 'id']);
    clauses.push({ $or: [{ startedAt: { $lt: String(cursor.s) } }, { startedAt: String(cursor.s), _id: { $lt: String(cursor.id) } }] });
  }
  return { filter: and(clauses), sort: { startedAt: -1, _id: -1 }, limit: query.limit + 1 };
}

export const incidentCursor = (incident: { startedAt: string; id: string }) => ({ s: incident.startedAt, id: incident.id });

// ------------------------------------------------------------------- reports

/**
 * Compare-and-set of a report: matches only while the stored revision is the one the writer
 * read. Revision 0 means "nothing stored yet", which an insert (unique `_id`) decides instead.
 */
export const reportCasFilter = (incidentId: string, expectedRevision: number): Filter<Doc> => ({ _id: incidentId, revision: expectedRevision });

/** The newest published version of each incident, most recently published first. */
export function latestPublishedQuery(query: { limit: number; cursor?: string | null }): ListQuery {
  const clauses: Filter<Doc>[] = [{ latest: true }];
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, ['p', 'id']);
    clauses.push({ $or: [{ publishedAt: { $lt: String(cursor.p) } }, { publishedAt: String(cursor.p), incidentId: { $lt: String(cursor.id) } }] });
  }
  return { filter: and(clauses), sort: { publishedAt: -1, incidentId: -1 }, limit: query.limit + 1 };
}

export function auditListQuery(incidentId: string, query: { limit: number; cursor?: string | null }): ListQuery {
  const after = query.cursor ? Number(decodeCursor(query.cursor, ['seq']).seq) : 0;
  return { filter: { incidentId, seq: { $gt: Number.isFinite(after) ? after : 0 } }, sort: { seq: 1 }, limit: query.limit + 1 };
}

/** Due date first (undated last), then creation, then id. */
export function actionItemListQuery(query: ActionItemQuery): ListQuery {
  const clauses: Filter<Doc>[] = [];
  if (query.incidentId) clauses.push({ incidentId: query.incidentId });
  if (query.statuses?.length) clauses.push({ status: { $in: [...query.statuses] } });
  if (query.dueBefore) clauses.push({ dueDate: { $type: 'string', $lt: query.dueBefore } });
  if (query.trackerKind) clauses.push({ trackerKind: query.trackerKind });
  if (query.trackerKind && query.trackerKey !== undefined) clauses.push({ trackerKey: query.trackerKey });
  if (query.updatedSince) clauses.push({ updatedAt: { $gte: query.updatedSince } });
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, ['d', 'c', 'id']);
    const dueKey = String(cursor.d);
    const created = String(cursor.c);
    clauses.push({
      $or: [
        { dueKey: { $gt: dueKey } },
        { dueKey: dueKey, createdAt: { $gt: created } },
        { dueKey: dueKey, createdAt: created, _id: { $gt: String(cursor.id) } },
      ],
    });
  }
  return { filter: and(clauses), sort: { dueKey: 1, createdAt: 1, _id: 1 }, limit: query.limit + 1 };
}

export const actionItemCursor = (item: { dueDate: string | null; createdAt: string; id: string }) => ({ d: item.dueDate ?? NO_DUE_DATE, c: item.createdAt, id: item.id });

/** The per-incident counter that orders an incident's report audit trail. */
export const auditCounterId = (incidentId: string): string => `report-audit:${incidentId}`;
export const INBOX_COUNTER_ID = 'inbox';
