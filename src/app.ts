import { createServer, type Server } from 'node:http';
import { createLogger } from './logger';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { connectorsById } from '../connectors';
import type { Config } from './config/config.schema';
import { loadServiceCatalog } from './config/load-service-catalog';
import type { ServiceCatalog } from './domain/catalog/service-catalog';
import type { Correlator } from './domain/correlation/correlator';
import { correlatorFromConfig } from './config/correlator-from-config';
import { catalogRoutes } from './http/routes/catalog-routes';
import { incidentFilterRoutes } from './http/routes/incident-filter-routes';
import { correctionRoutes } from './http/routes/correction-routes';
import { declarationRoutes } from './http/routes/declaration-routes';
import { ApiAuthenticator } from './http/api-auth';
import { ConnectionTracker } from './http/connection-tracker';
import { createHttpApp } from './http/create-app';
import { buildOpenApi } from './http/openapi';
import type { RouteDef } from './http/route';
import { inboxRoutes } from './http/routes/inbox-routes';
import { incidentRoutes } from './http/routes/incident-routes';
import { actionItemRoutes } from './http/routes/action-item-routes';
import { reportRoutes } from './http/routes/report-routes';
import { exportRoutes } from './http/routes/export-routes';
import { searchRoutes } from './http/routes/search-routes';
import { statsRoutes } from './http/routes/stats-routes';
import { statusRoutes } from './http/routes/status-routes';
import { OutboundNotifier } from './integrations/outbound-notifier';
import { SlackWebApi } from './integrations/slack/slack-web-api';
import { ChatImportService } from './services/chat-import';
import { withKeptChat } from './services/chat-on-timeline';
import { chatRoutes } from './http/routes/chat-routes';
import { PrometheusSnapshotter } from './integrations/prometheus-snapshot';
import { prometheusConnection } from './integrations/prometheus-api';
import { PrometheusRules } from './integrations/prometheus-rules';
import { IncidentAlertRules } from './integrations/incident-alert-rules';
import { withLinkedChanges } from './services/change-linking';
import { withIncidentHistory } from './services/incident-history';
import { StatsService } from './services/stats-service';
import { CorrectionService } from './services/correction-service';
import { DeclarationService } from './services/declaration-service';
import { ReportCarryOver } from './services/report-carry-over';
import { ReportService } from './services/report-service';
import { PeopleTold } from './services/people-told';
import { OverdueActionItems } from './services/overdue-action-items';
import { createTrackerFollowThrough, type TrackerFollowThrough } from './services/tracker-follow-through';
import type { ReportStore } from './store/report-store';
import { opsRoutes } from './http/routes/ops-routes';
import { meRoutes } from './http/routes/me-routes';
import { webRoutes } from './http/routes/web-routes';
import { webhookRoutes } from './http/routes/webhook-routes';
import type { ConnectorInstance } from './ingest/accept-webhook';
import { buildInboxProcessor } from './ingest/inbox-processor';
import { inboxWorkerRunnable, WorkerInboxProcessor, type InboxProcessing } from './ingest/inbox-worker';
import { giveWayOf, IngestPressure } from './ingest/ingest-pressure';
import { createReconciliation, type Reconciliation } from './integrations/alertmanager-reconciler';
import { createPagerDutyIntegration, type PagerDutyIntegration } from './integrations/pagerduty-enrichment';
import { createOutboundClients } from './integrations/outbound-clients';
import { createMetrics, registerOverdueGauge, registerStatsGauges } from './metrics';
import { drainInbox, gracefulStopper } from './shutdown';
import { openStores } from './store/open-stores';
import type { Store } from './store/store';
import type { DeliveryStore } from './store/delivery-store';
import type { RememberedLinkStore } from './store/remembered-link-store';
import type { SearchStore } from './store/search-store';
import type { Metrics } from './metrics';
import type { IncidentViewOptions } from './domain/incident-report';
import type { ServiceNaming } from './domain/service-naming';
import type { OpenAPIV3_1 } from 'openapi-types';

export const VERSION = '0.1.0';

