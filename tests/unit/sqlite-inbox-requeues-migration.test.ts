import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/** The inbox table as Debrief created it before requeues were recorded (no `requeues` column). */
const INBOX_BEFORE_REQUEUES = `
CREATE TABLE inbox (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  instance      TEXT NOT NULL,
  connector     TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  headers       TEXT NOT NULL,
  body          BLOB NOT NULL,
  delivery_id   TEXT,
  state         TEXT NOT NULL DEFAULT 'pending',
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  lease_owner   TEXT,
  lease_until   TEXT,
  processed_at  TEXT,
  outcome       TEXT
);`;

describe('SQLite store file from before requeues were recorded', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-requeues-migration-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('when it is opened, then its dead letters show no requeue, and a requeue is recorded with its actor', async () => {
    const file = join(dir, 'debrief.db');
    const old = new Database(file);
    old.exec(INBOX_BEFORE_REQUEUES);
    old.prepare(`INSERT INTO inbox (id, instance, connector, received_at, headers, body, state, attempts, last_error, processed_at)
      VALUES ('old-dead', 'alertmanager', 'alertmanager', '2026-11-26T14:00:00.000Z', '{}', x'7b7d', 'dead', 1, 'broken', '2026-11-26T14:00:01.000Z')`).run();
    old.close();

    const store = new SqliteStore({ file });
    await store.init();
    try {
      expect(await store.getInboxEntry('old-dead')).toMatchObject({ state: 'dead', requeues: [] });
      expect(await store.requeueInbox('old-dead', { actor: 'alice', now: '2026-11-27T09:00:00.000Z' })).toBe(true);
      expect(await store.getInboxEntry('old-dead')).toMatchObject({ state: 'pending', requeues: [{ at: '2026-11-27T09:00:00.000Z', actor: 'alice' }] });
    } finally {
      await store.close();
    }
  });
});
