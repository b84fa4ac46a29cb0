import type Database from 'better-sqlite3';
import { UnavailableError } from '../../errors';

/**
 * SQLite failures that mean "the store cannot serve now, retry later" rather than a bug:
 * another process holds the write lock, the file or its directory became read-only, the disk
 * is full, or I/O failed. Answered 503 with Retry-After (Alertmanager and PagerDuty retry 5xx,
 * and drop 4xx), never 500.
 * Codes: https://www.sqlite.org/rescode.html (extended codes start with the primary's name).
 */
const UNAVAILABLE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];

/** Faults that a rolled-back probe cannot see (a full disk fails only at commit): readiness remembers them. */
const REMEMBERED_PREFIXES = ['SQLITE_FULL', 'SQLITE_IOERR'];

const sqliteCode = (err: unknown): string | null => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
};

/** True for errors that should become 503 instead of 500. */
export function isStoreUnavailable(err: unknown): boolean {
  const code = sqliteCode(err);
  if (code) return UNAVAILABLE_PREFIXES.some((prefix) => code.startsWith(prefix));
  // better-sqlite3 throws this TypeError once the connection is closed (during shutdown).
  return err instanceof TypeError && /database connection is not open/i.test(err.message);
}

/** The error to throw instead: named by meaning, with a message an operator can act on. */
export function toUnavailable(err: unknown, retryAfterSeconds: number): UnavailableError {
  const code = sqliteCode(err);
  const why = code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED') ? 'the database is locked by another connection'
    : code?.startsWith('SQLITE_FULL') ? 'the disk or database is full'
      : code?.startsWith('SQLITE_READONLY') ? 'the database is read-only'
        : code?.startsWith('SQLITE_IOERR') ? 'a disk I/O error occurred'
          : 'the database is not available';
  return new UnavailableError(`store unavailable: ${why}${code ? ` (${code})` : ''}; retry later`, retryAfterSeconds);
}

/** Reopens connections stuck after a fault (sqlite-reopen.ts `ConnectionHealer`). */
export interface FaultHealer {
  noticeFault(code: string | null): void;
  /** Before every call; never throws. */
  beforeCall(): void;
}

export interface FaultGuardOptions {
  retryAfterSeconds?: number;
  /** Shared by the guards of every store on the same connections. */
  healer?: FaultHealer;
  /** How long a write fault the probe cannot see (full disk, I/O error) keeps readiness false (ms). */
  faultMemoryMs?: number;
  now?: () => number;
}

/**
 * Wraps a store (or any object with async methods) so that SQLite "unavailable" failures
 * surface as `UnavailableError`, whichever method hit them: routes and services written later
 * need no handling of their own. `ping()` additionally fails while a remembered write fault is
 * recent and no inbox append has succeeded since; the fault ages out, so readiness recovers by
 * itself when the store does. With a `healer`, a read-only or cannot-open fault has the next
 * call reopen connections stuck read-only first (sqlite-reopen.ts).
 */
export function guardSqliteFaults<T extends object>(store: T, options: FaultGuardOptions = {}): T {
  const retryAfter = options.retryAfterSeconds ?? 5;
  const memoryMs = options.faultMemoryMs ?? 30_000;
  const now = options.now ?? Date.now;
  let lastFault: { code: string; at: number } | null = null;

  const map = (err: unknown): never => {
    if (!isStoreUnavailable(err)) throw err;
    const code = sqliteCode(err);
    options.healer?.noticeFault(code);
    if (code && REMEMBERED_PREFIXES.some((prefix) => code.startsWith(prefix))) lastFault = { code, at: now() };
    throw toUnavailable(err, retryAfter);
  };

  return new Proxy(store, {
    get(target, prop, _receiver) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const settle = (result: unknown) => {
          if (prop === 'appendInbox') lastFault = null;
          if (prop === 'ping' && lastFault) {
            // The rolled-back probe passed; only a committed write shows the disk has room again.
            const files = (['inboxDatabase', 'database'] as const)
              .map((name) => Reflect.get(target, name, target) as Database.Database | undefined)
              .filter((db): db is Database.Database => db !== undefined && typeof db.exec === 'function');
            try {
              if (files.length > 0) {
                for (const db of files) probeWritable(db, { commit: true });
                lastFault = null;
              }
            } catch (err) {
              map(err);
            }
            if (lastFault && now() - lastFault.at < memoryMs) throw toUnavailable({ code: lastFault.code }, retryAfter);
          }
          return result;
        };
        if (prop !== 'close') options.healer?.beforeCall();
        let result: unknown;
        try {
          result = fn.apply(target, args);
        } catch (err) {
          return map(err);
        }
        if (result instanceof Promise) return result.then(settle, map);
        return settle(result);
      };
    },
  });
}

/**
 * Cheap writability check for readiness: takes the write lock (with a short busy timeout, so a
 * locked database answers "not ready" at once instead of blocking the event loop), allocates
 * pages for a throwaway table (fails on a read-only file or a database at its size limit),
 * then rolls back. Nothing is written to disk and no fsync happens. With `commit`, the table is
 * dropped and the transaction committed instead: a real (WAL) write, used only after a write
 * fault, to see whether the disk has room again.
 */
export function probeWritable(db: Database.Database, options: { busyTimeoutMs?: number; commit?: boolean } = {}): void {
  if (db.inTransaction) return;
  const busyTimeoutMs = options.busyTimeoutMs ?? 250;
  const prior = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma(`busy_timeout = ${Math.min(prior, busyTimeoutMs)}`);
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE debrief_write_probe (b BLOB); INSERT INTO debrief_write_probe VALUES (zeroblob(16384));');
      if (options.commit) db.exec('DROP TABLE debrief_write_probe; COMMIT');
    } finally {
      // SQLite may already have rolled back on FULL/IOERR/BUSY; a second ROLLBACK would mask the cause.
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  } finally {
    db.pragma(`busy_timeout = ${prior}`);
  }
}
