import { aggregateMeasures, measureFacts, type IncidentStats, type MeasureOverrides } from '../domain/incident-metrics';
import type { IncidentFootprint } from '../domain/history/earlier-incidents';
import { REPEAT_WINDOW_DAYS, repeatRate, type RepeatRate } from '../domain/history/repeat-rate';
import type { Incident } from '../domain/incident';
import type { StoredReport } from '../domain/report/report-model';
import type { IncidentReads } from '../store/store';

export interface StatsServiceDeps {
  store: Pick<IncidentReads, 'listIncidents' | 'firstAcknowledgements' | 'getIncident' | 'incidentAlertNames'>;
  /** Human-set times (impact window, mitigation) come from stored reports; absent: measured from alerts and pages only. */
  reports?: { getReports(incidentIds: readonly string[]): Promise<Map<string, StoredReport>> } | null;
  clock: () => Date;
}

export interface StatsResult extends IncidentStats {
  since: string;
  until: string;
  /** True when more incidents started in the window than are measured in one request (`MAX_INCIDENTS`). */
  truncated: boolean;
  /** The share of these incidents with a similar earlier one within `REPEAT_WINDOW_DAYS` (`repeatRate`). */
  repeat: RepeatRate;
}

/** More than this many incidents in one window are not measured in one request. */
export const MAX_INCIDENTS = 10_000;
const PAGE = 500;

/**
 * Response-time statistics over the incidents that started in a window: reads the incidents'
 * stored summaries, their first page acknowledgements and stored reports (human-set times), a
 * page of incidents per query and never an incident's alerts or timeline, and leaves all
 * arithmetic to the pure `measureFacts`/`aggregateMeasures`.
 */
export class StatsService {
  private cache: { key: string; at: number; value: Promise<StatsResult> } | null = null;

  constructor(private readonly deps: StatsServiceDeps) {}

  async stats(since: string, until: string): Promise<StatsResult> {
    const incidents: Incident[] = [];
    let cursor: string | null = null;
    let truncated = false;
    do {
      const page = await this.deps.store.listIncidents({ since, until, limit: PAGE, cursor });
      // The store's `since` means "active at or after"; statistics count incidents that started in the window.
      // Merged incidents hold no alerts: their alerts are measured in the incident they joined.
      incidents.push(...page.items.filter((incident) => incident.startedAt >= since && incident.startedAt < until && incident.status !== 'merged'));
      cursor = page.nextCursor;
      if (incidents.length >= MAX_INCIDENTS) {
        truncated = cursor !== null || incidents.length > MAX_INCIDENTS;
        break;
      }
    } while (cursor);
    const chosen = incidents.slice(0, MAX_INCIDENTS);
    const stored = this.deps.reports && chosen.length ? await this.deps.reports.getReports(chosen.map((incident) => incident.id)) : new Map<string, StoredReport>();
    const acknowledged = chosen.length ? await this.deps.store.firstAcknowledgements(chosen.map((incident) => incident.id)) : new Map<string, string>();
    const firstAlerts = await this.firstAlertsOfDeclared(chosen);
    const measures = chosen.map((incident) => measureFacts(
      { incident, acknowledgedAt: acknowledged.get(incident.id) ?? null, ...(firstAlerts.has(incident.id) ? { firstAlertAt: firstAlerts.get(incident.id) } : {}) },
      overridesOf(stored.get(incident.id)),
    ));
    return { since, until, truncated, ...aggregateMeasures(measures), repeat: await this.repeatRateOf(chosen, since) };
  }

  /**
   * The repeat rate of `incidents` (started in the window from `since`): their alert names read
   * from the stored facets, and the incidents that started in the `REPEAT_WINDOW_DAYS` before the
   * window, at most `MAX_INCIDENTS` of them (the most recent), a page per query.
   */
  private async repeatRateOf(incidents: readonly Incident[], since: string): Promise<RepeatRate> {
    const from = new Date(Date.parse(since) - REPEAT_WINDOW_DAYS * 86_400_000).toISOString();
    const history: Incident[] = [];
    let cursor: string | null = null;
    while (incidents.length > 0 && history.length < MAX_INCIDENTS) {
      const page = await this.deps.store.listIncidents({ since: from, until: since, limit: PAGE, cursor });
      history.push(...page.items.filter((incident) => incident.startedAt >= from && incident.status !== 'merged'));
      cursor = page.nextCursor;
      // Newest first: once one started before `from`, every later one did too.
      if (!cursor || page.items.some((incident) => incident.startedAt < from)) break;
    }
    const all = [...incidents, ...history.slice(0, MAX_INCIDENTS)];
    const names = all.length ? await this.deps.store.incidentAlertNames(all.map((incident) => incident.id)) : new Map<string, string[]>();
    const footprint = (incident: Incident): IncidentFootprint => ({
      id: incident.id, title: incident.title, startedAt: incident.startedAt, services: incident.services, alertNames: names.get(incident.id) ?? [],
    });
    return repeatRate(incidents.map(footprint), history.slice(0, MAX_INCIDENTS).map(footprint));
  }

  /**
   * The first alert of each incident declared by hand that alerts were moved into: its start is
   * the declared one, so the summary cannot say. Few incidents are declared by hand, and an
   * incident's detail is bounded and keeps its earliest alert (`bounded-detail.ts`).
   */
  private async firstAlertsOfDeclared(incidents: readonly Incident[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const incident of incidents) {
      if (!incident.declaration || incident.alertCount === 0) continue;
      const detail = await this.deps.store.getIncident(incident.id);
      out.set(incident.id, detail?.alerts.map((alert) => alert.startsAt).sort()[0] ?? null);
    }
    return out;
  }

  /**
   * Statistics over the last `windowDays`, recomputed at most every `ttlSeconds` (the
   * Prometheus gauges call this on every scrape).
   */
  recent(windowDays: number, ttlSeconds: number): Promise<StatsResult> {
    const now = this.deps.clock().getTime();
    const key = `${windowDays}`;
    if (this.cache && this.cache.key === key && now - this.cache.at < ttlSeconds * 1000) return this.cache.value;
    const until = new Date(now + 1).toISOString();
    const since = new Date(now - windowDays * 86_400_000).toISOString();
    const value = this.stats(since, until);
    this.cache = { key, at: now, value };
    value.catch(() => { if (this.cache?.value === value) this.cache = null; });
    return value;
  }
}

function overridesOf(report: StoredReport | undefined): MeasureOverrides {
  const content = report?.content;
  return { impactStartedAt: content?.impactStartedAt?.time ?? null, impactEndedAt: content?.impactEndedAt?.time ?? null, mitigatedAt: content?.mitigatedAt?.time ?? null };
}
