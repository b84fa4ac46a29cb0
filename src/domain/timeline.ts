import { alertName, type Alert } from './alert';
import type { IncidentEvent } from './incident';
import { serviceOf } from './service-of';

/** One row of an incident's timeline, at the source's event time. */
export interface TimelineEntry {
  at: string;
  /** `alert.fired`, `alert.resolved`, or an incident event kind (`correlation.moved`, `pagerduty.acknowledged`, ...). */
  kind: string;
  /** Where it came from: `alert`, `pagerduty`, `correlation`, `human`, ... */
  source: string;
  text: string;
  actor: string | null;
  alertId: string | null;
  eventId: string | null;
}

/**
 * Builds the timeline from alerts and stored events. Pure and derived on every read, so
 * re-sent notifications (one alert row) can never produce duplicate entries, and SRE
 * corrections are reflected at once. Sorted by time; ties keep fired before resolved.
 */
export function buildTimeline(alerts: readonly Alert[], events: readonly IncidentEvent[], serviceLabels: readonly string[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const a of alerts) {
    const service = serviceOf(a.labels, serviceLabels);
    const where = service ? ` on ${service}` : '';
    const summary = a.annotations.summary ? `: ${a.annotations.summary}` : '';
    entries.push({ at: a.startsAt, kind: 'alert.fired', source: a.source, text: `${alertName(a)} fired${where}${summary}`, actor: null, alertId: a.id, eventId: null });
    if (a.status === 'resolved' && a.endsAt) {
      entries.push({ at: a.endsAt, kind: 'alert.resolved', source: a.source, text: `${alertName(a)} resolved${where}`, actor: null, alertId: a.id, eventId: null });
    }
  }
  for (const e of events) {
    entries.push({ at: e.at, kind: e.kind, source: e.kind.split('.')[0] ?? e.kind, text: e.text, actor: e.actor, alertId: null, eventId: e.id });
  }
  const order = (k: string) => (k === 'alert.fired' ? 0 : k === 'alert.resolved' ? 2 : 1);
  return entries.sort((x, y) => x.at.localeCompare(y.at) || order(x.kind) - order(y.kind) || x.text.localeCompare(y.text));
}
