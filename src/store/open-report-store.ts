import { loadMongo } from './mongo/load-mongo';
import type { ReportStore } from './report-store';
import { SqliteReportStore } from './sqlite/sqlite-report-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The report store that lives beside `store`: for SQLite, the same file and connection (so a
 * report write and the incident it belongs to are in one database). Call after `store.init()`.
 */
export function openReportStore(store: Store): ReportStore {
  if (store instanceof SqliteStore) return new SqliteReportStore(() => store.database);
  // MongoDB: the same client and database (collections `reports`, `report_versions`, ...).
  if (store.kind === 'mongodb') {
    const { guardMongoFaults, MongoReportStore, MongoStore } = loadMongo();
    if (store instanceof MongoStore) return guardMongoFaults(new MongoReportStore(store.connection));
  }
  throw new Error(`no report store for a ${store.kind} store yet`);
}
