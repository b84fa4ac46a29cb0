import type { Store } from './store';
import { SqliteStore } from './sqlite/sqlite-store';

/** Opens the store named by `store.url`: `sqlite:<file>` (default) or `mongodb://...`. */
export function openStore(url: string): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore({ file: url.slice('sqlite:'.length) || './data/debrief.db' });
  throw new Error(`store.url "${url.replace(/\/\/[^@/]*@/, '//***@')}": MongoDB support is not built yet; use sqlite:<file>`);
}
