/**
 * The MongoDB store's modules, loaded on first use instead of at start-up. Loading the
 * `mongodb` driver loads `bson`, which allocates its 17 MB serialization buffer at once:
 * a process on the embedded SQLite store would carry it in its resident memory for nothing.
 * Only the openers in `src/store/open-*.ts` call this, and only for a `mongodb://` store.
 */
type MongoModules = typeof import('./mongo-store') &
  typeof import('./mongo-errors') &
  typeof import('./mongo-report-store') &
  typeof import('./mongo-delivery-store') &
  typeof import('./mongo-remembered-link-store') &
  typeof import('./mongo-chat-store') &
  typeof import('./mongo-search-store');

let loaded: MongoModules | undefined;

export function loadMongo(): MongoModules {
  loaded ??= {
    ...(require('./mongo-store') as typeof import('./mongo-store')),
    ...(require('./mongo-errors') as typeof import('./mongo-errors')),
    ...(require('./mongo-report-store') as typeof import('./mongo-report-store')),
    ...(require('./mongo-delivery-store') as typeof import('./mongo-delivery-store')),
    ...(require('./mongo-remembered-link-store') as typeof import('./mongo-remembered-link-store')),
    ...(require('./mongo-chat-store') as typeof import('./mongo-chat-store')),
    ...(require('./mongo-search-store') as typeof import('./mongo-search-store')),
  };
  return loaded;
}

