import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { decodeCursor, toPage } from '../cursor';
import type { InboxEntry, InboxEntrySummary, InboxOutcome, InboxQuery, InboxState, NewInboxEntry, Page, RequeueContext } from '../store';
import { decodeBody, encodeBody } from './inbox-body-codec';
import { toInboxEntry, toInboxSummary, type Row } from './sqlite-rows';

/**
 * The SQLite inbox, kept in two files so that accepting a webhook never waits for processing.
 *
 * - The **inbox file** (`inboxFileFor`) holds what was received: one row per webhook, body
 *   included, appended once and never changed. Only appends write it, so an append never
 *   queues behind the inbox worker's transactions for SQLite's single write lock, and the fsync
 *   that makes a 202 durable flushes the appended pages only.
 * - The **store file** holds each entry's processing state (`inbox_processing`) beside the alerts and
 *   incidents derived from it, so "done" and the derived writes share one WAL: after a power
 *   loss they are either both there or both lost (WAL recovery keeps a prefix of the commits),
 *   and a lost "done" only means the entry is processed again.
 *
 * An entry without a state row is pending and was never attempted. Claims take entries in `seq`
 * order, so every entry up to the highest `seq` in `inbox_processing` has a state row: new entries
 * are found by a range scan above it, never by an anti-join over the whole inbox.
 *
 * One rule keeps the files consistent after a power loss. The store file may keep a state row
 * for an append that was committed and claimed but whose WAL never reached the disk (its
 * sender was not answered, so nothing accepted is lost). Its `seq` must then not be given to a
 * new webhook, which would look done: at open, the inbox file's sequence is moved past every
 * `seq` the store file knows.
 */

/** The inbox file beside a store file: `debrief.db` -> `debrief.inbox.db`. */
export function inboxFileFor(storeFile: string): string {
  if (storeFile === ':memory:') return ':memory:';
  const ext = extname(storeFile);
  return ext ? `${storeFile.slice(0, -ext.length)}.inbox${ext}` : `${storeFile}.inbox`;
}

/** Schema of the inbox file. The body is the received bytes in `encoding` (inbox-body-codec.ts), `bytes` their length as received. */
export const SQLITE_INBOX_FILE_SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  instance      TEXT NOT NULL,
  connector     TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  headers       TEXT NOT NULL,
  delivery_id   TEXT,
  encoding      TEXT NOT NULL,
  bytes         INTEGER NOT NULL,
  body          BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS inbox_delivery ON inbox(instance, delivery_id) WHERE delivery_id IS NOT NULL;
`;

/** Schema of the processing state, in the store file. */
export const SQLITE_INBOX_STATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox_processing (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  state         TEXT NOT NULL,
  attempts      INTEGER NOT NULL,
  last_error    TEXT,
  lease_owner   TEXT,
  lease_until   TEXT,
  processed_at  TEXT,
  outcome       TEXT,
  -- JSON array of { at, actor }: who requeued this dead letter, when (oldest first).
  requeues      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS inbox_processing_state ON inbox_processing(state, seq);
`;

/** Columns of an inbox row without its body (lists never decode bodies). */
const ENTRY_COLUMNS = 'seq, id, instance, connector, received_at, headers, delivery_id, bytes AS body_bytes';
/** What an entry without a state row reads as. */
const NEVER_ATTEMPTED: Row = { state: 'pending', attempts: 0, last_error: null, processed_at: null, outcome: null, requeues: '[]', lease_owner: null, lease_until: null };

export class SqliteInbox {
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * Built once, not per append: better-sqlite3's `transaction()` builds its wrapper functions on
   * every call, and appends are the hottest path. Inside a batch it is a savepoint, so one
   * failing append does not undo the others.
   */
  private readonly appendTransaction: Database.Transaction<(entry: NewInboxEntry) => { id: string; duplicate: boolean }>;

