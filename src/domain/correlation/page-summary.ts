import { worstSeverity } from '../incident';
import type { IncidentSummary } from '../incident-summary';
import type { PageRef } from '../paging-event';
import type { PageState } from './correlation-types';

/** A paging event as an incident keeps it (enough to summarise an incident that has only pages). */
export interface PlacedPagingEvent {
  eventId: string;
  kind: string;
  occurredAt: string;
  page: PageRef;
  /** Catalog service the page's PagerDuty service maps to, if any. */
  service: string | null;
}

/**
 * Summary of an incident that holds pages but no alerts yet (a page triggered by a person or
 * by another integration). As soon as an alert joins, the alerts decide the summary. Pure.
 * A page is resolved when its latest event is a resolution (or says the page is resolved).
 */
export function summarizePages(events: readonly PlacedPagingEvent[]): IncidentSummary {
  if (events.length === 0) throw new Error('a page summary needs at least one paging event');
  const sorted = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
  const byPage = new Map<string, PlacedPagingEvent[]>();
  for (const e of sorted) (byPage.get(e.page.id) ?? byPage.set(e.page.id, []).get(e.page.id)!).push(e);
  const resolvedAt: string[] = [];
  let allResolved = true;
  for (const list of byPage.values()) {
    const last = list.at(-1)!;
    if (last.kind === 'resolved' || last.page.status === 'resolved') resolvedAt.push(last.occurredAt);
    else allResolved = false;
  }
  const first = sorted[0]!;
  const latest = sorted.at(-1)!;
  const titles = [...new Set(sorted.map((e) => e.page.title ?? (e.page.number !== null ? `#${e.page.number}` : e.page.id)))];
  return {
    title: `PagerDuty: ${titles.length <= 2 ? titles.join(', ') : `${titles.slice(0, 2).join(', ')} and ${titles.length - 2} more`}`,
    status: allResolved ? 'resolved' : 'open',
    severity: worstSeverity(sorted.map((e) => e.page.urgency)),
    services: [...new Set(sorted.map((e) => e.service).filter((s): s is string => s !== null))],
    startedAt: first.occurredAt,
    endedAt: allResolved ? resolvedAt.sort().at(-1)! : null,
    lastActivityAt: latest.occurredAt,
    alertCount: 0,
  };
}

/** Each page of an incident with its first and latest event and whether it is resolved (as `summarizePages` judges it). */
export function pageStates(events: readonly Pick<PlacedPagingEvent, 'eventId' | 'kind' | 'occurredAt' | 'page'>[]): PageState[] {
  const byPage = new Map<string, Array<Pick<PlacedPagingEvent, 'eventId' | 'kind' | 'occurredAt' | 'page'>>>();
  for (const e of events) (byPage.get(e.page.id) ?? byPage.set(e.page.id, []).get(e.page.id)!).push(e);
  return [...byPage.values()].map((list) => {
    const sorted = [...list].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
    const last = sorted.at(-1)!;
    return { page: last.page, firstAt: sorted[0]!.occurredAt, lastAt: last.occurredAt, resolved: last.kind === 'resolved' || last.page.status === 'resolved' };
  }).sort((a, b) => a.firstAt.localeCompare(b.firstAt) || a.page.id.localeCompare(b.page.id));
}
