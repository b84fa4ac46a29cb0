import { alertName, type Alert, type CorrelationDecision } from '../alert';
import type { Incident } from '../incident';
import { serviceOf } from '../service-of';

/**
 * SRE corrections (merge, split, move): the decisions they leave on alerts and the timeline
 * texts they record. Pure; the store applies them atomically. A human decision wins over the
 * rules: re-sent notifications of the alert keep it where the person put it, and later firings
 * of the same alert (same fingerprint) follow it (explicit link `earlier-human-placement`).
 */

export type CorrectionKind = 'merge' | 'split' | 'move';

/** Timeline event kinds of corrections; both incidents get one. */
export const CORRECTION_EVENT_KINDS = {
  merge: 'correlation.merged',
  split: 'correlation.split',
  move: 'correlation.moved',
} as const;

/** Audit-only event kind: one per placed alert, the decision as made. Hidden from timelines. */
export const DECISION_EVENT_KIND = 'correlation.decided';
/** Timeline event of a resolved incident that a new alert reopened. */
export const REOPENED_EVENT_KIND = 'incident.reopened';
/** Kinds stored with an incident for its audit trail but left out of its timeline and report. */
export const AUDIT_ONLY_EVENT_KINDS: readonly string[] = [DECISION_EVENT_KIND];

export interface CorrectionActor {
  actor: string;
  /** Decision time (processing time: corrections have no source event time). */
  now: string;
  reason?: string | null;
}

const incidentRef = (i: Pick<Incident, 'id' | 'title'>): string => `"${i.title}" (${i.id})`;
const why = (reason: string | null | undefined): string => (reason && reason.trim() ? `: ${reason.trim()}` : '');

export function humanDecision(kind: CorrectionKind, from: Pick<Incident, 'id' | 'title'>, by: CorrectionActor): CorrelationDecision {
  const verb = kind === 'move' ? 'Moved here from' : kind === 'split' ? 'Split into this new incident from' : 'Merged into this incident from';
  return {
    kind: 'human',
    rule: kind,
    matched: { fromIncident: from.id },
    gapMs: null,
    explanation: `${verb} incident ${incidentRef(from)} by ${by.actor}${why(by.reason)}.`,
    decidedBy: by.actor,
    decidedAt: by.now,
  };
}

/** Decision of an alert carried along when a late alert merged its incident into another. */
export function lateMergeDecision(previous: CorrelationDecision, from: Pick<Incident, 'id' | 'title'>, explanation: string, decidedAt: string): CorrelationDecision {
  return {
    kind: 'rule',
    rule: 'late-alert-merge',
    matched: { fromIncident: from.id },
    gapMs: null,
    explanation: `${explanation} Before: ${previous.explanation}`,
    decidedBy: 'debrief',
    decidedAt,
  };
}

export function describeAlert(a: Pick<Alert, 'labels'>, serviceLabels: readonly string[]): string {
  const service = serviceOf(a.labels, serviceLabels);
  return `${alertName(a)}${service ? ` on ${service}` : ''}`;
}

function listAlerts(alerts: readonly Pick<Alert, 'labels'>[], serviceLabels: readonly string[]): string {
  const names = alerts.map((a) => describeAlert(a, serviceLabels));
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

export const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

export function mergeTexts(target: Incident, sources: readonly Incident[], movedAlerts: number, by: CorrectionActor) {
  return {
    target: `${by.actor} merged ${sources.map(incidentRef).join(', ')} into this incident (${count(movedAlerts, 'alert')})${why(by.reason)}`,
    source: `${by.actor} merged this incident into ${incidentRef(target)}${why(by.reason)}; its alerts and history are there now`,
  };
}

export function splitTexts(from: Incident, to: Pick<Incident, 'id' | 'title'>, alerts: readonly Pick<Alert, 'labels'>[], serviceLabels: readonly string[], by: CorrectionActor) {
  return {
    from: `${by.actor} split ${count(alerts.length, 'alert')} (${listAlerts(alerts, serviceLabels)}) out of this incident into ${incidentRef(to)}${why(by.reason)}`,
    to: `${by.actor} split this incident out of ${incidentRef(from)} with ${count(alerts.length, 'alert')} (${listAlerts(alerts, serviceLabels)})${why(by.reason)}`,
  };
}

export function moveTexts(alert: Pick<Alert, 'labels' | 'id'>, from: Incident, to: Incident, serviceLabels: readonly string[], by: CorrectionActor, emptied: boolean) {
  const what = describeAlert(alert, serviceLabels);
  return {
    from: `${by.actor} moved alert ${what} from this incident to ${incidentRef(to)}${why(by.reason)}${emptied ? '; nothing was left here, so this incident now points there' : ''}`,
    to: `${by.actor} moved alert ${what} here from ${incidentRef(from)}${why(by.reason)}`,
  };
}
