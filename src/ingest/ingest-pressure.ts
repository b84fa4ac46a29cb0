/**
 * Ingest comes first. Webhook requests and inbox processing share one event loop (and
 * better-sqlite3 work is synchronous), so after each inbox entry the processor yields, and
 * while webhooks are being handled it waits for them, up to `ratio` times as long as the entry
 * took (capped at `maxPauseMs`). Under a flood of webhooks processing thus takes at most
 * `1 / (1 + ratio)` of the time; below that, it runs in the gaps between requests and keeps up. Accepted bodies are already durable, so a backlog during a burst costs only
 * delay in building incidents, and it is visible as `debrief_inbox_backlog`.
 */
export class IngestPressure {
  /**
   * Webhooks in flight, in shared memory: the HTTP thread counts, and an inbox worker thread
   * (inbox-worker.ts) holding a view of the same buffer gives way just as the in-thread
   * processor does.
   */
  readonly inFlight: Int32Array;

  constructor(
    private readonly options: { ratio: number; maxPauseMs: number } = { ratio: 2, maxPauseMs: 50 },
    shared?: SharedArrayBuffer,
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

  /** Awaited by the inbox processor between entries; `lastEntryMs` is what the last one took. */
  async breathe(lastEntryMs: number): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const until = Date.now() + Math.min(this.options.maxPauseMs, lastEntryMs * this.options.ratio);
    while (this.busy && Date.now() < until) await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}