  /**
   * @param received the inbox file's connection (appends; reads of entries)
   * @param processing the store file's connection (processing state, beside the derived writes)
   */
  constructor(private readonly received: Database.Database, private readonly processing: Database.Database) {
    this.appendTransaction = received.transaction((entry: NewInboxEntry): { id: string; duplicate: boolean } => {
      if (entry.deliveryId !== null) {
        const prior = this.on(this.received, 'SELECT id FROM inbox WHERE instance = ? AND delivery_id = ?').get(entry.instance, entry.deliveryId) as Row | undefined;
        if (prior) return { id: String(prior.id), duplicate: true };
      }
      const id = randomUUID();
      const { encoding, data } = encodeBody(entry.body);
      this.on(this.received, `INSERT INTO inbox (id, instance, connector, received_at, headers, delivery_id, encoding, bytes, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, entry.instance, entry.connector, entry.receivedAt, JSON.stringify(entry.headers), entry.deliveryId, encoding, entry.body.length, data);
      return { id, duplicate: false };
    });
  }

  /** Creates both schemas and keeps the inbox file's sequence past every `seq` the store file knows (see above). */
  init(): void {
    this.received.exec(SQLITE_INBOX_FILE_SCHEMA);
    this.processing.exec(SQLITE_INBOX_STATE_SCHEMA);
    moveInboxOutOfStoreFile(this.processing, this.received);
    const known = this.highestStateSeq();
    const next = this.received.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'inbox'").get() as Row | undefined;
    if (known > Number(next?.seq ?? 0)) {
      this.received.transaction(() => {
        this.received.prepare("DELETE FROM sqlite_sequence WHERE name = 'inbox'").run();
        this.received.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('inbox', max(?, coalesce((SELECT max(seq) FROM inbox), 0)))").run(known);
      }).immediate();
    }
  }

  append(entry: NewInboxEntry): { id: string; duplicate: boolean } {
    return this.appendTransaction.immediate(entry);
  }

  /**
   * Leases up to `limit` pending entries, oldest first: retries whose lease has run out and
   * entries never attempted. Runs under the store file's write lock, which serialises claimers
   * across threads and processes; the inbox file is only read (its committed entries).
   */
  claim(owner: string, leaseMs: number, limit: number, now: string): InboxEntry[] {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    const claimed = this.processing.transaction(() => {
      const retries = this.on(this.processing, `SELECT seq FROM inbox_processing WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < ?)
        ORDER BY seq LIMIT ?`).all(now, limit) as Row[];
      const fresh = this.on(this.received, 'SELECT seq, id FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?').all(this.highestStateSeq(), limit) as Row[];
      const chosen = [...retries.map((row) => ({ seq: Number(row.seq), id: null as string | null })), ...fresh.map((row) => ({ seq: Number(row.seq), id: String(row.id) }))]
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
      const retry = this.on(this.processing, 'UPDATE inbox_processing SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE seq = ?');
      const first = this.on(this.processing, "INSERT INTO inbox_processing (seq, id, state, attempts, lease_owner, lease_until) VALUES (?, ?, 'pending', 1, ?, ?)");
      for (const choice of chosen) {
        if (choice.id === null) retry.run(owner, until, choice.seq);
        else first.run(choice.seq, choice.id, owner, until);
      }
      return chosen.map((choice) => choice.seq);
    }).immediate();
    return claimed.map((seq) => this.entryAt(seq)).filter((entry): entry is InboxEntry => entry !== null);
  }

  complete(id: string, owner: string, outcome: InboxOutcome, now: string): void {
    this.on(this.processing, `UPDATE inbox_processing SET state = 'done', processed_at = ?, outcome = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
      WHERE id = ? AND lease_owner = ?`).run(now, JSON.stringify(outcome), id, owner);
  }

  fail(id: string, owner: string, reason: string, dead: boolean, now: string): void {
    // A failed attempt keeps its lease until it expires, so retries back off by the lease time.
    this.on(this.processing, `UPDATE inbox_processing SET state = ?, last_error = ?, processed_at = CASE WHEN ? THEN ? ELSE processed_at END
      WHERE id = ? AND lease_owner = ?`).run(dead ? 'dead' : 'pending', reason, dead ? 1 : 0, now, id, owner);
  }

  /**
   * Newest first. Entries never attempted have no state row and count as pending, so a page
   * merges the two files' candidates: each side yields at most `limit + 1` rows below the cursor.
   */
  list(query: InboxQuery): Page<InboxEntrySummary> {
    return this.inOneStoreSnapshot(() => this.listNow(query));
  }

  private listNow(query: InboxQuery): Page<InboxEntrySummary> {
    const after = query.cursor ? Number(decodeCursor(query.cursor, ['seq']).seq) : null;
    const below = after !== null && Number.isFinite(after) ? after : Number.MAX_SAFE_INTEGER;
    const fetchCount = query.limit + 1;
    const high = this.highestStateSeq();
    let seqs: number[];
    if (!query.state) {
      seqs = this.seqsOf(this.received, 'SELECT seq FROM inbox WHERE seq < ? ORDER BY seq DESC LIMIT ?', below, fetchCount);
    } else {
      const stated = this.seqsOf(this.processing, 'SELECT seq FROM inbox_processing WHERE state = ? AND seq < ? ORDER BY seq DESC LIMIT ?', query.state, below, fetchCount);
      const unattempted = query.state === 'pending'
        ? this.seqsOf(this.received, 'SELECT seq FROM inbox WHERE seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?', high, below, fetchCount)
        : [];
      seqs = [...unattempted, ...stated].sort((a, b) => b - a).slice(0, fetchCount);
    }
    const rows = this.rowsAt(seqs);
    return toPage(rows.map(toInboxSummary), query.limit, (last) => ({ seq: last.seq }));
  }

  get(id: string): InboxEntry | null {
    const row = this.on(this.received, 'SELECT seq FROM inbox WHERE id = ?').get(id) as Row | undefined;
    return row ? this.entryAt(Number(row.seq)) : null;
  }

  requeue(id: string, context: RequeueContext): boolean {
    // The requeue and the record of who did it are one statement: never one without the other.
    const result = this.on(this.processing, `UPDATE inbox_processing SET state = 'pending', lease_owner = NULL, lease_until = NULL, attempts = 0,
      requeues = json_insert(requeues, '$[#]', json_object('at', ?, 'actor', ?)) WHERE id = ? AND state = 'dead'`).run(context.now, context.actor, id);
    return result.changes > 0;
  }

  counts(): Record<InboxState, number> {
    return this.inOneStoreSnapshot(() => {
      const counts: Record<InboxState, number> = { pending: 0, done: 0, dead: 0 };
      for (const row of this.on(this.processing, 'SELECT state, count(*) AS n FROM inbox_processing GROUP BY state').all() as Row[]) {
        counts[row.state as InboxState] = Number(row.n);
      }
      counts.pending += Number((this.on(this.received, 'SELECT count(*) AS n FROM inbox WHERE seq > ?').get(this.highestStateSeq()) as Row).n);
      return counts;
    });
  }

  /** Pending and dead entries through `inbox_processing_state` and the inbox file's seq range: never a scan of done entries. */
  backlog(): { pending: number; dead: number } {
    return this.inOneStoreSnapshot(() => {
      const stated = (state: InboxState) => Number((this.on(this.processing, 'SELECT count(*) AS n FROM inbox_processing WHERE state = ?').get(state) as Row).n);
      const fresh = Number((this.on(this.received, 'SELECT count(*) AS n FROM inbox WHERE seq > ?').get(this.highestStateSeq()) as Row).n);
      return { pending: stated('pending') + fresh, dead: stated('dead') };
    });
  }

  /**
   * Runs `read` with every read of the store file in one snapshot (a deferred read transaction).
   * The state rows and the highest seq they cover must be read together: read apart, a claim
   * committed in between by another connection (the inbox worker's) turned entries without a
   * state row into pending rows unseen, so `counts()` read a backlog of 0 while a claim's entries
   * were still being processed. The inbox file is read afterwards, so an entry claimed after the
   * snapshot is still counted once: its seq is above the snapshot's highest.
   */
  private inOneStoreSnapshot<T>(read: () => T): T {
    return this.processing.transaction(read)();
  }

  private highestStateSeq(): number {
    return Number((this.on(this.processing, 'SELECT coalesce(max(seq), 0) AS n FROM inbox_processing').get() as Row).n);
  }

  private seqsOf(db: Database.Database, sql: string, ...args: unknown[]): number[] {
    return (this.on(db, sql).all(...args) as Row[]).map((row) => Number(row.seq));
  }

  /** Summaries of the entries at `seqs`, in that order. */
  private rowsAt(seqs: number[]): Row[] {
    if (seqs.length === 0) return [];
    const marks = seqs.map(() => '?').join(', ');
    // Not cached: the statements' shape varies with the page size.
    const entries = new Map((this.received.prepare(`SELECT ${ENTRY_COLUMNS} FROM inbox WHERE seq IN (${marks})`).all(...seqs) as Row[]).map((row) => [Number(row.seq), row]));
    const states = new Map((this.processing.prepare(`SELECT * FROM inbox_processing WHERE seq IN (${marks})`).all(...seqs) as Row[]).map((row) => [Number(row.seq), row]));
    return seqs.flatMap((seq) => {
      const entry = entries.get(seq);
      return entry ? [{ ...NEVER_ATTEMPTED, ...states.get(seq), ...entry }] : [];
    });
  }

  private entryAt(seq: number): InboxEntry | null {
    const entry = this.on(this.received, `SELECT ${ENTRY_COLUMNS}, encoding, body FROM inbox WHERE seq = ?`).get(seq) as Row | undefined;
    if (!entry) return null;
    const state = this.on(this.processing, 'SELECT * FROM inbox_processing WHERE seq = ?').get(seq) as Row | undefined;
    return toInboxEntry({ ...NEVER_ATTEMPTED, ...state, ...entry, body: decodeBody(String(entry.encoding), entry.body as Buffer) });
  }

  private on(db: Database.Database, text: string): Database.Statement {
    const key = `${db === this.received ? 'r' : 'p'}:${text}`;
    let stmt = this.statements.get(key);
    if (!stmt) {
      stmt = db.prepare(text);
      this.statements.set(key, stmt);
    }
    return stmt;
  }

  /** Drops cached statements (before the connections close). */
  clear(): void {
    this.statements.clear();
  }
}

const hasTable = (db: Database.Database, name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/**
 * Store files written before the inbox file kept the inbox in themselves: table `inbox` (state
 * and entry), bodies in `inbox_bodies` or, older still, in an `inbox.body` column. Moves the
 * entries to the inbox file and their state to `inbox_processing`, once, under the store file's
 * write lock (several processes may open one old file at once). The entries are committed in
 * the inbox file before the old tables are dropped, so a crash in between only repeats the move.
 */
export function moveInboxOutOfStoreFile(processing: Database.Database, received: Database.Database): void {
  if (!hasTable(processing, 'inbox')) return;
  processing.transaction(() => {
    if (!hasTable(processing, 'inbox')) return;
    const columns = new Set((processing.prepare('PRAGMA table_info(inbox)').all() as Row[]).map((column) => String(column.name)));
    const bodies = columns.has('body')
      ? "'identity' AS encoding, length(inbox.body) AS bytes, inbox.body AS body FROM inbox"
      : 'b.encoding, b.bytes, b.body FROM inbox JOIN inbox_bodies b ON b.seq = inbox.seq';
    const insert = received.prepare(`INSERT OR IGNORE INTO inbox (seq, id, instance, connector, received_at, headers, delivery_id, encoding, bytes, body)
      VALUES (@seq, @id, @instance, @connector, @received_at, @headers, @delivery_id, @encoding, @bytes, @body)`);
    const entries = processing.prepare(`SELECT inbox.seq, inbox.id, inbox.instance, inbox.connector, inbox.received_at, inbox.headers, inbox.delivery_id, ${bodies}`);
    received.transaction(() => {
      for (const row of entries.iterate() as IterableIterator<Row>) insert.run(row);
    }).immediate();
    processing.exec(`
      INSERT OR IGNORE INTO inbox_processing (seq, id, state, attempts, last_error, lease_owner, lease_until, processed_at, outcome, requeues)
        SELECT seq, id, state, attempts, last_error, lease_owner, lease_until, processed_at, outcome, ${columns.has('requeues') ? 'requeues' : "'[]'"} FROM inbox;
      DROP TABLE inbox;
      DROP TABLE IF EXISTS inbox_bodies;`);
  }).immediate();
}
