import { MemoryDeliveryStore, type DeliveryStore } from './delivery-store';
import { loadMongo } from './mongo/load-mongo';
import { SqliteDeliveryStore } from './sqlite/sqlite-delivery-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The delivery-outcome store beside `store`: for SQLite, a table in the same file; for
 * MongoDB, a collection in the same database. Other
 * stores (test fakes) get an in-memory one until they have their own. Call after `store.init()`.
 */
export function openDeliveryStore(store: Store): DeliveryStore {
  if (store instanceof SqliteStore) return new SqliteDeliveryStore(() => store.database);
  if (store.kind === 'mongodb') {
    const { guardMongoFaults, MongoDeliveryStore, MongoStore } = loadMongo();
    if (store instanceof MongoStore) return guardMongoFaults(new MongoDeliveryStore(store.connection));
  }
  return new MemoryDeliveryStore();
}
