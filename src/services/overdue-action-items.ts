import type { OverdueListing } from '../domain/trackers/overdue-listing';
import { overdueListing } from '../domain/trackers/overdue-listing';
import type { ReportStore } from '../store/report-store';
import type { IncidentReads } from '../store/store';

export interface OverdueActionItemsDeps {
  reports: Pick<ReportStore, 'countOverdueActionItems'>;
  store: Pick<IncidentReads, 'getIncident'>;
  /** The owning teams of some services (the catalog). */
  teamsOf: (services: readonly string[]) => string[];
  clock: () => Date;
}

/**
 * Overdue action items per team and owner. The store counts them per incident and owner; only
 * the incidents that have overdue items are then read, for their services' teams.
 */
export class OverdueActionItems {
  constructor(private readonly deps: OverdueActionItemsDeps) {}

  async listing(): Promise<OverdueListing> {
    const today = this.deps.clock().toISOString().slice(0, 10);
    const counts = await this.deps.reports.countOverdueActionItems(today);
    const teams = new Map<string, string[]>();
    for (const incidentId of new Set(counts.map((c) => c.incidentId))) {
      const detail = await this.deps.store.getIncident(incidentId);
      teams.set(incidentId, detail ? this.deps.teamsOf(detail.incident.services) : []);
    }
    return overdueListing(today, counts, (incidentId) => teams.get(incidentId) ?? []);
  }
}
