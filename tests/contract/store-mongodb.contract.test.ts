import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { createMongoStores } from '../../src/store/mongo/create-mongo-stores';
import { parseMongoUrl } from '../../src/store/mongo/mongo-connection';
import { describeStoreContract } from './store.contract';
import type { StoreHandles } from './store-contract-support';

/**
 * The store contract on a real MongoDB replica set, when `MONGODB_URI` names one (for example
 * `mongodb://127.0.0.1:27017/?replicaSet=rs0`; see docs/scaling.md for a local `mongod`). Each
 * case gets its own database on that server, dropped afterwards; `connectAgain` opens a second
 * client, as a second Debrief replica would.
 *
 * No MongoDB server can run on the machines that build Debrief (docs/toolchain.md, "MongoDB"), so without
 * `MONGODB_URI` no contract case is registered (none is skipped: they simply do not exist in
 * that run) and the reason is printed. The one test that always runs checks how each case's
 * database URL is made.
 */

const MONGODB_URI = process.env.MONGODB_URI?.trim() || null;

/** `uri` with its database (the URL path) replaced by `database`; hosts, credentials and options kept. */
function withDatabase(uri: string, database: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?#]+)(\/[^?#]*)?(\?[^#]*)?$/.exec(uri);
  if (!m) throw new Error(`MONGODB_URI is not a mongodb:// or mongodb+srv:// URL with a host: ${uri.replace(/\/\/[^@/]*@/, '//***@')}`);
  return `${m[1]}/${encodeURIComponent(database)}${m[3] ?? ''}`;
}

/** A database name no other case or run uses (MongoDB allows 63 bytes, no `/\. "$*<>:|?`). */
const contractDatabaseName = (): string => `debrief_contract_${process.pid}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

describe('MongoDB contract harness', () => {
  it('when a case needs its own database, then only the URL path changes and the store reads that database', () => {
    const name = contractDatabaseName();
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).not.toMatch(/[/\\. "$*<>:|?]/);
    expect(name).not.toBe(contractDatabaseName());
    const cases: Array<[string, string]> = [
      ['mongodb://127.0.0.1:27017/?replicaSet=rs0', `mongodb://127.0.0.1:27017/${name}?replicaSet=rs0`],
      ['mongodb://127.0.0.1:27017', `mongodb://127.0.0.1:27017/${name}`],
      ['mongodb://u:p%40ss@h1:27017,h2:27017/debrief?replicaSet=rs0&w=majority', `mongodb://u:p%40ss@h1:27017,h2:27017/${name}?replicaSet=rs0&w=majority`],
      ['mongodb+srv://cluster0.example.net/prod', `mongodb+srv://cluster0.example.net/${name}`],
    ];
    for (const [uri, expected] of cases) {
      expect(withDatabase(uri, name)).toBe(expected);
      expect(parseMongoUrl(withDatabase(uri, name)).database).toBe(name);
    }
    expect(() => withDatabase('postgres://h/db', name)).toThrow(/not a mongodb/);
  });
});

if (MONGODB_URI) {
  describeStoreContract('MongoDB', async () => {
    const url = withDatabase(MONGODB_URI, contractDatabaseName());
    const opened: StoreHandles[] = [];
    const open = async (): Promise<StoreHandles> => {
      const { store, reportStore, deliveryStore, linkStore, searchStore, chatStore } = createMongoStores(url, { serverSelectionTimeoutMs: 5000 });
      opened.push({ store, reports: reportStore, deliveries: deliveryStore, links: linkStore, search: searchStore, chat: chatStore });
      await store.init();
      await reportStore.init();
      await deliveryStore.init();
      await linkStore.init();
      await searchStore.init();
      await chatStore.init();
      return { store, reports: reportStore, deliveries: deliveryStore, links: linkStore, search: searchStore, chat: chatStore };
    };
    return {
      ...(await open()),
      connectAgain: open,
      async destroy() {
        for (const h of opened) await h.store.close();
        const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
        try {
          await client.db(parseMongoUrl(url).database).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  });
} else {
  // Printed in every run without a server, so a green run never hides that MongoDB was not tested.
  console.warn('MongoDB store contract: NOT RUN — MONGODB_URI is not set, and no MongoDB server can run on this machine. '
    + 'Set MONGODB_URI to a replica set (e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0) to run it; see docs/scaling.md.');
}
