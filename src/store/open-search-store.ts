import { UnavailableError } from '../errors';
import { loadMongo } from './mongo/load-mongo';
import type { SearchStore } from './search-store';
import { SqliteSearchStore } from './sqlite/sqlite-search-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The search index beside `store` and its reports: for SQLite, FTS5 tables and triggers in the
 * same file; for MongoDB, the text indexes of the same database. Call after the store's and
 * the report store's `init()`. Other stores (test fakes) have no index: searching them says so.
 */
export function openSearchStore(store: Store): SearchStore {
  if (store instanceof SqliteStore) return new SqliteSearchStore(() => store.database);
  if (store.kind === 'mongodb') {
    const { guardMongoFaults, MongoSearchStore, MongoStore } = loadMongo();
    if (store instanceof MongoStore) return guardMongoFaults(new MongoSearchStore(store.connection));
  }
  return {
    init: async () => undefined,
    search: async () => { throw new UnavailableError(`search is not available on a ${store.kind} store`); },
  };
}
