import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import type { InboxEntrySummary, InboxStore } from '../store/store';

/**
 * A bound on the time one processing step of the inbox may take, so no input can stall the
 * pipeline: not a regex, not a body that is slow to correlate, not a bug that loops.
 *
 * Processing is synchronous JavaScript (better-sqlite3 is synchronous), so nothing inside the
 * worker thread can interrupt it: the main thread has to. The worker writes what it is working
 * on into a shared buffer (the **beacon**: the processor's owner name, the entry ids of the
 * step, when it began) and clears it when the step is over; the main thread's watchdog reads it
 * every fraction of the limit. A step over the limit gets its worker terminated (V8 interrupts
 * even a running regex; the SQLite transaction it had open is rolled back when its connection
 * goes), the step's entries are failed on the main thread's own connection, and a new worker is
 * started as after any worker exit:
 *
 * - a step of one entry: that entry becomes a dead letter with the reason, its body kept, so the
 *   next claim does not meet it again (an admin can requeue it once the cause is fixed);
 * - a step of several entries (a run written together): which one is to blame is not known, so
 *   each goes back to pending with a stall reason (`stalledBefore`), to be retried on its own.
 *
 * Processing on the HTTP thread (`inbox.worker: false`, MongoDB) cannot be guarded this way:
 * only the worker thread can be stopped from outside.
 */

/** What the inbox processor tells its watch around each step (the worker side of the beacon). */
export interface InboxWatch {
  begin(owner: string, ids: readonly string[]): void;
  end(): void;
}

/** What the beacon says while a step runs. */
export interface RunningStep {
  owner: string;
  ids: string[];
  /** Epoch ms, by the worker's clock (the same wall clock as the main thread's). */
  startedAt: number;
}

/** Starts every reason the watchdog writes; a retried entry carrying it is processed on its own. */
export const STALL_REASON_PREFIX = 'InboxStall: ';

/** True when the entry was part of a step the watchdog stopped: process it alone. */
export const stalledBefore = (entry: Pick<InboxEntrySummary, 'lastError'>): boolean => entry.lastError?.startsWith(STALL_REASON_PREFIX) ?? false;

const HEADER_BYTES = 16;
const PAYLOAD_BYTES = 16 * 1024;

/**
 * The shared buffer, as a seqlock: `seq` is odd while a step runs; the writer fills the payload
 * before making it odd, the reader trusts what it read only when `seq` did not move meanwhile.
 */
export class StepBeacon implements InboxWatch {
  private readonly seq: Int32Array;
  private readonly startedAt: Float64Array;
  private readonly payload: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(HEADER_BYTES + PAYLOAD_BYTES)) {
    this.seq = new Int32Array(buffer, 0, 2);
    this.startedAt = new Float64Array(buffer, 8, 1);
    this.payload = new Uint8Array(buffer, HEADER_BYTES);
  }

  begin(owner: string, ids: readonly string[], now = Date.now()): void {
    const current = Atomics.load(this.seq, 0);
    const idle = current % 2 === 0 ? current : current + 1;
    const bytes = Buffer.from(JSON.stringify({ owner, ids: fitting(owner, ids, this.payload.length) }));
    this.payload.set(bytes);
    Atomics.store(this.seq, 1, bytes.length);
    this.startedAt[0] = now;
    Atomics.store(this.seq, 0, idle + 1);
  }

  end(): void {
    const current = Atomics.load(this.seq, 0);
    if (current % 2 === 1) Atomics.store(this.seq, 0, current + 1);
  }

  /** The step running now, or null when idle (or when it changed while being read). */
  read(): (RunningStep & { seq: number }) | null {
    const before = Atomics.load(this.seq, 0);
    if (before % 2 === 0) return null;
    const length = Atomics.load(this.seq, 1);
    const startedAt = this.startedAt[0]!;
    const text = Buffer.from(this.payload.subarray(0, length)).toString('utf8');
    if (Atomics.load(this.seq, 0) !== before) return null;
    try {
      const { owner, ids } = JSON.parse(text) as { owner: string; ids: string[] };
      return { seq: before, owner, ids, startedAt };
    } catch {
      return null;
    }
  }
}

