import type { Alert } from './alert';

/**
 * `open` while any alert fires; `resolved` once every alert resolved (its end is the latest
 * alert end); `merged` when an SRE (or a late alert, see correlation) merged it into another
 * incident: it then holds no alerts and `mergedInto` points at the incident that does.
 */
export type IncidentStatus = 'open' | 'resolved' | 'merged';

/** Severity order used everywhere a "worst severity" is picked; unknown values rank lowest. */
export const SEVERITY_ORDER = ['critical', 'error', 'high', 'warning', 'medium', 'low', 'info', 'none'] as const;

export const severityRank = (severity: string | null | undefined): number => {
  const rank = SEVERITY_ORDER.indexOf((severity ?? '').toLowerCase() as (typeof SEVERITY_ORDER)[number]);
  return rank === -1 ? SEVERITY_ORDER.length : rank;
};

/**
 * Severities that mean "wake someone up": an outage rather than a warning. Compared lower-case,
 * as every severity is (`worstSeverity`). `correlation.ongoingOutage.criticalSeverities` may
 * name others.
 */
export const CRITICAL_SEVERITIES = ['critical', 'crit', 'page', 'emergency', 'fatal', 'p1', 'sev1'] as const;

/** True when `severity` (any case, surrounding blanks ignored) is one of `critical`. */
export const isCriticalSeverity = (severity: string | null | undefined, critical: readonly string[] = CRITICAL_SEVERITIES): boolean =>
  !!severity && critical.includes(severity.trim().toLowerCase());

export const worstSeverity = (values: Array<string | null | undefined>): string | null => {
  let best: string | null = null;
  for (const value of values) {
    if (!value) continue;
    if (best === null || severityRank(value) < severityRank(best)) best = value.toLowerCase();
  }
  return best;
};

/**
 * An incident: a correlated group of alerts. The summary fields are derived from its alerts
 * (see `summarizeIncident`) and kept on the record so lists stay cheap at 100k incidents.
 */
export interface Incident {
  id: string;
  title: string;
  status: IncidentStatus;
  severity: string | null;
  services: string[];
  /** Earliest alert start (event time). */
  startedAt: string;
  /** Latest alert end once every alert resolved; null while any alert fires. */
  endedAt: string | null;
  /** Latest event time seen on any alert (start or end); correlation windows count from here. */
  lastActivityAt: string;
  alertCount: number;
  createdAt: string;
  updatedAt: string;
  /** Set when status is `merged`: the incident now holding its alerts. */
  mergedInto: string | null;
}

/** A non-alert timeline event stored with an incident (corrections, PagerDuty, human notes). */
export interface IncidentEvent {
  id: string;
  incidentId: string;
  /** Event time (source time for vendor events, decision time for corrections). */
  at: string;
  kind: string;
  actor: string | null;
  text: string;
  data: Record<string, unknown>;
}

/** An incident event before the store gives it its id. */
export type NewIncidentEvent = Omit<IncidentEvent, 'id'>;

export interface IncidentDetail {
  incident: Incident;
  alerts: Alert[];
  events: IncidentEvent[];
}
