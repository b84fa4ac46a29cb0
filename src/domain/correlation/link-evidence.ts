import type { EvidenceStrength } from '../alert';
import type { Incident } from '../incident';
import type { IncidentCandidate, KeyActivity } from './correlation-types';
import type { Relation } from './rule-plan';

/**
 * How strong one candidate link is: its evidence class, how close in time the alert started to
 * the onsets it matched, and how deep in the incident the member it went through sits. Pure.
 */

/** Weight of each evidence class in a link's score. */
export const EVIDENCE_WEIGHT: Record<EvidenceStrength, number> = { explicit: 1, strong: 0.85, moderate: 0.6, weak: 0.35 };

/**
 * A link's score: the weight of its evidence, times 1 at no gap falling to 0.5 at the edge of
 * its time window, times `DEPTH_DECAY` per topology step of the member it went through.
 */
export function linkScore(strength: EvidenceStrength, gapMs: number, limitMs: number, anchorDepth: number): number {
  return scoreAt(strength, limitMs <= 0 ? 1 : 1 - 0.5 * Math.min(1, gapMs / limitMs), anchorDepth);
}

/** A link's score for a given closeness in time (1: no gap, 0.5: the edge of its window). */
export function scoreAt(strength: EvidenceStrength, time: number, anchorDepth: number): number {
  return round(EVIDENCE_WEIGHT[strength] * time * DEPTH_DECAY ** anchorDepth);
}

/**
 * The closeness in time an ongoing-outage link counts with: that of a link at the edge of its
 * window. It links whatever the time, so any link close in time to fresh onsets, of the same
 * evidence class, wins over it.
 */
export const ONGOING_TIME_FACTOR = 0.5;

export const DEPTH_DECAY = 0.85;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The time a new alert may start before and after the span of onsets it matches. Symmetric,
 * except for a direct dependency: a caller's alert follows its dependency's within `window`, or
 * precedes it by at most `lead` (the dependency's rule may wait longer, `for:`, than its callers').
 */
export function timeLimits(relation: Relation | null, windowMs: number, leadMs: number): { beforeMs: number; afterMs: number } {
  if (relation === 'dependency') return { beforeMs: leadMs, afterMs: windowMs };
  if (relation === 'caller') return { beforeMs: windowMs, afterMs: leadMs };
  return { beforeMs: windowMs, afterMs: windowMs };
}

/**
 * Where a topology link may go, given the member it goes through (no transitive drift). What
 * counts is the order in event time, not which alert arrived first:
 * - failure travelling the usual way (a dependency's alert first, its caller's after, or a
 *   caller's up to `lead` before): the new alert joins through members up to `maxDepth - 1`
 *   steps from the root and sits one step deeper;
 * - a dependency alerting after a caller that is already in the incident joins only through the
 *   incident's core (depth 0): otherwise a service with many dependencies that joined as a
 *   symptom would pull in every other thing it calls that happens to fail next;
 * - a hub (many callers or dependencies) anchors topology links only while in the core;
 * - links over more than one step (`hops` > 1) go through the core only.
 * `before`: the new alert started before the member's first alert.
 */
export function topologyDepth(relation: Relation, anchorDepth: number, hops: number, hub: boolean, maxDepth: number, before: boolean): { depth: number } | { refused: string } {
  if (relation === 'same') return { depth: anchorDepth };
  if (anchorDepth > 0 && hub) return { refused: `it is shared by many services (a hub) and joined this incident ${steps(anchorDepth)} from its root` };
  const usualWay = relation === 'dependency' || (relation === 'caller' && before);
  if (usualWay) {
    return anchorDepth + 1 <= maxDepth ? { depth: anchorDepth + 1 } : { refused: `it joined this incident ${steps(anchorDepth)} from its root, the most a link may build on` };
  }
  if (anchorDepth > 0) return { refused: `it joined this incident ${steps(anchorDepth)} from its root, and ${relation === 'caller' ? 'a dependency alerting after its callers' : 'a link over several steps'} links only through the incident's core` };
  return { depth: hops };
}

const steps = (n: number): string => `${n} topology step${n === 1 ? '' : 's'}`;

/** 0 when `startMs` lies in the activity span, else the distance to its nearer edge, with the side. */
export function gapToActivity(startMs: number, activity: Pick<KeyActivity, 'firstAt' | 'lastAt' | 'activeUntil'>): { gapMs: number; before: boolean } {
  const from = Date.parse(activity.firstAt);
  if (startMs < from) return { gapMs: from - startMs, before: true };
  // An unresolved page spans "until now".
  if (activity.activeUntil === null) return { gapMs: 0, before: false };
  const to = Math.max(Date.parse(activity.lastAt), Date.parse(activity.activeUntil));
  return startMs > to ? { gapMs: startMs - to, before: false } : { gapMs: 0, before: false };
}

/** 0 when the start lies inside the incident's span, else the distance to the nearer edge. */
export function gapToIncident(startMs: number, incident: Pick<Incident, 'startedAt' | 'lastActivityAt'>): number {
  const from = Date.parse(incident.startedAt);
  const to = Date.parse(incident.lastActivityAt);
  if (startMs < from) return from - startMs;
  if (startMs > to) return startMs - to;
  return 0;
}

export const incidentEnd = (i: Pick<Incident, 'lastActivityAt' | 'endedAt'>): number =>
  Math.max(Date.parse(i.lastActivityAt), i.endedAt ? Date.parse(i.endedAt) : 0);

/** True for a candidate the rules may merge automatically (late alerts, pages speaking for their group). */
export const absorbable = (c: IncidentCandidate): boolean => !c.humanPlaced && c.origin === 'rule';
