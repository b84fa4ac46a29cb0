import type { IncidentDetail } from '../domain/incident';
import type { MetricSnapshot } from '../domain/report/metric-chart-svg';

/**
 * Metric snapshots are taken once per incident revision, not on every read: the incident page
 * reads the report export every few seconds, and six reads once meant six rounds of queries.
 *
 * - A revision is what a snapshot depends on: the incident's `updatedAt` (any alert placed,
 *   updated or resolved, any correction), its end and its alert count.
 * - A resolved incident is snapshotted once per revision.
 * - An open incident's window runs until now, so its snapshot is retaken when it is older than
 *   `refreshMs`, and not sooner even when alerts keep arriving (a storm changes the revision on
 *   every alert). When it resolves, the final window is snapshotted at once.
 * - Only answers are kept: a set in which Prometheus could not be reached is returned but not
 *   kept, so the next read tries again (the circuit breaker spares a Prometheus that is down).
 * - Concurrent reads of one revision share one round of queries.
 */

export interface SnapshotCacheOptions {
  refreshMs: number;
  /** Incidents kept (least recently read dropped first). */
  maxIncidents: number;
}

interface Entry { revision: string; open: boolean; takenAt: number; snapshots: MetricSnapshot[] }

export const revisionOf = (detail: IncidentDetail): string =>
  `${detail.incident.updatedAt}|${detail.incident.endedAt ?? 'open'}|${detail.incident.alertCount}`;

export class SnapshotCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<MetricSnapshot[]>>();

  constructor(private readonly options: SnapshotCacheOptions) {}

  /** The kept snapshot of this revision when still good, else what `take` returns (kept when complete). */
  get(detail: IncidentDetail, nowMs: number, take: () => Promise<MetricSnapshot[]>): Promise<MetricSnapshot[]> {
    const id = detail.incident.id;
    const revision = revisionOf(detail);
    const open = detail.incident.endedAt === null;
    const kept = this.entries.get(id);
    if (kept && this.stillGood(kept, revision, open, nowMs)) {
      this.entries.delete(id);
      this.entries.set(id, kept);
      return Promise.resolve(kept.snapshots);
    }
    const key = `${id}@${revision}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const taking = take().then((snapshots) => {
      if (snapshots.every((s) => s.status !== 'unavailable')) this.keep(id, { revision, open, takenAt: nowMs, snapshots });
      return snapshots;
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, taking);
    return taking;
  }

  private stillGood(kept: Entry, revision: string, open: boolean, nowMs: number): boolean {
    const young = nowMs - kept.takenAt < this.options.refreshMs;
    if (kept.revision === revision) return !open || young;
    return open && kept.open && young;
  }

  private keep(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.options.maxIncidents) this.entries.delete(this.entries.keys().next().value!);
  }
}