/** The ids whose JSON fits in `capacity` bytes; the rest are retried after their lease, like after any crash. */
function fitting(owner: string, ids: readonly string[], capacity: number): readonly string[] {
  let used = Buffer.byteLength(JSON.stringify({ owner, ids: [] }));
  for (let i = 0; i < ids.length; i++) {
    used += Buffer.byteLength(JSON.stringify(ids[i])) + (i > 0 ? 1 : 0);
    if (used > capacity) return ids.slice(0, i);
  }
  return ids;
}

export interface InboxWatchdogDeps {
  beacon: StepBeacon;
  /** `inbox.entryTimeoutSeconds`, in ms. */
  limitMs: number;
  /** The main thread's connection: the worker's is gone with it. */
  store: Pick<InboxStore, 'failInbox'>;
  metrics: Pick<Metrics, 'inboxFailures'>;
  logger: Logger;
  /** Terminates the worker running the step; resolves once it has exited. */
  stopWorker: () => Promise<void>;
  clock?: () => number;
}

/** The main-thread side: watches the beacon, stops a worker stuck on a step, fails the step's entries. */
export class InboxWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private handling: Promise<void> | null = null;

  constructor(private readonly deps: InboxWatchdogDeps) {}

  start(): void {
    if (this.timer) return;
    const every = Math.max(10, Math.min(1000, Math.floor(this.deps.limitMs / 4)));
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  /** Stops watching; resolves once a stuck step being handled has been recorded. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.handling;
  }

  /** One look at the beacon (the timer's; tests call it directly). */
  check(): Promise<void> {
    if (this.handling) return this.handling;
    const step = this.deps.beacon.read();
    const now = (this.deps.clock ?? Date.now)();
    if (!step || now - step.startedAt <= this.deps.limitMs) return Promise.resolve();
    this.handling = this.stopStep(step, now - step.startedAt).finally(() => { this.handling = null; });
    return this.handling;
  }

  private async stopStep(step: RunningStep & { seq: number }, elapsedMs: number): Promise<void> {
    const { logger, store, metrics } = this.deps;
    // Finished just now: nothing to stop (and failing a completed entry would change nothing anyway).
    if (this.deps.beacon.read()?.seq !== step.seq) return;
    const alone = step.ids.length === 1;
    const limit = `${this.deps.limitMs / 1000} s (inbox.entryTimeoutSeconds)`;
    const reason = alone
      ? `${STALL_REASON_PREFIX}processing this entry took longer than ${limit} and was stopped; kept as a dead letter so it cannot stall processing again`
      : `${STALL_REASON_PREFIX}processing ${step.ids.length} entries together took longer than ${limit} and was stopped; each is retried on its own`;
    logger.error({ inboxIds: step.ids, elapsedMs: Math.round(elapsedMs), limitMs: this.deps.limitMs }, 'inbox step over its time limit; stopping the inbox worker');
    await this.deps.stopWorker();
    // The worker is gone mid-step; the next one starts with an idle beacon.
    this.deps.beacon.end();
    const now = new Date((this.deps.clock ?? Date.now)()).toISOString();
    for (const id of step.ids) {
      try {
        await store.failInbox(id, step.owner, reason, alone, now);
        metrics.inboxFailures.inc({ outcome: alone ? 'dead' : 'retry' });
        logger.warn({ inboxId: id, dead: alone, reason }, alone ? 'inbox entry kept as dead letter' : 'inbox entry failed; will retry');
      } catch (err) {
        // Still claimed: after its lease it is claimed again, and stopped again if it stalls again.
        logger.error({ inboxId: id, err: err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) } }, 'could not record a stalled inbox entry; it will be retried');
      }
    }
  }
}
