import type { DeliveryStore } from '../delivery-store';
import type { ReportStore } from '../report-store';
import type { Store } from '../store';
import { MongoDeliveryStore } from './mongo-delivery-store';
import { guardMongoFaults } from './mongo-errors';
import { MongoReportStore } from './mongo-report-store';
import { MongoStore, type MongoStoreOptions } from './mongo-store';

export interface MongoStores {
  store: Store;
  reportStore: ReportStore;
  deliveryStore: DeliveryStore;
}

/**
 * The three MongoDB stores on one client (`url`: `mongodb://...` or `mongodb+srv://...`, the
 * database from its path, default `debrief`). Nothing connects until `init()`: call
 * `store.init()` first (it connects and creates collections and indexes), then the others'
 * (cheap). `store.close()` closes the shared client. Unavailability surfaces as
 * `UnavailableError` from every method.
 */
export function createMongoStores(url: string, options: MongoStoreOptions = {}): MongoStores {
  const store = new MongoStore(url, options);
  return {
    store: guardMongoFaults(store),
    reportStore: guardMongoFaults(new MongoReportStore(store.connection, options.transactionRetry)),
    deliveryStore: guardMongoFaults(new MongoDeliveryStore(store.connection)),
  };
}
