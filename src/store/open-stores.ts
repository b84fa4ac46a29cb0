import type { DeliveryStore } from './delivery-store';
import { openDeliveryStore } from './open-delivery-store';
import { openRememberedLinkStore } from './open-remembered-link-store';
import { openReportStore } from './open-report-store';
import { openStore } from './open-store';
import type { MongoSettings } from './mongo/mongo-connection';
import type { RememberedLinkStore } from './remembered-link-store';
import type { ReportStore } from './report-store';
import { guardSqliteFaults } from './sqlite/sqlite-faults';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The one place stores are opened, decorated for their engine and described to the rest of
 * Debrief: callers get the stores and what they can do, and never name an engine.
 *
 * SQLite stores are opened with their commit policy (webhook appends group-committed, derived
 * writes without fsync waits: sqlite-commit-policy.ts) and wrapped so that lock, full-disk and
 * read-only failures become `UnavailableError` from every method (sqlite-faults.ts; a wrapper,
 * so that a method added later cannot forget the mapping); MongoDB stores map their own
 * unavailability (mongo-errors.ts, applied where they are opened).
 */
export interface Stores {
  store: Store;
  reports: ReportStore;
  deliveries: DeliveryStore;
  /** Service links people taught by merging with "remember" (catalog suggestions). */
  links: RememberedLinkStore;
  /**
   * A database file another thread can open on its own connection to process the inbox (an
   * embedded SQLite file); null when processing must stay in this thread (`:memory:`, MongoDB,
   * test fakes).
   */
  workerFile: string | null;
}

export interface StoreSettings {
  /** `store.url`: `sqlite:<file>` or `mongodb://...`. */
  url: string;
  /** `store.mongo.*`; used for MongoDB only. */
  mongo?: MongoSettings;
}

/** Opens the stores `settings` names, or takes the given ones (tests, benchmarks), and initialises them. */
export async function openStores(settings: StoreSettings, given: { store?: Store; reports?: ReportStore } = {}): Promise<Stores> {
  const raw = given.store ?? openStore(settings.url, { mongo: settings.mongo });
  if (raw instanceof SqliteStore) raw.useCommitPolicy();
  const store = raw instanceof SqliteStore ? guardSqliteFaults(raw) : raw;
  await store.init();
  const reports = given.reports ?? openReportStore(store);
  const guardedReports = raw instanceof SqliteStore ? guardSqliteFaults(reports) : reports;
  await guardedReports.init();
  const deliveries = openDeliveryStore(store);
  await deliveries.init();
  const rawLinks = openRememberedLinkStore(store);
  const links = raw instanceof SqliteStore ? guardSqliteFaults(rawLinks) : rawLinks;
  await links.init();
  return { store, reports: guardedReports, deliveries, links, workerFile: raw instanceof SqliteStore ? raw.fileForOtherThreads() : null };
}

/**
 * The inbox worker thread's own store on `file` (see `Stores.workerFile`): everything it writes
 * is derived from stored bodies, so it commits at `synchronous=NORMAL` (sqlite-commit-policy.ts).
 */
export async function openWorkerStore(file: string): Promise<Store> {
  const raw = new SqliteStore({ file, synchronous: 'NORMAL' });
  const store = guardSqliteFaults(raw);
  await store.init();
  // Checkpoints are the main thread's checkpointer's job (sqlite-checkpointer.ts). Left at
  // SQLite's default, this connection would checkpoint inside its own commits, holding the
  // write lock, whenever the WAL passed 1,000 pages: every few entries under load.
  raw.database.pragma('wal_autocheckpoint = 20000');
  return store;
}
