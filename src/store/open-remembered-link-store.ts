import { loadMongo } from './mongo/load-mongo';
import { MemoryRememberedLinkStore, type RememberedLinkStore } from './remembered-link-store';
import { SqliteRememberedLinkStore } from './sqlite/sqlite-remembered-link-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The remembered-link store beside `store`: for SQLite, a table in the same file; for MongoDB, a
 * collection in the same database; other stores (test fakes) get an in-memory one. Call after
 * `store.init()`.
 */
export function openRememberedLinkStore(store: Store): RememberedLinkStore {
  if (store instanceof SqliteStore) return new SqliteRememberedLinkStore(() => store.database);
  if (store.kind === 'mongodb') {
    const { guardMongoFaults, MongoRememberedLinkStore, MongoStore } = loadMongo();
    if (store instanceof MongoStore) return guardMongoFaults(new MongoRememberedLinkStore(store.connection));
  }
  return new MemoryRememberedLinkStore();
}