export interface DebriefOptions {
  config: Config;
  logger?: Logger;
  /** Injected clock for tests; production uses the wall clock. */
  clock?: () => Date;
  /** Use this store instead of opening `config.store.url` (tests, benchmarks). */
  store?: Store;
  /** Use this report store instead of the one beside `store` (tests). */
  reportStore?: ReportStore;
  /** Use this service catalog instead of reading `catalog.file` (tests, benchmarks). */
  catalog?: ServiceCatalog;
}

export interface Debrief {
  app: ReturnType<typeof createHttpApp>;
  store: Store;
  /** In this thread, or in a worker thread (`inbox.worker`, SQLite files); `idle()` works for both. */
  processor: InboxProcessing;
  /** Report use cases (read/complete/publish, action items); `onPublished` for notifications. */
  reports: ReportService;
  reportStore: ReportStore;
  /** Signed notifications on publish and notices to people; `idle()` waits for in-flight deliveries (tests). */
  notifier: OutboundNotifier;
  /** Notices to people (`notify.*`): on submit and publish, and a periodic check started by `listen`. */
  peopleTold: PeopleTold;
  routes: readonly RouteDef[];
  /** The correlator built from `correlation.*` and the catalog (backtests reuse it). */
  correlator: Correlator;
  catalog: ServiceCatalog;
  /** PagerDuty REST client, paging-event store path and background enrichment (client/enrichment null without a REST token). */
  pagerduty: PagerDutyIntegration;
  /** Alertmanager reconciliation: one reconciler per `reconcile.alertmanager` entry (started by `listen`). */
  reconciliation: Reconciliation;
  /** Action items in the team's tracker: the tracker registry, "create in tracker", states flowing back, the reconcile (started by `listen`). */
  followThrough: TrackerFollowThrough;
  /** Starts HTTP and inbox processing; resolves with the bound URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful stop: no new connections, answer requests already received (connections still
   * sending theirs are cut after `incompleteRequestGraceMs`, default 2 s), finish inbox work,
   * close the store.
   */
  close(options?: { drainInboxMs?: number; incompleteRequestGraceMs?: number }): Promise<void>;
}

