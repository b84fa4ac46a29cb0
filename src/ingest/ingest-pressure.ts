/**
 * Ingest comes first. Webhook requests and inbox processing share one event loop (and
 * better-sqlite3 work is synchronous), so while senders are waiting for their 202, the inbox
 * processor takes at most `1 / (1 + ratio)` of the time: after each entry it pauses for
 * `ratio` times as long as the entry took (capped). Ingest counts as busy while a webhook is
 * being handled and for `quietMs` after the last one ended (under load, requests follow each
 * other closely but rarely overlap). Otherwise the processor only yields for one turn. Accepted bodies are already durable, so a backlog during a burst costs only
 * delay in building incidents, and it is visible as `debrief_inbox_backlog`.
 */
export class IngestPressure {
  private inFlight = 0;
  private lastLeft = 0;

  constructor(private readonly options: { ratio: number; maxPauseMs: number; quietMs: number } = { ratio: 2, maxPauseMs: 50, quietMs: 20 }) {}

  /** A webhook request started (call `leave` when it is answered). */
  enter(): void {
    this.inFlight++;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.lastLeft = Date.now();
  }

  get busy(): boolean {
    return this.inFlight > 0 || Date.now() - this.lastLeft < this.options.quietMs;
  }

  /** Awaited by the inbox processor between entries; `lastEntryMs` is what the last one took. */
  async breathe(lastEntryMs: number): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!this.busy) return;
    const pause = Math.min(this.options.maxPauseMs, lastEntryMs * this.options.ratio);
    if (pause >= 1) await new Promise<void>((resolve) => setTimeout(resolve, pause));
  }
}
