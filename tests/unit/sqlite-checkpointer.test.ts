import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCheckpointer } from '../../src/store/sqlite/sqlite-checkpointer';

/**
 * WAL checkpoints run in one background thread for the store file and its inbox file
 * (sqlite-checkpointer.ts). In WAL mode a commit only appends to the `-wal` file; the database
 * file grows only when a checkpoint copies pages into it, and the writing connections' own
 * automatic checkpoint is pushed out of reach (20,000 pages) by startCheckpointer.
 */
describe('SQLite checkpointer', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-checkpointer-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (name: string) => {
    const db = new Database(join(dir, name));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (b BLOB)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return db;
  };

  it('when two WAL files are written, then one checkpointer copies both into their database files, and a memory database is skipped', async () => {
    const files = [open('debrief.db'), open('debrief.inbox.db')];
    const memory = new Database(':memory:');
    const sizes = () => files.map((db) => statSync(db.name).size);
    const before = sizes();
    const checkpointer = startCheckpointer([...files, memory], { intervalMs: 20 });
    try {
      for (const db of files) db.prepare('INSERT INTO t VALUES (zeroblob(65536))').run();
      // Nothing else checkpoints: the writers' own threshold is 20,000 pages.
      expect(files.map((db) => Number(db.pragma('wal_autocheckpoint', { simple: true })))).toEqual([20_000, 20_000]);
      const deadline = Date.now() + 5000;
      while (sizes().some((size, i) => size <= before[i]!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(sizes().map((size, i) => size - before[i]!).every((grown) => grown >= 65536)).toBe(true);
    } finally {
      await checkpointer.stop();
      for (const db of [...files, memory]) db.close();
    }
  });

  it('when a WAL has been checkpointed and left alone for the idle time, then it is truncated to nothing, and nothing written is lost', async () => {
    const db = open('debrief.db');
    const wal = () => statSync(`${db.name}-wal`).size;
    const checkpointer = startCheckpointer([db], { intervalMs: 20, idleMs: 300 });
    try {
      const insert = db.prepare('INSERT INTO t VALUES (zeroblob(65536))');
      const writingUntil = Date.now() + 600;
      while (Date.now() < writingUntil) {
        insert.run();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(wal()).toBeGreaterThan(65536);
      const deadline = Date.now() + 5000;
      while (wal() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(wal()).toBe(0);
      const rows = (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
      expect(rows).toBeGreaterThan(5);
      db.close();
      const reopened = new Database(db.name);
      expect((reopened.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
      reopened.close();
    } finally {
      await checkpointer.stop();
      if (db.open) db.close();
    }
  });
});
