import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { WalSync, type WalFileOps } from '../../src/store/sqlite/sqlite-wal-sync';

/** File operations whose fdatasync completes only when the test says so. */
function heldDisk() {
  const syncs: Array<(err: NodeJS.ErrnoException | null) => void> = [];
  const closed: number[] = [];
  const ops: WalFileOps = {
    open: (_path, _flags, cb) => setImmediate(() => cb(null, 42)),
    fdatasync: (_fd, cb) => { syncs.push(cb); },
    close: (fd, cb) => { closed.push(fd); cb(null); },
  };
  return { ops, syncs, closed };
}

const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

describe('WAL sync after commit', () => {
  it('when a commit waits, then it is answered only once an fsync that started after it has completed', async () => {
    const disk = heldDisk();
    const sync = new WalSync('x-wal', disk.ops);
    let first = false;
    void sync.afterCommit().then(() => { first = true; });
    await settle();
    expect(disk.syncs).toHaveLength(1);
    // Committed while that fsync runs: it may not cover this commit, so this one waits for the next.
    let second = false;
    let third = false;
    void sync.afterCommit().then(() => { second = true; });
    void sync.afterCommit().then(() => { third = true; });
    disk.syncs.shift()!(null);
    await settle();
    expect([first, second, third]).toEqual([true, false, false]);
    // ... and the two share one fsync.
    expect(disk.syncs).toHaveLength(1);
    disk.syncs.shift()!(null);
    await settle();
    expect([second, third]).toEqual([true, true]);
  });

  it('when the fsync fails, then every commit waiting for it fails as a SQLite I/O error', async () => {
    const disk = heldDisk();
    const sync = new WalSync('x-wal', disk.ops);
    const waiting = [sync.afterCommit(), sync.afterCommit()];
    await settle();
    disk.syncs.shift()!(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC', message: expect.stringContaining('EIO') });
  });

  it('when closed during an fsync, then that fsync still answers its commits, the file is closed after it, and later commits fail', async () => {
    const disk = heldDisk();
    const sync = new WalSync('x-wal', disk.ops);
    const inFlight = sync.afterCommit();
    await settle();
    sync.close();
    expect(disk.closed).toEqual([]);
    disk.syncs.shift()!(null);
    await expect(inFlight).resolves.toBeUndefined();
    expect(disk.closed).toEqual([42]);
    await expect(sync.afterCommit()).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  });

  it('when retired (the store reopened its connections) with commits waiting, then they are still fsynced and answered, and the file is closed after them', async () => {
    const disk = heldDisk();
    const sync = new WalSync('x-wal', disk.ops);
    const inFlight = sync.afterCommit();
    await settle();
    const queued = sync.afterCommit();
    sync.retire();
    disk.syncs.shift()!(null);
    await expect(inFlight).resolves.toBeUndefined();
    await settle();
    expect(disk.closed).toEqual([]);
    expect(disk.syncs).toHaveLength(1);
    disk.syncs.shift()!(null);
    await expect(queued).resolves.toBeUndefined();
    await settle();
    expect(disk.closed).toEqual([42]);
  });

  /** A commit-policy store on a temp file at `level`, closed and removed afterwards. */
  async function withStore(level: 'FULL' | 'NORMAL', test: (store: SqliteStore, dir: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-walsync-'));
    const store = new SqliteStore({ file: join(dir, 'debrief.db'), synchronous: level, commitPolicy: true });
    await store.init();
    try {
      await test(store, dir);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const entry = (i: number) => ({ instance: 'am', connector: 'alertmanager', receivedAt: '2026-11-26T12:00:00.000Z', headers: {}, body: Buffer.from(`{"n":${i}}`), deliveryId: null });
  const pragma = (db: Database.Database, name: string) => Number(db.pragma(name, { simple: true }));

  it('when a store at synchronous=FULL appends, then the batch is stored and visible to another connection, the inbox connection stays at NORMAL without busy waits and the store connection keeps FULL and its busy timeout', () => withStore('FULL', async (store, dir) => {
    const stored = await Promise.all([1, 2, 3].map((i) => store.appendInbox(entry(i))));
    // Only appends write the inbox file, each batch made durable by the WAL fsync; people's
    // writes go to the store file, at the configured level.
    expect(pragma(store.inboxDatabase, 'synchronous')).toBe(1);
    expect(pragma(store.database, 'synchronous')).toBe(2);
    // Appends never sleep on the write lock (they retry on timers); people's writes do wait.
    expect(pragma(store.inboxDatabase, 'busy_timeout')).toBe(0);
    expect(pragma(store.database, 'busy_timeout')).toBe(5000);
    await store.appendInbox(entry(4));
    expect(pragma(store.inboxDatabase, 'synchronous')).toBe(1);
    expect(pragma(store.inboxDatabase, 'busy_timeout')).toBe(0);
    const other = new Database(join(dir, 'debrief.inbox.db'), { readonly: true });
    expect((other.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n).toBe(4);
    other.close();
    expect((await store.getInboxEntry(stored[1]!.id))?.body.toString()).toBe('{"n":2}');
  }));

  it('when a store at synchronous=NORMAL appends, then the inbox connection stays without busy waits and the store connection keeps its level and busy timeout', () => withStore('NORMAL', async (store) => {
    await Promise.all([1, 2].map((i) => store.appendInbox(entry(i))));
    await store.appendInbox(entry(3));
    expect(pragma(store.inboxDatabase, 'busy_timeout')).toBe(0);
    expect(pragma(store.database, 'busy_timeout')).toBe(5000);
    expect(pragma(store.database, 'synchronous')).toBe(1);
    expect((await store.listInbox({ limit: 10 })).items).toHaveLength(3);
  }));
});
