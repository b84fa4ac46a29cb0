import type Database from 'better-sqlite3';
import type { ChatMessage } from '../../domain/chat/chat-message';
import { MAX_CHAT_CANDIDATES, refreshed, type ChatStore } from '../chat-store';
import { optStr, type Row } from './sqlite-rows';

/**
 * Chat candidates in the SQLite file the main store opened (a companion table, like deliveries
 * and remembered links). Created on start when missing: files from before chat imports gain the
 * table and index without touching any other.
 */
export const SQLITE_CHAT_SCHEMA = `
CREATE TABLE IF NOT EXISTS chat_messages (
  incident_id  TEXT NOT NULL,
  id           TEXT NOT NULL,
  channel      TEXT NOT NULL,
  ts           TEXT NOT NULL,
  thread_ts    TEXT,
  at           TEXT NOT NULL,
  author       TEXT NOT NULL,
  author_id    TEXT,
  text         TEXT NOT NULL,
  permalink    TEXT NOT NULL,
  preselected  INTEGER NOT NULL,
  kept         INTEGER NOT NULL,
  imported_at  TEXT NOT NULL,
  imported_by  TEXT NOT NULL,
  decided_by   TEXT,
  PRIMARY KEY (incident_id, id)
);
CREATE INDEX IF NOT EXISTS chat_messages_at ON chat_messages(incident_id, at, id);
`;

export class SqliteChatStore implements ChatStore {
  /** `database` is called after the main store's `init()` has opened the file. */
  constructor(private readonly database: () => Database.Database) {}

  async init(): Promise<void> {
    this.database().exec(SQLITE_CHAT_SCHEMA);
  }

  async addCandidates(messages: readonly ChatMessage[]): Promise<number> {
    const db = this.database();
    const find = db.prepare('SELECT * FROM chat_messages WHERE incident_id = ? AND id = ?');
    const write = db.prepare(`INSERT OR REPLACE INTO chat_messages
      (incident_id, id, channel, ts, thread_ts, at, author, author_id, text, permalink, preselected, kept, imported_at, imported_by, decided_by)
      VALUES (@incidentId, @id, @channel, @ts, @threadTs, @at, @author, @authorId, @text, @permalink, @preselected, @kept, @importedAt, @importedBy, @decidedBy)`);
    // One transaction: an import is stored whole or not at all.
    return db.transaction(() => {
      let added = 0;
      for (const message of messages) {
        const row = find.get(message.incidentId, message.id) as Row | undefined;
        if (!row) added += 1;
        const next = row ? refreshed(toChatMessage(row), message) : message;
        write.run({ ...next, preselected: next.preselected ? 1 : 0, kept: next.kept ? 1 : 0 });
      }
      return added;
    })();
  }

  async listCandidates(incidentId: string): Promise<ChatMessage[]> {
    return (this.database().prepare('SELECT * FROM chat_messages WHERE incident_id = ? ORDER BY at, id LIMIT ?').all(incidentId, MAX_CHAT_CANDIDATES) as Row[]).map(toChatMessage);
  }

  async listKept(incidentId: string): Promise<ChatMessage[]> {
    return (this.database().prepare('SELECT * FROM chat_messages WHERE incident_id = ? AND kept = 1 ORDER BY at, id LIMIT ?').all(incidentId, MAX_CHAT_CANDIDATES) as Row[]).map(toChatMessage);
  }

  async setKept(incidentId: string, id: string, kept: boolean, by: string): Promise<ChatMessage | null> {
    const db = this.database();
    const changed = db.prepare('UPDATE chat_messages SET kept = ?, decided_by = ? WHERE incident_id = ? AND id = ?').run(kept ? 1 : 0, by, incidentId, id).changes;
    if (changed === 0) return null;
    return toChatMessage(db.prepare('SELECT * FROM chat_messages WHERE incident_id = ? AND id = ?').get(incidentId, id) as Row);
  }
}

function toChatMessage(row: Row): ChatMessage {
  return {
    incidentId: String(row.incident_id), id: String(row.id), channel: String(row.channel), ts: String(row.ts), threadTs: optStr(row.thread_ts),
    at: String(row.at), author: String(row.author), authorId: optStr(row.author_id), text: String(row.text), permalink: String(row.permalink),
    preselected: Number(row.preselected) === 1, kept: Number(row.kept) === 1,
    importedAt: String(row.imported_at), importedBy: String(row.imported_by), decidedBy: optStr(row.decided_by),
  };
}
