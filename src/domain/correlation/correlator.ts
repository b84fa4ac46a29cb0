import type { AlertObservation, CorrelationDecision } from '../alert';
import type { Incident } from '../incident';

/**
 * Correlation: which incident a newly seen alert belongs to.
 *
 * Split in two pure steps so a store can answer them with indexed lookups instead of scans:
 * `keysFor` names the correlation keys an alert carries (e.g. its Alertmanager group);
 * the store fetches the incidents already holding any of those keys; `decide` picks one of
 * them or opens a new incident, and explains why. Decisions use event time only, so replaying
 * the same history gives the same incidents.
 */
export interface Correlator {
  keysFor(alert: AlertObservation): string[];
  /**
   * How far (ms) from an incident's span an alert may start and still join it. Stores only
   * offer incidents within this distance as candidates, so lookups stay bounded as history grows.
   */
  readonly lookbackMs: number;
  decide(alert: AlertObservation, candidates: IncidentCandidate[], decidedAt: string): Placement;
}

/** An incident that shares at least one correlation key with the alert being placed. */
export interface IncidentCandidate {
  incident: Incident;
  /** The shared keys. */
  keys: string[];
}

export type Placement =
  | { action: 'join'; incidentId: string; decision: CorrelationDecision }
  | { action: 'open'; decision: CorrelationDecision };

export interface GroupCorrelatorOptions {
  /** Gap (ms) between the alert's start and the incident's activity within which it joins. */
  windowMs: number;
}

export const groupKeyOf = (alert: Pick<AlertObservation, 'instance' | 'sourceGroupKey'>): string | null =>
  alert.sourceGroupKey === null ? null : `group:${alert.instance}:${alert.sourceGroupKey}`;

/**
 * The first, simple rule: alerts of the same source notification group (Alertmanager
 * `groupKey` on the same instance) belong together while they start within `windowMs` of the
 * incident's span. Measured by event time on both sides, so an alert delivered late still
 * lands where it would have landed in order.
 */
export function createGroupCorrelator(options: GroupCorrelatorOptions): Correlator {
  const rule = 'same-alertmanager-group';
  return {
    lookbackMs: options.windowMs,
    keysFor(alert) {
      const key = groupKeyOf(alert);
      return key ? [key] : [];
    },
    decide(alert, candidates, decidedAt): Placement {
      const start = Date.parse(alert.startsAt);
      let best: { incident: Incident; gapMs: number } | null = null;
      for (const c of candidates) {
        const gapMs = gapToIncident(start, c.incident);
        if (gapMs > options.windowMs) continue;
        // Closest incident wins; ties go to the older incident so replays are deterministic.
        if (!best || gapMs < best.gapMs || (gapMs === best.gapMs && c.incident.startedAt < best.incident.startedAt)) {
          best = { incident: c.incident, gapMs };
        }
      }
      const windowMin = Math.round(options.windowMs / 60000);
      if (best) {
        return {
          action: 'join',
          incidentId: best.incident.id,
          decision: {
            kind: 'rule',
            rule,
            matched: { groupKey: alert.sourceGroupKey ?? '' },
            gapMs: best.gapMs,
            explanation: `Joined because it is in the same Alertmanager group (${alert.sourceGroupKey}) and started ${formatGap(best.gapMs)} from the incident's activity (window ${windowMin} min).`,
            decidedBy: 'debrief',
            decidedAt,
          },
        };
      }
      const why = alert.sourceGroupKey === null
        ? 'the alert carries no group key'
        : candidates.length === 0
          ? `no incident holds alerts of its Alertmanager group (${alert.sourceGroupKey})`
          : `the incidents of its Alertmanager group are more than ${windowMin} min away`;
      return {
        action: 'open',
        decision: {
          kind: 'new-incident',
          rule: null,
          matched: {},
          gapMs: null,
          explanation: `Opened a new incident because ${why}.`,
          decidedBy: 'debrief',
          decidedAt,
        },
      };
    },
  };
}

/** 0 when the start lies inside the incident's span, else the distance to the nearer edge. */
export function gapToIncident(startMs: number, incident: Pick<Incident, 'startedAt' | 'lastActivityAt'>): number {
  const from = Date.parse(incident.startedAt);
  const to = Date.parse(incident.lastActivityAt);
  if (startMs < from) return from - startMs;
  if (startMs > to) return startMs - to;
  return 0;
}

export function formatGap(ms: number): string {
  if (ms === 0) return 'within its span';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}
