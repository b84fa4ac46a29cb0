import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { ensureCollectionsAndIndexes } from './mongo-indexes';
import { redactUrl, toUnavailable } from './mongo-errors';

/** Connection settings (`store.mongo.*`); options written in the URL's query win over these. */
export interface MongoSettings {
  /** How long an operation waits for a suitable server (the driver's default is 30 s). */
  serverSelectionTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Readiness (`ping`) gives up after this long. */
  pingTimeoutMs?: number;
}

export const MONGO_DEFAULTS = { serverSelectionTimeoutMs: 5000, connectTimeoutMs: 5000, pingTimeoutMs: 2000 } as const;

export const DEFAULT_DATABASE = 'debrief';

export interface ParsedMongoUrl {
  database: string;
  /** Option names given in the query, lower-cased (MongoDB URL options are case-insensitive). */
  urlOptions: Set<string>;
}

/**
 * The database named by the URL path (`mongodb://host/<db>?...`, default `debrief`) and which
 * options the URL sets. Parsed by hand: a MongoDB URL may list several hosts
 * (`h1:27017,h2:27017`), which `new URL()` rejects.
 */
export function parseMongoUrl(url: string): ParsedMongoUrl {
  const match = /^mongodb(?:\+srv)?:\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?/.exec(url);
  if (!match || !match[1]) throw new Error(`store.url "${redactUrl(url)}": not a mongodb:// or mongodb+srv:// URL with a host`);
  const path = decodeURIComponent((match[2] ?? '').replace(/^\//, ''));
  if (/[/\\. "$*<>:|?]/.test(path)) throw new Error(`store.url "${redactUrl(url)}": "${path}" is not a valid MongoDB database name`);
  const urlOptions = new Set<string>();
  for (const pair of (match[3] ?? '').replace(/^\?/, '').split('&')) {
    const name = pair.split('=')[0];
    if (name) urlOptions.add(decodeURIComponent(name).toLowerCase());
  }
  return { database: path || DEFAULT_DATABASE, urlOptions };
}

/** The same URL naming another database (tests give each run its own, then drop it). */
export function mongoUrlWithDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/s.exec(url);
  if (!match) throw new Error(`store.url "${redactUrl(url)}": not a mongodb:// or mongodb+srv:// URL`);
  return `${match[1]}/${encodeURIComponent(database)}${match[3] ?? ''}`;
}

/**
 * Client options: short timeouts from the settings unless the URL sets them (an object option
 * would otherwise override the URL's), majority read and write concern by default, retryable
 * writes, Buffers for binary fields and `undefined` members left out (as JSON would).
 */
export function mongoClientOptions(parsed: ParsedMongoUrl, settings: MongoSettings = {}): MongoClientOptions {
  const options: MongoClientOptions = { ignoreUndefined: true, promoteBuffers: true, retryWrites: true, appName: 'debrief' };
  const set = (name: string, value: unknown, apply: () => void) => {
    if (!parsed.urlOptions.has(name.toLowerCase()) && value !== undefined) apply();
  };
  set('serverSelectionTimeoutMS', settings.serverSelectionTimeoutMs ?? MONGO_DEFAULTS.serverSelectionTimeoutMs, () => {
    options.serverSelectionTimeoutMS = settings.serverSelectionTimeoutMs ?? MONGO_DEFAULTS.serverSelectionTimeoutMs;
  });
  set('connectTimeoutMS', settings.connectTimeoutMs ?? MONGO_DEFAULTS.connectTimeoutMs, () => {
    options.connectTimeoutMS = settings.connectTimeoutMs ?? MONGO_DEFAULTS.connectTimeoutMs;
  });
  set('w', 'majority', () => {
    options.writeConcern = { w: 'majority' };
  });
  // Majority reads only with majority writes: with w=1 from the URL, a majority read right after
  // an acknowledged write might not see it yet (reads would not see the process's own writes).
  if (!parsed.urlOptions.has('w')) {
    set('readConcernLevel', 'majority', () => {
      options.readConcern = { level: 'majority' };
    });
  }
  return options;
}

/**
 * One MongoDB client and database shared by the three stores (alerts/incidents/inbox, reports,
 * deliveries), like the SQLite stores share one file. Opened once by whichever store's `init()`
 * runs first; the main store closes it.
 */
export class MongoConnection {
  private clientValue: MongoClient | null = null;
  private dbValue: Db | null = null;
  private opening: Promise<void> | null = null;
  readonly parsed: ParsedMongoUrl;
  readonly pingTimeoutMs: number;

  constructor(readonly url: string, readonly settings: MongoSettings = {}) {
    this.parsed = parseMongoUrl(url);
    this.pingTimeoutMs = settings.pingTimeoutMs ?? MONGO_DEFAULTS.pingTimeoutMs;
  }

  get client(): MongoClient {
    if (!this.clientValue) throw new Error('the MongoDB store is not initialised (call init() first)');
    return this.clientValue;
  }

  get db(): Db {
    if (!this.dbValue) throw new Error('the MongoDB store is not initialised (call init() first)');
    return this.dbValue;
  }

  /** Connects, checks that transactions are possible, and creates collections and indexes. */
  open(): Promise<void> {
    this.opening ??= this.connect().catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  private async connect(): Promise<void> {
    const client = new MongoClient(this.url, mongoClientOptions(this.parsed, this.settings));
    try {
      await client.connect();
      const db = client.db(this.parsed.database);
      await requireTransactions(db, this.url);
      await ensureCollectionsAndIndexes(db);
      this.clientValue = client;
      this.dbValue = db;
    } catch (err) {
      // Leave no sockets or timers behind: a failed start must let the process exit.
      await client.close().catch(() => undefined);
      if (err instanceof ReplicaSetRequiredError) throw err;
      throw toUnavailable(err, `cannot use MongoDB at ${redactUrl(this.url)}`);
    }
  }

  /** Readiness: the `ping` command on the primary, bounded by `pingTimeoutMs`. */
  async ping(): Promise<void> {
    try {
      await this.db.admin().command({ ping: 1 }, { timeoutMS: this.pingTimeoutMs });
    } catch (err) {
      throw toUnavailable(err, `MongoDB at ${redactUrl(this.url)} does not answer`);
    }
  }

  async close(): Promise<void> {
    const client = this.clientValue;
    this.clientValue = null;
    this.dbValue = null;
    this.opening = null;
    if (client) await client.close();
  }
}

export class ReplicaSetRequiredError extends Error {
  constructor(url: string) {
    super(`store.url "${redactUrl(url)}": MongoDB must be a replica set (or sharded cluster) because Debrief uses transactions; `
      + 'for a single server start mongod with --replSet rs0 and run rs.initiate() once');
    this.name = 'ReplicaSetRequiredError';
  }
}

/** Multi-document transactions need a replica set member or mongos; a standalone server fails every write otherwise. */
async function requireTransactions(db: Db, url: string): Promise<void> {
  const hello = await db.admin().command({ hello: 1 });
  if (typeof hello.setName !== 'string' && hello.msg !== 'isdbgrid') throw new ReplicaSetRequiredError(url);
}
