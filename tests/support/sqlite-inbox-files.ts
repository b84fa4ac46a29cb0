import Database from 'better-sqlite3';
import type { InboxState } from '../../src/store/store';
import { inboxFileFor, SqliteInbox } from '../../src/store/sqlite/sqlite-inbox';

/**
 * Inbox counts read straight from a SQLite store's files, as another process sees them: the
 * received entries in the inbox file, their state in the store file (sqlite-inbox.ts).
 * `processing` may be a connection the test already holds on the store file (for example one
 * inside an EXCLUSIVE transaction); otherwise one is opened read-only for the call.
 */
export function inboxCountsOnDisk(storeFile: string, processing?: Database.Database): Record<InboxState, number> {
  const received = new Database(inboxFileFor(storeFile), { readonly: true, fileMustExist: true });
  const state = processing ?? new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    return new SqliteInbox(received, state).counts();
  } finally {
    received.close();
    if (!processing) state.close();
  }
}
