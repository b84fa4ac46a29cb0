import { close, fdatasync, open } from 'node:fs';

/** The file operations WalSync uses (node:fs; replaced in tests). */
export interface WalFileOps {
  open(path: string, flags: 'r', callback: (err: NodeJS.ErrnoException | null, fd: number) => void): void;
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  close(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
}

/**
 * Makes committed WAL frames durable without blocking the event loop.
 *
 * With `synchronous=FULL` SQLite fsyncs the WAL inside every commit, and better-sqlite3 runs
 * the commit on the calling thread: the HTTP thread then did nothing else for the length of
 * that fsync, which dominated its profile (bench/ingest/RESULTS.md). Inbox batches therefore commit
 * at `synchronous=NORMAL` (SQLite writes the frames to the file, without waiting for the disk),
 * and their senders are answered only after an fsync of the WAL file that *started after the
 * commit* has completed. That fsync runs on libuv's thread pool. It is an fdatasync, as
 * SQLite's own would be where it is built with it: it writes the file's data and the metadata
 * needed to read it back (the size of a growing WAL), not its timestamps. The frames it covers are on
 * the disk then, and in WAL mode every commit before them too (frames are only appended, and a
 * WAL is only reused after a checkpoint has copied it into the database file and synced it).
 * So what a 202 promises is unchanged: it survives a power loss.
 *
 * One fsync is in flight at a time, and every commit that ends while it runs waits for the next
 * one, which then covers them all (group commit across event-loop turns). An fsync failure
 * fails every commit waiting for it with SQLITE_IOERR_FSYNC (503 for the senders, who retry).
 *
 * SQLite deletes the WAL only when the last connection to the file closes; the store's own
 * connection stays open while this runs, so the descriptor always names the live WAL.
 */
export class WalSync {
  private fd: number | null = null;
  private syncing = false;
  private waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private closed = false;
  /** Retired: serves the commits already waiting, then closes (see `retire`). */
  private retiring = false;

  constructor(private readonly walFile: string, private readonly fs: WalFileOps = { open, fdatasync, close }) {}

  /** Resolves when an fsync that started after this call has completed. */
  afterCommit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.next();
    });
  }

  /** No new fsyncs; one in flight completes (its waiters are answered) and then the file is closed. */
  close(): void {
    this.closed = true;
    if (!this.syncing) this.release();
  }

  /**
   * No new commits: they go to a new WalSync (after the store reopened its connections).
   * Commits already waiting are fsynced and answered here, then the descriptor is closed.
   */
  retire(): void {
    this.retiring = true;
    if (!this.syncing && this.waiting.length === 0) this.release();
  }

  private next(): void {
    if (this.syncing) return;
    if (this.waiting.length === 0) {
      if (this.retiring) this.release();
      return;
    }
    if (this.closed) {
      this.fail(this.waiting.splice(0), new Error('the store is closing'));
      return;
    }
    this.syncing = true;
    // The group is every commit that ended before the fsync starts (after the open, the first time).
    let group: typeof this.waiting = [];
    const done = (err: NodeJS.ErrnoException | null) => {
      this.syncing = false;
      if (err) this.fail(group.length > 0 ? group : this.waiting.splice(0), err);
      else for (const waiter of group) waiter.resolve();
      if (this.closed) this.release();
      this.next();
    };
    const start = (fd: number) => {
      group = this.waiting.splice(0);
      this.fs.fdatasync(fd, done);
    };
    if (this.fd !== null) {
      start(this.fd);
      return;
    }
    this.fs.open(this.walFile, 'r', (err, fd) => {
      if (err) return done(err);
      this.fd = fd;
      start(fd);
    });
  }

  private fail(group: Array<{ reject: (err: Error) => void }>, cause: Error): void {
    // Coded as SQLite's own fsync failure, so the fault guard answers 503 and readiness remembers it.
    const err = Object.assign(new Error(`disk I/O error: could not fsync the WAL (${cause.message})`), { code: 'SQLITE_IOERR_FSYNC' });
    for (const waiter of group) waiter.reject(err);
  }

  private release(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.fs.close(fd, () => undefined);
  }
}
