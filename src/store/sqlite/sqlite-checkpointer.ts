import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit that
 * pushes the WAL past 1,000 pages: it copies the WAL into the database file and fsyncs it, and
 * with better-sqlite3 that stalls every request for tens of milliseconds. Here a worker thread with its own connection runs PASSIVE
 * checkpoints (they never wait for, nor block, readers and writers), and the main connection's
 * automatic checkpoint is only a safety net for a stalled worker.
 *
 * Every 50 ms: each checkpoint then copies little and its fsync of the database file is short.
 * At 250 ms the copies were large enough that a webhook's WAL fsync queued behind the database
 * fsync on the disk and paced p99 latency rose, with the same throughput unpaced (npm run
 * bench:compare; figures in bench/ingest/RESULTS.md).
 *
 * The WAL file never shrinks by itself: SQLite reuses it from the start once it is checkpointed,
 * so after a load (or readers that kept checkpoints from completing) it stayed at its largest
 * size, 100 MB once, and on a small disk filled it. Two bounds: every connection has
 * `journal_size_limit` (SQLITE_JOURNAL_SIZE_LIMIT_BYTES; the first commit after the WAL restarts truncates
 * the file to it), and once a file's WAL has been fully checkpointed and unchanged for
 * `idleMs`, a TRUNCATE checkpoint empties it. The truncation never waits (busy timeout 0): with
 * a reader or writer in the way it does nothing and is tried again after the next idle spell.
 */

/** Largest WAL file left after the WAL restarts (`journal_size_limit`). */
export const SQLITE_JOURNAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const dbs = workerData.files.map((file) => {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  // Checkpoints copy WAL frames to the database file without going through the page cache;
  // better-sqlite3's default of 16 MB per connection only held pages nothing read again.
  db.pragma('cache_size = -500');
  db.pragma('journal_size_limit = ' + workerData.journalSizeLimit);
  return { db, frames: -1, since: Date.now() };
});
const checkpoint = (file) => {
  const [result] = file.db.pragma('wal_checkpoint(PASSIVE)');
  const now = Date.now();
  if (result.log !== file.frames) {
    file.frames = result.log;
    file.since = now;
  } else if (result.log > 0 && result.checkpointed === result.log && now - file.since >= workerData.idleMs) {
    // Idle and fully copied into the database file: give the WAL's space back.
    file.db.pragma('wal_checkpoint(TRUNCATE)');
    file.frames = -1;
  }
};
const tick = () => { for (const file of dbs) { try { checkpoint(file); } catch { /* retried next tick */ } } };
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); tick(); for (const file of dbs) file.db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

const isWalFile = (db: Database.Database) => !db.memory && db.name !== '' && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';

/**
 * Starts background checkpoints for open WAL databases (the store file and its inbox file):
 * one thread for all of them, since a Node worker thread costs a V8 heap of its own (about
 * 15 MB of RSS). `:memory:` databases are skipped.
 */
export function startCheckpointer(databases: Database.Database[], options: { intervalMs?: number; safetyNetPages?: number; idleMs?: number } = {}): Checkpointer {
  const files = databases.filter(isWalFile);
  if (files.length === 0) return { stop: async () => undefined };
  for (const db of files) db.pragma(`wal_autocheckpoint = ${options.safetyNetPages ?? 20_000}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: require.resolve('better-sqlite3'), files: files.map((db) => db.name), intervalMs: options.intervalMs ?? 50,
      idleMs: options.idleMs ?? 1000, journalSizeLimit: SQLITE_JOURNAL_SIZE_LIMIT_BYTES,
    },
  });
  worker.unref();
  // A failing checkpointer only means checkpoints fall back to the safety net.
  worker.on('error', () => undefined);
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
      await worker.terminate();
    },
  };
}
