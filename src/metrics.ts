import { statSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter<'instance' | 'outcome'>;
  ingestToIncidentSeconds: Histogram<string>;
  inboxFailures: Counter<'outcome'>;
  alertsIgnored: Counter<'alertname' | 'reason'>;
  httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
  httpConnectionsShed: Counter<'reason'>;
}

export interface MetricsSources {
  inboxBacklog: () => Promise<number>;
  deadLetters: () => Promise<number>;
  openIncidents: () => Promise<number>;
  /** The store's WAL files by name (`store`, `inbox`); none for stores without one. */
  walFiles?: Record<string, string>;
}

/**
 * One registry per app instance (prom-client registers a metric name once per registry, and
 * tests build many apps). Gauges read the store when scraped, so they are never stale.
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'debrief_process_' });
  const safe = async (gauge: Gauge, read: () => Promise<number>) => {
    try {
      gauge.set(await read());
    } catch {
      // The store being down is reported by /readyz; a scrape must still succeed.
    }
  };
  new Gauge({
    name: 'debrief_inbox_backlog', help: 'Inbox entries received but not processed yet', registers: [registry],
    async collect() { await safe(this, sources.inboxBacklog); },
  });
  new Gauge({
    name: 'debrief_inbox_dead_letters', help: 'Inbox entries kept as dead letters', registers: [registry],
    async collect() { await safe(this, sources.deadLetters); },
  });
  new Gauge({
    name: 'debrief_open_incidents', help: 'Incidents with at least one firing alert', registers: [registry],
    async collect() { await safe(this, sources.openIncidents); },
  });
  const walFiles = Object.entries(sources.walFiles ?? {});
  if (walFiles.length > 0) {
    new Gauge({
      name: 'debrief_store_wal_bytes', help: 'Size of the SQLite write-ahead log files (store file and inbox file); bounded by journal_size_limit and emptied when idle',
      labelNames: ['file'] as const, registers: [registry],
      collect() {
        for (const [file, path] of walFiles) this.set({ file }, walBytes(path));
      },
    });
  }
  return {
    registry,
    webhooksReceived: new Counter({
      name: 'debrief_webhooks_received_total',
      help: 'Webhook requests by connector instance and outcome (accepted, duplicate, unauthorized, forbidden, invalid, too_large, unknown_instance, unavailable)',
      labelNames: ['instance', 'outcome'] as const,
      registers: [registry],
    }),
    ingestToIncidentSeconds: new Histogram({
      name: 'debrief_ingest_to_incident_seconds',
      help: 'Time from a webhook being stored to its alerts being placed in incidents',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    inboxFailures: new Counter({
      name: 'debrief_inbox_failures_total', help: 'Inbox processing failures (retry or dead)', labelNames: ['outcome'] as const, registers: [registry],
    }),
    alertsIgnored: new Counter({
      name: 'debrief_alerts_ignored_total',
      help: 'Alert notifications processing left out of incidents (their webhooks are stored): reason heartbeat (ignore.alertnames: Watchdog, InfoInhibitor, DeadMansSwitch by default) or matcher (ignore.matchers)',
      labelNames: ['alertname', 'reason'] as const, registers: [registry],
    }),
    httpConnectionsShed: new Counter({
      name: 'debrief_http_connections_shed_total',
      help: 'Connections closed to stay within server.maxConnections: evicted (the oldest not answering a request) or refused (all were answering)',
      labelNames: ['reason'] as const, registers: [registry],
    }),
    httpRequestSeconds: new Histogram({
      name: 'debrief_http_request_seconds', help: 'HTTP request duration by route', labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
  };
}

/** A WAL file's size; 0 when there is none (a closed store removes it). */
function walBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What the response-time gauges read; `IncidentStats` from `src/domain/incident-metrics.ts`. */
export interface StatsGaugeSource {
  (): Promise<{
    overall: StatsGroup;
    byService: Array<StatsGroup & { service: string }>;
    bySeverity: Array<StatsGroup & { severity: string }>;
    repeat?: { rate: number | null };
  }>;
}
interface StatsGroup { count: number; missedByMonitoringCount: number; mttdMs: number | null; mttaMs: number | null; mttmMs: number | null; mttrMs: number | null }

