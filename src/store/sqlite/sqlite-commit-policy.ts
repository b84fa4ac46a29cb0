import type Database from 'better-sqlite3';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer';
import { WalSync } from './sqlite-wal-sync';

/**
 * How often SQLite waits for the disk, without weakening what a 202 promises.
 *
 * better-sqlite3 is synchronous, so with `synchronous=FULL` every commit blocks the event loop
 * for one fsync of the WAL (one to four ms on these machines' disks): one per webhook, and two
 * or three per processed inbox entry. These changes all keep "every webhook answered 202
 * survives a power loss":
 *
 * 1. Group commit of inbox appends. Appends requested in the same event-loop turn are written
 *    in one transaction (each in its own savepoint, so one failing append does not take the
 *    others with it) and each caller is answered only after that transaction is on the disk.
 *    With a durable level configured, the transaction itself commits at NORMAL and the WAL is
 *    then fsynced off the event loop (sqlite-wal-sync.ts): one fsync covers every batch that
 *    committed before it started, and the thread goes on parsing webhooks meanwhile.
 *
 * 2. Inbox processing commits without waiting for the disk. Alerts, incidents and inbox
 *    processing state are derived from stored inbox bodies and written to the store file, the
 *    bodies to the inbox file (sqlite-inbox.ts). In WAL mode a power loss can only lose a suffix
 *    of a file's commits (frames carry a cumulative checksum; recovery keeps the longest valid
 *    prefix). So after a power loss, derived writes are either all there or lost together with
 *    the "done" mark of the entry that produced them, which is then processed again from its
 *    body. The processor's methods therefore run at `synchronous=NORMAL`. Writes by people
 *    (reports, corrections) are not derived from anything and keep the configured level.
 *
 * When the store is configured with `synchronous=NORMAL` already, only group commit applies.
 *
 * 3. WAL checkpoints run in a worker thread (sqlite-checkpointer.ts), started after `init()`
 *    and stopped before `close()`.
 *
 * 4. The event loop never sleeps on the write lock for appends. Another process appending to
 *    the same inbox file may hold it; SQLite's busy handler would then sleep inside the call and
 *    stall every request. A batch therefore begins with `busy_timeout = 0`, and when the lock is
 *    taken it is retried a millisecond later (timers, not sleeping), until the connection's own
 *    busy timeout has passed; only then does it fail as a lock failure would. The inbox worker
 *    never holds this lock: appends write the inbox file, processing the store file
 *    (sqlite-inbox.ts).
 */

/** Store methods whose writes are re-derivable from the inbox (see 2. above). */
export const DERIVED_WRITE_METHODS: ReadonlySet<string> = new Set(['claimInbox', 'completeInbox', 'failInbox', 'recordObservations', 'recordPagingEvents']);

