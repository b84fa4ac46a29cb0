import type { Alert } from './alert';
import { worstSeverity } from './incident';
import { serviceOf, type ServiceLabels } from './service-naming';

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
 * are collected under "(unlabelled)" so nothing affected disappears from the list.
 */
export function buildImpact(
  alerts: readonly Alert[],
  serviceLabels: ServiceLabels,
  customerFacing: (service: string) => boolean | null = () => null,
): ImpactItem[] {
  const byService = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const service = serviceOf(alert.labels, serviceLabels) ?? UNKNOWN_SERVICE;
    (byService.get(service) ?? byService.set(service, []).get(service)!).push(alert);
  }
  const items: ImpactItem[] = [];
  for (const [service, list] of byService) {
    const firstSeenAt = list.map((alert) => alert.startsAt).sort()[0]!;
    const ongoing = list.some((alert) => alert.status === 'firing');
    const lastSeenAt = list.map((alert) => (alert.status === 'resolved' && alert.endsAt ? alert.endsAt : alert.lastSeenAt)).sort().at(-1)!;
    items.push({
      service,
      clusters: distinct(list, 'cluster'),
      namespaces: distinct(list, 'namespace'),
      regions: distinct(list, 'region'),
      severity: worstSeverity(list.map((alert) => alert.labels.severity)),
      firstSeenAt,
      lastSeenAt,
      durationMs: Math.max(0, Date.parse(lastSeenAt) - Date.parse(firstSeenAt)),
      ongoing,
      alertCount: list.length,
      customerFacing: customerFacing(service),
    });
  }
  return items.sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.service.localeCompare(b.service));
}

const distinct = (alerts: Alert[], label: string): string[] =>
  [...new Set(alerts.map((alert) => alert.labels[label]).filter((value): value is string => !!value))].sort();
