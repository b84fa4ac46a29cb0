import type { ChatStore } from '../chat-store';
import type { DeliveryStore } from '../delivery-store';
import type { RememberedLinkStore } from '../remembered-link-store';
import type { ReportStore } from '../report-store';
import type { SearchStore } from '../search-store';
import type { Store } from '../store';
import { MongoChatStore } from './mongo-chat-store';
import { MongoDeliveryStore } from './mongo-delivery-store';
import { guardMongoFaults } from './mongo-errors';
import { MongoRememberedLinkStore } from './mongo-remembered-link-store';
import { MongoReportStore } from './mongo-report-store';
import { MongoSearchStore } from './mongo-search-store';
import { MongoStore, type MongoStoreOptions } from './mongo-store';

export interface MongoStores {
  store: Store;
  reportStore: ReportStore;
  deliveryStore: DeliveryStore;
  linkStore: RememberedLinkStore;
  searchStore: SearchStore;
  chatStore: ChatStore;
}

/**
 * The MongoDB stores on one client (`url`: `mongodb://...` or `mongodb+srv://...`, the
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
    linkStore: guardMongoFaults(new MongoRememberedLinkStore(store.connection)),
    searchStore: guardMongoFaults(new MongoSearchStore(store.connection)),
    chatStore: guardMongoFaults(new MongoChatStore(store.connection)),
  };
}