interface PendingAppend {
  args: unknown[];
  /** When the first attempt was made (ms): lock retries stop after the busy timeout. */
  since?: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Wraps a SQLite store (one exposing `database` and, for a separate inbox file, `inboxDatabase`
 * after `init()`); other stores pass through unchanged. Generic over the store's methods:
 * `appendInbox` is group-committed on the inbox file, the `DERIVED_WRITE_METHODS` run at NORMAL
 * on the store file, everything else is called as it is.
 */
export function withSqliteCommitPolicy<T extends object>(store: T): T {
  /** Set on the first batch when the configured level waits for the disk (FULL or EXTRA) and the store is a WAL file. */
  let walSync: WalSync | null | undefined;
  let configuredLevel = 2;
  const walSyncFor = (db: Database.Database): WalSync | null => {
    if (walSync !== undefined) return walSync;
    configuredLevel = Number(db.pragma('synchronous', { simple: true }));
    const durable = configuredLevel >= 2;
    const wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    walSync = durable && wal && !db.memory && db.name !== '' ? new WalSync(`${db.name}-wal`) : null;
    return walSync;
  };
  const dbOf = (target: T, property: 'database' | 'inboxDatabase' = 'database'): Database.Database | null => {
    const db = Reflect.get(target, property, target) as Database.Database | undefined;
    return db && typeof db.pragma === 'function' && db.open ? db : null;
  };
  /** Where appends are written: the inbox file when the store has one. */
  const appendDbOf = (target: T) => dbOf(target, 'inboxDatabase') ?? dbOf(target);
  type Append = (...args: unknown[]) => Promise<unknown>;
  /**
   * The batch transaction, built once per connection: better-sqlite3's `transaction()` builds
   * its wrapper functions on every call, a cost the HTTP thread paid per batch (bench/ingest/RESULTS.md).
   */
  const batchTransactions = new WeakMap<Database.Database, Database.Transaction<(batch: PendingAppend[], results: Array<Promise<unknown>>, target: T, append: Append) => void>>();
  const batchTransactionOf = (db: Database.Database) => {
    let tx = batchTransactions.get(db);
    if (!tx) {
      tx = db.transaction((batch: PendingAppend[], results: Array<Promise<unknown>>, target: T, append: Append) => {
        for (const queued of batch) {
          results.push(append.apply(target, queued.args));
          // SQLite rolls the whole transaction back by itself on some errors (FULL, IOERR,
          // BUSY): then nothing of this batch is stored, and the rest must not run outside it.
          if (!db.inTransaction) throw new Error('the inbox batch transaction was rolled back by SQLite');
        }
      });
      batchTransactions.set(db, tx);
    }
    return tx;
  };
  /**
   * Whether appends have a connection of their own (the inbox file's). Only appends write
   * through it, and each batch is made durable by the WAL fsync (when the configured level
   * waits for the disk), so it stays at NORMAL and at `busy_timeout = 0` once set instead of
   * being switched for every batch (four PRAGMA statements per batch). Its other uses are reads, which in WAL mode
   * never wait for the write lock. A store without an inbox file appends through the connection
   * that people's writes use, which must go back to the configured settings after each batch.
   */
  const ownAppendConnection = (target: T, db: Database.Database) => db !== dbOf(target);
  let queue: PendingAppend[] = [];
  let scheduled = false;
  let checkpointer: Checkpointer | null = null;

  let busyTimeoutMs: number | null = null;
  /** Own append connections already set for appends, once and for all (see ownAppendConnection). */
  const settled = new WeakSet<Database.Database>();
  const schedule = (target: T, append: Append, delayMs: number) => {
    if (scheduled) return;
    scheduled = true;
    // After the I/O phase: every request whose body arrived in this turn joins the batch.
    if (delayMs === 0) setImmediate(() => flush(target, append));
    else setTimeout(() => flush(target, append), delayMs);
  };

  const flush = (target: T, append: Append) => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const db = appendDbOf(target);
    if (!db) {
      for (const queued of batch) append.apply(target, queued.args).then(queued.resolve, queued.reject);
      return;
    }
    const now = Date.now();
    for (const queued of batch) queued.since ??= now;
    busyTimeoutMs ??= Number(db.pragma('busy_timeout', { simple: true }));
    const results: Array<Promise<unknown>> = [];
    const sync = walSyncFor(db);
    const own = ownAppendConnection(target, db);
    try {
      if (!(own && settled.has(db))) {
        db.pragma('busy_timeout = 0');
        // The fsync happens after the commit, off this thread (sqlite-wal-sync.ts).
        if (sync) db.pragma('synchronous = NORMAL');
        if (own) settled.add(db);
      }
      batchTransactionOf(db).immediate(batch, results, target, append);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (results.length === 0 && code.startsWith('SQLITE_BUSY') && batch.every((queued) => now - queued.since! < busyTimeoutMs!)) {
        // Nothing was written (BEGIN IMMEDIATE did not get the lock): try again shortly.
        queue = [...batch, ...queue];
        schedule(target, append, 1);
        return;
      }
      for (const result of results) result.catch(() => undefined);
      // Prefer the failing append's own error (it names the SQLite code) over the batch's.
      const fail = (failure: unknown) => { for (const queued of batch) queued.reject(failure); };
      const last = results[results.length - 1];
      if (last) last.then(() => fail(err), fail);
      else fail(err);
      return;
    }
    finally {
      if (!own && db.open) {
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        if (sync) db.pragma(`synchronous = ${configuredLevel}`);
      }
    }
    // Committed: each sender is answered once the WAL holding the batch is on the disk.
    const durable = sync?.afterCommit();
    if (durable) durable.catch(() => undefined);
    batch.forEach((queued, index) => (results[index] ?? Promise.reject(new Error('append not run'))).then(
      (value) => (durable ? durable.then(() => queued.resolve(value), queued.reject) : queued.resolve(value)),
      queued.reject,
    ));
  };

  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (prop === 'init') {
        return async (...args: unknown[]) => {
          await fn.apply(target, args);
          if (!checkpointer) {
            const files = new Set([dbOf(target), appendDbOf(target)].filter((db): db is Database.Database => db !== null));
            if (files.size > 0) checkpointer = startCheckpointer([...files]);
          }
        };
      }
      if (prop === 'close') {
        return async (...args: unknown[]) => {
          walSync?.close();
          await checkpointer?.stop();
          checkpointer = null;
          return fn.apply(target, args);
        };
      }
      if (prop === 'appendInbox') {
        return (...args: unknown[]) => new Promise((resolve, reject) => {
          queue.push({ args, resolve, reject });
          schedule(target, fn, 0);
        });
      }
      if (typeof prop === 'string' && DERIVED_WRITE_METHODS.has(prop)) {
        return (...args: unknown[]) => {
          const db = dbOf(target);
          const level = db && !db.inTransaction ? Number(db.pragma('synchronous', { simple: true })) : 0;
          // 2 = FULL, 3 = EXTRA; at NORMAL (1) or below there is nothing to relax.
          if (!db || level < 2) return fn.apply(target, args);
          db.pragma('synchronous = NORMAL');
          try {
            // Only the synchronous part of the call runs at NORMAL (better-sqlite3 work is all synchronous).
            return fn.apply(target, args);
          } finally {
            db.pragma(`synchronous = ${level}`);
          }
        };
      }
      return fn.bind(target);
    },
  });
}
