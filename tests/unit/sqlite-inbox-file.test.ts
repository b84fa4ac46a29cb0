import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBody, encodeBody } from '../../src/store/sqlite/inbox-body-codec';
import { inboxFileFor } from '../../src/store/sqlite/sqlite-inbox';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

const entry = (body: string, receivedAt = '2026-11-26T12:00:00.000Z') => ({ instance: 'am', connector: 'alertmanager', receivedAt, headers: {}, body: Buffer.from(body), deliveryId: null });

/**
 * The inbox file (sqlite-inbox.ts): received webhooks in their own SQLite file beside the store
 * file, their processing state in the store file with the alerts and incidents derived from
 * them. Bodies are Brotli-compressed when that helps (inbox-body-codec.ts). Store files from
 * before kept the inbox in themselves; opening one moves it.
 */
describe('SQLite inbox file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-inbox-file-'));
    file = join(dir, 'debrief.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when a store file is opened, then the inbox file sits beside it and holds the received bodies', async () => {
    expect(inboxFileFor('/var/lib/debrief/debrief.db')).toBe('/var/lib/debrief/debrief.inbox.db');
    expect(inboxFileFor('/var/lib/debrief/store')).toBe('/var/lib/debrief/store.inbox');
    const store = new SqliteStore({ file });
    await store.init();
    try {
      const { id } = await store.appendInbox(entry('{"a":1}'));
      const received = new Database(join(dir, 'debrief.inbox.db'), { readonly: true });
      expect(received.prepare('SELECT id, body FROM inbox').all()).toEqual([{ id, body: Buffer.from('{"a":1}') }]);
      received.close();
      const tables = (store.database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
      expect(tables).toContain('inbox_processing');
      expect(tables).not.toContain('inbox');
    } finally {
      await store.close();
    }
  });

  it('when another connection holds the store file\'s write lock, then webhooks are still appended (processing waits, accepting does not)', async () => {
    const store = new SqliteStore({ file, busyTimeoutMs: 50 });
    await store.init();
    const other = new Database(file);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const { id } = await store.appendInbox(entry('{"while":"locked"}'));
      await expect(store.claimInbox('me', 60_000, 10, '2026-11-26T12:01:00.000Z')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      other.exec('ROLLBACK');
      expect((await store.claimInbox('me', 60_000, 10, '2026-11-26T12:01:00.000Z')).map((e) => e.id)).toEqual([id]);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('when entries are claimed, retried, completed and requeued, then state, listing and counts merge both files', async () => {
    const store = new SqliteStore({ file });
    await store.init();
    try {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await store.appendInbox(entry(`{"n":${i}}`))).id);
      // Two claimed: one done, one failed for good; one claimed and its lease runs out; two never attempted.
      const first = await store.claimInbox('a', 1_000, 3, '2026-11-26T12:00:00.000Z');
      expect(first.map((e) => [e.id, e.attempts, e.body.toString()])).toEqual([[ids[0], 1, '{"n":0}'], [ids[1], 1, '{"n":1}'], [ids[2], 1, '{"n":2}']]);
      await store.completeInbox(ids[0]!, 'a', { alerts: 1, ignoredReason: null }, '2026-11-26T12:00:01.000Z');
      await store.failInbox(ids[1]!, 'a', 'broken', true, '2026-11-26T12:00:01.000Z');
      expect(await store.inboxCounts()).toEqual({ pending: 3, done: 1, dead: 1 });
      const pending = await store.listInbox({ state: 'pending', limit: 2 });
      expect(pending.items.map((e) => [e.id, e.attempts])).toEqual([[ids[4], 0], [ids[3], 0]]);
      const rest = await store.listInbox({ state: 'pending', limit: 2, cursor: pending.nextCursor! });
      expect(rest.items.map((e) => [e.id, e.attempts])).toEqual([[ids[2], 1]]);
      expect((await store.listInbox({ limit: 10 })).items.map((e) => e.state)).toEqual(['pending', 'pending', 'pending', 'dead', 'done']);
      // After the lease: the expired retry comes first, then the never-attempted, oldest first.
      const second = await store.claimInbox('b', 1_000, 2, '2026-11-26T12:00:05.000Z');
      expect(second.map((e) => [e.id, e.attempts])).toEqual([[ids[2], 2], [ids[3], 1]]);
      expect(await store.requeueInbox(ids[1]!, { actor: 'token:ops', now: '2026-11-26T12:01:00.000Z' })).toBe(true);
      const requeued = await store.getInboxEntry(ids[1]!);
      expect([requeued?.state, requeued?.attempts, requeued?.requeues]).toEqual(['pending', 0, [{ at: '2026-11-26T12:01:00.000Z', actor: 'token:ops' }]]);
      expect((await store.getInboxEntry(ids[4]!))?.state).toBe('pending');
    } finally {
      await store.close();
    }
  });

  it('when the store file remembers an entry the inbox file lost (power loss before the append\'s fsync), then its seq is never given to a new webhook', async () => {
    const store = new SqliteStore({ file });
    await store.init();
    const { id } = await store.appendInbox(entry('{"lost":true}'));
    await store.claimInbox('me', 60_000, 1, '2026-11-26T12:01:00.000Z');
    await store.completeInbox(id, 'me', { alerts: 1, ignoredReason: null }, '2026-11-26T12:01:01.000Z');
    await store.close();
    // What a power loss can leave: the append's commit gone from the inbox file, its "done" kept.
    const received = new Database(join(dir, 'debrief.inbox.db'));
    received.exec("DELETE FROM inbox; DELETE FROM sqlite_sequence WHERE name = 'inbox'");
    received.close();

    const again = new SqliteStore({ file });
    await again.init();
    try {
      const next = await again.appendInbox(entry('{"new":true}'));
      expect((await again.getInboxEntry(next.id))?.state).toBe('pending');
      expect((await again.claimInbox('me', 60_000, 10, '2026-11-26T12:02:00.000Z')).map((e) => e.id)).toEqual([next.id]);
    } finally {
      await again.close();
    }
  });

  it('when a store file from before bodies were split off is opened, then its inbox moves to the inbox file, readable and claimable', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE inbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, instance TEXT NOT NULL, connector TEXT NOT NULL,
      received_at TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL, delivery_id TEXT, state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, lease_owner TEXT, lease_until TEXT, processed_at TEXT, outcome TEXT);
      CREATE INDEX inbox_state ON inbox(state, seq);`);
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
      const { id } = await store.appendInbox(entry('{"new":1}', '2026-11-26T12:02:00.000Z'));
      expect((await store.getInboxEntry(id))?.seq).toBe(3);
    } finally {
      await store.close();
    }
    // Opening it again finds nothing left to move.
    const again = new SqliteStore({ file });
    await again.init();
    expect(await again.inboxCounts()).toEqual({ pending: 2, done: 1, dead: 0 });
    expect(again.database.prepare("SELECT name FROM sqlite_master WHERE name IN ('inbox', 'inbox_bodies')").all()).toEqual([]);
    await again.close();
  });

  it('when a store file with bodies in inbox_bodies is opened, then entries move with their state, attempts and requeues', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE inbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, instance TEXT NOT NULL, connector TEXT NOT NULL,
      received_at TEXT NOT NULL, headers TEXT NOT NULL, delivery_id TEXT, state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, lease_owner TEXT, lease_until TEXT, processed_at TEXT, outcome TEXT,
      requeues TEXT NOT NULL DEFAULT '[]');
      CREATE UNIQUE INDEX inbox_delivery ON inbox(instance, delivery_id) WHERE delivery_id IS NOT NULL;
      CREATE INDEX inbox_state ON inbox(state, seq);
      CREATE TABLE inbox_bodies (seq INTEGER PRIMARY KEY, encoding TEXT NOT NULL, bytes INTEGER NOT NULL, body BLOB NOT NULL);`);
    const large = Buffer.from(JSON.stringify({ alerts: Array.from({ length: 40 }, (_, i) => ({ labels: { alertname: 'Old', pod: `p-${i}` } })) }));
    const { encoding, data } = encodeBody(large);
    old.prepare(`INSERT INTO inbox (seq, id, instance, connector, received_at, headers, delivery_id, state, attempts, last_error, processed_at, requeues)
      VALUES (7, 'old-dead', 'pd', 'pagerduty', '2026-11-26T12:00:00.000Z', '{"x-webhook-id":"d-1"}', 'd-1', 'dead', 3, 'no such service', '2026-11-26T12:00:09.000Z', '[{"at":"2026-11-26T12:00:05.000Z","actor":"token:ops"}]')`).run();
    old.prepare('INSERT INTO inbox_bodies VALUES (7, ?, ?, ?)').run(encoding, large.length, data);
    old.close();

    const store = new SqliteStore({ file });
    await store.init();
    try {
      const moved = await store.getInboxEntry('old-dead');
      expect(moved && { ...moved, body: moved.body.equals(large) }).toEqual(expect.objectContaining({
        seq: 7, state: 'dead', attempts: 3, lastError: 'no such service', processedAt: '2026-11-26T12:00:09.000Z', deliveryId: 'd-1',
        headers: { 'x-webhook-id': 'd-1' }, requeues: [{ at: '2026-11-26T12:00:05.000Z', actor: 'token:ops' }], body: true, bodyBytes: large.length,
      }));
      // The delivery id still deduplicates a redelivery.
      expect(await store.appendInbox({ ...entry('{}'), instance: 'pd', connector: 'pagerduty', deliveryId: 'd-1' })).toEqual({ id: 'old-dead', duplicate: true });
    } finally {
      await store.close();
    }
  });

  it('when an entry is claimed and completed, then the inbox file is not written again', async () => {
    const store = new SqliteStore({ file });
    await store.init();
    try {
      const { id } = await store.appendInbox({ ...entry(''), body: randomBytes(64 * 1024) });
      const received = store.inboxDatabase;
      received.pragma('wal_checkpoint(TRUNCATE)');
      const frames = () => Number((received.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log);
      await store.claimInbox('me', 60_000, 1, '2026-11-26T12:01:00.000Z');
      await store.completeInbox(id, 'me', { alerts: 0, ignoredReason: null }, '2026-11-26T12:01:01.000Z');
      expect(frames()).toBe(0);
      expect((await store.getInboxEntry(id))?.state).toBe('done');
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