/** Wires config, store, connectors, processing and HTTP together. No module-level state. */
export async function createDebrief(options: DebriefOptions): Promise<Debrief> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.log.level);
  const clock = options.clock ?? (() => new Date());
  // Opened, decorated for their engine (faults become 503s, group commit) and initialised in one place.
  const stores = await openStores(config.store, { store: options.store, reports: options.reportStore });
  const { store, reports: reportStore, deliveries: deliveryStore } = stores;

  const instances = connectorInstances(config);
  const catalog = (options.catalog ?? loadServiceCatalog(config.catalog.file)).withPagerDutyServices(config.pagerduty.serviceMap);
  // Which service an alert names, with the catalog's label-set matches: one answer for every part of Debrief.
  const naming = catalog.naming(config.impact.serviceLabels);
  const view = { serviceLabels: naming, customerFacing: (service: string) => catalog.customerFacing(service) };
  const correlator = correlatorFromConfig(config, catalog);

  const metrics = createMetrics({
    inboxBacklog: async () => (await store.inboxBacklog()).pending,
    deadLetters: async () => (await store.inboxBacklog()).dead,
    openIncidents: () => store.countIncidents('open'),
    walFiles: stores.walFiles,
  });
  // Every outbound call goes through one resilient client per target: timeout, retries, circuit, metrics.
  const outboundClients = createOutboundClients(config, metrics.registry);
  // PagerDuty enrichment and Alertmanager reconciliation; both off unless configured.
  const pagerduty = createPagerDutyIntegration({
    settings: config.pagerduty, store, correlator, serviceLabels: naming, logger, clock,
    http: outboundClients.pagerduty, serviceForPagerDuty: (id, name) => catalog.serviceForPagerDuty(id, name),
  });
  const reconciliation = createReconciliation({
    targets: config.reconcile.alertmanager, instances: new Map(config.instances.map((instance) => [instance.id, instance.connector])),
    store, correlator, serviceLabels: naming, logger, clock,
    clientFor: (instance) => outboundClients.alertmanager(instance),
  });
  // Action items in the team's tracker; issue states from trackers' webhooks are applied here.
  const followThrough = createTrackerFollowThrough({ config, clients: outboundClients, reports: reportStore, store, clock, logger });
  const applyTrackerStates = async (states: Parameters<TrackerFollowThrough['states']['apply']>[0]) => { await followThrough.states.apply(states); };
  // Webhooks first: processing gives way while senders wait for their 202 (ingest-pressure.ts).
  const pressure = new IngestPressure(giveWayOf(config.inbox.ingestPriority));
  // A worker needs a database file it can open itself, and must be able to rebuild what the
  // in-thread processor is handed: an injected catalog or clock (tests) keeps processing here.
  const processor: InboxProcessing = config.inbox.worker && stores.workerFile && !options.catalog && !options.clock && inboxWorkerRunnable()
    ? new WorkerInboxProcessor({ config, file: stores.workerFile, store, metrics, logger, pressure, onPagingEvents: (events, result) => pagerduty.enrichment?.notice(events, result), applyTrackerStates })
    : buildInboxProcessor(config, catalog, {
      store, metrics, logger, clock, breathe: (ms) => pressure.breathe(ms),
      onPagingEvents: (events, result) => pagerduty.enrichment?.notice(events, result), applyTrackerStates,
    });

  // One reader of the rules behind an incident's alerts, one request per incident revision:
  // metric snapshots confirm expressions with it, report drafts read how long each rule waits
  // before firing (the drafted impact start).
  const prometheusRules = config.prometheus.baseUrl
    ? new PrometheusRules(prometheusConnection(config.prometheus.baseUrl, config.prometheus.timeoutMs, outboundClients.prometheus))
    : null;
  const alertRules = prometheusRules ? new IncidentAlertRules({ rules: prometheusRules, refreshSeconds: config.prometheus.refreshSeconds }) : undefined;
  // A merge's report carry-over is recorded before the merge and finished at start-up or on
  // the next read of the target's report when it was interrupted (report-carry-over.ts).
  const carryOver = new ReportCarryOver({ store, reports: reportStore, clock, logger });
  // Incident reads for people come with the changes linked to them (timeline, draft, exports).
  // ...and with the chat messages people kept on their timeline.
  const readStore = withKeptChat(withLinkedChanges(store, { store, catalog, windowMinutes: config.changes.windowMinutes, clock }), stores.chat);
  const reports = new ReportService({
    // Its drafts also name earlier incidents like this one ("this happened before").
    store: withIncidentHistory(readStore, { store, reports: reportStore, clock }), reports: reportStore, view, clock, logger,
    policy: config.reports.policy, carryOver, alertRules,
  });
  const corrections = new CorrectionService({ store, correlator, serviceLabels: naming, clock, carryOver, links: stores.links });
  const declarations = new DeclarationService({ store, correlator, serviceLabels: naming, clock });

  // Exports, statistics, status page and outbound notifications.
  const slack = config.slack.botToken ? new SlackWebApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, client: outboundClients.slack }) : null;
  const chat = new ChatImportService({
    slack, chat: stores.chat, incidents: store, clock, preselectEmoji: config.slack.preselectEmoji,
    marginMinutes: config.slack.importMarginMinutes, maxMessages: config.slack.maxImportMessages,
  });
  const notifier = new OutboundNotifier({
    slack,
    targets: config.outbound.webhooks, peopleTargets: config.notify.targets, store: deliveryStore, logger, clock, publicUrl: config.status.publicUrl,
    maxAttempts: config.outbound.maxAttempts, baseDelayMs: config.outbound.baseDelayMs, maxDelayMs: config.outbound.maxDelayMs, timeoutMs: config.outbound.timeoutMs,
    clientFor: (target) => outboundClients.outbound(target.name),
  });
  reports.onPublished(async (published) => {
    if (notifier.targetCount > 0) await notifier.notifyPublished(published);
  });
  const teamsOf = (services: readonly string[]) => [...new Set(services.map((service) => catalog.get(service)?.team).filter((team): team is string => !!team))];
  const overdue = new OverdueActionItems({ reports: reportStore, store, teamsOf, clock });
  registerOverdueGauge(metrics.registry, () => overdue.listing(), config.stats.gaugeCacheSeconds);
  const peopleTold = new PeopleTold({
    notifier, targets: config.notify.targets, routing: { teams: config.notify.teams, publishers: config.notify.publishers },
    teamsOf,
    publicUrl: config.status.publicUrl, store, reports, reportStore, clock, logger,
    draftWaitingDays: config.notify.draftWaitingDays, lookbackDays: config.notify.lookbackDays,
    slackChannelOf: (team) => catalog.slackChannelOf(team), slackFallbackChannel: config.slack.fallbackChannel,
  });
  if (peopleTold.enabled) reports.onTransitioned((transition) => peopleTold.onTransition(transition));
  const stats = new StatsService({ store, reports: reportStore, clock });
  registerStatsGauges(metrics.registry, () => stats.recent(config.stats.gaugeWindowDays, config.stats.gaugeCacheSeconds));
  const snapshotter = config.prometheus.baseUrl && alertRules
    ? new PrometheusSnapshotter({ ...config.prometheus, baseUrl: config.prometheus.baseUrl, client: outboundClients.prometheus, incidentRules: alertRules })
    : null;

  const routes: RouteDef[] = [];
  routes.push(...routeTable({
    config, instances, metrics, pressure, processor, clock, store, readStore, reportStore, deliveryStore, view, naming, catalog, links: stores.links, search: stores.search, reports, corrections, declarations, chat, stats, snapshotter,
    trackerIssues: followThrough.issues, overdue, storeHealth: stores.health, openapi: () => buildOpenApi(routes, { version: VERSION }),
  }));
  const app = createHttpApp({
    routes, auth: new ApiAuthenticator(config.api.tokens), metrics, logger, webhookBodyLimitBytes: config.server.webhookBodyLimitBytes,
    security: config.security, beforeRead: () => pressure.giveWayToWebhooks(),
  });

  return {
    app, store, processor, reports, reportStore, notifier, peopleTold, routes, correlator, catalog, pagerduty, reconciliation, followThrough,
    ...lifecycle({ config, app, logger, metrics, processor, store, carryOver, reconciliation, pagerduty, notifier, peopleTold, followThrough }),
  };
}

