import { findEarlierIncidents, type EarlierCandidate, type IncidentFootprint } from './earlier-incidents';

/** How far back an earlier incident like one counts it as a repeat. */
export const REPEAT_WINDOW_DAYS = 90;
const WINDOW_MS = REPEAT_WINDOW_DAYS * 86_400_000;

/** What the repeat rate measures, for people reading the statistics. */
export const REPEAT_DEFINITION = `The share of incidents that had a similar earlier incident (at least one shared alert name and one shared service, as "this happened before" in the draft decides) that started within ${REPEAT_WINDOW_DAYS} days before them; incidents declared by hand without alerts are never repeats; null when no incident started in the window.`;

export interface RepeatRate {
  windowDays: number;
  /** Incidents measured. */
  count: number;
  /** Of those, how many had a similar earlier incident (shared alert names and services) within `windowDays` before they started. */
  repeatedCount: number;
  /** `repeatedCount / count`, 0..1; null when no incident was measured. */
  rate: number | null;
}

/**
 * The share of `measured` incidents that had a similar earlier one within `REPEAT_WINDOW_DAYS`
 * before they started: similar as "this happened before" decides (`findEarlierIncidents`: at
 * least one shared alert name and one shared service). Earlier incidents are looked for among
 * `history` and `measured` together (`history`: those that started in the window before the
 * first measured one). Pure; candidates are narrowed by alert name first, as similarity needs one.
 */
export function repeatRate(measured: readonly IncidentFootprint[], history: readonly IncidentFootprint[]): RepeatRate {
  const byAlertName = new Map<string, IncidentFootprint[]>();
  const all = new Map([...history, ...measured].map((footprint) => [footprint.id, footprint]));
  for (const footprint of all.values()) {
    for (const name of new Set(footprint.alertNames)) (byAlertName.get(name) ?? byAlertName.set(name, []).get(name)!).push(footprint);
  }
  let repeatedCount = 0;
  for (const current of measured) {
    const from = new Date(Date.parse(current.startedAt) - WINDOW_MS).toISOString();
    const candidates = new Map<string, EarlierCandidate>();
    for (const name of current.alertNames) {
      for (const other of byAlertName.get(name) ?? []) {
        if (other.startedAt >= from && other.startedAt < current.startedAt) candidates.set(other.id, asCandidate(other));
      }
    }
    if (candidates.size > 0 && findEarlierIncidents(current, [...candidates.values()], current.startedAt.slice(0, 10)).length > 0) repeatedCount += 1;
  }
  return { windowDays: REPEAT_WINDOW_DAYS, count: measured.length, repeatedCount, rate: measured.length === 0 ? null : repeatedCount / measured.length };
}

/** Only the footprint matters for similarity; what the earlier post-mortem said is not read here. */
const asCandidate = (footprint: IncidentFootprint): EarlierCandidate => ({ ...footprint, cause: null, prevention: null, publishedAt: null, actionItems: [] });
