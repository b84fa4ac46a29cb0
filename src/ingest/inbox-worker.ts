import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createLogger } from '../logger';
import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import { loadServiceCatalog } from '../config/load-service-catalog';
import type { PagingEvent } from '../domain/paging-event';
import type { Metrics } from '../metrics';
import { openWorkerStore } from '../store/open-stores';
import type { InboxStore, PagingRecordResult } from '../store/store';
import type { TrackerIssueState } from '../domain/trackers/tracker';
import { buildInboxProcessor, errorInfo } from './inbox-processor';
import { InboxWatchdog, StepBeacon } from './inbox-watchdog';
import { giveWayOf, IngestPressure } from './ingest-pressure';

/**
 * Inbox processing in a worker thread, so turning stored webhooks into alerts and incidents
 * no longer competes with accepting webhooks on the HTTP event
 * loop. The worker has its own SQLite connections: it reads the inbox file, which only the main
 * thread's appends write, and writes the store file (sqlite-inbox.ts), so accepting and
 * processing never wait for each other's write lock. All the worker writes is derived from
 * stored bodies, so its connection commits at `synchronous=NORMAL`, as the in-thread processor
 * does (sqlite-commit-policy.ts, point 2). Metrics and paging events go back to the main
 * thread as messages; the worker rebuilds connectors, catalog and correlator from the config.
 */

/** The compiled file of this module; a worker can only run it when it is JavaScript. */
export const INBOX_WORKER_FILE = __filename;
export const inboxWorkerRunnable = (): boolean => INBOX_WORKER_FILE.endsWith('.js');

/** What app.ts and shutdown.ts need from inbox processing, in this thread or in a worker. */
export interface InboxProcessing {
  start(): void;
  kick(): void;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface WorkerInput { kind: 'debrief-inbox-worker'; config: Config; file: string; pressure: SharedArrayBuffer; beacon: SharedArrayBuffer }

type ToWorker =
  | { type: 'kick' } | { type: 'idle'; id: number } | { type: 'stop'; id: number }
  | { type: 'tracker-applied'; id: number; error: string | null };
type FromWorker =
  | { type: 'done'; id: number }
  | { type: 'ingestToIncident'; seconds: number }
  | { type: 'inboxFailure'; outcome: string }
  | { type: 'alertIgnored'; alertname: string; reason: string }
  | { type: 'paging'; events: PagingEvent[]; result: PagingRecordResult }
  | { type: 'tracker'; id: number; states: TrackerIssueState[] };

export interface WorkerInboxProcessorDeps {
  config: Config;
  /** The SQLite database file (not `:memory:`). */
  file: string;
  metrics: Pick<Metrics, 'ingestToIncidentSeconds' | 'inboxFailures' | 'alertsIgnored'>;
  logger: Logger;
  onPagingEvents?: (events: PagingEvent[], result: PagingRecordResult) => void;
  /**
   * Applies issue states a tracker's webhook reported to the action items, in this thread (the
   * report store lives here); the worker waits for the answer before it marks the entry done.
   */
  applyTrackerStates?: (states: TrackerIssueState[]) => Promise<void>;
  /** The HTTP thread's webhook pressure: the worker gives way to waiting webhooks, as in-thread processing does. */
  pressure: IngestPressure;
  /** The main thread's store: a step stopped by the watchdog is recorded here (inbox-watchdog.ts). */
  store: Pick<InboxStore, 'failInbox'>;
}

/** Main-thread side: starts the worker, forwards kicks, answers idle/stop across the boundary. */
export class WorkerInboxProcessor implements InboxProcessing {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();
  private kickQueued = false;
  private stopped = true;
  private readonly beacon = new StepBeacon();
  private readonly watchdog: InboxWatchdog;

  constructor(private readonly deps: WorkerInboxProcessorDeps) {
    this.watchdog = new InboxWatchdog({
      beacon: this.beacon, limitMs: deps.config.inbox.entryTimeoutSeconds * 1000,
      store: deps.store, metrics: deps.metrics, logger: deps.logger,
      stopWorker: async () => { await this.worker?.terminate(); },
    });
  }

  start(): void {
    this.stopped = false;
    this.spawn();
    this.watchdog.start();
  }

  private spawn(): void {
    const input: WorkerInput = {
      kind: 'debrief-inbox-worker', config: this.deps.config, file: this.deps.file,
      pressure: this.deps.pressure.inFlight.buffer as SharedArrayBuffer, beacon: this.beacon.buffer,
    };
    // A young generation of 16 MB instead of V8's default for a thread (up to 48 MB, grown
    // while processing a large backlog and kept afterwards): far less resident memory after a
    // large backlog, at the same processing speed (bench/ingest/RESULTS.md).
    const worker = new Worker(INBOX_WORKER_FILE, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    this.worker = worker;
    worker.on('message', (message: FromWorker) => this.onMessage(message, worker));
    worker.on('error', (err) => this.deps.logger.error({ err: errorInfo(err) }, 'inbox worker failed'));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      for (const resolve of this.waiting.values()) resolve();
      this.waiting.clear();
      if (!this.stopped) {
        // Accepted bodies are stored; a new worker picks them up (and expired leases) again.
        this.deps.logger.error({ code }, 'inbox worker exited; restarting it');
        setTimeout(() => { if (!this.stopped && !this.worker) this.spawn(); }, 1000).unref();
      }
    });
  }

