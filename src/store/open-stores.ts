import type { DeliveryStore } from './delivery-store';
import { openDeliveryStore } from './open-delivery-store';
import { openRememberedLinkStore } from './open-remembered-link-store';
import type { ChatStore } from './chat-store';
import { openChatStore } from './open-chat-store';
import { openReportStore } from './open-report-store';
import { openSearchStore } from './open-search-store';
import { openStore } from './open-store';
import type { MongoSettings } from './mongo/mongo-connection';
import type { RememberedLinkStore } from './remembered-link-store';
import type { ReportStore } from './report-store';
import type { SearchStore } from './search-store';
import { guardSqliteFaults } from './sqlite/sqlite-faults';
import { ConnectionHealer } from './sqlite/sqlite-reopen';
import { inboxFileFor } from './sqlite/sqlite-inbox';
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
  /** Full-text search over incidents and their post-mortems, kept in step with the writes above. */
  search: SearchStore;
  /** Chat messages imported onto incidents' timelines (candidates, kept or not). */
  chat: ChatStore;
  /**
   * A database file another thread can open on its own connection to process the inbox (an
   * embedded SQLite file); null when processing must stay in this thread (`:memory:`, MongoDB,
   * test fakes).
   */
  workerFile: string | null;
  /**
   * Null while the stores are usable or may become so by themselves (a locked, full or
   * read-only store heals: readiness reports it); the reason when they could not be reopened
   * for long, and only a restart may help (liveness reports it).
   */
  health: () => string | null;
  /** The WAL files of an embedded SQLite store by name (`store`, `inbox`), for metrics; empty otherwise. */
  walFiles: Record<string, string>;
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
  // One healer for the connections the store and its report store share (sqlite-reopen.ts).
  const healer = raw instanceof SqliteStore ? new ConnectionHealer(raw) : null;
  const store = raw instanceof SqliteStore ? guardSqliteFaults(raw, { healer: healer! }) : raw;
  await store.init();
  const reports = given.reports ?? openReportStore(store);
  const guardedReports = raw instanceof SqliteStore ? guardSqliteFaults(reports, { healer: healer! }) : reports;
  await guardedReports.init();
  const deliveries = openDeliveryStore(store);
  await deliveries.init();
  const rawLinks = openRememberedLinkStore(store);
  const links = raw instanceof SqliteStore ? guardSqliteFaults(rawLinks) : rawLinks;
  await links.init();
  const rawSearch = openSearchStore(store);
  const search = raw instanceof SqliteStore ? guardSqliteFaults(rawSearch, { healer: healer! }) : rawSearch;
  await search.init();
  const rawChat = openChatStore(store);
  const chat = raw instanceof SqliteStore ? guardSqliteFaults(rawChat) : rawChat;
  await chat.init();
  return {
    store, reports: guardedReports, deliveries, links, search, chat, workerFile: raw instanceof SqliteStore ? raw.fileForOtherThreads() : null,
    health: () => healer?.health() ?? null,
    walFiles: walFilesOf(raw instanceof SqliteStore ? raw.fileForOtherThreads() : null),
  };
}

/**
 * The inbox worker thread's own store on `file` (see `Stores.workerFile`): everything it writes
 * is derived from stored bodies, so it commits at `synchronous=NORMAL` (sqlite-commit-policy.ts).
 */
export async function openWorkerStore(file: string): Promise<Store> {
  // Checkpoints are the main thread's checkpointer's job (sqlite-checkpointer.ts). Left at
  // SQLite's default, this connection would checkpoint inside its own commits, holding the
  // write lock, whenever the WAL passed 1,000 pages: every few entries under load.
  const raw = new SqliteStore({ file, synchronous: 'NORMAL', walAutocheckpointPages: 20_000 });
  const store = guardSqliteFaults(raw, { healer: new ConnectionHealer(raw) });
  await store.init();
  return store;
}

function walFilesOf(file: string | null): Record<string, string> {
  return file ? { store: `${file}-wal`, inbox: `${inboxFileFor(file)}-wal` } : {};
}
