import type { Store } from './store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { MongoSettings } from './mongo/mongo-connection';
import { loadMongo } from './mongo/load-mongo';

export interface OpenStoreOptions {
  /** `store.mongo.*` (timeouts); used for `mongodb://` URLs only. */
  mongo?: MongoSettings;
}

/** Opens the store named by `store.url`: `sqlite:<file>` (default) or `mongodb://...` / `mongodb+srv://...`. */
export function openStore(url: string, options: OpenStoreOptions = {}): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore({ file: url.slice('sqlite:'.length) || './data/debrief.db' });
  // Unavailability (no primary, network) becomes UnavailableError from every method.
  if (/^mongodb(\+srv)?:\/\//.test(url)) {
    const { guardMongoFaults, MongoStore } = loadMongo();
    return guardMongoFaults(new MongoStore(url, options.mongo));
  }
  throw new Error(`store.url "${url.replace(/\/\/[^@/]*@/, '//***@')}": use sqlite:<file> or mongodb://...`);
}
