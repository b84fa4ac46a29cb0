import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { withSqliteCommitPolicy } from '../../src/store/sqlite/sqlite-commit-policy';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { SqliteWriteTurn, TURN_FREE, TURN_APPENDS, TURN_PROCESSING, withWriteTurn } from '../../src/store/sqlite/sqlite-write-turn';

/**
 * The write turn between the HTTP thread's inbox appends and the inbox worker thread
 * (sqlite-write-turn.ts). The other side runs in a real worker thread on the same shared
 * memory, with the module's own code (transpiled here, as ts-jest does for this thread).
 */

const MODULE_JS = ts.transpileModule(readFileSync(join(__dirname, '../../src/store/sqlite/sqlite-write-turn.ts'), 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
}).outputText;

/** A worker thread holding a SqliteWriteTurn on `shared`; it runs the commands it is sent and reports back. */
function turnWorker(shared: SharedArrayBuffer) {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const mod = { exports: {} };
    new Function('exports', 'module', 'require', workerData.code)(mod.exports, mod, require);
    const { SqliteWriteTurn, TURN_PROCESSING } = mod.exports;
    const turn = new SqliteWriteTurn(workerData.shared);
    parentPort.on('message', (m) => {
      if (m === 'acquire') parentPort.postMessage({ acquired: turn.acquireBlocking(TURN_PROCESSING, { yieldMs: 10000, maxMs: 10000 }) });
      if (m === 'release') { turn.release(TURN_PROCESSING); parentPort.postMessage({ released: true }); }
    });`;
  const worker = new Worker(source, { eval: true, workerData: { code: MODULE_JS, shared } });
  const messages: Array<Record<string, boolean>> = [];
  const waiters: Array<() => void> = [];
  worker.on('message', (m: Record<string, boolean>) => { messages.push(m); waiters.splice(0).forEach((w) => w()); });
  const next = async (key: string) => {
    for (;;) {
      const i = messages.findIndex((m) => key in m);
      if (i >= 0) return messages.splice(i, 1)[0]![key];
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { worker, next, has: (key: string) => messages.some((m) => key in m) };
}

const turns = async (n: number) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

describe('SQLite write turn', () => {
  it('when one holder has the turn, then the other cannot take it, and only the holder can give it back', () => {
    const turn = new SqliteWriteTurn();
    expect(turn.tryAcquire(TURN_PROCESSING)).toBe(true);
    expect(turn.tryAcquire(TURN_APPENDS)).toBe(false);
    turn.release(TURN_APPENDS);
    expect(turn.holder).toBe(TURN_PROCESSING);
    turn.release(TURN_PROCESSING);
    expect(turn.holder).toBe(TURN_FREE);
    expect(turn.tryAcquire(TURN_APPENDS)).toBe(true);
  });

  it('when the turn is never released, then a blocking acquire gives up after its limit and says so', () => {
    const turn = new SqliteWriteTurn();
    turn.tryAcquire(TURN_APPENDS);
    expect(turn.acquireBlocking(TURN_PROCESSING, { yieldMs: 0, maxMs: 20 })).toBe(false);
    expect(turn.holder).toBe(TURN_APPENDS);
  });

  it('when a batch of appends is waiting, then the worker holds back its write until the batch is written', async () => {
    const turn = new SqliteWriteTurn();
    const w = turnWorker(turn.shared);
    try {
      turn.appendsWaiting(true);
      w.worker.postMessage('acquire');
      await new Promise((r) => setTimeout(r, 100));
      expect(w.has('acquired')).toBe(false);
      // The batch is written (the turn was free all along) and the signal cleared: the worker goes.
      expect(turn.tryAcquire(TURN_APPENDS)).toBe(true);
      turn.release(TURN_APPENDS);
      turn.appendsWaiting(false);
      expect(await w.next('acquired')).toBe(true);
      expect(turn.holder).toBe(TURN_PROCESSING);
    } finally {
      await w.worker.terminate();
    }
  });

  it('when the worker is writing, then appends wait without blocking the event loop and are written in one batch as soon as it is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-turn-'));
    const turn = new SqliteWriteTurn();
    const store = withSqliteCommitPolicy(new SqliteStore({ file: join(dir, 'debrief.db') }), { turn });
    await store.init();
    const w = turnWorker(turn.shared);
    try {
      w.worker.postMessage('acquire');
      expect(await w.next('acquired')).toBe(true);
      const entry = (i: number) => ({ instance: 'am', connector: 'alertmanager', receivedAt: '2026-11-26T12:00:00.000Z', headers: {}, body: Buffer.from(`{"n":${i}}`), deliveryId: null });
      let answered = 0;
      const appends = [1, 2, 3].map((i) => store.appendInbox(entry(i)).then((r) => { answered += 1; return r; }));
      await turns(20);
      expect(answered).toBe(0);
      expect((await store.inboxCounts()).pending).toBe(0);
      // Another append while waiting joins the same batch.
      appends.push(store.appendInbox(entry(4)).then((r) => { answered += 1; return r; }));
      w.worker.postMessage('release');
      const results = await Promise.all(appends);
      expect(results.every((r) => !r.duplicate)).toBe(true);
      expect((await store.inboxCounts()).pending).toBe(4);
      expect(turn.holder).toBe(TURN_FREE);
    } finally {
      await w.worker.terminate();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the worker store is wrapped, then exactly the listed methods hold the turn while they run', () => {
    const turn = new SqliteWriteTurn();
    const seen: Record<string, number> = {};
    const store = {
      record(): string { seen.record = turn.holder; return 'recorded'; },
      read(): string { seen.read = turn.holder; return 'read'; },
    };
    const wrapped = withWriteTurn(store, turn, new Set(['record']), { yieldMs: 0, maxMs: 100 });
    expect(wrapped.record()).toBe('recorded');
    expect(wrapped.read()).toBe('read');
    expect(seen).toEqual({ record: TURN_PROCESSING, read: TURN_FREE });
    expect(turn.holder).toBe(TURN_FREE);
  });
});