  private onMessage(message: FromWorker, from: Worker): void {
    switch (message.type) {
      case 'done': {
        this.waiting.get(message.id)?.();
        this.waiting.delete(message.id);
        return;
      }
      case 'ingestToIncident': this.deps.metrics.ingestToIncidentSeconds.observe(message.seconds); return;
      case 'inboxFailure': this.deps.metrics.inboxFailures.inc({ outcome: message.outcome }); return;
      case 'alertIgnored': this.deps.metrics.alertsIgnored.inc({ alertname: message.alertname, reason: message.reason }); return;
      case 'paging':
        try {
          this.deps.onPagingEvents?.(message.events, message.result);
        } catch (err) {
          this.deps.logger.warn({ err: errorInfo(err) }, 'paging event listener failed');
        }
        return;
      case 'tracker': {
        const { id, states } = message;
        const applied = this.deps.applyTrackerStates ? this.deps.applyTrackerStates(states) : Promise.resolve();
        void applied.then(
          // To the worker that asked: a restarted worker numbers its questions afresh.
          () => from.postMessage({ type: 'tracker-applied', id, error: null } satisfies ToWorker),
          (err: unknown) => from.postMessage({ type: 'tracker-applied', id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies ToWorker),
        );
      }
    }
  }

  /** Coalesced: many webhooks stored in one turn send one message. */
  kick(): void {
    if (this.stopped || !this.worker || this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      this.post({ type: 'kick' });
    });
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private request(type: 'idle' | 'stop'): Promise<void> {
    if (!this.worker) return Promise.resolve();
    // Messages arrive in order: a kick still queued for this turn must go before the question.
    if (this.kickQueued) this.post({ type: 'kick' });
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ type, id });
    });
  }

  /** Resolves when the worker's current pass is over (graceful shutdown, drainInbox). */
  idle(): Promise<void> {
    return this.request('idle');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    if (worker) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      await Promise.race([this.request('stop').then(() => exited), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
    }
    // Watched until here: a step that stalls while the worker is asked to stop is still recorded.
    await this.watchdog.stop();
    await worker?.terminate();
  }
}

/** Worker side: the same InboxProcessor, on its own connection. */
async function runInboxWorker(input: WorkerInput, port: NonNullable<typeof parentPort>): Promise<void> {
  const { config } = input;
  const logger = createLogger(config.log.level).child({ thread: 'inbox-worker' });
  // Derived writes go to the store file only; webhook appends write the inbox file (sqlite-inbox.ts).
  const store = await openWorkerStore(input.file);
  const catalog = loadServiceCatalog(config.catalog.file).withPagerDutyServices(config.pagerduty.serviceMap);
  const send = (message: FromWorker) => port.postMessage(message);
  const trackerAnswers = new Answers();
  const metrics = {
    ingestToIncidentSeconds: { observe: (seconds: number) => send({ type: 'ingestToIncident', seconds }) },
    inboxFailures: { inc: (labels: { outcome: string }) => send({ type: 'inboxFailure', outcome: labels.outcome }) },
    alertsIgnored: { inc: (labels: { alertname: string; reason: string }) => send({ type: 'alertIgnored', alertname: labels.alertname, reason: labels.reason }) },
  } as unknown as Metrics;
  // Two cores are shared by HTTP, this worker and often the senders: webhooks still go first.
  const pressure = new IngestPressure(giveWayOf(config.inbox.ingestPriority), input.pressure);
  const processor = buildInboxProcessor(config, catalog, {
    store, metrics, logger, breathe: (ms) => pressure.breathe(ms), watch: new StepBeacon(input.beacon),
    onPagingEvents: (events, result) => send({ type: 'paging', events, result }),
    applyTrackerStates: (states) => trackerAnswers.ask((id) => send({ type: 'tracker', id, states })),
  });
  port.on('message', (message: ToWorker) => {
    if (message.type === 'kick') processor.kick();
    else if (message.type === 'tracker-applied') trackerAnswers.answer(message.id, message.error);
    else if (message.type === 'idle') {
      void processor.idle().then(() => send({ type: 'done', id: message.id }));
    } else if (message.type === 'stop') {
      void processor.stop().then(() => store.close()).finally(() => {
        send({ type: 'done', id: message.id });
        port.close();
      });
    }
  });
  processor.start();
}

/**
 * Questions the worker asks the main thread, by id, each resolved (or rejected with the main
 * thread's error) when its answer comes back.
 */
class Answers {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  ask(send: (id: number) => void): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      send(id);
    });
  }

  answer(id: number, error: string | null): void {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (error === null) waiting?.resolve();
    else waiting?.reject(new Error(`tracker states not applied: ${error}`));
  }
}

if (!isMainThread && parentPort && (workerData as WorkerInput | undefined)?.kind === 'debrief-inbox-worker') {
  const port = parentPort;
  runInboxWorker(workerData as WorkerInput, port).catch((err: unknown) => {
    process.stderr.write(`inbox worker failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
