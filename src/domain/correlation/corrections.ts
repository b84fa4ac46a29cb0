import { ConflictError, ValidationError } from '../../errors';
import { alertName, type Alert, type CorrelationDecision } from '../alert';
import { labelsText } from '../alert-differences';
import type { Incident, NewIncidentEvent } from '../incident';
import { serviceOf, type ServiceLabels } from '../service-naming';
import { humanPlacementKey } from './correlation-keys';
import { LINK_RULES, type Placement } from './correlation-types';

/**
 * SRE corrections (merge, split, move): the checks they must pass, the decisions they leave on
 * alerts and the timeline events they record. Pure; the store applies them atomically. A human decision wins over the
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

/** `apart`: for a split, the labels that set the split-off alerts apart from those left (`labelsSettingApart`). */
export function humanDecision(kind: CorrectionKind, from: Pick<Incident, 'id' | 'title'>, by: CorrectionActor, apart: Record<string, string> = {}): CorrelationDecision {
  const which = Object.keys(apart).length > 0 ? ` (${labelsText(apart)})` : '';
  const verb = kind === 'move' ? 'Moved here from' : kind === 'split' ? `Split into this new incident${which} from` : 'Merged into this incident from';
  return {
    kind: 'human',
    rule: kind,
    matched: { fromIncident: from.id },
    gapMs: null,
    explanation: `${verb} incident ${incidentRef(from)} by ${by.actor}${why(by.reason)}.`,
    decidedBy: by.actor,
    decidedAt: by.now,
    ...(which ? { apart } : {}),
  };
}

/**
 * Decision of an alert carried along when Debrief merged its incident into another: a late alert
 * linked both (`late-alert-merge`), or a page covers both parts of its group (`page-group-merge`).
 */
export function lateMergeDecision(previous: CorrelationDecision, from: Pick<Incident, 'id' | 'title'>, explanation: string, decidedAt: string, rule = 'late-alert-merge'): CorrelationDecision {
  return {
    ...(previous.evidence ? { evidence: previous.evidence } : {}),
    kind: 'rule',
    rule,
    matched: { fromIncident: from.id },
    gapMs: null,
    explanation: `${explanation} Before: ${previous.explanation}`,
    decidedBy: 'debrief',
    decidedAt,
  };
}

export function describeAlert(a: Pick<Alert, 'labels'>, serviceLabels: ServiceLabels): string {
  const service = serviceOf(a.labels, serviceLabels);
  return `${alertName(a)}${service ? ` on ${service}` : ''}`;
}

