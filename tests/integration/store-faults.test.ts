import { randomBytes } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { connectorsById } from '../../connectors';
import { createDebrief, type Debrief } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';
import { inboxFileFor } from '../../src/store/sqlite/sqlite-inbox';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { allAlerts, expectError, metricSamples } from '../support/api-helpers';
import { AM_TOKEN, API_TOKEN, type TestApp } from '../support/test-app';

/**
 * The store becomes unavailable under a running Debrief: locked by another process, read-only,
 * or full. Senders must get 503 with Retry-After (Alertmanager and PagerDuty retry 5xx and drop
 * 4xx), readiness must turn false, and Debrief must recover by itself once the store is back,
 * processing what it had accepted before the fault. Faults are made with SQLite's own means, so
 * the test runs anywhere: an EXCLUSIVE transaction on a second connection (lock), `query_only`
 * (read-only), `max_page_count` at the current size (full).
 */

describe('store faults', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let debrief: Debrief;
  let api: AxiosInstance;
  let n = 0;

  // A 64 KiB annotation that does not compress (random base64; bodies are stored Brotli-compressed)
  // makes every body need new pages, whatever free space the file has.
  const post = (name: string) => api.post('/webhooks/alertmanager', alertmanagerBody([{
    labels: { alertname: name, service: 'faults' }, annotations: { description: randomBytes(48 * 1024).toString('base64') }, startsAt: `2026-11-26T14:${String(n++ % 60).padStart(2, '0')}:00Z`,
  }]), {
    headers: { Authorization: `Bearer ${AM_TOKEN}` },
  });
  const ready = async () => (await api.get('/readyz')).status;
  /**
   * Debrief's own connections (faults like query_only and max_page_count are per connection):
   * to the inbox file, which webhooks write, and to the store file, which processing writes
   * (sqlite-inbox.ts).
   */
  const own = () => store.inboxDatabase;
  const ownStoreFile = () => store.database;
  const settle = async () => {
    for (let i = 0; i < 200; i++) {
      debrief.processor.kick();
      await debrief.processor.idle();
      if ((await debrief.store.inboxCounts()).pending === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('inbox did not settle');
  };
  /** Simulates a full disk: no free pages left in the file, and the file may not grow. */
  const fillToCurrentSize = (db = own()) => {
    db.exec('VACUUM');
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);
    return pages;
  };
  const names = async () => new Set((await allAlerts({ api } as TestApp)).map((a) => a.labels.alertname));

  const expectUnavailable = async (name: string, why: RegExp) => {
    const res = await post(name);
    const error = expectError(res, 503, 'unavailable');
    expect(error.message).toMatch(why);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const readyz = await api.get('/readyz');
    expect(readyz.status).toBe(503);
    expect(readyz.data.status).toBe('unavailable');
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-faults-'));
    file = join(dir, 'debrief.db');
    const config = loadConfig({
      file: null,
      knownConnectors: [...connectorsById.keys()],
      env: { DEBRIEF_STORE_URL: `sqlite:${file}`, DEBRIEF_API_TOKENS: `admin:admin:${API_TOKEN}`, DEBRIEF_ALERTMANAGER_BEARER_TOKENS: AM_TOKEN },
      overrides: { inbox: { pollIntervalMs: 50, leaseSeconds: 1 } },
    });
    // A short busy timeout: better-sqlite3 waits for a lock synchronously, so waits stay brief.
    store = new SqliteStore({ file, busyTimeoutMs: 200 });
    debrief = await createDebrief({ config, store, logger: pino({ level: 'silent' }) });
    const url = await debrief.listen(0, '127.0.0.1');
    api = axios.create({ baseURL: url, headers: { Authorization: `Bearer ${API_TOKEN}` }, validateStatus: () => true });
    expect((await post('BeforeFault')).status).toBe(202);
    await settle();
    expect(await ready()).toBe(200);
  });

  afterEach(async () => {
    await debrief.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when another process holds an exclusive lock on the inbox file, then webhooks get 503 with Retry-After, readiness is false, reads still work, and it recovers when the lock is released', async () => {
    const other = new Database(inboxFileFor(file));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN EXCLUSIVE');
    try {
      await expectUnavailable('DuringLock', /locked/);
      // WAL readers are not blocked by a writer: the API keeps answering.
      expect((await api.get('/api/v1/incidents')).status).toBe(200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await ready()).toBe(200);
    expect((await post('AfterLock')).status).toBe(202);
    await settle();
    const stored = await names();
    expect(stored).toEqual(new Set(['BeforeFault', 'AfterLock']));
    const samples = metricSamples((await api.get('/metrics')).data as string, 'debrief_webhooks_received_total');
    expect(samples.find((s) => s.labels.outcome === 'unavailable')?.value).toBe(1);
  });

  it('when many webhooks arrive together while the inbox file is locked, then each gets 503 and none is stored; together again after release, each gets 202 and all are stored', async () => {
    const other = new Database(inboxFileFor(file));
    other.exec('BEGIN EXCLUSIVE');
    const names1 = Array.from({ length: 12 }, (_, i) => `Together${i}`);
    try {
      const answers = await Promise.all(names1.map((name) => post(name)));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(503));
      for (const a of answers) expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const again = await Promise.all(names1.map((name) => post(name)));
    expect(again.map((a) => a.status)).toEqual(Array(12).fill(202));
    expect(new Set(again.map((a) => a.data.inboxId)).size).toBe(12);
    await settle();
    expect(await names()).toEqual(new Set(['BeforeFault', ...names1]));
  });

  it('when another process holds an exclusive lock on the store file, then webhooks are still accepted and readiness is false; processing catches up when the lock is released', async () => {
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN EXCLUSIVE');
    try {
      // Accepting writes only the inbox file: senders are not turned away while processing waits.
      expect((await post('DuringStoreLock')).status).toBe(202);
      const readyz = await api.get('/readyz');
      expect([readyz.status, readyz.data.status]).toEqual([503, 'unavailable']);
      await new Promise((r) => setTimeout(r, 300));
      expect(await names()).toEqual(new Set(['BeforeFault']));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await settle();
    expect(await names()).toEqual(new Set(['BeforeFault', 'DuringStoreLock']));
    expect((await debrief.store.inboxCounts()).dead).toBe(0);
    expect(await ready()).toBe(200);
  });

  it('when the database turns read-only, then webhooks get 503 with Retry-After and readiness is false, and it recovers when writable again', async () => {
    own().pragma('query_only = ON');
    try {
      await expectUnavailable('WhileReadOnly', /read-only/);
    } finally {
      own().pragma('query_only = OFF');
    }
    expect(await ready()).toBe(200);
    expect((await post('AfterReadOnly')).status).toBe(202);
    await settle();
    expect(await names()).toEqual(new Set(['BeforeFault', 'AfterReadOnly']));
  });

  it('when the disk is full, then webhooks get 503 with Retry-After and readiness is false; when space returns, readiness recovers by itself and accepted work is processed', async () => {
    fillToCurrentSize();
    try {
      await expectUnavailable('WhileFull', /full/);
      expect((await ready())).toBe(503);
    } finally {
      own().pragma('max_page_count = 1073741823');
    }
    // Nobody posts anything: readiness alone notices that writes work again.
    expect(await ready()).toBe(200);
    expect((await post('AfterFull')).status).toBe(202);
    await settle();
    expect(await names()).toEqual(new Set(['BeforeFault', 'AfterFull']));
  });

  it('when the disk fills while alerts are being processed, then nothing accepted is lost: processing resumes once space returns', async () => {
    await debrief.processor.stop();
    const accepted = ['Queued1', 'Queued2', 'Queued3'];
    for (const name of accepted) expect((await post(name)).status).toBe(202);
    fillToCurrentSize(ownStoreFile());
    debrief.processor.start();
    await new Promise((r) => setTimeout(r, 300));
    expect((await debrief.store.inboxCounts().catch(() => ({ pending: -1 }))).pending).not.toBe(0);
    ownStoreFile().pragma('max_page_count = 1073741823');
    await settle();
    expect(await names()).toEqual(new Set(['BeforeFault', ...accepted]));
    expect((await debrief.store.inboxCounts()).dead).toBe(0);
  });
});
