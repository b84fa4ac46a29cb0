import type { Alert } from '../domain/alert';
import type { IncidentEvent } from '../domain/incident';

/**
 * How much of an incident one read returns (`Store.getIncident`), the same for every store. An
 * incident with more alerts than `DETAIL_ALERT_LIMIT` is read as a sample: the earliest and the
 * latest halves by start (how it began, what fires now) and the first alert of each facet (so
 * every alert name has an example for the draft's hints), with the store's facets summing up
 * all of them. Timeline events likewise, without facets (they are people's and pages' entries,
 * far fewer than alerts). Page through every alert with `Store.listIncidentAlerts`.
 */
export const DETAIL_ALERT_LIMIT = 200;
export const DETAIL_EVENT_LIMIT = 500;
/** Facets whose first alert joins a sample, at most (an incident with thousands of alert names is not read whole either). */
export const SAMPLE_FACET_LIMIT = 200;

/** The sample's alerts in detail order (start, then id), each once. */
export function alertSample(parts: ReadonlyArray<readonly Alert[]>): Alert[] {
  const byId = new Map<string, Alert>();
  for (const part of parts) for (const alert of part) byId.set(alert.id, alert);
  return [...byId.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
}

/** The earliest and latest events, each once, in timeline order (the store's order within each part is kept). */
export function eventSample(first: readonly IncidentEvent[], last: readonly IncidentEvent[]): IncidentEvent[] {
  const seen = new Set(first.map((e) => e.id));
  return [...first, ...[...last].reverse().filter((e) => !seen.has(e.id))];
}
