import { MongoChatStore } from '../../src/store/mongo/mongo-chat-store';
import { MongoDeliveryStore } from '../../src/store/mongo/mongo-delivery-store';
import { MongoRememberedLinkStore } from '../../src/store/mongo/mongo-remembered-link-store';
import { MongoReportStore } from '../../src/store/mongo/mongo-report-store';
import { MongoSearchStore } from '../../src/store/mongo/mongo-search-store';
import { MongoStore } from '../../src/store/mongo/mongo-store';
import { FakeConnection } from '../unit/mongo-fake-db';
import { describeStoreContract } from './store.contract';
import type { StoreHandles } from './store-contract-support';

/**
 * The store contract on the MongoDB stores' code, over the in-memory stand-in of the driver
 * (`tests/unit/mongo-fake-db.ts`), because no MongoDB server can run here. It shows that the
 * contract is about the interface and not about SQLite, and that the Mongo stores' queries,
 * updates and document mapping keep it. It does NOT show atomicity under concurrency: the
 * stand-in's "transactions" are not isolated, so every call on one stand-in database is
 * serialised here (one operation at a time, which is what it models). Concurrency on MongoDB
 * is for `store-mongodb.contract.test.ts` on a real replica set (MONGODB_URI).
 */

/** Wraps each method so that calls through any wrapped object run one at a time, in call order. */
function serialised<T extends object>(target: T, queue: { tail: Promise<unknown> }): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const run = queue.tail.then(() => (value as (...a: unknown[]) => unknown).apply(obj, args));
        queue.tail = run.catch(() => undefined);
        return run;
      };
    },
  });
}

describeStoreContract('MongoDB code on the in-memory driver stand-in', async () => {
  const connection = new FakeConnection();
  const queue = { tail: Promise.resolve() as Promise<unknown> };
  const open = async (): Promise<StoreHandles> => {
    const store = new MongoStore(connection);
    await store.init();
    const reports = new MongoReportStore(connection);
    await reports.init();
    const deliveries = new MongoDeliveryStore(connection);
    await deliveries.init();
    const links = new MongoRememberedLinkStore(connection);
    await links.init();
    const search = new MongoSearchStore(connection);
    await search.init();
    const chat = new MongoChatStore(connection);
    await chat.init();
    return {
      store: serialised(store, queue), reports: serialised(reports, queue), deliveries: serialised(deliveries, queue), links: serialised(links, queue),
      search: serialised(search, queue), chat: serialised(chat, queue),
    };
  };
  return { ...(await open()), connectAgain: open, destroy: async () => undefined };
});
