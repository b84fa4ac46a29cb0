import type { TimelineEntry } from '../timeline';

/**
 * Stable id of a machine timeline entry, derived from what it records so it survives every
 * re-derivation of the timeline: `alert:<alertId>:fired`, `alert:<alertId>:resolved`,
 * `event:<eventId>`. Human corrections are keyed by it. Pure.
 */
export function timelineEntryId(entry: Pick<TimelineEntry, 'kind' | 'alertId' | 'eventId' | 'at' | 'source'>): string {
  if (entry.eventId) return `event:${entry.eventId}`;
  if (entry.alertId) return `alert:${entry.alertId}:${entry.kind === 'alert.resolved' ? 'resolved' : 'fired'}`;
  // Not produced by buildTimeline today; kept deterministic for any future entry kind.
  return `derived:${entry.source}:${entry.kind}:${entry.at}`;
}

/** True for ids of entries people added (`human:<uuid>`). */
export const isHumanEntryId = (id: string): boolean => id.startsWith('human:');
