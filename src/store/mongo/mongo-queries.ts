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

export function newInboxDoc(id: string, seq: number, e: NewInboxEntry): Doc {
  return {
    _id: id, seq, instance: e.instance, connector: e.connector, receivedAt: e.receivedAt, headers: toPairs(e.headers), body: e.body,
    bodyBytes: e.body.length, deliveryId: e.deliveryId, state: 'pending', attempts: 0, lastError: null, leaseOwner: null,
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
export function inboxListQuery(q: InboxQuery): ListQuery {
  const clauses: Filter<Doc>[] = [];
  if (q.state) clauses.push({ state: q.state });
  if (q.cursor) {
    const after = Number(decodeCursor(q.cursor, ['seq']).seq);
    if (Number.isFinite(after)) clauses.push({ seq: { $lt: after } });
  }
  return { filter: and(clauses), sort: { seq: -1 }, limit: q.limit + 1 };
}

// -------------------------------------------------------------------- alerts

/** An alert's identity; the unique index `alerts_identity` has the same fields. */
export const alertIdentityFilter = (o: Pick<AlertObservation, 'instance' | 'fingerprint' | 'startsAt'>): Filter<Doc> => ({
  instance: o.instance, fingerprint: o.fingerprint, startsAt: o.startsAt,
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
  const t = Date.parse(at);
  const from = new Date(t - lookbackMs).toISOString();
  const to = new Date(t + lookbackMs).toISOString();
  const pageKeys = unique.filter((k) => k.startsWith('page:'));
  const ranged = unique.filter((k) => !k.startsWith('page:'));
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

export const incidentSummaryUpdate = (s: IncidentSummary, now: string): UpdateFilter<Doc> => ({
  $set: {
    title: s.title, status: s.status, severity: s.severity, services: s.services, startedAt: s.startedAt, endedAt: s.endedAt,
    lastActivityAt: s.lastActivityAt, alertCount: s.alertCount, updatedAt: now,
  },
});

/** Newest start first, then id; merged incidents left out unless asked for by status. */
export function incidentListQuery(q: IncidentQuery): ListQuery {
  const clauses: Filter<Doc>[] = [q.status ? { status: q.status } : { status: { $ne: 'merged' } }];
  if (q.severity) clauses.push({ severity: q.severity });
  if (q.service) clauses.push({ services: q.service });
  if (q.since) clauses.push({ $or: [{ endedAt: null }, { endedAt: { $gte: q.since } }] });
  if (q.until) clauses.push({ startedAt: { $lt: q.until } });
  if (q.cursor) {
    const c = decodeCursor(q.cursor, ['s', 'id']);
    clauses.push({ $or: [{ startedAt: { $lt: String(c.s) } }, { startedAt: String(c.s), _id: { $lt: String(c.id) } }] });
  }
  return { filter: and(clauses), sort: { startedAt: -1, _id: -1 }, limit: q.limit + 1 };
}

export const incidentCursor = (i: { startedAt: string; id: string }) => ({ s: i.startedAt, id: i.id });

// ------------------------------------------------------------------- reports

/**
 * Compare-and-set of a report: matches only while the stored revision is the one the writer
 * read. Revision 0 means "nothing stored yet", which an insert (unique `_id`) decides instead.
 */
export const reportCasFilter = (incidentId: string, expectedRevision: number): Filter<Doc> => ({ _id: incidentId, revision: expectedRevision });

/** The newest published version of each incident, most recently published first. */
export function latestPublishedQuery(q: { limit: number; cursor?: string | null }): ListQuery {
  const clauses: Filter<Doc>[] = [{ latest: true }];
  if (q.cursor) {
    const c = decodeCursor(q.cursor, ['p', 'id']);
    clauses.push({ $or: [{ publishedAt: { $lt: String(c.p) } }, { publishedAt: String(c.p), incidentId: { $lt: String(c.id) } }] });
  }
  return { filter: and(clauses), sort: { publishedAt: -1, incidentId: -1 }, limit: q.limit + 1 };
}

export function auditListQuery(incidentId: string, q: { limit: number; cursor?: string | null }): ListQuery {
  const after = q.cursor ? Number(decodeCursor(q.cursor, ['seq']).seq) : 0;
  return { filter: { incidentId, seq: { $gt: Number.isFinite(after) ? after : 0 } }, sort: { seq: 1 }, limit: q.limit + 1 };
}

/** Due date first (undated last), then creation, then id. */
export function actionItemListQuery(q: ActionItemQuery): ListQuery {
  const clauses: Filter<Doc>[] = [];
  if (q.incidentId) clauses.push({ incidentId: q.incidentId });
  if (q.statuses?.length) clauses.push({ status: { $in: [...q.statuses] } });
  if (q.dueBefore) clauses.push({ dueDate: { $type: 'string', $lt: q.dueBefore } });
  if (q.cursor) {
    const c = decodeCursor(q.cursor, ['d', 'c', 'id']);
    const d = String(c.d);
    const created = String(c.c);
    clauses.push({
      $or: [
        { dueKey: { $gt: d } },
        { dueKey: d, createdAt: { $gt: created } },
        { dueKey: d, createdAt: created, _id: { $gt: String(c.id) } },
      ],
    });
  }
  return { filter: and(clauses), sort: { dueKey: 1, createdAt: 1, _id: 1 }, limit: q.limit + 1 };
}

export const actionItemCursor = (i: { dueDate: string | null; createdAt: string; id: string }) => ({ d: i.dueDate ?? NO_DUE_DATE, c: i.createdAt, id: i.id });

/** The per-incident counter that orders an incident's report audit trail. */
export const auditCounterId = (incidentId: string): string => `report-audit:${incidentId}`;
export const INBOX_COUNTER_ID = 'inbox';
