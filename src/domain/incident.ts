import type { ChatMessage } from './chat/chat-message';
import type { EarlierIncident } from './history/earlier-incidents';
import type { LinkedChange } from './changes/link-changes';
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
  /** Set when a person declared the incident by hand (`declared-incident.ts`); absent or null otherwise. */
  declaration?: IncidentDeclaration | null;
}

/**
 * What a person said when declaring an incident by hand (a customer reported it): its summary
 * until alerts are moved in, and after that combined with theirs.
 */
export interface IncidentDeclaration {
  title: string;
  services: string[];
  severity: string | null;
  /** When impact began (event time, UTC ISO). */
  startedAt: string;
  /** When impact ended; null while ongoing (the incident stays open). */
  endedAt: string | null;
  /** True when no alert reported the outage: counted in `/metrics` and the statistics. */
  missedByMonitoring: boolean;
  declaredBy: string;
  declaredAt: string;
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

/**
 * An incident as read for people: its summary, alerts and timeline events. An incident too large
 * to read whole (a storm of 100,000 firings) is read bounded: `alerts` is then a sample (the
 * earliest and latest by start, and the first alert of each facet) and `facets` sum up all of
 * them, so what is derived from the detail (timeline, impact, picture, report) never needs every
 * alert. Page through the rest with `Store.listIncidentAlerts`.
 */
export interface IncidentDetail {
  incident: Incident;
  alerts: Alert[];
  /** Timeline events (audit-only ones left out), oldest first; bounded like `alerts`. */
  events: IncidentEvent[];
  /** Sums per (alert name, service) over every alert of the incident, as the store keeps them. Absent: computed from `alerts`, which are then all of them. */
  facets?: AlertFacet[];
  /** How many alerts of the incident are not in `alerts` (absent or 0: none). */
  alertsOmitted?: number;
  /** How many timeline events are not in `events` (absent or 0: none). */
  eventsOmitted?: number;
  /** Changes linked to the incident when it was read (`src/domain/changes/link-changes.ts`); absent: none looked up. */
  changes?: LinkedChange[];
  /** Earlier incidents like this one, read for its report (`src/domain/history/earlier-incidents.ts`); absent: none looked up. */
  history?: EarlierIncident[];
  /** Chat messages people kept on the timeline (`src/domain/chat/chat-messages.ts`); absent: none looked up. */
  chat?: ChatMessage[];
}

export interface AlertFacet {
  alertname: string;
  /** The service its alerts name (`impact.serviceLabels`); null when they name none. */
  service: string | null;
  /** The earliest start, and the id of that alert (ties: the smaller id): orders names and services. */
  firstAt: string;
  firstAlertId: string;
  lastStartAt: string;
  /** The latest end among its alerts that have one. */
  lastEndAt: string | null;
  /** The latest notification about any of them (processing time). */
  lastSeenAt: string;
  alerts: number;
  firing: number;
  severity: string | null;
  clusters: string[];
  namespaces: string[];
  regions: string[];
}

