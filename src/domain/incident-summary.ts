import { alertName, type Alert } from './alert';
import { worstSeverity, type Incident, type IncidentStatus } from './incident';
import { serviceOf } from './service-of';

export type IncidentSummary = Pick<Incident, 'title' | 'status' | 'severity' | 'services' | 'startedAt' | 'endedAt' | 'lastActivityAt' | 'alertCount'>;

/**
 * Derives an incident's summary fields from its alerts. Pure; times are event times.
 * An incident is resolved once every alert resolved; its end is the latest alert end.
 */
export function summarizeIncident(alerts: readonly Alert[], serviceLabels: readonly string[]): IncidentSummary {
  if (alerts.length === 0) throw new Error('an incident summary needs at least one alert');
  const byStart = [...alerts].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  const services = uniq(byStart.map((alert) => serviceOf(alert.labels, serviceLabels)).filter((service): service is string => service !== null));
  const names = uniq(byStart.map(alertName));
  const allResolved = alerts.every((alert) => alert.status === 'resolved');
  const ends = alerts.map((alert) => alert.endsAt).filter((end): end is string => end !== null).sort();
  const latestEnd = ends.at(-1) ?? null;
  const status: IncidentStatus = allResolved ? 'resolved' : 'open';
  const latestStart = byStart.at(-1)!.startsAt;
  const lastActivityAt = latestEnd && latestEnd > latestStart ? latestEnd : latestStart;
  return {
    title: titleFor(names, services),
    status,
    severity: worstSeverity(alerts.map((alert) => alert.labels.severity)),
    services,
    startedAt: byStart[0]!.startsAt,
    // A resolved alert without an end time (hand-made senders) ends the incident at its last activity.
    endedAt: allResolved ? (latestEnd ?? lastActivityAt) : null,
    lastActivityAt,
    alertCount: alerts.length,
  };
}

function titleFor(names: string[], services: string[]): string {
  const what = names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
  if (services.length === 0) return what;
  const where = services.length <= 3 ? services.join(', ') : `${services.slice(0, 3).join(', ')} and ${services.length - 3} more`;
  return `${what} on ${where}`;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
