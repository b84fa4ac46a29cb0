import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter<'instance' | 'outcome'>;
  ingestToIncidentSeconds: Histogram<string>;
  inboxFailures: Counter<'outcome'>;
  httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
}

export interface MetricsSources {
  inboxBacklog: () => Promise<number>;
  deadLetters: () => Promise<number>;
  openIncidents: () => Promise<number>;
}

/**
 * One registry per app instance (prom-client registers a metric name once per registry, and
 * tests build many apps). Gauges read the store when scraped, so they are never stale.
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'debrief_process_' });
  const safe = async (g: Gauge, f: () => Promise<number>) => {
    try {
      g.set(await f());
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
    httpRequestSeconds: new Histogram({
      name: 'debrief_http_request_seconds', help: 'HTTP request duration by route', labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
  };
}
