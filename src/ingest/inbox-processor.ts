import type { ServiceLabels } from '../domain/service-naming';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { NormalizeError, type Connector } from '../../connectors/connector';
import { connectorsById } from '../../connectors';
import type { Config } from '../config/config.schema';
import { correlatorFromConfig } from '../config/correlator-from-config';
import type { ServiceCatalog } from '../domain/catalog/service-catalog';
import type { Correlator } from '../domain/correlation/correlator';
import { UnavailableError } from '../errors';
import type { Metrics } from '../metrics';
import type { PagingEvent } from '../domain/paging-event';
import type { InboxEntry, InboxStore, IncidentWrites, PagingRecordResult } from '../store/store';
import type { InboxWatch } from './inbox-watchdog';
import { parseAndNormalize } from './parse-and-normalize';

export interface InboxProcessorDeps {
  store: Pick<InboxStore, 'claimInbox' | 'completeInbox' | 'failInbox'> & IncidentWrites;
  connectors: ReadonlyMap<string, Connector>;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  metrics: Metrics;
  logger: Logger;
  leaseMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  clock?: () => Date;
  /** Awaited between entries with the last entry's duration (ms): lets waiting webhooks go first. */
  breathe?: (lastEntryMs: number) => Promise<void>;
  /**
   * Called after a batch of paging events (PagerDuty) is stored, with what the store did;
   * background enrichment hangs here. Called synchronously: it must return at once (queue work).
   */
  onPagingEvents?: (events: PagingEvent[], result: PagingRecordResult) => void;
  /** Told which entries each step works on, so a step over its time limit can be stopped (inbox-watchdog.ts). */
  watch?: InboxWatch;
}

/**
 * Turns inbox entries into alerts and incidents. Runs in every Debrief process: entries are
 * claimed with a lease, so exactly one process handles each, and entries left by a crashed
 * process are picked up once their lease expires. A body that cannot be normalized becomes a
 * dead letter with its reason; nothing is dropped.
 */
export class InboxProcessor {
  private readonly owner = `debrief-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: InboxProcessorDeps) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Processes what is pending now; coalesces concurrent kicks into one extra pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Waits for the current pass (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const batch = await this.deps.store.claimInbox(this.owner, this.deps.leaseMs, 20, this.now());
        if (batch.length === 0) return;
        for (const entry of batch) {
          const started = Date.now();
          this.deps.watch?.begin(this.owner, [entry.id]);
          await this.process(entry).finally(() => this.deps.watch?.end());
          // Store calls resolve without real I/O waits (better-sqlite3 is synchronous), so
          // without this the whole backlog would be processed in one turn of the event loop,
          // holding webhooks (and their 202s) until it is empty. See IngestPressure.
          await (this.deps.breathe?.(Date.now() - started) ?? new Promise<void>((resolve) => setImmediate(resolve)));
        }
        if (this.stopped) return;
      }
    } catch (err) {
      this.deps.logger.error({ err: errorInfo(err) }, 'inbox pass failed; will retry');
    }
  }

  private async process(entry: InboxEntry): Promise<void> {
    const { store, logger, metrics } = this.deps;
    const connector = this.deps.connectors.get(entry.connector);
    try {
      if (!connector) throw new NormalizeError(`no connector "${entry.connector}" is loaded`);
      const normalized = parseAndNormalize(connector, entry.body, { instance: entry.instance, receivedAt: entry.receivedAt });
      if (normalized.alerts.length > 0) {
        await store.recordObservations(normalized.alerts, {
          correlator: this.deps.correlator,
          serviceLabels: this.deps.serviceLabels,
          now: this.now(),
          inboxId: entry.id,
        });
      }
      if (normalized.pagingEvents.length > 0) {
        // Same context as alerts: a page links to incidents through the same correlator.
        const result = await store.recordPagingEvents(normalized.pagingEvents, {
          correlator: this.deps.correlator,
          serviceLabels: this.deps.serviceLabels,
          now: this.now(),
          inboxId: entry.id,
        });
        try {
          this.deps.onPagingEvents?.(normalized.pagingEvents, result);
        } catch (err) {
          // The events are stored; a failing listener must not turn that into a retry.
          logger.warn({ inboxId: entry.id, err: errorInfo(err) }, 'paging event listener failed');
        }
      }
      await store.completeInbox(entry.id, this.owner, { alerts: normalized.alerts.length, ignoredReason: normalized.ignoredReason }, this.now());
      metrics.ingestToIncidentSeconds.observe((Date.now() - Date.parse(entry.receivedAt)) / 1000);
    } catch (err) {
      // A store fault (locked, read-only, full, I/O error) says nothing about the entry: it is
      // retried after its lease like any failure, but never becomes a dead letter for it, however
      // long the fault lasts (claims count attempts even when the store then fails).
      const storeFault = err instanceof UnavailableError;
      const dead = !storeFault && (err instanceof NormalizeError || err instanceof SyntaxError || entry.attempts >= this.deps.maxAttempts);
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      logger.warn({ inboxId: entry.id, attempts: entry.attempts, dead, reason }, dead ? 'inbox entry kept as dead letter' : 'inbox entry failed; will retry');
      metrics.inboxFailures.inc({ outcome: dead ? 'dead' : 'retry' });
      await store.failInbox(entry.id, this.owner, reason, dead, this.now());
    }
  }
}

export const errorInfo = (err: unknown) => (err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) });

/**
 * The inbox processor a configuration describes: connectors, correlator and service naming from
 * the config and catalog. The one way to build it, in this thread (app.ts) and in the inbox
 * worker (inbox-worker.ts), so both process alike.
 */
export function buildInboxProcessor(
  config: Pick<Config, 'correlation' | 'impact' | 'inbox'>,
  catalog: ServiceCatalog,
  deps: Pick<InboxProcessorDeps, 'store' | 'metrics' | 'logger' | 'clock' | 'breathe' | 'onPagingEvents' | 'watch'>,
): InboxProcessor {
  return new InboxProcessor({
    ...deps,
    connectors: connectorsById,
    correlator: correlatorFromConfig(config, catalog),
    serviceLabels: catalog.naming(config.impact.serviceLabels),
    leaseMs: config.inbox.leaseSeconds * 1000,
    pollIntervalMs: config.inbox.pollIntervalMs,
    maxAttempts: config.inbox.maxAttempts,
  });
}
