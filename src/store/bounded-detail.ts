import type { Alert } from '../domain/alert';
import type { AlertFacet, IncidentDetail, IncidentEvent } from '../domain/incident';

/**
 * How much of an incident one read returns (`Store.getIncident`), the same for every store. An
 * incident with more alerts than `DETAIL_ALERT_LIMIT` is read as a sample: the earliest and the
 * latest halves by start (how it began, what fires now) and the first alert of each facet (so
 * every alert name has an example for the draft's hints), with the store's facets summing up
 * all of them. Timeline events likewise, without facets (they are people's and pages' entries,
 * far fewer than alerts), except that the events of the incident's pages always join the sample:
 * the pages the incident lists are read from them (`incident-pages.ts`). Page through every alert
 * with `Store.listIncidentAlerts`.
 */
export const DETAIL_ALERT_LIMIT = 200;
export const DETAIL_EVENT_LIMIT = 500;
/** Facets whose first alert joins a sample, at most (an incident with thousands of alert names is not read whole either). */
export const SAMPLE_FACET_LIMIT = 200;
/** Page events that join a sample, at most (a page has a handful: triggered, acknowledged, escalated, resolved). */
export const SAMPLE_PAGING_EVENT_LIMIT = 500;

type Maybe<T> = T | Promise<T>;

/** The reads a store answers for `sampledAlerts`, in detail order (start, then id). */
export interface AlertSampleReads {
  /** The earliest (`asc`) or latest (`desc`) `limit` alerts by start. */
  byStart(order: 'asc' | 'desc', limit: number): Maybe<Alert[]>;
  facets(): Maybe<AlertFacet[]>;
  byIds(ids: readonly string[]): Maybe<Alert[]>;
  count(): Maybe<number>;
}

/**
 * An incident's alerts as `getIncident` returns them, the same for every store: all of them up
 * to `DETAIL_ALERT_LIMIT`, else the sample with its facets and how many it left out.
 */
export async function sampledAlerts(reads: AlertSampleReads): Promise<Pick<IncidentDetail, 'alerts' | 'facets' | 'alertsOmitted'>> {
  const first = await reads.byStart('asc', DETAIL_ALERT_LIMIT + 1);
  if (first.length <= DETAIL_ALERT_LIMIT) return { alerts: first };
  const facets = await reads.facets();
  const firsts = await reads.byIds(facets.slice(0, SAMPLE_FACET_LIMIT).map((f) => f.firstAlertId));
  const alerts = alertSample([first.slice(0, DETAIL_ALERT_LIMIT / 2), await reads.byStart('desc', DETAIL_ALERT_LIMIT / 2), firsts]);
  return { alerts, facets, alertsOmitted: Math.max(0, (await reads.count()) - alerts.length) };
}

/** The reads a store answers for `sampledEvents`: timeline events only (audit-only kinds left out). */
export interface EventSampleReads {
  /** The earliest (`asc`) or latest (`desc`) `limit` events, in that order. */
  byTime(order: 'asc' | 'desc', limit: number): Maybe<IncidentEvent[]>;
  /** The earliest `limit` timeline events of the incident's paging events (PagerDuty), in time order. */
  pagingEvents(limit: number): Maybe<IncidentEvent[]>;
  count(): Maybe<number>;
}

/** An incident's timeline events as `getIncident` returns them: all up to `DETAIL_EVENT_LIMIT`, else the earliest and latest. */
export async function sampledEvents(reads: EventSampleReads): Promise<Pick<IncidentDetail, 'events' | 'eventsOmitted'>> {
  const first = await reads.byTime('asc', DETAIL_EVENT_LIMIT + 1);
  if (first.length <= DETAIL_EVENT_LIMIT) return { events: first };
  const events = eventSample(first.slice(0, DETAIL_EVENT_LIMIT / 2), await reads.byTime('desc', DETAIL_EVENT_LIMIT / 2), await reads.pagingEvents(SAMPLE_PAGING_EVENT_LIMIT));
  return { events, eventsOmitted: Math.max(0, (await reads.count()) - events.length) };
}

/** The sample's alerts in detail order (start, then id), each once. */
function alertSample(parts: ReadonlyArray<readonly Alert[]>): Alert[] {
  const byId = new Map<string, Alert>();
  for (const part of parts) for (const alert of part) byId.set(alert.id, alert);
  return [...byId.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
}

/**
 * The earliest and latest events, each once, in timeline order (the store's order within each
 * part is kept), with the page events from between them in their place by time.
 */
function eventSample(first: readonly IncidentEvent[], last: readonly IncidentEvent[], paging: readonly IncidentEvent[]): IncidentEvent[] {
  const seen = new Set(first.map((e) => e.id));
  const ends = [...first, ...[...last].reverse().filter((e) => !seen.has(e.id))];
  for (const e of ends) seen.add(e.id);
  const between = paging.filter((e) => !seen.has(e.id));
  if (between.length === 0) return ends;
  // Stable: equal times keep the store's order, and page events after the sample's events of that time.
  return [...ends, ...between].map((e, i) => ({ e, i })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i).map(({ e }) => e);
}