/**
 * Response-time gauges (the same numbers as `GET /api/v1/stats` over a recent window), labelled
 * `dimension` (`overall`, `service`, `severity`) and `name` (the service or severity; `all`
 * for overall). Means with no sample are left out rather than reported as 0.
 */
export function registerStatsGauges(registry: Registry, source: StatsGaugeSource): void {
  // prom-client collects all metrics of a scrape in parallel: the gauges share one computation.
  let inflight: ReturnType<StatsGaugeSource> | null = null;
  const shared = () => (inflight ??= source().finally(() => { inflight = null; }));
  // The store being down is reported by /readyz; a scrape must still succeed (null: set nothing).
  const sharedOrNull = () => shared().catch(() => null);
  const gauge = (name: string, help: string, value: (group: StatsGroup) => number | null) => new Gauge({
    name, help, labelNames: ['dimension', 'name'] as const, registers: [registry],
    async collect() {
      const stats = await sharedOrNull();
      if (!stats) return;
      this.reset();
      const rows: Array<[string, string, StatsGroup]> = [
        ['overall', 'all', stats.overall],
        ...stats.byService.map((group): [string, string, StatsGroup] => ['service', group.service, group]),
        ...stats.bySeverity.map((group): [string, string, StatsGroup] => ['severity', group.severity, group]),
      ];
      for (const [dimension, labelName, group] of rows) {
        const measured = value(group);
        if (measured !== null) this.set({ dimension, name: labelName }, measured);
      }
    },
  });
  new Gauge({
    name: 'debrief_incident_repeat_ratio',
    help: 'Share (0..1) of the incidents started in the stats window that had a similar earlier incident (shared alert name and service) within 90 days before; absent when none started',
    registers: [registry],
    async collect() {
      const stats = await sharedOrNull();
      if (!stats) return;
      this.reset();
      const rate = stats.repeat?.rate ?? null;
      if (rate !== null) this.set(rate);
    },
  });
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  gauge('debrief_incidents_recent', 'Incidents started in the stats window (stats.gaugeWindowDays)', (group) => group.count);
  gauge('debrief_incidents_missed_by_monitoring_recent', 'Incidents started in the stats window that were declared by hand because no alert reported them', (group) => group.missedByMonitoringCount);
  gauge('debrief_incident_mttd_seconds', 'Mean time to detect (recorded impact start to first alert) over the stats window; only incidents whose impact start was recorded before their first alert, absent when none', (group) => seconds(group.mttdMs));
  gauge('debrief_incident_mtta_seconds', 'Mean time to acknowledge (first alert to page acknowledgement) over the stats window; only acknowledged incidents, absent when none', (group) => seconds(group.mttaMs));
  gauge('debrief_incident_mttm_seconds', 'Mean time to mitigate (impact start to human-set mitigation) over the stats window', (group) => seconds(group.mttmMs));
  gauge('debrief_incident_mttr_seconds', 'Mean time to resolve (impact start to resolution) over the stats window', (group) => seconds(group.mttrMs));
}

/**
 * `debrief_action_items_overdue{team}`: open or in-progress action items past their due date, per
 * owning team (`none`: the incident's services have no team in the catalog). Computed from the
 * store's per-incident aggregate at most every `cacheSeconds`; a scrape never fails for it.
 */
export function registerOverdueGauge(
  registry: Registry,
  source: () => Promise<{ byTeam: ReadonlyArray<{ team: string | null; count: number }> }>,
  cacheSeconds: number,
): void {
  let cached: { at: number; byTeam: ReadonlyArray<{ team: string | null; count: number }> } | null = null;
  new Gauge({
    name: 'debrief_action_items_overdue',
    help: 'Open or in-progress action items past their due date, per owning team of their incident (team="none": no team in the catalog)',
    labelNames: ['team'] as const,
    registers: [registry],
    async collect() {
      if (!cached || Date.now() - cached.at >= cacheSeconds * 1000) {
        const listing = await source().catch(() => null);
        if (!listing) return;
        cached = { at: Date.now(), byTeam: listing.byTeam };
      }
      this.reset();
      for (const { team, count } of cached.byTeam) this.set({ team: team ?? 'none' }, count);
    },
  });
}
