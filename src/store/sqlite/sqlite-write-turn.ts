/**
 * One SQLite writer at a time inside this process, handed over without polling.
 *
 * The HTTP thread's inbox appends and the inbox worker thread's derived writes
 * (inbox-worker.ts) use two connections to one database file, and SQLite lets one of them
 * write at a time. Left to SQLite, the loser polls: the HTTP thread retries a batch on a 1 ms
 * timer (it must not sleep in SQLite's busy handler), and the worker sleeps in that handler
 * with a growing back-off. Under the ingest benchmark half of all append batches found the
 * lock taken, and each then waited one or more timer ticks after the worker had finished.
 *
 * The turn is a word in shared memory that both threads take before they write: the worker
 * blocks on it (Atomics.wait; a worker thread may block), the HTTP thread awaits it
 * (Atomics.waitAsync; the event loop keeps serving requests, whose appends join the batch),
 * and whoever releases it wakes the other at once. Appends go first: while a batch is waiting
 * the worker holds back its next transaction, for at most `yieldMs`, so processing is delayed
 * under a flood but never starved.
 *
 * SQLite's own locking still decides between processes (and is the fallback if a holder
 * dies): the turn only orders the writers of this process.
 */

/** Node 20 has Atomics.waitAsync; TypeScript's lib declares it from ES2024 only. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

const LOCK = 0;
const APPENDS_WAITING = 1;

export const TURN_FREE = 0;
/** The turn's holder, stored in the lock word so a dead holder's turn can be taken back. */
export type TurnHolder = typeof TURN_APPENDS | typeof TURN_PROCESSING;
export const TURN_APPENDS = 1;
export const TURN_PROCESSING = 2;

export class SqliteWriteTurn {
  private readonly word: Int32Array;

  constructor(shared?: SharedArrayBuffer) {
    this.word = new Int32Array(shared ?? new SharedArrayBuffer(8));
  }

  /** Handed to the worker thread, which builds its own SqliteWriteTurn on it. */
  get shared(): SharedArrayBuffer {
    return this.word.buffer as SharedArrayBuffer;
  }

  tryAcquire(holder: TurnHolder): boolean {
    return Atomics.compareExchange(this.word, LOCK, TURN_FREE, holder) === TURN_FREE;
  }

  release(holder: TurnHolder): void {
    if (Atomics.compareExchange(this.word, LOCK, holder, TURN_FREE) === holder) Atomics.notify(this.word, LOCK);
  }

  get holder(): number {
    return Atomics.load(this.word, LOCK);
  }

  /** Resolves when the turn was released (or after `maxMs`), without blocking the event loop. */
  async whenFree(maxMs: number): Promise<void> {
    const held = Atomics.load(this.word, LOCK);
    if (held === TURN_FREE) return;
    const waited = waitAsync(this.word, LOCK, held, Math.max(0, maxMs));
    if (waited.async) await waited.value;
  }

  /** HTTP thread: a batch of appends is queued (true) or has been written (false). */
  appendsWaiting(waiting: boolean): void {
    if (waiting) Atomics.add(this.word, APPENDS_WAITING, 1);
    else if (Atomics.sub(this.word, APPENDS_WAITING, 1) <= 1) Atomics.notify(this.word, APPENDS_WAITING);
  }

  /**
   * Worker thread: blocks until it holds the turn, first letting a waiting batch of appends
   * go (for at most `yieldMs`). Gives up after `maxMs` and returns false: the caller then
   * writes anyway and SQLite's busy handling decides, as without a turn.
   */
  acquireBlocking(holder: TurnHolder, options: { yieldMs: number; maxMs: number }): boolean {
    const started = Date.now();
    for (;;) {
      const elapsed = Date.now() - started;
      const waiting = Atomics.load(this.word, APPENDS_WAITING);
      if (waiting > 0 && elapsed < options.yieldMs) {
        Atomics.wait(this.word, APPENDS_WAITING, waiting, options.yieldMs - elapsed);
        continue;
      }
      if (this.tryAcquire(holder)) return true;
      if (elapsed >= options.maxMs) return false;
      const held = Atomics.load(this.word, LOCK);
      if (held !== TURN_FREE) Atomics.wait(this.word, LOCK, held, Math.min(50, options.maxMs - elapsed));
    }
  }
}

/** Store methods of the inbox worker that write (sqlite-commit-policy.ts's derived writes). */
export function withWriteTurn<T extends object>(store: T, turn: SqliteWriteTurn, methods: ReadonlySet<string>, options: { yieldMs: number; maxMs: number }): T {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !methods.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => {
        const held = turn.acquireBlocking(TURN_PROCESSING, options);
        try {
          // better-sqlite3 is synchronous: the whole transaction runs before this call returns.
          return fn.apply(target, args);
        } finally {
          if (held) turn.release(TURN_PROCESSING);
        }
      };
    },
  });
}
