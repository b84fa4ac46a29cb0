import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { inboxFileFor } from '../../src/store/sqlite/sqlite-inbox';
import { alertmanagerBody } from '../support/alertmanager-bodies';
import { metricSamples } from '../support/api-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The WAL files after a load. SQLite reuses a checkpointed WAL from its start but never shrinks
 * the file, so after a load, or while readers kept checkpoints from completing, it stayed at its
 * largest size (100 MB once; on a small disk it filled the disk). Here readers on both files
 * pin their snapshots during a load of incompressible webhooks, so the WALs must grow; once
 * the readers are gone and the load is over, they must shrink back by themselves, and
 * `/metrics` reports their sizes.
 */

const MB = 1024 * 1024;

describe('WAL size', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.stop(); });

  const walSizes = () => [`${app.dbFile}-wal`, `${inboxFileFor(app.dbFile)}-wal`].map((path) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  });
  const reported = async () => {
    const samples = metricSamples((await app.anon.get('/metrics')).data as string, 'debrief_store_wal_bytes');
    return ['store', 'inbox'].map((file) => samples.find((s) => s.labels.file === file)?.value);
  };

  it('when a load ran while readers held checkpoints back, then both WAL files are bounded again soon after, and /metrics reports their sizes', async () => {
    // Readers that keep a snapshot, as a long report read or a backup would.
    const readers = [new Database(app.dbFile, { readonly: true }), new Database(inboxFileFor(app.dbFile), { readonly: true })];
    for (const reader of readers) {
      reader.exec('BEGIN');
      reader.prepare("SELECT count(*) FROM sqlite_master").get();
    }
    try {
      for (let batch = 0; batch < 30; batch++) {
        await Promise.all(Array.from({ length: 10 }, (_, k) => {
          const n = batch * 10 + k;
          return app.postAlertmanager(alertmanagerBody([{
            labels: { alertname: `Load${n}`, service: `load-${n % 7}` },
            // Random base64 barely compresses: each body takes ~48 KiB of the inbox file, and its alert as much of the store file.
            annotations: { description: randomBytes(36 * 1024).toString('base64') },
            startsAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
          }])).then((res) => expect(res.status).toBe(202));
        }));
      }
      await app.settle();
      const peak = walSizes();
      // The load did grow both WALs well past the bound checked below: the test can fail.
      expect(peak.every((size) => size > 8 * MB)).toBe(true);
      expect((await reported()).every((value) => value !== undefined && value > 8 * MB)).toBe(true);
    } finally {
      for (const reader of readers) {
        reader.exec('ROLLBACK');
        reader.close();
      }
    }

    const deadline = Date.now() + 15_000;
    while (walSizes().some((size) => size > MB) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(walSizes().every((size) => size <= MB)).toBe(true);
    expect((await reported()).every((value) => value !== undefined && value <= MB)).toBe(true);
    // Still working afterwards.
    expect((await app.postAlertmanager(alertmanagerBody([{ labels: { alertname: 'AfterLoad' }, startsAt: '2026-02-01T00:00:00Z' }]))).status).toBe(202);
  }, 120_000);
});