/** The configured webhook endpoints, each with its connector and credential check. */
function connectorInstances(config: Config): Map<string, ConnectorInstance> {
  const instances = new Map<string, ConnectorInstance>();
  for (const inst of config.instances) {
    const connector = connectorsById.get(inst.connector);
    if (!connector) throw new Error(`instance ${inst.id}: unknown connector ${inst.connector}`);
    // Checked against this connector's own credential schema when the configuration was loaded.
    const { credentials } = inst;
    instances.set(inst.id, { id: inst.id, connector, authenticate: (request) => connector.authenticate(request, credentials) });
  }
  return instances;
}

interface RouteParts {
  config: Config;
  instances: Map<string, ConnectorInstance>;
  metrics: Metrics;
  pressure: IngestPressure;
  processor: InboxProcessing;
  clock: () => Date;
  store: Store;
  /** `store` whose incident reads carry their linked changes (change-linking.ts). */
  readStore: Store;
  reportStore: ReportStore;
  deliveryStore: DeliveryStore;
  view: IncidentViewOptions;
  naming: ServiceNaming;
  catalog: ServiceCatalog;
  links: RememberedLinkStore;
  search: SearchStore;
  reports: ReportService;
  corrections: CorrectionService;
  declarations: DeclarationService;
  chat: ChatImportService;
  stats: StatsService;
  snapshotter: PrometheusSnapshotter | null;
  trackerIssues: TrackerFollowThrough['issues'];
  overdue: OverdueActionItems;
  storeHealth: () => string | null;
  openapi: () => OpenAPIV3_1.Document;
}

