import type { Incident, IncidentDetail } from './incident';
import { serviceOf, type ServiceLabels } from './service-naming';

/**
 * Human-set facts that change how an incident is measured (from the stored report). All
 * optional: without them the measures fall back to what the alerts and pages say.
 */
export interface MeasureOverrides {
  /** When impact really began (may be before the first alert). */
  impactStartedAt?: string | null;
  /** When impact really ended. */
  impactEndedAt?: string | null;
  /** When service was restored, even if alerts kept firing (human-set). */
  mitigatedAt?: string | null;
}

/**
 * The time measures of one incident. Durations are milliseconds, null when the moment has not
 * happened (or nobody recorded it): an unknown is never reported as 0. Reference points, chosen
 * so each measure answers one question (`MEASURE_DEFINITIONS` says the same to readers):
 * - time to detect: impact start -> first alert ("how long were customers hurt before we knew");
 *   known only when a person recorded an impact start earlier than the first alert. Without one
 *   the impact start defaults to the first alert, and 0 would claim a detection nobody measured.
 * - time to acknowledge: first alert -> first acknowledgement of a page ("how long until a person
 *   responded"); unknown without an acknowledgement
 * - time to mitigate: impact start -> mitigation (human-set)
 * - time to resolve: impact start -> resolution (impact end override, else the incident's end)
 */
export interface IncidentMeasures {
  incidentId: string;
  severity: string | null;
  services: string[];
  impactStartedAt: string;
  /** `human` when the report overrides the impact start or a person declared the incident; `first-alert` otherwise. */
  impactStartSource: 'human' | 'first-alert';
  /** Null when no alert is known: an incident declared by hand that no alert reported. */
  firstAlertAt: string | null;
  /** Declared by hand as an outage no alert reported (`IncidentDeclaration.missedByMonitoring`). */
  missedByMonitoring: boolean;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  timeToDetectMs: number | null;
  timeToAcknowledgeMs: number | null;
  timeToMitigateMs: number | null;
  timeToResolveMs: number | null;
}

/** What each measure means, in the words shown next to the figures (statistics API, pages, exports). */
export const MEASURE_DEFINITIONS = {
  mttd: 'Time to detect: from the impact start a person recorded (in the report, or by declaring the incident) to the first alert. Unknown unless that impact start is earlier than the first alert (without it Debrief cannot know when impact began).',
  mtta: 'Time to acknowledge: from the first alert to the first acknowledgement of a page (PagerDuty). Unknown when no page was acknowledged.',
  mttm: 'Time to mitigate: from the impact start (recorded, else the first alert) to the mitigation time a person set in the report. Unknown until set.',
  mttr: 'Time to resolve: from the impact start (recorded, else the first alert) to the recorded impact end, else the resolution of the last alert. Unknown while ongoing.',
  missedByMonitoring: 'Incidents declared by hand because no alert reported them (a customer did). Their time to detect and acknowledge are unknown unless alerts were moved in.',
} as const;

/** Event kinds that mean "a person acknowledged the page" (`pagerduty.acknowledged`, and the same verb from other paging tools). */
const isAcknowledgement = (kind: string): boolean => /^[a-z0-9_-]+\.acknowledged$/.test(kind);

/** Measures one incident from its alerts and timeline. Pure. */
export function measureIncident(detail: IncidentDetail, overrides: MeasureOverrides = {}, serviceLabels: ServiceLabels = []): IncidentMeasures {
  const { incident } = detail;
  // A declared incident starts at its declared start, which is no alert's; a bounded detail's sample keeps the earliest alert.
  const starts = [...detail.alerts.map((alert) => alert.startsAt), ...(incident.declaration ? [] : [incident.startedAt])].sort();
  const firstAlertAt = starts[0] ?? null;
  const acknowledgedAt = detail.events.filter((event) => isAcknowledgement(event.kind)).map((event) => event.at).sort()[0] ?? null;
  const services = incident.services.length
    ? incident.services
    : [...new Set(detail.alerts.map((alert) => serviceOf(alert.labels, serviceLabels)).filter((service): service is string => service !== null))];
  return measureFacts({ incident: { ...incident, services }, firstAlertAt, acknowledgedAt }, overrides);
}

/**
 * What measuring an incident needs, and no more: the stored summary (its start is its first
 * alert's), the first acknowledgement (`Store.firstAcknowledgements`). Statistics over many
 * incidents read these, never their alerts or timelines.
 */
export interface IncidentFacts {
  incident: Pick<Incident, 'id' | 'severity' | 'services' | 'startedAt' | 'endedAt' | 'declaration'>;
  /**
   * Default: the incident's start (the earliest alert start, kept by the store); for an incident
   * declared by hand, whose start is the declared one, unknown (null).
   */
  firstAlertAt?: string | null;
  acknowledgedAt: string | null;
}

