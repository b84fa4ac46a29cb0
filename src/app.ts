import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { connectorsById, type Connector } from '../connectors';
import type { Config, InstanceConfig } from './config/config.schema';
import { createGroupCorrelator } from './domain/correlation/correlator';
import { ApiAuthenticator } from './http/api-auth';
import { createHttpApp } from './http/create-app';
import { buildOpenApi } from './http/openapi';
import type { RouteDef } from './http/route';
import { inboxRoutes } from './http/routes/inbox-routes';
import { incidentRoutes } from './http/routes/incident-routes';
import { opsRoutes } from './http/routes/ops-routes';
import { webhookRoutes } from './http/routes/webhook-routes';
import { InboxProcessor } from './ingest/inbox-processor';
import { createMetrics } from './metrics';
import { openStore } from './store/open-store';
import type { Store } from './store/store';

export const VERSION = '0.1.0';

export interface DebriefOptions {
  config: Config;
  logger?: Logger;
  /** Injected clock for tests; production uses the wall clock. */
  clock?: () => Date;
  /** Use this store instead of opening `config.store.url` (tests, benchmarks). */
  store?: Store;
}

export interface Debrief {
  app: ReturnType<typeof createHttpApp>;
  store: Store;
  processor: InboxProcessor;
  routes: readonly RouteDef[];
  /** Starts HTTP and inbox processing; resolves with the bound URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Graceful stop: no new requests, finish inbox work, close the store. */
  close(): Promise<void>;
}

/** Wires config, store, connectors, processing and HTTP together. No module-level state. */
export async function createDebrief(options: DebriefOptions): Promise<Debrief> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.log.level, redact: ['req.headers.authorization', '*.token', '*.password'] });
  const clock = options.clock ?? (() => new Date());
  const store = options.store ?? openStore(config.store.url);
  await store.init();

  const instances = new Map<string, { config: InstanceConfig; connector: Connector }>();
  for (const inst of config.instances) {
    const connector = connectorsById.get(inst.connector);
    if (!connector) throw new Error(`instance ${inst.id}: unknown connector ${inst.connector}`);
    instances.set(inst.id, { config: inst, connector });
  }
  const view = { serviceLabels: config.impact.serviceLabels };
  const correlator = createGroupCorrelator({ windowMs: config.correlation.groupWindowMinutes * 60_000 });

  const metrics = createMetrics({
    inboxBacklog: async () => (await store.inboxCounts()).pending,
    deadLetters: async () => (await store.inboxCounts()).dead,
    openIncidents: () => store.countIncidents('open'),
  });
  const processor = new InboxProcessor({
    store, connectors: connectorsById, correlator, serviceLabels: config.impact.serviceLabels, metrics, logger,
    leaseMs: config.inbox.leaseSeconds * 1000, pollIntervalMs: config.inbox.pollIntervalMs, maxAttempts: config.inbox.maxAttempts, clock,
  });

  const routes: RouteDef[] = [];
  const openapi = () => buildOpenApi(routes, { version: VERSION });
  routes.push(
    ...webhookRoutes({ store, instances, connectors: [...connectorsById.values()], metrics, onStored: () => processor.kick(), clock }),
    ...incidentRoutes({ store, view, clock }),
    ...inboxRoutes({ store, clock, onRequeued: () => processor.kick() }),
    ...opsRoutes({ store, metrics, openapi }),
  );
  const app = createHttpApp({
    routes, auth: new ApiAuthenticator(config.api.tokens), metrics, logger, webhookBodyLimitBytes: config.server.webhookBodyLimitBytes,
  });

  let server: Server | null = null;
  return {
    app, store, processor, routes,
    async listen(port = config.server.port, host = config.server.host) {
      processor.start();
      server = createServer(app);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`;
    },
    async close() {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      await processor.stop();
      await store.close();
    },
  };
}
