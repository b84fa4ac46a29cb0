import type Database from 'better-sqlite3';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer';
import { WalSync } from './sqlite-wal-sync';
import type { NewInboxEntry } from '../store';

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
 * `SqliteStore` applies the policy itself when opened with `commitPolicy` (src/store/open-stores.ts
 * does): its `appendInbox` goes through `append`, its derived writes through `derived`.
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

interface PendingAppend {
  entry: NewInboxEntry;
  /** When the first attempt was made (ms): lock retries stop after the busy timeout. */
  since?: number;
  resolve: (value: AppendResult) => void;
  reject: (err: unknown) => void;
}

type AppendResult = { id: string; duplicate: boolean };
type Outcome = { ok: true; value: AppendResult } | { ok: false; err: unknown };

/** The connections the policy works on; either may be null before `init()` or after `close()`. */
export interface CommitPolicyFiles {
  /** The store file (derived writes, people's writes). */
  store: () => Database.Database | null;
  /** The inbox file appends write; null when appends share the store file. */
  inbox: () => Database.Database | null;
}

/** Group commit of appends, NORMAL for derived writes, checkpoints off the thread (see the module comment). */
export class SqliteCommitPolicy {
  /** Set on the first batch when the configured level waits for the disk (FULL or EXTRA) and the store is a WAL file. */
  private walSync: WalSync | null | undefined;
  private configuredLevel = 2;
  private queue: PendingAppend[] = [];
  private scheduled = false;
  private checkpointer: Checkpointer | null = null;
  private busyTimeoutMs: number | null = null;
  /** Own append connections already set for appends, once and for all (see `ownAppendConnection`). */
  private readonly settled = new WeakSet<Database.Database>();
  /**
   * The batch transaction, built once per connection: better-sqlite3's `transaction()` builds
   * its wrapper functions on every call, a cost the HTTP thread paid per batch.
   */
  private readonly batchTransactions = new WeakMap<Database.Database, Database.Transaction<(batch: PendingAppend[], outcomes: Outcome[]) => void>>();

  constructor(private readonly files: CommitPolicyFiles, private readonly appendOne: (entry: NewInboxEntry) => AppendResult) {}

  /** After the store's `init()`: checkpoints move to their own thread. */
  start(): void {
    if (this.checkpointer) return;
    const dbs = new Set([this.files.store(), this.files.inbox()].filter((db): db is Database.Database => db !== null));
    if (dbs.size > 0) this.checkpointer = startCheckpointer([...dbs]);
  }

  /** Before the store's `close()`. */
  async stop(): Promise<void> {
    this.walSync?.close();
    await this.checkpointer?.stop();
    this.checkpointer = null;
  }

  /**
   * After the store replaced a connection (sqlite-reopen.ts): checkpoints move to connections
   * on the files as they are now, and the next batch syncs the WAL through a new descriptor.
   * Commits already waiting for the old descriptor's fsync are still answered by it.
   */
  connectionsReopened(): void {
    this.walSync?.retire();
    this.walSync = undefined;
    this.busyTimeoutMs = null;
    const old = this.checkpointer;
    this.checkpointer = null;
    void old?.stop();
    this.start();
  }