function listAlerts(alerts: readonly Pick<Alert, 'labels'>[], serviceLabels: ServiceLabels): string {
  const names = alerts.map((a) => describeAlert(a, serviceLabels));
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

export const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function mergeTexts(target: Incident, sources: readonly Incident[], movedAlerts: number, by: CorrectionActor) {
  return {
    target: `${by.actor} merged ${sources.map(incidentRef).join(', ')} into this incident (${count(movedAlerts, 'alert')})${why(by.reason)}`,
    source: `${by.actor} merged this incident into ${incidentRef(target)}${why(by.reason)}; its alerts and history are there now`,
  };
}

function splitTexts(from: Incident, to: Pick<Incident, 'id' | 'title'>, alerts: readonly Pick<Alert, 'labels'>[], serviceLabels: ServiceLabels, by: CorrectionActor) {
  return {
    from: `${by.actor} split ${count(alerts.length, 'alert')} (${listAlerts(alerts, serviceLabels)}) out of this incident into ${incidentRef(to)}${why(by.reason)}`,
    to: `${by.actor} split this incident out of ${incidentRef(from)} with ${count(alerts.length, 'alert')} (${listAlerts(alerts, serviceLabels)})${why(by.reason)}`,
  };
}

function moveTexts(alert: Pick<Alert, 'labels' | 'id'>, from: Incident, to: Incident, serviceLabels: ServiceLabels, by: CorrectionActor, emptied: boolean) {
  const what = describeAlert(alert, serviceLabels);
  return {
    from: `${by.actor} moved alert ${what} from this incident to ${incidentRef(to)}${why(by.reason)}${emptied ? '; nothing was left here, so this incident now points there' : ''}`,
    to: `${by.actor} moved alert ${what} here from ${incidentRef(from)}${why(by.reason)}`,
  };
}

const correctionEvent = (kind: CorrectionKind, incidentId: string, by: CorrectionActor, text: string, data: Record<string, unknown>): NewIncidentEvent => (
  { incidentId, at: by.now, kind: CORRECTION_EVENT_KINDS[kind], actor: by.actor, text, data }
);

/** Events of a merge: the target's first, then each source's. `target` as it was before the merge. */
export function mergeEvents(target: Incident, sources: readonly Incident[], movedAlertIds: readonly string[], by: CorrectionActor): NewIncidentEvent[] {
  const texts = mergeTexts(target, sources, movedAlertIds.length, by);
  const reason = by.reason ?? null;
  return [
    correctionEvent('merge', target.id, by, texts.target, { sourceIncidentIds: sources.map((s) => s.id), alertIds: movedAlertIds, reason }),
    ...sources.map((s) => correctionEvent('merge', s.id, by, texts.source, { mergedInto: target.id, reason })),
  ];
}

/** Events of a split, on the incident split from and on the new one (both as they are after it). */
export function splitEvents(from: Incident, to: Incident, alerts: readonly Alert[], serviceLabels: ServiceLabels, by: CorrectionActor): NewIncidentEvent[] {
  const texts = splitTexts(from, to, alerts, serviceLabels, by);
  const data = { fromIncidentId: from.id, newIncidentId: to.id, alertIds: alerts.map((a) => a.id), reason: by.reason ?? null };
  return [correctionEvent('split', from.id, by, texts.from, data), correctionEvent('split', to.id, by, texts.to, data)];
}

/**
 * Events of a move, on the incident left and on the target. `alert` as it was before the move;
 * `emptied` when the move left nothing behind (the incident left was merged into the target).
 */
export function moveEvents(alert: Alert, from: Incident, to: Incident, serviceLabels: ServiceLabels, by: CorrectionActor, emptied: boolean): NewIncidentEvent[] {
  const texts = moveTexts(alert, from, to, serviceLabels, by, emptied);
  const data = { alertId: alert.id, fromIncidentId: from.id, toIncidentId: to.id, previousDecision: alert.decision, reason: by.reason ?? null };
  return [correctionEvent('move', from.id, by, texts.from, data), correctionEvent('move', to.id, by, texts.to, data)];
}

/** Events of an automatic merge: a late alert linked `sourceId`, which opened after it started, to `target`. */
export function lateMergeEvents(target: Pick<Incident, 'id' | 'title'>, sourceId: string, explanation: string, at: string): NewIncidentEvent[] {
  const event = (incidentId: string, text: string, data: Record<string, unknown>): NewIncidentEvent => (
    { incidentId, at, kind: CORRECTION_EVENT_KINDS.merge, actor: 'debrief', text, data }
  );
  return [
    event(target.id, explanation, { sourceIncidentIds: [sourceId], automatic: true }),
    event(sourceId, `Merged into ${incidentRef(target)}: ${explanation}`, { mergedInto: target.id, automatic: true }),
  ];
}

// ------------------------------------------------------------------- checks

/** The incident a correction names must not have been merged away (ConflictError names where it went). */
export function assertNotMerged(incident: Incident, path: string): Incident {
  if (incident.status === 'merged') {
    throw new ConflictError(`incident "${incident.id}" was merged into "${incident.mergedInto}"; use that incident instead`, [{ path, message: `merged into ${incident.mergedInto}` }]);
  }
  return incident;
}

/** The distinct incidents to merge into `targetId`, which may not be one of them. */
export function mergeSourceIds(targetId: string, sourceIds: readonly string[]): string[] {
  const sources = [...new Set(sourceIds)];
  if (sources.includes(targetId)) throw new ValidationError('an incident cannot be merged into itself', [{ path: 'body.sourceIncidentIds', message: `contains the target incident ${targetId}` }]);
  return sources;
}

/** Only alerts of the incident can be split out of it. */
export function assertAlertInIncident(alert: Pick<Alert, 'id' | 'incidentId'>, incidentId: string): void {
  if (alert.incidentId !== incidentId) {
    throw new ConflictError(`alert "${alert.id}" is in incident "${alert.incidentId}", not in "${incidentId}"`, [{ path: 'body.alertIds', message: `${alert.id} is not in this incident` }]);
  }
}

/** A split must leave the incident an alert or a page; taking everything is a move or a merge. */
export function assertSplitLeavesSomething(alertsInIncident: number, alertsSplit: number, pagesInIncident: number): void {
  if (alertsInIncident - alertsSplit === 0 && pagesInIncident === 0) {
    throw new ValidationError('splitting every alert would leave the incident empty; move or merge instead', [{ path: 'body.alertIds', message: 'lists every alert of the incident' }]);
  }
}

/** A move must go somewhere else. */
export function assertNotAlreadyIn(alert: Pick<Alert, 'id' | 'incidentId'>, targetId: string): void {
  if (alert.incidentId === targetId) throw new ValidationError(`alert "${alert.id}" is already in incident "${targetId}"`, [{ path: 'body.incidentId', message: 'the alert is already there' }]);
}

/**
 * The keys an alert merged along with its incident holds: its own, so the target takes over what
 * the merged incident linked through, and `hfp:`, so its later firings follow it.
 */
export const withHumanPlacementKey = (keys: readonly string[], alert: Pick<Alert, 'instance' | 'fingerprint'>): string[] => {
  const key = humanPlacementKey(alert);
  return keys.includes(key) ? [...keys] : [...keys, key];
};

/**
 * The keys an alert holds once a person moved it, or once a later firing followed such a
 * placement: only `hfp:`. A person placed that one alert; its group, service and dedup keys stay
 * with the incidents the rules made, so the rest of its group is never drawn to where it went.
 */
export const placedAloneKeys = (alert: Pick<Alert, 'instance' | 'fingerprint'>): string[] => [humanPlacementKey(alert)];

/** The keys a newly placed alert holds: all it could hold, unless it only followed a person's placement. */
export function keysHeldAfter(placement: Placement, hold: readonly string[], alert: Pick<Alert, 'instance' | 'fingerprint'>): string[] {
  const followed = placement.action === 'join' && placement.decision.rule === LINK_RULES.humanPlacement;
  return followed ? placedAloneKeys(alert) : [...hold];
}