/** Every route, each given only what it uses. */
function routeTable(p: RouteParts): RouteDef[] {
  return [
    ...webhookRoutes({
      intake: {
        store: p.store, instances: p.instances, metrics: p.metrics, onStored: () => p.processor.kick(), pressure: p.pressure,
        jsonLimits: { maxDepth: p.config.security.jsonMaxDepth, maxKeys: p.config.security.webhookJsonMaxKeys },
      },
      connectors: [...connectorsById.values()], clock: p.clock,
    }),
    ...incidentRoutes({ store: p.readStore, view: p.view, clock: p.clock, reports: p.reports, catalog: p.catalog, links: p.links }),
    ...correctionRoutes({ corrections: p.corrections }),
    ...catalogRoutes({ catalog: p.catalog, links: p.links }),
    ...incidentFilterRoutes({ store: p.store, catalog: p.catalog }),
    ...declarationRoutes({ declarations: p.declarations }),
    ...chatRoutes({ chat: p.chat }),
    ...reportRoutes({ reports: p.reports }),
    ...actionItemRoutes({ reports: p.reports, trackerIssues: p.trackerIssues, overdue: p.overdue }),
    ...exportRoutes({ store: p.readStore, reports: p.reports, snapshots: p.snapshotter, deliveries: p.deliveryStore, serviceLabels: p.naming, clock: p.clock }),
    ...statsRoutes({ stats: p.stats, clock: p.clock }),
    ...searchRoutes({ search: p.search }),
    ...statusRoutes({ published: p.reportStore, title: p.config.status.title, publicUrl: p.config.status.publicUrl, clock: p.clock }),
    ...inboxRoutes({ store: p.store, clock: p.clock, onRequeued: () => p.processor.kick() }),
    ...opsRoutes({ store: p.store, storeHealth: p.storeHealth, metrics: p.metrics, openapi: p.openapi }),
    // The pages for engineers and SREs (HTML shells + assets) and who-am-I for them.
    ...meRoutes(),
    ...webRoutes({ reportStore: p.reportStore }),
  ];
}

interface LifecycleParts {
  config: Config;
  app: ReturnType<typeof createHttpApp>;
  logger: Logger;
  metrics: Metrics;
  processor: InboxProcessing;
  store: Store;
  carryOver: ReportCarryOver;
  reconciliation: Reconciliation;
  pagerduty: PagerDutyIntegration;
  notifier: OutboundNotifier;
  peopleTold: PeopleTold;
  followThrough: TrackerFollowThrough;
}

/** Starting and stopping, in the order that loses nothing: see `Debrief.listen` and `Debrief.close`. */
function lifecycle(p: LifecycleParts): Pick<Debrief, 'listen' | 'close'> {
  let server: Server | null = null;
  let stopServer: ReturnType<typeof gracefulStopper> | null = null;
  const { logger } = p;
  return {
    async listen(port = p.config.server.port, host = p.config.server.host) {
      // Merge carry-overs a previous process left unfinished (its failures are logged and retried on read).
      await p.carryOver.resume().catch((err: unknown) => logger.error({ err: { message: (err as Error)?.message } }, 'resuming merge carry-overs failed'));
      p.processor.start();
      for (const reconciler of p.reconciliation.reconcilers) reconciler.start();
      p.followThrough.reconciler.start();
      // Notifications a previous process left pending (crash, restart mid-retry) are sent now.
      void p.notifier.resumePending().catch((err: unknown) => logger.error({ err: { message: (err as Error)?.message } }, 'resuming outbound deliveries failed'));
      // Required post-mortems, waiting drafts and overdue action items, now and on every interval.
      p.peopleTold.start(p.config.notify.checkIntervalSeconds);
      server = createServer(p.app);
      // Connections are capped and tracked from the first one (a stop cuts those still sending a request).
      const connections = new ConnectionTracker(server, {
        maxConnections: p.config.server.maxConnections, onShed: (reason) => p.metrics.httpConnectionsShed.inc({ reason }),
      });
      stopServer = gracefulStopper(server, connections);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`;
    },
    async close(closeOptions: { drainInboxMs?: number; incompleteRequestGraceMs?: number } = {}) {
      if (stopServer) await stopServer({ incompleteGraceMs: closeOptions.incompleteRequestGraceMs });
      await Promise.all(p.reconciliation.reconcilers.map((reconciler) => reconciler.stop()));
      await p.followThrough.reconciler.stop();
      if (closeOptions.drainInboxMs) await drainInbox(p.processor, p.store, closeOptions.drainInboxMs);
      await p.processor.stop();
      await p.pagerduty.enrichment?.stop();
      await p.peopleTold.stop();
      await p.notifier.close();
      await p.store.close();
    },
  };
}

