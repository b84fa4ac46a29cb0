import type Database from 'better-sqlite3';
import type { Change } from '../../domain/changes/change';
import type { ChangeQuery, ChangeRecordResult } from '../store';
import type { Row } from './sqlite-rows';

export const SQLITE_CHANGES_SCHEMA = `
CREATE TABLE IF NOT EXISTS changes (
  id         TEXT PRIMARY KEY,
  at         TEXT NOT NULL,
  status_at  TEXT NOT NULL,
  body       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_at ON changes(at, id);
`;

/**
 * Changes (deploys, config changes) in the store file: one row per change, the record as JSON
 * beside the two columns queries and updates need. Upserts are single statements in one
 * transaction, so two processes reporting the same change leave one row with the latest report.
 */
export class SqliteChanges {
  constructor(private readonly database: () => Database.Database) {}

  init(): void {
    this.database().exec(SQLITE_CHANGES_SCHEMA);
  }

  record(changes: readonly Change[]): ChangeRecordResult {
    const db = this.database();
    const find = db.prepare('SELECT status_at FROM changes WHERE id = ?');
    const upsert = db.prepare(`INSERT INTO changes (id, at, status_at, body) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET at = excluded.at, status_at = excluded.status_at, body = excluded.body
      WHERE excluded.status_at >= changes.status_at`);
    const result: ChangeRecordResult = { added: 0, updated: 0, unchanged: 0 };
    db.transaction(() => {
      for (const change of changes) {
        const before = find.get(change.id) as Row | undefined;
        const info = upsert.run(change.id, change.at, change.statusAt, JSON.stringify(change));
        if (!before) result.added += 1;
        else if (info.changes > 0) result.updated += 1;
        else result.unchanged += 1;
      }
    }).immediate();
    return result;
  }

  list(query: ChangeQuery): Change[] {
    const rows = this.database().prepare('SELECT body FROM changes WHERE at >= ? AND at <= ? ORDER BY at, id LIMIT ?')
      .all(query.from, query.to, query.limit) as Row[];
    return rows.map((row) => JSON.parse(String(row.body)) as Change);
  }
}
