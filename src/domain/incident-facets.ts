import { alertName, type Alert } from './alert';
import { labelsText } from './alert-differences';
import { worstSeverity, type AlertFacet, type IncidentStatus } from './incident';
import { serviceOf, type ServiceLabels } from './service-naming';

/**
 * What an incident keeps about its alerts so that its summary, impact list and timeline groups
 * are kept up to date in O(changed alerts), never by re-reading every alert. Pure.
 *
 * - A **facet** sums up the alerts of one (alert name, service) pair of an incident: when they
 *   began, how many there are and how many still fire, worst severity, where they ran.
 * - The **tally** sums up all the alerts of an incident: counts, first start, latest start and
 *   end, worst severity. Correlation reads it (status, span) before every decision.
 *
 * Every function has a from-scratch twin (`facetsOf`, `tallyOf`): applying alerts and re-sends
 * one at a time equals computing from the final alerts (a property test holds them together).
 * The one change an incremental maximum cannot follow, an alert's end moving earlier, returns
 * null and the caller recomputes that incident from its alerts.
 */
export type { AlertFacet } from './incident';

export interface IncidentTally {
  alertCount: number;
  firingCount: number;
  startedAt: string;
  lastStartAt: string;
  lastEndAt: string | null;
  severity: string | null;
}

/** The identity of an alert's facet within its incident. */
export function facetOf(alert: Pick<Alert, 'labels'>, serviceLabels: ServiceLabels): { alertname: string; service: string | null } {
  return { alertname: alertName(alert), service: serviceOf(alert.labels, serviceLabels) };
}

/** The facet after a newly placed (or re-homed) alert; `facet` is its facet's state before, or null. */
export function facetWithAlert(facet: AlertFacet | null, alert: Alert, serviceLabels: ServiceLabels): AlertFacet {
  const firing = alert.status === 'firing' ? 1 : 0;
  if (!facet) {
    return {
      ...facetOf(alert, serviceLabels), firstAt: alert.startsAt, firstAlertId: alert.id, lastStartAt: alert.startsAt, lastEndAt: alert.endsAt,
      lastSeenAt: alert.lastSeenAt, alerts: 1, firing, severity: normalSeverity(alert.labels.severity),
      clusters: scope(alert, 'cluster'), namespaces: scope(alert, 'namespace'), regions: scope(alert, 'region'),
    };
  }
  const earlier = alert.startsAt < facet.firstAt || (alert.startsAt === facet.firstAt && alert.id < facet.firstAlertId);
  return {
    ...facet,
    firstAt: earlier ? alert.startsAt : facet.firstAt,
    firstAlertId: earlier ? alert.id : facet.firstAlertId,
    lastStartAt: max(facet.lastStartAt, alert.startsAt),
    lastEndAt: maxOrNull(facet.lastEndAt, alert.endsAt),
    lastSeenAt: max(facet.lastSeenAt, alert.lastSeenAt),
    alerts: facet.alerts + 1,
    firing: facet.firing + firing,
    severity: worstSeverity([facet.severity, alert.labels.severity]),
    clusters: union(facet.clusters, alert, 'cluster'),
    namespaces: union(facet.namespaces, alert, 'namespace'),
    regions: union(facet.regions, alert, 'region'),
  };
}

/**
 * The facet after a re-sent notification turned `before` into `after` (same alert, same
 * labels). Null when an end moved earlier: the latest end must then be recomputed.
 */
export function facetAfterResend(facet: AlertFacet, before: Alert, after: Alert): AlertFacet | null {
  if (endMovedEarlier(before, after)) return null;
  return {
    ...facet,
    lastEndAt: maxOrNull(facet.lastEndAt, after.endsAt),
    lastSeenAt: max(facet.lastSeenAt, after.lastSeenAt),
    firing: facet.firing - (before.status === 'firing' ? 1 : 0) + (after.status === 'firing' ? 1 : 0),
  };
}

/** Every facet of an incident, from its alerts; ordered by first start (then alert id). */
export function facetsOf(alerts: readonly Alert[], serviceLabels: ServiceLabels): AlertFacet[] {
  const byId = new Map<string, AlertFacet>();
  for (const a of alerts) {
    const { alertname, service } = facetOf(a, serviceLabels);
    const id = facetKey(alertname, service);
    byId.set(id, facetWithAlert(byId.get(id) ?? null, a, serviceLabels));
  }
  return [...byId.values()].sort(byFirst);
}

/** A stable string for one facet of an incident (stores key facets by it). */
export const facetKey = (alertname: string, service: string | null): string => JSON.stringify([alertname, service]);

