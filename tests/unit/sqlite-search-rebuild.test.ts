import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyStoredReport } from '../../src/domain/report/report-model';
import { openReportStore } from '../../src/store/open-report-store';
import { SqliteSearchStore } from '../../src/store/sqlite/sqlite-search-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

/** A database written before search existed gets its index filled when search first opens it, once. */
describe('SQLite search index on an existing database', () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'debrief-search-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when search opens a database written without it, then it finds what was stored, and keeps following writes', async () => {
    store = new SqliteStore({ file: join(dir, 'debrief.db'), synchronous: 'NORMAL' });
    await store.init();
    const reports = openReportStore(store);
    await reports.init();
    const incident = await store.declareIncident({
      title: 'Checkout is failing', services: ['checkout'], severity: 'critical', startedAt: '2026-03-01T10:00:00.000Z', endedAt: null,
      missedByMonitoring: false, declaredBy: 'alice', declaredAt: '2026-03-01T10:05:00.000Z',
    }, { now: '2026-03-01T10:05:00.000Z', serviceLabels: ['service'] });
    const base = emptyStoredReport(incident.id);
    const report = { ...base, revision: 1, content: { ...base.content, sections: { 'what-happened': { text: 'An expired certificate.', by: 'alice', at: '2026-03-01T11:00:00.000Z' } } } };
    await reports.commitReport({ expectedRevision: 0, next: report, audit: [] });

    const search = new SqliteSearchStore(() => store.database);
    await search.init();
    expect((await search.search({ terms: ['certificate'], limit: 10 })).items.map((hit) => hit.incident.id)).toEqual([incident.id]);
    expect((await search.search({ terms: ['checkout'], limit: 10 })).items.map((hit) => hit.incident.id)).toEqual([incident.id]);

    // Opened again (a restart): nothing is refilled twice, and later writes are followed by the triggers.
    await new SqliteSearchStore(() => store.database).init();
    const next = { ...report, revision: 2, content: { ...report.content, sections: { 'what-happened': { text: 'A full disk.', by: 'alice', at: '2026-03-01T12:00:00.000Z' } } } };
    await reports.commitReport({ expectedRevision: 1, next, audit: [] });
    expect((await search.search({ terms: ['certificate'], limit: 10 })).items).toEqual([]);
    expect((await search.search({ terms: ['disk'], limit: 10 })).items.map((hit) => hit.incident.id)).toEqual([incident.id]);
    const rows = store.database.prepare("SELECT count(*) AS n FROM search_docs WHERE part = 'title'").get() as { n: number };
    expect(rows.n).toBe(1);
  });
});
