import { alertName, type Alert } from './alert';
import type { IncidentEvent } from './incident';
import { serviceOf, type ServiceLabels } from './service-naming';

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
export function buildTimeline(alerts: readonly Alert[], events: readonly IncidentEvent[], serviceLabels: ServiceLabels): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const alert of alerts) {
    const service = serviceOf(alert.labels, serviceLabels);
    const where = service ? ` on ${service}` : '';
    const summary = alert.annotations.summary ? `: ${alert.annotations.summary}` : '';
    entries.push({ at: alert.startsAt, kind: 'alert.fired', source: alert.source, text: `${alertName(alert)} fired${where}${summary}`, actor: null, alertId: alert.id, eventId: null });
    if (alert.status === 'resolved' && alert.endsAt) {
      entries.push({ at: alert.endsAt, kind: 'alert.resolved', source: alert.source, text: `${alertName(alert)} resolved${where}`, actor: null, alertId: alert.id, eventId: null });
    }
  }
  for (const event of events) {
    entries.push({ at: event.at, kind: event.kind, source: event.kind.split('.')[0] ?? event.kind, text: event.text, actor: event.actor, alertId: null, eventId: event.id });
  }
  const order = (kind: string) => (kind === 'alert.fired' ? 0 : kind === 'alert.resolved' ? 2 : 1);
  return entries.sort((x, y) => x.at.localeCompare(y.at) || order(x.kind) - order(y.kind) || x.text.localeCompare(y.text));
}
