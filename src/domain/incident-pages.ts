import type { IncidentEvent } from './incident';
import type { PageRef } from './paging-event';

/**
 * The pages an incident holds (PagerDuty incidents, in PagerDuty's words), named the way the
 * responders know them: number, title and link. Read from the incident's paging events, which
 * each carry the page as the event saw it; later events may know more (a webhook reference has
 * only a summary, a REST read the whole incident), so each field is the latest value any event
 * gave. Pure.
 */
export interface IncidentPage {
  /** Connector instance the page came through. */
  instance: string;
  /** The paging tool (`pagerduty`). */
  source: string;
  /** The tool's id of the page. */
  id: string;
  number: number | null;
  title: string | null;
  /** The page in the tool (PagerDuty's `html_url`). */
  url: string | null;
  status: string | null;
  urgency: string | null;
  serviceName: string | null;
  /** Event time of its first and latest event in this incident. */
  firstEventAt: string;
  lastEventAt: string;
}

interface PagingEventData {
  instance: string;
  page: PageRef;
}

/** The paging event data an incident event carries, or null for any other event. */
function pagingData(event: IncidentEvent): PagingEventData | null {
  const { instance, page } = event.data as Partial<PagingEventData>;
  if (typeof instance !== 'string' || !page || typeof page !== 'object' || typeof page.id !== 'string') return null;
  return { instance, page };
}

/** Every page of an incident, first paged first. */
export function pagesOf(events: readonly IncidentEvent[]): IncidentPage[] {
  const pages = new Map<string, IncidentPage>();
  const sorted = [...events].sort((a, b) => a.at.localeCompare(b.at));
  for (const event of sorted) {
    const data = pagingData(event);
    if (!data) continue;
    const { page } = data;
    const key = `${data.instance}\u0000${page.id}`;
    const known = pages.get(key);
    const latest = <T>(value: T | null | undefined, before: T | null | undefined): T | null => value ?? before ?? null;
    pages.set(key, {
      instance: data.instance,
      source: known?.source ?? event.kind.split('.')[0] ?? event.kind,
      id: page.id,
      number: latest(page.number, known?.number),
      title: latest(page.title, known?.title),
      url: latest(page.url, known?.url),
      status: latest(page.status, known?.status),
      urgency: latest(page.urgency, known?.urgency),
      serviceName: latest(page.serviceName, known?.serviceName),
      firstEventAt: known?.firstEventAt ?? event.at,
      lastEventAt: event.at,
    });
  }
  return [...pages.values()];
}

const TOOL_NAMES: Record<string, string> = { pagerduty: 'PagerDuty' };

/** `PagerDuty #1234 "Checkout is down"` (the link is the renderer's to add). */
export function pageName(page: Pick<IncidentPage, 'source' | 'id' | 'number' | 'title'>): string {
  const tool = TOOL_NAMES[page.source] ?? page.source;
  const number = page.number !== null ? `#${page.number}` : page.id;
  return `${tool} ${number}${page.title ? ` "${page.title}"` : ''}`;
}
