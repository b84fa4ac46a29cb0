import type { IncidentEvent } from '../incident';
import { clockText } from './clock-text';

/**
 * When the draft says an incident ended, and which signal said so. Pure.
 *
 * An incident's own end (`Incident.endedAt`) is its last alert's resolution, which correlation
 * needs as it is. A post-mortem's end is what people would write, and three signals speak to
 * it, in this order when they disagree:
 *
 * 1. **a recorded mitigation** (`mitigatedAt`, set by a person on the report): people know when
 *    service was restored, and alerts often keep firing (or resolve late) after it;
 * 2. **the page's resolution**: the responders closed the page, so they considered it over.
 *    It counts only when every page on the incident is resolved, and not when an alert of the
 *    incident fired after that resolution (the incident went on without a page);
 * 3. **the last alert's resolution**, once every alert resolved.
 *
 * Without any of them the incident is still ongoing. A signal before the incident's start
 * (first alert) is ignored: the draft never ends an incident before it began. A person who
 * disagrees sets `impactEndedAt`, which wins over all of this in the report.
 */

export const END_SIGNALS = ['mitigation', 'page-resolved', 'last-alert-resolved'] as const;
export type EndSignal = (typeof END_SIGNALS)[number];

export interface DraftedEnd {
  /** The drafted end (UTC ISO); null while the incident is ongoing. */
  at: string | null;
  signal: EndSignal | null;
  /** One sentence saying which signal set it: "ended at 14:32 UTC when the page was resolved". */
  note: string;
}

export interface EndSignals {
  /** The incident's start (its first alert). */
  startedAt: string;
  /** The last alert's resolution once every alert resolved (the incident's own end), else null. */
  lastAlertEndedAt: string | null;
  /** The latest start among the incident's alerts, if it has any. */
  lastAlertStartedAt: string | null;
  events: readonly IncidentEvent[];
  /** The mitigation time a person recorded on the report, if any. */
  mitigatedAt: string | null;
}

/** The state of the pages (paging-tool incidents) on one incident. */
export interface PageResolution {
  pages: number;
  /** Pages whose latest state change is not a resolution. */
  unresolved: number;
  /** The latest resolution among the pages, when none is unresolved; else null. */
  resolvedAt: string | null;
}

/** Paging events carry the page they belong to (`pagingTimelineEvent`); other events do not. */
function pageKeyOf(event: IncidentEvent): string | null {
  const page = event.data.page as { id?: unknown } | null | undefined;
  if (!page || typeof page !== 'object' || typeof page.id !== 'string') return null;
  return `${typeof event.data.instance === 'string' ? event.data.instance : event.kind.split('.')[0]}\u0000${page.id}`;
}

/** `resolved`, `open`, or null for an event that does not change a page's state (an acknowledgement, a note). */
function stateChange(event: IncidentEvent): 'resolved' | 'open' | null {
  const verb = event.kind.slice(event.kind.indexOf('.') + 1);
  if (verb === 'resolved') return 'resolved';
  if (verb === 'triggered' || verb === 'reopened') return 'open';
  return null;
}

/** Which pages are resolved, and when the last of them was. Events are taken in event-time order. */
export function pageResolution(events: readonly IncidentEvent[]): PageResolution {
  const byPage = new Map<string, { state: 'resolved' | 'open'; resolvedAt: string | null }>();
  const ordered = events.map((event, index) => ({ event, index })).sort((a, b) => a.event.at.localeCompare(b.event.at) || a.index - b.index);
  for (const { event } of ordered) {
    const key = pageKeyOf(event);
    if (key === null) continue;
    const page = byPage.get(key) ?? { state: 'open' as const, resolvedAt: null };
    const change = stateChange(event);
    if (change === 'resolved') byPage.set(key, { state: 'resolved', resolvedAt: event.at });
    else if (change === 'open') byPage.set(key, { state: 'open', resolvedAt: null });
    else byPage.set(key, page);
  }
  const pages = [...byPage.values()];
  const unresolved = pages.filter((page) => page.state !== 'resolved').length;
  const resolvedAt = unresolved === 0 && pages.length > 0 ? pages.map((page) => page.resolvedAt!).sort().at(-1)! : null;
  return { pages: pages.length, unresolved, resolvedAt };
}

/** The drafted end of an incident and the sentence saying which signal set it (see the module comment). */
export function draftEnd(signals: EndSignals): DraftedEnd {
  const start = Date.parse(signals.startedAt);
  const notBeforeStart = (at: string | null): at is string => at !== null && Date.parse(at) >= start;
  const pages = pageResolution(signals.events);
  const clock = (at: string) => clockText(at, signals.startedAt);
  const context = (signal: EndSignal): string => {
    const parts: string[] = [];
    if (signal !== 'last-alert-resolved') parts.push(signals.lastAlertEndedAt ? `the last alert resolved at ${clock(signals.lastAlertEndedAt)}` : 'alerts were still firing');
    if (signal !== 'page-resolved' && pages.unresolved > 0) parts.push(pages.unresolved === 1 ? 'the page is still unresolved' : `${pages.unresolved} pages are still unresolved`);
    return parts.length ? ` (${parts.join('; ')})` : '';
  };
  if (notBeforeStart(signals.mitigatedAt)) {
    return { at: signals.mitigatedAt, signal: 'mitigation', note: `ended at ${clock(signals.mitigatedAt)} when mitigation was recorded${context('mitigation')}` };
  }
  const pageEnd = pages.resolvedAt;
  const alertAfterPage = pageEnd !== null && signals.lastAlertStartedAt !== null && signals.lastAlertStartedAt > pageEnd;
  if (notBeforeStart(pageEnd) && !alertAfterPage) {
    const which = pages.pages === 1 ? 'the page was resolved' : `the last of ${pages.pages} pages was resolved`;
    return { at: pageEnd, signal: 'page-resolved', note: `ended at ${clock(pageEnd)} when ${which}${context('page-resolved')}` };
  }
  if (signals.lastAlertEndedAt !== null) {
    return { at: signals.lastAlertEndedAt, signal: 'last-alert-resolved', note: `ended at ${clock(signals.lastAlertEndedAt)} when the last alert resolved${context('last-alert-resolved')}` };
  }
  const open = pages.unresolved > 0 ? (pages.unresolved === 1 ? ': alerts are firing and the page is unresolved' : `: alerts are firing and ${pages.unresolved} pages are unresolved`) : ': alerts are still firing';
  return { at: null, signal: null, note: `still ongoing${open}` };
}
