import type { ServiceLabels } from './service-naming';
import type { Alert } from './alert';
import type { Incident } from './incident';
import { facetsOf, firstAlertIdOf, namesAndServices, spanOf, tallyOf, titleFor, type AlertFacet, type IncidentTally } from './incident-facets';

export type IncidentSummary = Pick<Incident, 'title' | 'status' | 'severity' | 'services' | 'startedAt' | 'endedAt' | 'lastActivityAt' | 'alertCount'>;

/**
 * Derives an incident's summary fields from its alerts. Pure; times are event times.
 * An incident is resolved once every alert resolved; its end is the latest alert end.
 * Stores keep the same summary up to date incrementally (`incident-facets.ts`).
 */
export function summarizeIncident(alerts: readonly Alert[], serviceLabels: ServiceLabels): IncidentSummary {
  const tally = tallyOf(alerts);
  if (!tally) throw new Error('an incident summary needs at least one alert');
  const facets = facetsOf(alerts, serviceLabels);
  const first = alerts.find((a) => a.id === firstAlertIdOf(facets));
  return summaryOf(tally, facets, first?.decision.apart);
}

/** The summary from an incident's tally and facets; `apart` from its first alert's decision (see `titleFor`). */
export function summaryOf(tally: IncidentTally, facets: readonly AlertFacet[], apart?: Record<string, string>): IncidentSummary {
  const { names, services } = namesAndServices(facets);
  return { title: titleFor(names, services, apart), severity: tally.severity, services, alertCount: tally.alertCount, ...spanOf(tally) };
}
