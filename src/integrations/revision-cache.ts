import type { IncidentDetail } from '../domain/incident';

/**
 * What Debrief asks Prometheus about an incident (metric snapshots, the alert rules behind its
 * alerts) is asked once per incident revision, not on every read: the incident page reads the
 * report export every few seconds, and six reads once meant six rounds of queries.
 *
 * - A revision is what an answer depends on: the incident's `updatedAt` (any alert placed,
 *   updated or resolved, any correction), its end and its alert count.
 * - A resolved incident is asked about once per revision.
 * - An open incident changes all the time (its snapshot window runs until now, a storm changes
 *   the revision on every alert), so its answer is asked again when older than `refreshMs`, and
 *   not sooner even when alerts keep arriving. When it resolves, it is asked again at once.
 * - Only complete answers are kept (`keep`): a set in which Prometheus could not be reached is
 *   returned but not kept, so the next read tries again (the circuit breaker spares a
 *   Prometheus that is down).
 * - Concurrent reads of one revision share one round of queries.
 */

export interface RevisionCacheOptions<T> {
  refreshMs: number;
  /** Incidents kept (least recently read dropped first). */
  maxIncidents: number;
  /** Whether an answer is complete enough to keep; default: always. */
  keep?: (value: T) => boolean;
}

interface Entry<T> { revision: string; open: boolean; takenAt: number; value: T }

export const revisionOf = (detail: IncidentDetail): string =>
  `${detail.incident.updatedAt}|${detail.incident.endedAt ?? 'open'}|${detail.incident.alertCount}`;

export class RevisionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(private readonly options: RevisionCacheOptions<T>) {}

  /** The kept answer of this revision when still good, else what `take` returns (kept when complete). */
  get(detail: IncidentDetail, nowMs: number, take: () => Promise<T>): Promise<T> {
    const id = detail.incident.id;
    const revision = revisionOf(detail);
    const open = detail.incident.endedAt === null;
    const kept = this.entries.get(id);
    if (kept && this.stillGood(kept, revision, open, nowMs)) {
      this.entries.delete(id);
      this.entries.set(id, kept);
      return Promise.resolve(kept.value);
    }
    const key = `${id}@${revision}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const taking = take().then((value) => {
      if (this.options.keep?.(value) ?? true) this.remember(id, { revision, open, takenAt: nowMs, value });
      return value;
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, taking);
    return taking;
  }

  private stillGood(kept: Entry<T>, revision: string, open: boolean, nowMs: number): boolean {
    const young = nowMs - kept.takenAt < this.options.refreshMs;
    if (kept.revision === revision) return !open || young;
    return open && kept.open && young;
  }

  private remember(id: string, entry: Entry<T>): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.options.maxIncidents) this.entries.delete(this.entries.keys().next().value!);
  }
}
