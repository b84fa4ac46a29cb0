import type Database from 'better-sqlite3';
import { chmodSync, statSync } from 'node:fs';
import { probeWritable } from './sqlite-faults';

/**
 * Connections that heal after a read-only or cannot-open fault.
 *
 * SQLite opens a file it may not write read-only, for good: started against read-only files,
 * the store answered 503 (right) and kept answering 503 after the files were writable again,
 * until a restart. After such a fault the next call therefore first reopens every connection
 * that cannot write although nothing asked it not to (`query_only` is a deliberate setting and is
 * left alone). Attempts are spaced (`minIntervalMs`), so a store that stays read-only does not
 * reopen its files on every request; when reopening itself keeps failing (the files cannot be
 * opened at all, descriptors ran out) for `unrecoverableAfterMs`, `health()` says so and
 * `/healthz` fails, so a supervisor restarts the process.
 */

/** A store whose connections can be reopened (SqliteStore). */
export interface Reopenable {
  /** Reopens the connections that cannot write (see `cannotWrite`); true when one was reopened. */
  reopenStuckConnections(): boolean;
}

/** Faults after which a connection may be stuck: it was opened read-only, or its file went away. */
const REOPEN_PREFIXES = ['SQLITE_READONLY', 'SQLITE_CANTOPEN'];

export interface HealerOptions {
  minIntervalMs?: number;
  unrecoverableAfterMs?: number;
  now?: () => number;
}

export class ConnectionHealer {
  private due = false;
  private lastAttempt = -Infinity;
  private failing: { since: number; message: string } | null = null;
  private readonly minIntervalMs: number;
  private readonly unrecoverableAfterMs: number;
  private readonly now: () => number;

  constructor(private readonly target: Reopenable, options: HealerOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.unrecoverableAfterMs = options.unrecoverableAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Called with the SQLite code of every store fault. */
  noticeFault(code: string | null): void {
    if (code && REOPEN_PREFIXES.some((prefix) => code.startsWith(prefix))) this.due = true;
  }

  /**
   * Called before every store call: reopens stuck connections when a fault asked for it. A
   * failed reopen is remembered (see `health`) and the call goes on with the connections as they
   * are, failing as they fail.
   */
  beforeCall(): void {
    if (!this.due || this.now() - this.lastAttempt < this.minIntervalMs) return;
    this.lastAttempt = this.now();
    try {
      this.target.reopenStuckConnections();
      this.due = false;
      this.failing = null;
    } catch (err) {
      this.failing ??= { since: this.now(), message: (err as Error)?.message ?? String(err) };
    }
  }

  /** Null while the store is, or may become, usable; the reason when only a restart may help. */
  health(): string | null {
    if (!this.failing) return null;
    const seconds = Math.round((this.now() - this.failing.since) / 1000);
    return this.now() - this.failing.since >= this.unrecoverableAfterMs
      ? `the store's files could not be reopened for ${seconds} s: ${this.failing.message}`
      : null;
  }
}

/**
 * True when `db` cannot write although it is open and not `query_only`: the probe's write fails
 * as read-only or cannot-open. A locked or full file is not stuck (it is retried as it is).
 */
export function cannotWrite(db: Database.Database): boolean {
  if (!db.open || db.inTransaction || Number(db.pragma('query_only', { simple: true })) !== 0) return false;
  try {
    probeWritable(db);
    return false;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && REOPEN_PREFIXES.some((prefix) => code.startsWith(prefix));
  }
}

/**
 * SQLite creates a database's `-wal` and `-shm` files with the database file's mode. Created
 * while the file was read-only, they stay read-only after it is writable again, and a new
 * connection would open read-only once more: give them the file's mode back (when it is ours to
 * change; otherwise the reopened connection stays read-only and is retried later).
 */
export function matchCompanionModes(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return;
  }
  for (const companion of [`${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(companion).mode & 0o200) === 0 && (mode & 0o200) !== 0) chmodSync(companion, mode);
    } catch {
      // absent, or not ours to change
    }
  }
}
