import { MemoryChatStore, type ChatStore } from './chat-store';
import { loadMongo } from './mongo/load-mongo';
import { SqliteChatStore } from './sqlite/sqlite-chat-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The chat store beside `store`: for SQLite, a table in the same file; for MongoDB, a
 * collection in the same database; other stores (test fakes) get an in-memory one. Call after
 * `store.init()`.
 */
export function openChatStore(store: Store): ChatStore {
  if (store instanceof SqliteStore) return new SqliteChatStore(() => store.database);
  if (store.kind === 'mongodb') {
    const { guardMongoFaults, MongoChatStore, MongoStore } = loadMongo();
    if (store instanceof MongoStore) return guardMongoFaults(new MongoChatStore(store.connection));
  }
  return new MemoryChatStore();
}