export function tallyWithAlert(tally: IncidentTally | null, alert: Alert): IncidentTally {
  const firing = alert.status === 'firing' ? 1 : 0;
  if (!tally) {
    return {
      alertCount: 1, firingCount: firing, startedAt: alert.startsAt, lastStartAt: alert.startsAt, lastEndAt: alert.endsAt,
      severity: normalSeverity(alert.labels.severity),
    };
  }
  return {
    alertCount: tally.alertCount + 1,
    firingCount: tally.firingCount + firing,
    startedAt: alert.startsAt < tally.startedAt ? alert.startsAt : tally.startedAt,
    lastStartAt: max(tally.lastStartAt, alert.startsAt),
    lastEndAt: maxOrNull(tally.lastEndAt, alert.endsAt),
    severity: worstSeverity([tally.severity, alert.labels.severity]),
  };
}

/** The tally after a re-send turned `before` into `after`; null when an end moved earlier (recompute). */
export function tallyAfterResend(tally: IncidentTally, before: Alert, after: Alert): IncidentTally | null {
  if (endMovedEarlier(before, after)) return null;
  return {
    ...tally,
    firingCount: tally.firingCount - (before.status === 'firing' ? 1 : 0) + (after.status === 'firing' ? 1 : 0),
    lastEndAt: maxOrNull(tally.lastEndAt, after.endsAt),
  };
}

export function tallyOf(alerts: readonly Alert[]): IncidentTally | null {
  let tally: IncidentTally | null = null;
  for (const a of alerts) tally = tallyWithAlert(tally, a);
  return tally;
}

/**
 * Status and span from a tally: open while any alert fires; resolved once none does, at the
 * latest alert end (a resolved alert without an end time ends it at its last activity).
 */
export function spanOf(tally: IncidentTally): { status: IncidentStatus; startedAt: string; endedAt: string | null; lastActivityAt: string } {
  const lastActivityAt = tally.lastEndAt && tally.lastEndAt > tally.lastStartAt ? tally.lastEndAt : tally.lastStartAt;
  const resolved = tally.firingCount === 0;
  return { status: resolved ? 'resolved' : 'open', startedAt: tally.startedAt, endedAt: resolved ? (tally.lastEndAt ?? lastActivityAt) : null, lastActivityAt };
}

/** The names and services of an incident's alerts, each in order of its first alert. */
export function namesAndServices(facets: readonly AlertFacet[]): { names: string[]; services: string[] } {
  const sorted = [...facets].sort(byFirst);
  return {
    names: [...new Set(sorted.map((f) => f.alertname))],
    services: [...new Set(sorted.map((f) => f.service).filter((s): s is string => s !== null))],
  };
}

/**
 * `HighErrorRate, PodCrashLooping on checkout`. `apart`: the labels a person split the incident's
 * first alert off by (its decision's `apart`), so two incidents of the same alert names on the
 * same service read differently: `HighErrorRate on checkout (pod=checkout-b)`.
 */
export function titleFor(names: readonly string[], services: readonly string[], apart?: Record<string, string>): string {
  const what = names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
  const where = services.length <= 3 ? services.join(', ') : `${services.slice(0, 3).join(', ')} and ${services.length - 3} more`;
  const which = apart && Object.keys(apart).length > 0 ? ` (${labelsText(apart)})` : '';
  return `${what}${services.length === 0 ? '' : ` on ${where}`}${which}`;
}

/** The incident's first alert (`byFirst`) among its facets' first alerts: the one its title's qualifier comes from. */
export const firstAlertIdOf = (facets: readonly AlertFacet[]): string | null => [...facets].sort(byFirst)[0]?.firstAlertId ?? null;

/** Order of first alerts: earliest start, then the smaller alert id. */
export const byFirst = (a: Pick<AlertFacet, 'firstAt' | 'firstAlertId'>, b: Pick<AlertFacet, 'firstAt' | 'firstAlertId'>): number =>
  a.firstAt.localeCompare(b.firstAt) || a.firstAlertId.localeCompare(b.firstAlertId);

const endMovedEarlier = (before: Alert, after: Alert): boolean => before.endsAt !== null && (after.endsAt === null || after.endsAt < before.endsAt);

const max = (a: string, b: string): string => (b > a ? b : a);
const maxOrNull = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : max(a, b));
const normalSeverity = (s: string | undefined): string | null => (s ? s.toLowerCase() : null);
const scope = (a: Pick<Alert, 'labels'>, label: string): string[] => (a.labels[label] ? [a.labels[label]] : []);

function union(values: readonly string[], alert: Pick<Alert, 'labels'>, label: string): string[] {
  const v = alert.labels[label];
  if (!v || values.includes(v)) return values as string[];
  return [...values, v].sort();
}

