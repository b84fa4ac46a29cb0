import YAML from 'yaml';
import { FakePostgresExporter, FakeQueueWorker, FakeService } from './fake-estate';

/*
 * The scenario recorded into tests/fixtures/replay/alertmanager-e2e: a small estate in two
 * clusters, the alerting rules and Alertmanager routing its operators would write, the
 * service catalog, and the faults injected over about seven minutes. Only this file says
 * what happens; record-history.ts runs it. The fixture's README and hand-written truth.json
 * describe the same story, so change them together.
 *
 *   prod-eu-1                                         prod-us-1
 *   checkout ──> orders-api ──> orders-db <────────── orders-api <── checkout
 *       └──────> payments-api      ^                                    └──> payments-api
 *   billing ───────────────────────┘
 *   search                (its own latency spike: noise)
 *   notifications-worker  (queue backlog hovering around its threshold: flapping)
 *
 * orders-db is the one primary database of the orders domain; it lives in prod-eu-1 and
 * prod-us-1's orders-api reaches it across clusters.
 */

export const EU = 'prod-eu-1';
export const US = 'prod-us-1';

/** Labels the scrape config puts on a target, as a ServiceMonitor's relabelling would. */
export interface TargetLabels {
  service: string;
  namespace: string;
  team: string;
}

export interface ScrapedPart {
  /** Prometheus `job`. */
  job: string;
  labels: TargetLabels;
  server: { readonly target: string; start(): Promise<void>; stop(): Promise<void> };
}

/** Every process of the estate, per cluster, plus handles the timeline acts on. */
export interface Estate {
  /** What each cluster's Prometheus scrapes. */
  scraped: Record<typeof EU | typeof US, ScrapedPart[]>;
  /** Not scraped (Postgres speaks no HTTP metrics; its exporter is scraped instead). */
  ordersDb: FakeService;
  search: FakeService;
  notificationsWorker: FakeQueueWorker;
  /** Services that receive client traffic directly. */
  entryPoints: FakeService[];
  /** Everything, in start order (dependencies first). */
  all: Array<{ start(): Promise<void>; stop(): Promise<void> }>;
}

export function buildEstate(): Estate {
  const ordersDb = new FakeService({ name: 'orders-db', baseLatencyMs: 1 });
  const pgExporter = new FakePostgresExporter(ordersDb);
  const part = (job: string, service: string, namespace: string, team: string, server: ScrapedPart['server']): ScrapedPart => ({
    job,
    labels: { service, namespace, team },
    server,
  });

  const euOrdersApi = new FakeService({ name: 'orders-api', calls: [ordersDb] });
  const euPayments = new FakeService({ name: 'payments-api' });
  const euCheckout = new FakeService({ name: 'checkout', calls: [euOrdersApi, euPayments] });
  const euBilling = new FakeService({ name: 'billing', calls: [ordersDb] });
  const search = new FakeService({ name: 'search', baseLatencyMs: 8 });
  const notificationsWorker = new FakeQueueWorker('order-confirmations');

  const usOrdersApi = new FakeService({ name: 'orders-api', calls: [ordersDb] });
  const usPayments = new FakeService({ name: 'payments-api' });
  const usCheckout = new FakeService({ name: 'checkout', calls: [usOrdersApi, usPayments] });

  const scraped: Estate['scraped'] = {
    [EU]: [
      part('postgres-exporter', 'orders-db', 'orders', 'orders', pgExporter),
      part('orders-api', 'orders-api', 'orders', 'orders', euOrdersApi),
      part('payments-api', 'payments-api', 'payments', 'payments', euPayments),
      part('checkout', 'checkout', 'payments', 'payments', euCheckout),
      part('billing', 'billing', 'billing', 'billing', euBilling),
      part('search', 'search', 'discovery', 'discovery', search),
      part('notifications-worker', 'notifications-worker', 'notifications', 'notifications', notificationsWorker),
    ],
    [US]: [
      part('orders-api', 'orders-api', 'orders', 'orders', usOrdersApi),
      part('payments-api', 'payments-api', 'payments', 'payments', usPayments),
      part('checkout', 'checkout', 'payments', 'payments', usCheckout),
    ],
  };
  return {
    scraped,
    ordersDb,
    search,
    notificationsWorker,
    entryPoints: [euCheckout, euBilling, search, usCheckout],
    all: [ordersDb, pgExporter, euPayments, usPayments, euOrdersApi, usOrdersApi, euCheckout, usCheckout, euBilling, search, notificationsWorker],
  };
}

/** The service catalog (config/services.yaml format): what the estate's owners declared. */
export const CATALOG = {
  services: [
    { name: 'checkout', team: 'payments', customerFacing: true, dependsOn: ['orders-api', 'payments-api'] },
    { name: 'payments-api', team: 'payments', customerFacing: true, dependsOn: [] },
    { name: 'orders-api', team: 'orders', customerFacing: false, dependsOn: ['orders-db', 'kafka'] },
    { name: 'orders-db', team: 'orders', customerFacing: false, dependsOn: [] },
    { name: 'billing', team: 'billing', customerFacing: false, dependsOn: ['orders-db'] },
    { name: 'search', team: 'discovery', customerFacing: true, dependsOn: ['search-index'] },
    { name: 'search-index', team: 'discovery', customerFacing: false, dependsOn: [] },
    { name: 'notifications-worker', team: 'notifications', customerFacing: false, dependsOn: ['kafka'] },
    { name: 'kafka', team: 'platform', customerFacing: false, dependsOn: [] },
  ],
};

