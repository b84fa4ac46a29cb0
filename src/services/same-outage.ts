import type { ServiceCatalog } from '../domain/catalog/service-catalog';
import {
  catalogSuggestions, SAME_OUTAGE_WINDOW_MINUTES, sameOutageSuggestions, type CatalogSuggestion, type SameOutageSuggestion,
} from '../domain/same-outage';
import { NotFoundError } from '../errors';
import type { RememberedLinkStore } from '../store/remembered-link-store';
import type { IncidentReads } from '../store/store';

/** Incidents read around one onset: a storm of more than this many is not one outage's siblings. */
const MAX_CANDIDATES = 500;

export interface SameOutageDeps {
  store: Pick<IncidentReads, 'getIncident' | 'listIncidents'>;
  catalog: ServiceCatalog;
  links: Pick<RememberedLinkStore, 'list'>;
}

/**
 * Incidents that may be the same outage as `incidentId` (domain/same-outage.ts): the incidents
 * that started within the window of its onset, read by time, then judged by the catalog and
 * the links people taught by merging.
 */
export async function sameOutageFor(deps: SameOutageDeps, incidentId: string): Promise<SameOutageSuggestion[]> {
  const detail = await deps.store.getIncident(incidentId);
  if (!detail) throw new NotFoundError(`no incident "${incidentId}"`);
  const { incident } = detail;
  if (incident.status === 'merged' || incident.services.length === 0) return [];
  const onset = Date.parse(incident.startedAt);
  const windowMs = SAME_OUTAGE_WINDOW_MINUTES * 60_000;
  const [page, taught] = await Promise.all([
    deps.store.listIncidents({ since: new Date(onset - windowMs).toISOString(), until: new Date(onset + windowMs + 1).toISOString(), limit: MAX_CANDIDATES }),
    deps.links.list(),
  ]);
  return sameOutageSuggestions(incident, page.items, deps.catalog, taught);
}

/** What the remembered links ask of the catalog. */
export async function catalogSuggestionsFor(deps: Pick<SameOutageDeps, 'catalog' | 'links'>): Promise<CatalogSuggestion[]> {
  return catalogSuggestions(await deps.links.list(), deps.catalog);
}