  /** Queues an append; answered once the batch holding it is committed (and on the disk, when the level asks for it). */
  append(entry: NewInboxEntry): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.schedule(0);
    });
  }

  /** Runs a derived write (re-derivable from the inbox) at `synchronous=NORMAL`. */
  derived<T>(write: () => T): T {
    const db = this.files.store();
    const level = db && !db.inTransaction ? Number(db.pragma('synchronous', { simple: true })) : 0;
    // 2 = FULL, 3 = EXTRA; at NORMAL (1) or below there is nothing to relax.
    if (!db || level < 2) return write();
    db.pragma('synchronous = NORMAL');
    try {
      // Only the synchronous part runs at NORMAL (better-sqlite3 work is all synchronous).
      return write();
    } finally {
      db.pragma(`synchronous = ${level}`);
    }
  }

  private appendDb(): Database.Database | null {
    return open(this.files.inbox()) ?? open(this.files.store());
  }

  /**
   * Whether appends have a connection of their own (the inbox file's). Only appends write
   * through it, and each batch is made durable by the WAL fsync (when the configured level
   * waits for the disk), so it stays at NORMAL and at `busy_timeout = 0` once set instead of
   * being switched for every batch. Its other uses are reads, which in WAL mode never wait for
   * the write lock. A store without an inbox file appends through the connection that people's
   * writes use, which must go back to the configured settings after each batch.
   */
  private ownAppendConnection(db: Database.Database): boolean {
    return db !== open(this.files.store());
  }

  private walSyncFor(db: Database.Database): WalSync | null {
    if (this.walSync !== undefined) return this.walSync;
    this.configuredLevel = Number(db.pragma('synchronous', { simple: true }));
    const durable = this.configuredLevel >= 2;
    const wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    this.walSync = durable && wal && !db.memory && db.name !== '' ? new WalSync(`${db.name}-wal`) : null;
    return this.walSync;
  }

  private batchTransactionOf(db: Database.Database) {
    let tx = this.batchTransactions.get(db);
    if (!tx) {
      tx = db.transaction((batch: PendingAppend[], outcomes: Outcome[]) => {
        for (const queued of batch) {
          // Each append runs in its own savepoint (SqliteInbox.append is a nested transaction),
          // so one failing append does not take the others with it.
          try {
            outcomes.push({ ok: true, value: this.appendOne(queued.entry) });
          } catch (err) {
            outcomes.push({ ok: false, err });
          }
          // SQLite rolls the whole transaction back by itself on some errors (FULL, IOERR,
          // BUSY): then nothing of this batch is stored, and the rest must not run outside it.
          if (!db.inTransaction) throw new Error('the inbox batch transaction was rolled back by SQLite');
        }
      });
      this.batchTransactions.set(db, tx);
    }
    return tx;
  }

  private schedule(delayMs: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the I/O phase: every request whose body arrived in this turn joins the batch.
    if (delayMs === 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), delayMs);
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const db = this.appendDb();
    if (!db) {
      for (const queued of batch) settleOne(queued, attempt(() => this.appendOne(queued.entry)));
      return;
    }
    const now = Date.now();
    for (const queued of batch) queued.since ??= now;
    this.busyTimeoutMs ??= Number(db.pragma('busy_timeout', { simple: true }));
    const outcomes: Outcome[] = [];
    const sync = this.walSyncFor(db);
    const own = this.ownAppendConnection(db);
    try {
      if (!(own && this.settled.has(db))) {
        db.pragma('busy_timeout = 0');
        // The fsync happens after the commit, off this thread (sqlite-wal-sync.ts).
        if (sync) db.pragma('synchronous = NORMAL');
        if (own) this.settled.add(db);
      }
      this.batchTransactionOf(db).immediate(batch, outcomes);
    } catch (err) {
      this.batchFailed(batch, outcomes, err, now);
      return;
    } finally {
      if (!own && db.open) {
        db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
        if (sync) db.pragma(`synchronous = ${this.configuredLevel}`);
      }
    }
    // Committed: each sender is answered once the WAL holding the batch is on the disk.
    const durable = sync?.afterCommit();
    durable?.catch(() => undefined);
    batch.forEach((queued, index) => {
      const outcome = outcomes[index] ?? { ok: false, err: new Error('append not run') };
      if (!durable || !outcome.ok) settleOne(queued, outcome);
      else durable.then(() => settleOne(queued, outcome), queued.reject);
    });
  }

  /** The batch transaction failed: retry a lock failure shortly (nothing was written), else fail every append of it. */
  private batchFailed(batch: PendingAppend[], outcomes: Outcome[], err: unknown, now: number): void {
    const code = (err as { code?: string }).code ?? '';
    if (outcomes.length === 0 && code.startsWith('SQLITE_BUSY') && batch.every((queued) => now - queued.since! < this.busyTimeoutMs!)) {
      // BEGIN IMMEDIATE did not get the lock: try again a millisecond later (timers, never sleeping).
      this.queue = [...batch, ...this.queue];
      this.schedule(1);
      return;
    }
    // Prefer the failing append's own error (it names the SQLite code) over the batch's.
    const last = outcomes[outcomes.length - 1];
    const failure = last && !last.ok ? last.err : err;
    for (const queued of batch) queued.reject(failure);
  }
}

const open = (db: Database.Database | null): Database.Database | null => (db && db.open ? db : null);

function attempt(fn: () => AppendResult): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, err };
  }
}

function settleOne(queued: PendingAppend, outcome: Outcome): void {
  if (outcome.ok) queued.resolve(outcome.value);
  else queued.reject(outcome.err);
}
