import type { Alert } from './alert';
import { worstSeverity, type AlertFacet } from './incident';
import { facetsOf } from './incident-facets';
import type { ServiceLabels } from './service-naming';

/** One affected service of an incident. */
export interface ImpactItem {
  service: string;
  clusters: string[];
  namespaces: string[];
  regions: string[];
  severity: string | null;
  /** Earliest alert start on this service (event time). */
  firstSeenAt: string;
  /** Latest alert end, or for a still-firing service the latest notification about it. */
  lastSeenAt: string;
  durationMs: number;
  /** True while any of its alerts still fires. */
  ongoing: boolean;
  alertCount: number;
  /** From the service catalog; null until a catalog says. */
  customerFacing: boolean | null;
}

const UNKNOWN_SERVICE = '(unlabelled)';

/**
 * Groups an incident's alerts by affected service. Pure. Alerts without any service label
 * are collected under "(unlabelled)" so nothing affected disappears from the list. Built from
 * facets (the store's sums over every alert, or computed from `alerts` when not given), so a
 * storm of firings costs a facet each, not an alert each.
 */
export function buildImpact(
  alerts: readonly Alert[],
  serviceLabels: ServiceLabels,
  customerFacing: (service: string) => boolean | null = () => null,
  facets: readonly AlertFacet[] = facetsOf(alerts, serviceLabels),
): ImpactItem[] {
  const byService = new Map<string, AlertFacet[]>();
  for (const facet of facets) {
    const service = facet.service ?? UNKNOWN_SERVICE;
    (byService.get(service) ?? byService.set(service, []).get(service)!).push(facet);
  }
  const items: ImpactItem[] = [];
  for (const [service, list] of byService) {
    const firstSeenAt = list.map((f) => f.firstAt).sort()[0]!;
    const ongoing = list.some((f) => f.firing > 0);
    // Ongoing: the latest notification about it; over: when its last alert ended.
    const lastSeenAt = list.map((f) => (ongoing ? f.lastSeenAt : (f.lastEndAt ?? f.lastSeenAt))).sort().at(-1)!;
    items.push({
      service,
      clusters: union(list.map((f) => f.clusters)),
      namespaces: union(list.map((f) => f.namespaces)),
      regions: union(list.map((f) => f.regions)),
      severity: worstSeverity(list.map((f) => f.severity)),
      firstSeenAt,
      lastSeenAt,
      durationMs: Math.max(0, Date.parse(lastSeenAt) - Date.parse(firstSeenAt)),
      ongoing,
      alertCount: list.reduce((sum, f) => sum + f.alerts, 0),
      customerFacing: customerFacing(service),
    });
  }
  return items.sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.service.localeCompare(b.service));
}

const union = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())].sort();
