import {
  MongoError, MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError, MongoServerError, MongoServerSelectionError,
  MongoTopologyClosedError, type ClientSession, type MongoClient, type TransactionOptions,
} from 'mongodb';
import { UnavailableError } from '../../errors';

/**
 * MongoDB failures by meaning: "the store cannot serve now, retry later" (no primary, network,
 * a stepping-down primary, a write concern that timed out) becomes `UnavailableError` (503 with
 * Retry-After, so Alertmanager and PagerDuty retry); conflicts between writers are retried here.
 */

/** Server error codes that mean "not now" (replica set elections, shutdown, time limits, network). */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

export const DUPLICATE_KEY = 11000;
const WRITE_CONFLICT = 112;

export function isMongoUnavailable(err: unknown): boolean {
  if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError || err instanceof MongoNotConnectedError
    || err instanceof MongoTopologyClosedError || err instanceof MongoOperationTimeoutError) return true;
  if (err instanceof MongoServerError) {
    return UNAVAILABLE_CODES.has(Number(err.code)) || err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool');
  }
  return false;
}

/** Credentials are never shown. */
export const redactUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');

export function toUnavailable(err: unknown, what: string, retryAfterSeconds = 5): UnavailableError {
  const detail = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`store unavailable: ${what} (${detail}); retry later`, retryAfterSeconds);
}

export const isDuplicateKey = (err: unknown): boolean => err instanceof MongoError && Number(err.code) === DUPLICATE_KEY;

/** Thrown inside a transaction when an insert found its identity taken: the transaction is re-run. */
export class WriteRaceError extends Error {
  constructor(what: string) {
    super(`concurrent write of ${what}; retrying`);
    this.name = 'WriteRaceError';
  }
}

/**
 * Conflicts worth re-running a whole transaction for. The driver's `withTransaction` already
 * re-runs on `TransientTransactionError` (write conflicts) with backoff; a duplicate key (two
 * transactions inserting the same unique key, one committed first) carries no such label, so
 * it is retried here: the re-run reads the committed document and takes the update path.
 */
export const isRetryableConflict = (err: unknown): boolean =>
  err instanceof WriteRaceError || isDuplicateKey(err) || (err instanceof MongoError && Number(err.code) === WRITE_CONFLICT);

/**
 * Majority read and write concern: a decision is made on majority-committed data and is
 * acknowledged only once a majority holds it, so an election cannot roll back an answered
 * webhook's incident or a report version. Always on the primary.
 */
export const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'majority' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

export interface TransactionRetry {
  /** Whole-transaction attempts on duplicate-key races (default 8). */
  attempts?: number;
  /** Sleeps between them (jittered; injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` in a multi-document transaction (`session.withTransaction`: retried by the driver
 * on transient errors, commit retried on unknown results), re-running it on duplicate-key races.
 * `fn` must build all its state from the database each time: it may run several times.
 */
export async function runTransaction<T>(client: MongoClient, fn: (session: ClientSession) => Promise<T>, retry: TransactionRetry = {}): Promise<T> {
  const attempts = retry.attempts ?? 8;
  const sleep = retry.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    const session = client.startSession();
    try {
      return await session.withTransaction(() => fn(session), TRANSACTION_OPTIONS);
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err;
    } finally {
      await session.endSession();
    }
    await sleep(Math.round(Math.random() * Math.min(5 * 2 ** attempt, 200)));
  }
}

/**
 * Wraps a store so that "unavailable" MongoDB failures surface as `UnavailableError` from any
 * method (routes and services need no Mongo knowledge). Other errors pass through unchanged.
 */
export function guardMongoFaults<T extends object>(store: T, retryAfterSeconds = 5): T {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const map = (err: unknown): never => {
          if (isMongoUnavailable(err)) throw toUnavailable(err, 'MongoDB cannot serve the request', retryAfterSeconds);
          throw err;
        };
        try {
          const result = fn.apply(target, args);
          return result instanceof Promise ? result.catch(map) : result;
        } catch (err) {
          return map(err);
        }
      };
    },
  });
}
