import { DEFAULT_INGEST_PRIORITY } from '../config/config.schema';
/** How strongly inbox processing gives way to webhooks (config `inbox.ingestPriority`). */
export interface GiveWay {
  /** While webhooks are being answered, pause after each entry this many times as long as it took. 0: never pause. */
  ratio: number;
  /** Longest pause after one entry, so a slow entry does not stall processing for long. */
  maxPauseMs: number;
}

/**
 * 5, capped at 100 ms: in paired benchmark rounds a larger ratio let more webhooks through
 * during a flood (each step up paid off, pausing without limit most), while at 5 processing
 * still keeps up with a paced load, since it runs whenever no webhook is in flight. The
 * figures are in bench/ingest/RESULTS.md ("Ingest first").
 */
export const DEFAULT_GIVE_WAY: GiveWay = { ratio: DEFAULT_INGEST_PRIORITY, maxPauseMs: 100 };

/** Longest a read waits for webhooks in flight before it runs anyway (reads must not starve in a flood). */
export const READ_GIVE_WAY_MS = 100;

/** The give-way of the setting `inbox.ingestPriority` (the ratio; the cap stays the default's). */
export const giveWayOf = (ingestPriority: number): GiveWay => ({ ...DEFAULT_GIVE_WAY, ratio: ingestPriority });

/** Time as breathe() sees it (replaced in tests). */
export interface PressureClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Lets the event loop run pending I/O (webhooks on the same thread) before the next entry. */
  yieldTurn(): Promise<void>;
}

const REAL_CLOCK: PressureClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  yieldTurn: () => new Promise<void>((resolve) => setImmediate(resolve)),
};

/**
 * Ingest comes first. Webhook requests and inbox processing share the machine's cores and its
 * disk (and, with `inbox.worker: false`, one event loop, where better-sqlite3 work is
 * synchronous), so after each inbox entry the processor yields, and while webhooks are being
 * handled it waits for them, up to `ratio` times as long as the entry took (capped at
 * `maxPauseMs`). Under a flood of webhooks processing thus takes at most about `1 / (1 + ratio)`
 * of the time; below that, it runs in the gaps between requests and keeps up. Accepted bodies
 * are already durable, so a backlog during a burst costs only delay in building incidents, and
 * it is visible as `debrief_inbox_backlog`.
 */
export class IngestPressure {
  /**
   * Webhooks in flight, in shared memory: the HTTP thread counts, and an inbox worker thread
   * (inbox-worker.ts) holding a view of the same buffer gives way just as the in-thread
   * processor does.
   */
  readonly inFlight: Int32Array;

  constructor(
    private readonly options: GiveWay = DEFAULT_GIVE_WAY,
    shared?: SharedArrayBuffer,
    private readonly clock: PressureClock = REAL_CLOCK,
  ) {
    this.inFlight = new Int32Array(shared ?? new SharedArrayBuffer(4));
  }

  /** A webhook request started (call `leave` when it is answered). */
  enter(): void {
    Atomics.add(this.inFlight, 0, 1);
  }

  leave(): void {
    if (Atomics.sub(this.inFlight, 0, 1) <= 0) Atomics.store(this.inFlight, 0, 0);
  }

  get busy(): boolean {
    return Atomics.load(this.inFlight, 0) > 0;
  }

  /**
   * Awaited by a read request (the API and pages, on the HTTP thread) before its synchronous
   * work: webhooks in flight are answered first, for at most `maxWaitMs`, so a client polling a
   * large incident delays a webhook's 202 by at most one step of a read, not by several.
   */
  async giveWayToWebhooks(maxWaitMs = READ_GIVE_WAY_MS): Promise<void> {
    await this.clock.yieldTurn();
    const until = this.clock.now() + maxWaitMs;
    while (this.busy && this.clock.now() < until) await this.clock.sleep(1);
  }

  /** Awaited by the inbox processor between entries; `lastEntryMs` is what the last one took. */
  async breathe(lastEntryMs: number): Promise<void> {
    await this.clock.yieldTurn();
    const until = this.clock.now() + Math.min(this.options.maxPauseMs, lastEntryMs * this.options.ratio);
    while (this.busy && this.clock.now() < until) await this.clock.sleep(1);
  }
}
