import { MongoNetworkError, MongoServerError, MongoServerSelectionError, type MongoClient } from 'mongodb';
import { NotFoundError, UnavailableError } from '../../src/errors';
import {
  TRANSACTION_OPTIONS, WriteRaceError, guardMongoFaults, isMongoUnavailable, isRetryableConflict, runTransaction,
} from '../../src/store/mongo/mongo-errors';

const duplicateKey = () => new MongoServerError({ message: 'E11000 duplicate key error collection: debrief.alerts index: alerts_identity', code: 11000 });

/** A client whose sessions run the callback once per withTransaction, recording what happened. */
function fakeClient() {
  const log = { sessions: 0, ended: 0, options: [] as unknown[] };
  const client = {
    startSession() {
      log.sessions += 1;
      return {
        withTransaction: async (fn: () => Promise<unknown>, options: unknown) => {
          log.options.push(options);
          return fn();
        },
        endSession: async () => {
          log.ended += 1;
        },
      };
    },
  };
  return { client: client as unknown as MongoClient, log };
}

const noSleep = async () => undefined;

describe('runTransaction', () => {
  it('when a run hits a duplicate key (another replica inserted first), then the whole transaction runs again and its result is returned', async () => {
    const { client, log } = fakeClient();
    let runs = 0;
    const result = await runTransaction(client, async () => {
      runs += 1;
      if (runs === 1) throw duplicateKey();
      return 'updated instead';
    }, { sleep: noSleep });
    expect(result).toBe('updated instead');
    expect(runs).toBe(2);
    expect(log.sessions).toBe(2);
    expect(log.ended).toBe(2);
  });

  it('when an insert finds its identity taken (WriteRaceError), then it is retried too', async () => {
    const { client } = fakeClient();
    let runs = 0;
    await expect(runTransaction(client, async () => {
      runs += 1;
      if (runs < 3) throw new WriteRaceError('alert a/fp@t');
      return runs;
    }, { sleep: noSleep })).resolves.toBe(3);
  });

  it('when the conflict never clears, then it gives up after the configured attempts with the last error', async () => {
    const { client, log } = fakeClient();
    await expect(runTransaction(client, async () => {
      throw duplicateKey();
    }, { attempts: 3, sleep: noSleep })).rejects.toThrow('E11000');
    expect(log.sessions).toBe(3);
    expect(log.ended).toBe(3);
  });

  it('when the callback fails for a domain reason, then it is not retried', async () => {
    const { client, log } = fakeClient();
    await expect(runTransaction(client, async () => {
      throw new NotFoundError('no incident "x"');
    }, { sleep: noSleep })).rejects.toThrow(NotFoundError);
    expect(log.sessions).toBe(1);
  });

  it('when a transaction starts, then it reads and writes with majority concern on the primary', async () => {
    const { client, log } = fakeClient();
    await runTransaction(client, async () => 1);
    expect(log.options[0]).toEqual(TRANSACTION_OPTIONS);
    expect(TRANSACTION_OPTIONS).toEqual({ readConcern: { level: 'majority' }, writeConcern: { w: 'majority' }, readPreference: 'primary' });
  });
});

describe('MongoDB error classification', () => {
  it('when a server error means "no primary now" or the network failed, then it is an unavailable store, not a bug', () => {
    expect(isMongoUnavailable(new MongoServerError({ message: 'not primary', code: 10107 }))).toBe(true);
    expect(isMongoUnavailable(new MongoServerError({ message: 'primary stepped down', code: 189 }))).toBe(true);
    expect(isMongoUnavailable(new MongoNetworkError('connection reset'))).toBe(true);
    expect(isMongoUnavailable(duplicateKey())).toBe(false);
    expect(isMongoUnavailable(new Error('boom'))).toBe(false);
  });

  it('when two writers race, then duplicate keys and write conflicts are retryable and other server errors are not', () => {
    expect(isRetryableConflict(duplicateKey())).toBe(true);
    expect(isRetryableConflict(new MongoServerError({ message: 'WriteConflict', code: 112 }))).toBe(true);
    expect(isRetryableConflict(new MongoServerError({ message: 'bad value', code: 2 }))).toBe(false);
  });
});

describe('guardMongoFaults', () => {
  class Target {
    readonly kind = 'mongodb';
    async down(): Promise<void> {
      throw new MongoServerSelectionError('connect ECONNREFUSED 10.0.0.5:27017', { type: 'Unknown' } as never);
    }
    async notFound(): Promise<void> {
      throw new NotFoundError('no incident "x"');
    }
    async ok(): Promise<number> {
      return 7;
    }
  }

  it('when a method fails because MongoDB is unreachable, then it rejects with UnavailableError (503 + Retry-After)', async () => {
    const guarded = guardMongoFaults(new Target(), 9);
    const err = (await guarded.down().catch((e: unknown) => e)) as UnavailableError;
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.retryAfterSeconds).toBe(9);
    expect(err.message).toContain('ECONNREFUSED 10.0.0.5:27017');
  });

  it('when a method fails for another reason or succeeds, then the result passes through unchanged', async () => {
    const guarded = guardMongoFaults(new Target());
    await expect(guarded.notFound()).rejects.toThrow(NotFoundError);
    await expect(guarded.ok()).resolves.toBe(7);
    expect(guarded.kind).toBe('mongodb');
    expect(guarded).toBeInstanceOf(Target);
  });
});
