import { alertName } from '../domain/alert';
import { findEarlierIncidents, type EarlierCandidate, type EarlierIncident, type IncidentFootprint } from '../domain/history/earlier-incidents';
import type { IncidentDetail } from '../domain/incident';
import type { ActionItem } from '../domain/report/report-model';
import type { ReportStore } from '../store/report-store';
import type { IncidentReads } from '../store/store';

/** Earlier incidents read per service of an incident, and in all: the comparison stays cheap at any history size. */
export const CANDIDATES_PER_SERVICE = 10;
export const CANDIDATES_IN_ALL = 12;
const SERVICES_LOOKED_AT = 5;

export interface IncidentHistoryDeps {
  /** The plain store: candidates are read without their own history. */
  store: Pick<IncidentReads, 'listIncidents' | 'getIncident'>;
  reports: Pick<ReportStore, 'listPublishedVersions' | 'listActionItems'>;
  clock: () => Date;
}

/**
 * The earlier incidents like `detail`'s (`findEarlierIncidents`, pure), from the most recent
 * incidents that started before it on each of its services, with their latest published
 * post-mortem's cause and prevention and their action items as they stand now.
 */
export async function readEarlierIncidents(deps: IncidentHistoryDeps, detail: IncidentDetail): Promise<EarlierIncident[]> {
  const { incident } = detail;
  if (incident.status === 'merged' || incident.services.length === 0) return [];
  const ids = new Map<string, string>();
  for (const service of incident.services.slice(0, SERVICES_LOOKED_AT)) {
    const page = await deps.store.listIncidents({ service, until: incident.startedAt, limit: CANDIDATES_PER_SERVICE });
    for (const earlier of page.items) if (earlier.id !== incident.id && earlier.status !== 'merged') ids.set(earlier.id, earlier.startedAt);
  }
  const newest = [...ids].sort((a, b) => b[1].localeCompare(a[1])).slice(0, CANDIDATES_IN_ALL).map(([id]) => id);
  const candidates: EarlierCandidate[] = [];
  for (const id of newest) {
    const candidate = await readCandidate(deps, id);
    if (candidate) candidates.push(candidate);
  }
  return findEarlierIncidents(footprintOf(detail), candidates, deps.clock().toISOString().slice(0, 10));
}

function footprintOf(detail: IncidentDetail): IncidentFootprint {
  const names = detail.facets?.map((facet) => facet.alertname) ?? detail.alerts.map(alertName);
  const { incident } = detail;
  return { id: incident.id, title: incident.title, startedAt: incident.startedAt, services: incident.services, alertNames: [...new Set(names)] };
}

async function readCandidate(deps: IncidentHistoryDeps, id: string): Promise<EarlierCandidate | null> {
  const detail = await deps.store.getIncident(id);
  if (!detail) return null;
  const versions = await deps.reports.listPublishedVersions(id);
  const latest = versions.reduce<(typeof versions)[number] | null>((best, v) => (!best || v.version > best.version ? v : best), null);
  const text = (sectionId: string) => latest?.report.sections.find((section) => section.id === sectionId)?.text ?? null;
  const actionItems: ActionItem[] = (await deps.reports.listActionItems({ incidentId: id, limit: 100 })).items;
  return { ...footprintOf(detail), cause: text('what-happened'), prevention: text('prevention'), publishedAt: latest?.publishedAt ?? null, actionItems };
}

/**
 * `store` whose `getIncident` answers with the earlier incidents like it attached (`history`);
 * given to the report reads, where the draft names them.
 */
export function withIncidentHistory<S extends Pick<IncidentReads, 'getIncident'>>(store: S, deps: IncidentHistoryDeps): S {
  const getIncident = async (id: string): Promise<IncidentDetail | null> => {
    const detail = await store.getIncident(id);
    return detail ? { ...detail, history: await readEarlierIncidents(deps, detail) } : null;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'getIncident') return getIncident;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