export const catalogYaml = (): string =>
  `# Service catalog of the recorded scenario (tests/e2e/record/scenario.ts), in config/services.yaml format.\n${YAML.stringify(CATALOG)}`;

/**
 * Alerting rules as the teams would write them, with `for:` durations and rate windows cut
 * to fit a recording of minutes (production values in comments). Both clusters' Prometheus
 * servers load the same file; `cluster` comes from each server's external labels.
 */
export const RULES_YAML = `
groups:
  - name: service-red
    interval: 2s
    rules:
      - alert: HighErrorRate
        # production: rate(...[5m]), for: 5m
        expr: |
          sum by (service, namespace, team) (rate(http_requests_total{code=~"5.."}[1m]))
            / sum by (service, namespace, team) (rate(http_requests_total[1m])) > 0.05
        for: 30s
        labels: {severity: critical}
        annotations:
          summary: '{{ $labels.service }}: {{ $value | humanizePercentage }} of requests fail'
          description: 'More than 5% of requests to {{ $labels.service }} answered 5xx over the last minute.'
          runbook_url: 'https://runbooks.example.invalid/http/high-error-rate'
      - alert: HighLatency
        # production: rate(...[5m]), for: 10m
        expr: |
          histogram_quantile(0.99, sum by (le, service, namespace, team) (rate(http_request_duration_seconds_bucket[1m]))) > 0.5
        for: 30s
        labels: {severity: warning}
        annotations:
          summary: '{{ $labels.service }}: p99 latency {{ $value | humanizeDuration }}'
          runbook_url: 'https://runbooks.example.invalid/http/high-latency'
  - name: postgres
    interval: 2s
    rules:
      - alert: PostgresDown
        # production: for: 1m
        expr: pg_up == 0
        for: 20s
        labels: {severity: critical}
        annotations:
          summary: 'PostgreSQL {{ $labels.service }} is not answering its exporter'
          runbook_url: 'https://runbooks.example.invalid/postgres/down'
  - name: queues
    interval: 2s
    rules:
      - alert: QueueBacklogHigh
        # production: for: 5m
        expr: queue_messages_ready > 1000
        for: 15s
        labels: {severity: warning}
        annotations:
          summary: '{{ $labels.queue }} backlog at {{ $value }} messages'
          runbook_url: 'https://runbooks.example.invalid/queues/backlog'
`;

/**
 * Alertmanager routing as in a common production setup: warnings grouped per alert name and
 * cluster, critical alerts per team namespace and cluster; timers cut about tenfold
 * (production: 30s / 5m / 4h, critical 10s / 2m / 1h).
 */
export const ROUTING = {
  groupBy: ['alertname', 'cluster'],
  groupWait: '5s',
  groupInterval: '30s',
  repeatInterval: '3m',
  childRoutes: [
    { matchers: ['severity="critical"'], group_by: ['cluster', 'namespace'], group_wait: '2s', group_interval: '15s', repeat_interval: '90s' },
  ],
};

/** Scrape and rule evaluation interval of both Prometheus servers (production: 30s). */
export const SCRAPE_INTERVAL = '2s';

export interface Step {
  /** Seconds after the scenario starts. */
  at: number;
  what: string;
  act(estate: Estate): Promise<void> | void;
}

/** Backlog cycles of the flapping queue: above the threshold for 60 s, below for 45 s. */
const FLAP_CYCLES = 4;
const FLAP_HIGH_S = 60;
const FLAP_PERIOD_S = 105;

const FAULTS: Step[] = [
  { at: 45, what: `orders-db (${EU}) goes down: its callers in both clusters fail`, act: (e) => e.ordersDb.stop() },
  { at: 100, what: `search (${EU}) slows down on its own (unrelated to orders-db)`, act: (e) => { e.search.extraLatencyMs = 800; } },
  { at: 250, what: `search (${EU}) fast again`, act: (e) => { e.search.extraLatencyMs = 0; } },
  { at: 260, what: `orders-db (${EU}) is back`, act: (e) => e.ordersDb.start() },
];

export const TIMELINE: Step[] = [
  ...FAULTS,
  ...Array.from({ length: FLAP_CYCLES }, (_, i): Step[] => [
    { at: i * FLAP_PERIOD_S, what: `notifications-worker (${EU}) backlog above threshold, cycle ${i + 1}/${FLAP_CYCLES}`, act: (e) => e.notificationsWorker.setBacklog(1450) },
    { at: i * FLAP_PERIOD_S + FLAP_HIGH_S, what: `notifications-worker (${EU}) backlog drains, cycle ${i + 1}/${FLAP_CYCLES}`, act: (e) => e.notificationsWorker.setBacklog(120) },
  ]).flat(),
].sort((a, b) => a.at - b.at);

/** When the last fault is over; the recording then waits for every alert to resolve. */
export const SCENARIO_SECONDS = Math.max(...TIMELINE.map((step) => step.at));
