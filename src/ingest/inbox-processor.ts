import type { ServiceLabels } from '../domain/service-naming';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { NormalizeError, type Connector, type Normalized } from '../../connectors/connector';
import { connectorsById } from '../../connectors';
import type { Config } from '../config/config.schema';
import { correlatorFromConfig } from '../config/correlator-from-config';
import type { ServiceCatalog } from '../domain/catalog/service-catalog';
import type { Correlator } from '../domain/correlation/correlator';
import { describeIgnored, ignorePolicyOf, partitionIgnored, type IgnoredAlert, type IgnorePolicy } from '../domain/ignored-alerts';
import { UnavailableError } from '../errors';
import type { Metrics } from '../metrics';
import type { PagingEvent } from '../domain/paging-event';
import type { TrackerIssueState } from '../domain/trackers/tracker';
import type { ChangeStore, InboxAlertsResult, InboxEntry, InboxStore, IncidentWrites, PagingRecordResult } from '../store/store';
import { stalledBefore, type InboxWatch } from './inbox-watchdog';
import { parseAndNormalize } from './parse-and-normalize';

export interface InboxProcessorDeps {
  store: Pick<InboxStore, 'claimInbox' | 'completeInbox' | 'failInbox'> & IncidentWrites & Pick<ChangeStore, 'recordChanges'>;
  connectors: ReadonlyMap<string, Connector>;
  correlator: Correlator;
  serviceLabels: ServiceLabels;
  /** Alerts left out of incidents (heartbeats, informational, `ignore.matchers`); absent: none. */
  ignore?: IgnorePolicy;
  metrics: Pick<Metrics, 'ingestToIncidentSeconds' | 'inboxFailures' | 'alertsIgnored'>;
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
  /**
   * Applies the issue states a tracker's webhook reported (GitHub Issues, Jira) to the linked
   * action items (tracker-states.ts) and resolves once they are written. Awaited before the
   * entry is marked done, like changes: a state is never lost between the inbox and the items,
   * and a failure leaves the entry to be retried (applying a state twice writes nothing).
   */
  applyTrackerStates?: (states: TrackerIssueState[]) => Promise<void>;
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
        const claimed = await this.deps.store.claimInbox(this.owner, this.deps.leaseMs, CLAIM_LIMIT, this.now());
        if (claimed.length === 0) return;
        for (const step of stepsOf(this.readEach(claimed))) {
          const started = Date.now();
          this.deps.watch?.begin(this.owner, Array.isArray(step) ? step.map((s) => s.entry.id) : [step.entry.id]);
          try {
            if (Array.isArray(step)) await this.recordAlerts(step);
            else if ('error' in step) await this.failed(step.entry, step.error);
            else await this.recordOne(step);
          } finally {
            this.deps.watch?.end();
          }
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

  /** Each claimed entry read when the runs reach it, not all up front. */
  private *readEach(claimed: readonly InboxEntry[]): Generator<ReadEntry> {
    for (const entry of claimed) yield this.read(entry);
  }

  /** The stored body, parsed and normalized; a body that cannot be read carries its error. */
  private read(entry: InboxEntry): ReadEntry {
    const connector = this.deps.connectors.get(entry.connector);
    // A step of its own for the watchdog: a body too slow to read is to blame alone.
    this.deps.watch?.begin(this.owner, [entry.id]);
    try {
      if (!connector) throw new NormalizeError(`no connector "${entry.connector}" is loaded`);
      return this.leaveOutIgnored(entry, parseAndNormalize(connector, entry.body, { instance: entry.instance, receivedAt: entry.receivedAt }));
    } catch (error) {
      return { entry, error };
    } finally {
      this.deps.watch?.end();
    }
  }

  /** Heartbeats and ignored alerts never reach correlation; the entry's outcome says which were left out. */
  private leaveOutIgnored(entry: InboxEntry, normalized: Normalized): NormalizedEntry {
    if (!this.deps.ignore || normalized.alerts.length === 0) return { entry, normalized, ignored: [] };
    const { kept, ignored } = partitionIgnored(normalized.alerts, this.deps.ignore, this.deps.serviceLabels);
    if (ignored.length === 0) return { entry, normalized, ignored };
    const said = describeIgnored(ignored);
    return { entry, normalized: { ...normalized, alerts: kept, ignoredReason: normalized.ignoredReason ? `${normalized.ignoredReason} ${said}` : said }, ignored };
  }

  /** Counted once the entry is recorded, so a retried entry is not counted twice. */
  private countIgnored(ignored: readonly IgnoredAlert[] = []): void {
    for (const { alertname, reason } of ignored) this.deps.metrics.alertsIgnored.inc({ alertname, reason });
  }

  private context() {
    return { correlator: this.deps.correlator, serviceLabels: this.deps.serviceLabels, now: this.now() };
  }

  /** A run of entries carrying only alerts: recorded and completed together (one commit in SQLite). */
  private async recordAlerts(run: NormalizedEntry[]): Promise<void> {
    let results: InboxAlertsResult[];
    try {
      results = await this.deps.store.recordInboxAlerts(
        run.map(({ entry, normalized }) => ({ id: entry.id, observations: normalized.alerts, outcome: outcomeOf(normalized) })),
        this.owner, this.context(),
      );
    } catch (err) {
      for (const { entry } of run) await this.failed(entry, err);
      return;
    }
    for (const [index, { entry, ignored }] of run.entries()) {
      const result = results[index] ?? { ok: false, error: new Error('not recorded') };
      if (result.ok) {
        this.countIgnored(ignored);
        this.deps.metrics.ingestToIncidentSeconds.observe((Date.now() - Date.parse(entry.receivedAt)) / 1000);
      } else await this.failed(entry, result.error);
    }
  }

  /** An entry with paging events or changes (and maybe alerts), on its own: its listener hears what was stored. */
  private async recordOne({ entry, normalized, ignored }: NormalizedEntry): Promise<void> {
    const { store, logger } = this.deps;
    try {
      if (normalized.alerts.length > 0) await store.recordObservations(normalized.alerts, { ...this.context(), inboxId: entry.id });
      // Changes touch no incident: they are linked to incidents when read.
      if (normalized.changes && normalized.changes.length > 0) await store.recordChanges(normalized.changes);
      if (normalized.pagingEvents.length > 0) {
        // Same context as alerts: a page links to incidents through the same correlator.
        const result = await store.recordPagingEvents(normalized.pagingEvents, { ...this.context(), inboxId: entry.id });
        try {
          this.deps.onPagingEvents?.(normalized.pagingEvents, result);
        } catch (err) {
          // The events are stored; a failing listener must not turn that into a retry.
          logger.warn({ inboxId: entry.id, err: errorInfo(err) }, 'paging event listener failed');
        }
      }
      if (normalized.trackerStates && normalized.trackerStates.length > 0) await this.deps.applyTrackerStates?.(normalized.trackerStates);
      await store.completeInbox(entry.id, this.owner, outcomeOf(normalized), this.now());
      this.countIgnored(ignored);
      this.deps.metrics.ingestToIncidentSeconds.observe((Date.now() - Date.parse(entry.receivedAt)) / 1000);
    } catch (err) {
      await this.failed(entry, err);
    }
  }

  private async failed(entry: InboxEntry, err: unknown): Promise<void> {
    const { store, logger, metrics } = this.deps;
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

/** Entries claimed per pass; a run of alert-only entries among them is written in one transaction. */
const CLAIM_LIMIT = 20;

/** `ignored`: the alerts processing left out (`leaveOutIgnored`). */
type NormalizedEntry = { entry: InboxEntry; normalized: Normalized; ignored?: IgnoredAlert[] };
type ReadEntry = NormalizedEntry | { entry: InboxEntry; error: unknown };

const outcomeOf = (normalized: Normalized) => ({ alerts: normalized.alerts.length, ignoredReason: normalized.ignoredReason });

/**
 * Claimed entries in the order they are handled: consecutive entries carrying only alerts as one
 * run, every other entry (unreadable, with paging events, or in a run the watchdog stopped:
 * `stalledBefore`) on its own. Claim order is kept. A run ends before it would hold more than
 * `RUN_ALERT_LIMIT` alerts, and entries are read only as the runs need them, so the alerts held
 * in memory at once stay bounded whatever the bodies' size (a run of twenty bodies of 1,000
 * alerts each doubled the worker's memory).
 */
export function* stepsOf(read: Iterable<ReadEntry>): Generator<NormalizedEntry[] | ReadEntry> {
  let run: NormalizedEntry[] = [];
  let alertsInRun = 0;
  for (const item of read) {
    if ('normalized' in item && item.normalized.pagingEvents.length === 0 && !item.normalized.changes?.length && !item.normalized.trackerStates?.length
      && !stalledBefore(item.entry)) {
      const alerts = item.normalized.alerts.length;
      if (run.length > 0 && alertsInRun + alerts > RUN_ALERT_LIMIT) {
        yield run;
        run = [];
        alertsInRun = 0;
      }
      run.push(item);
      alertsInRun += alerts;
      continue;
    }
    if (run.length > 0) yield run;
    run = [];
    alertsInRun = 0;
    yield item;
  }
  if (run.length > 0) yield run;
}

/** Most alerts written in one run (one transaction); a single larger entry is a run of its own. */
export const RUN_ALERT_LIMIT = 1000;

export const errorInfo = (err: unknown) => (err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) });

/**
 * The inbox processor a configuration describes: connectors, correlator and service naming from
 * the config and catalog. The one way to build it, in this thread (app.ts) and in the inbox
 * worker (inbox-worker.ts), so both process alike.
 */
export function buildInboxProcessor(
  config: Pick<Config, 'correlation' | 'impact' | 'inbox' | 'ignore'>,
  catalog: ServiceCatalog,
  deps: Pick<InboxProcessorDeps, 'store' | 'metrics' | 'logger' | 'clock' | 'breathe' | 'onPagingEvents' | 'applyTrackerStates' | 'watch'>,
): InboxProcessor {
  return new InboxProcessor({
    ...deps,
    connectors: connectorsById,
    correlator: correlatorFromConfig(config, catalog),
    serviceLabels: catalog.naming(config.impact.serviceLabels),
    ignore: ignorePolicyOf(config.ignore),
    leaseMs: config.inbox.leaseSeconds * 1000,
    pollIntervalMs: config.inbox.pollIntervalMs,
    maxAttempts: config.inbox.maxAttempts,
  });
}
