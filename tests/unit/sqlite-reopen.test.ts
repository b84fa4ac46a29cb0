import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardSqliteFaults } from '../../src/store/sqlite/sqlite-faults';
import { cannotWrite, ConnectionHealer, type Reopenable } from '../../src/store/sqlite/sqlite-reopen';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { UnavailableError } from '../../src/errors';

const fault = (code: string) => Object.assign(new Error(code), { code });

/** A store whose every call fails with `failWith` (null: succeeds), and whose reopen may fail. */
function fakeStore() {
  const state = { failWith: null as string | null, reopenFails: false, reopens: 0 };
  const target: Reopenable & { read(): Promise<string> } = {
    reopenStuckConnections() {
      state.reopens++;
      if (state.reopenFails) throw fault('SQLITE_CANTOPEN');
      return true;
    },
    async read() {
      if (state.failWith) throw fault(state.failWith);
      return 'ok';
    },
  };
  return { state, target };
}

describe('connections that heal after a read-only fault', () => {
  it('when a call fails read-only, then the next call (not sooner than a second later) reopens first; locks and full disks reopen nothing', async () => {
    let now = 0;
    const { state, target } = fakeStore();
    const healer = new ConnectionHealer(target, { now: () => now });
    const store = guardSqliteFaults(target, { healer });
    state.failWith = 'SQLITE_BUSY';
    await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    state.failWith = 'SQLITE_FULL';
    await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    expect(state.reopens).toBe(0);
    state.failWith = 'SQLITE_READONLY';
    await expect(store.read()).rejects.toThrow(/read-only/);
    state.failWith = null;
    await expect(store.read()).resolves.toBe('ok');
    expect(state.reopens).toBe(1);
    state.failWith = 'SQLITE_READONLY_DBMOVED';
    await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    now = 500;
    await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    expect(state.reopens).toBe(1);
    now = 1000;
    state.failWith = null;
    await store.read();
    expect(state.reopens).toBe(2);
    await store.read();
    expect(state.reopens).toBe(2);
  });

  it('when reopening keeps failing for a minute, then health names the cause; once it succeeds, health is clear', async () => {
    let now = 0;
    const { state, target } = fakeStore();
    const healer = new ConnectionHealer(target, { now: () => now });
    const store = guardSqliteFaults(target, { healer });
    state.failWith = 'SQLITE_CANTOPEN';
    state.reopenFails = true;
    await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    for (now = 1000; now <= 59_000; now += 1000) await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    expect(healer.health()).toBeNull();
    now = 61_000;
    await expect(store.read()).rejects.toBeInstanceOf(UnavailableError);
    expect(healer.health()).toMatch(/could not be reopened for 60 s: SQLITE_CANTOPEN/);
    state.reopenFails = false;
    state.failWith = null;
    now = 62_000;
    await expect(store.read()).resolves.toBe('ok');
    expect(healer.health()).toBeNull();
  });

  describe('which connections are stuck', () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'debrief-reopen-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('when a connection was opened read-only, then it cannot write; a writable one or one set query_only on purpose is not stuck', () => {
      const file = join(dir, 'x.db');
      const writer = new Database(file);
      writer.pragma('journal_mode = WAL');
      writer.exec('CREATE TABLE t (x)');
      const readOnly = new Database(file, { readonly: true });
      try {
        expect(cannotWrite(writer)).toBe(false);
        expect(cannotWrite(readOnly)).toBe(true);
        writer.pragma('query_only = ON');
        expect(cannotWrite(writer)).toBe(false);
      } finally {
        readOnly.close();
        writer.close();
      }
    });

    it('when the store has a connection that cannot write, then reopening replaces only that one and keeps serving', async () => {
      const store = new SqliteStore({ file: join(dir, 'debrief.db'), commitPolicy: true });
      await store.init();
      try {
        const [db, inboxDb] = [store.database, store.inboxDatabase];
        expect(store.reopenStuckConnections()).toBe(false);
        // Stand-in for a connection SQLite opened read-only: swap one in where the store keeps it.
        const stuck = new Database(inboxDb.name, { readonly: true });
        (store as unknown as { inboxDb: Database.Database }).inboxDb = stuck;
        expect(store.reopenStuckConnections()).toBe(true);
        expect(stuck.open).toBe(false);
        expect(store.database).toBe(db);
        expect(store.inboxDatabase).not.toBe(stuck);
        const entry = { instance: 'am', connector: 'alertmanager', receivedAt: '2026-11-26T12:00:00.000Z', headers: {}, body: Buffer.from('{}'), deliveryId: null };
        expect((await store.appendInbox(entry)).duplicate).toBe(false);
        expect((await store.inboxCounts()).pending).toBe(1);
        inboxDb.close();
      } finally {
        await store.close();
      }
    });
  });
});
