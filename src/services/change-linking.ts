import type { ServiceCatalog } from '../domain/catalog/service-catalog';
import { changeServiceResolver, linkChanges, MAX_HOPS } from '../domain/changes/link-changes';
import type { IncidentDetail } from '../domain/incident';
import type { ChangeStore, IncidentReads } from '../store/store';

/** Changes read per incident: far more than a window holds on one system; beyond it the earliest are kept. */
export const CHANGES_READ_LIMIT = 1000;

export interface ChangeLinkingDeps {
  store: Pick<ChangeStore, 'listChanges'>;
  catalog: Pick<ServiceCatalog, 'serviceForRepository' | 'related'>;
  windowMinutes: number;
  clock: () => Date;
}

/**
 * Adds to an incident read the changes linked to it (`linkChanges`, pure): those from the
 * window before its first alert until it ended (now, while it is open). A merged incident gets
 * none: its alerts are the target's.
 */
export async function attachLinkedChanges(deps: ChangeLinkingDeps, detail: IncidentDetail): Promise<IncidentDetail> {
  const { incident } = detail;
  if (incident.status === 'merged') return detail;
  const windowMs = deps.windowMinutes * 60_000;
  const from = new Date(Date.parse(incident.startedAt) - windowMs).toISOString();
  const to = incident.endedAt ?? deps.clock().toISOString();
  const changes = await deps.store.listChanges({ from, to, limit: CHANGES_READ_LIMIT });
  const linked = linkChanges(incident, changes, {
    windowMs,
    serviceOf: changeServiceResolver(deps.catalog),
    related: (service, hops) => deps.catalog.related(service, Math.min(hops, MAX_HOPS)),
  });
  return { ...detail, changes: linked };
}

/**
 * `store` whose `getIncident` answers with the linked changes attached; every other method is
 * the store's own. What the incident, export and report reads are given, so the timeline, the
 * draft and every export show the same changes.
 */
export function withLinkedChanges<S extends Pick<IncidentReads, 'getIncident'>>(store: S, deps: ChangeLinkingDeps): S {
  const getIncident = async (id: string): Promise<IncidentDetail | null> => {
    const detail = await store.getIncident(id);
    return detail ? attachLinkedChanges(deps, detail) : null;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'getIncident') return getIncident;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