/** Measures one incident from its facts. Pure. */
export function measureFacts(facts: IncidentFacts, overrides: MeasureOverrides = {}): IncidentMeasures {
  const { incident, acknowledgedAt } = facts;
  const declared = incident.declaration ?? null;
  const firstAlertAt = facts.firstAlertAt !== undefined ? facts.firstAlertAt : declared ? null : incident.startedAt;
  const impactStartedAt = overrides.impactStartedAt ?? declared?.startedAt ?? firstAlertAt ?? incident.startedAt;
  const mitigatedAt = overrides.mitigatedAt ?? null;
  const resolvedAt = overrides.impactEndedAt ?? incident.endedAt;
  return {
    incidentId: incident.id,
    severity: incident.severity,
    services: [...incident.services],
    impactStartedAt,
    impactStartSource: overrides.impactStartedAt || declared ? 'human' : 'first-alert',
    firstAlertAt,
    missedByMonitoring: declared?.missedByMonitoring ?? false,
    acknowledgedAt,
    mitigatedAt,
    resolvedAt,
    timeToDetectMs: (overrides.impactStartedAt || declared) && firstAlertAt !== null && Date.parse(impactStartedAt) < Date.parse(firstAlertAt) ? span(impactStartedAt, firstAlertAt) : null,
    timeToAcknowledgeMs: firstAlertAt === null ? null : span(firstAlertAt, acknowledgedAt),
    timeToMitigateMs: span(impactStartedAt, mitigatedAt),
    timeToResolveMs: span(impactStartedAt, resolvedAt),
  };
}

/** A non-negative duration; a moment recorded before its reference counts as zero, not negative. */
function span(from: string, to: string | null): number | null {
  if (to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/** Counts and means over a group of incidents. A mean is null when no incident in the group has that moment. */
export interface MeasureGroup {
  count: number;
  /** Of those, how many were declared by hand because no alert reported them. */
  missedByMonitoringCount: number;
  /** Of those, how many have a known time to detect (a recorded impact start before the first alert). */
  detectedCount: number;
  acknowledgedCount: number;
  mitigatedCount: number;
  resolvedCount: number;
  /** Mean time to detect (ms). */
  mttdMs: number | null;
  /** Mean time to acknowledge (ms). */
  mttaMs: number | null;
  /** Mean time to mitigate (ms). */
  mttmMs: number | null;
  /** Mean time to resolve (ms). */
  mttrMs: number | null;
}

export interface IncidentStats {
  overall: MeasureGroup;
  /** One entry per affected service; an incident on two services counts in both. Sorted by service. */
  byService: Array<MeasureGroup & { service: string }>;
  /** One entry per severity (`unknown` when none); sorted by name. */
  bySeverity: Array<MeasureGroup & { severity: string }>;
}

/** Aggregates measures into counts and means per service and per severity. Pure. */
export function aggregateMeasures(measures: readonly IncidentMeasures[]): IncidentStats {
  const byService = new Map<string, IncidentMeasures[]>();
  const bySeverity = new Map<string, IncidentMeasures[]>();
  for (const incident of measures) {
    for (const service of new Set(incident.services)) push(byService, service, incident);
    push(bySeverity, incident.severity ?? 'unknown', incident);
  }
  return {
    overall: group(measures),
    byService: [...byService].sort(([a], [b]) => a.localeCompare(b)).map(([service, list]) => ({ service, ...group(list) })),
    bySeverity: [...bySeverity].sort(([a], [b]) => a.localeCompare(b)).map(([severity, list]) => ({ severity, ...group(list) })),
  };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function group(list: readonly IncidentMeasures[]): MeasureGroup {
  const pick = (measure: (measures: IncidentMeasures) => number | null) => list.map(measure).filter((value): value is number => value !== null);
  const detect = pick((measures) => measures.timeToDetectMs);
  const ack = pick((measures) => measures.timeToAcknowledgeMs);
  const mitigate = pick((measures) => measures.timeToMitigateMs);
  const resolve = pick((measures) => measures.timeToResolveMs);
  return {
    count: list.length,
    missedByMonitoringCount: list.filter((measures) => measures.missedByMonitoring).length,
    detectedCount: detect.length,
    acknowledgedCount: ack.length,
    mitigatedCount: mitigate.length,
    resolvedCount: resolve.length,
    mttdMs: mean(detect),
    mttaMs: mean(ack),
    mttmMs: mean(mitigate),
    mttrMs: mean(resolve),
  };
}

const mean = (xs: number[]): number | null => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
