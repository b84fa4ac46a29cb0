import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBody, encodeBody } from '../../src/store/sqlite/inbox-body-codec';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/**
 * Inbox bodies live in `inbox_bodies`, apart from the entry's changing state (sqlite-schema.ts),
 * Brotli-compressed when that helps (inbox-body-codec.ts).
 * Files written before that keep them in `inbox.body`; opening such a file moves them.
 */
describe('SQLite inbox bodies', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-bodies-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when a file from before the move is opened, then its bodies are kept, readable and claimable, and the old column is gone', async () => {
    const file = join(dir, 'debrief.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE inbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, instance TEXT NOT NULL, connector TEXT NOT NULL,
      received_at TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL, delivery_id TEXT, state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, lease_owner TEXT, lease_until TEXT, processed_at TEXT, outcome TEXT)`);
    const insert = old.prepare("INSERT INTO inbox (id, instance, connector, received_at, headers, body, state) VALUES (?, 'am', 'alertmanager', '2026-11-26T12:00:00.000Z', '{}', ?, ?)");
    insert.run('old-done', Buffer.from('{"done":true}'), 'done');
    insert.run('old-pending', Buffer.from('{"pending":true}'), 'pending');
    old.close();

    const store = new SqliteStore({ file });
    await store.init();
    try {
      expect((await store.getInboxEntry('old-done'))?.body.toString()).toBe('{"done":true}');
      const claimed = await store.claimInbox('me', 60_000, 10, '2026-11-26T12:01:00.000Z');
      expect(claimed.map((e) => [e.id, e.body.toString(), e.bodyBytes])).toEqual([['old-pending', '{"pending":true}', 16]]);
      expect((await store.listInbox({ limit: 10 })).items.map((e) => e.bodyBytes)).toEqual([16, 13]);
      const columns = (store.database.prepare('PRAGMA table_info(inbox)').all() as Array<{ name: string }>).map((c) => c.name);
      expect(columns).not.toContain('body');
      const { id } = await store.appendInbox({ instance: 'am', connector: 'alertmanager', receivedAt: '2026-11-26T12:02:00.000Z', headers: {}, body: Buffer.from('{"new":1}'), deliveryId: null });
      expect((await store.getInboxEntry(id))?.body.toString()).toBe('{"new":1}');
    } finally {
      await store.close();
    }
    // Opening it again finds nothing left to move.
    const again = new SqliteStore({ file });
    await again.init();
    expect((await again.inboxCounts())).toEqual({ pending: 2, done: 1, dead: 0 });
    await again.close();
  });

  it('when an entry is claimed and completed, then its body is not written again', async () => {
    const store = new SqliteStore({ file: join(dir, 'debrief.db') });
    await store.init();
    try {
      // Random bytes do not compress: the body stays 16 pages.
      const body = randomBytes(64 * 1024);
      const { id } = await store.appendInbox({ instance: 'am', connector: 'alertmanager', receivedAt: '2026-11-26T12:00:00.000Z', headers: {}, body, deliveryId: null });
      const db = store.database;
      db.pragma('wal_checkpoint(TRUNCATE)');
      const frames = () => Number((db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log);
      await store.claimInbox('me', 60_000, 1, '2026-11-26T12:01:00.000Z');
      await store.completeInbox(id, 'me', { alerts: 0, ignoredReason: null }, '2026-11-26T12:01:01.000Z');
      // A 64 KiB body is 16 pages; two state changes of a small row write a handful.
      expect(frames()).toBeLessThan(8);
      expect((await store.getInboxEntry(id))?.body.equals(body)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('inbox body encoding', () => {
  it('when a body is large JSON, then it is stored compressed and decodes to exactly the bytes received', () => {
    const body = Buffer.from(JSON.stringify({ alerts: Array.from({ length: 50 }, (_, i) => ({ labels: { alertname: 'HighErrorRate', service: 'checkout', pod: `checkout-${i}` }, status: 'firing', note: 'émoji 🔥 and עברית' })) }));
    const { encoding, data } = encodeBody(body);
    expect(encoding).toBe('br');
    expect(data.length).toBeLessThan(body.length / 4);
    expect(decodeBody(encoding, data).equals(body)).toBe(true);
  });

  it('when a body is small or does not compress, then it is stored as received', () => {
    const small = Buffer.from('{"a":1}');
    expect(encodeBody(small)).toEqual({ encoding: 'identity', data: small });
    const noise = randomBytes(4096);
    expect(encodeBody(noise).encoding).toBe('identity');
    expect(() => decodeBody('zstd', small)).toThrow(/unknown encoding "zstd"/);
  });
});
