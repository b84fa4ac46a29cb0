import type Database from 'better-sqlite3';
import { MAX_REMEMBERED_LINKS, sortedPair, type LinkToRemember, type RememberedLink, type RememberedLinkStore } from '../remembered-link-store';
import { optStr, type Row } from './sqlite-rows';

export const SQLITE_REMEMBERED_LINK_SCHEMA = `
CREATE TABLE IF NOT EXISTS remembered_links (
  service_a     TEXT NOT NULL,
  service_b     TEXT NOT NULL,
  first_by      TEXT NOT NULL,
  first_at      TEXT NOT NULL,
  last_by       TEXT NOT NULL,
  last_at       TEXT NOT NULL,
  incident_ids  TEXT NOT NULL,
  reason        TEXT,
  merges        INTEGER NOT NULL,
  PRIMARY KEY (service_a, service_b)
);
CREATE INDEX IF NOT EXISTS remembered_links_last ON remembered_links(last_at);
`;

/** Remembered links in the SQLite file the main store opened (companion table, like deliveries). */
export class SqliteRememberedLinkStore implements RememberedLinkStore {
  /** `database` is called after the main store's `init()` has opened the file. */
  constructor(private readonly database: () => Database.Database) {}

  async init(): Promise<void> {
    this.database().exec(SQLITE_REMEMBERED_LINK_SCHEMA);
  }

  async remember(link: LinkToRemember): Promise<void> {
    const [a, b] = sortedPair(link.services);
    this.database().prepare(`INSERT INTO remembered_links (service_a, service_b, first_by, first_at, last_by, last_at, incident_ids, reason, merges)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
      ON CONFLICT (service_a, service_b) DO UPDATE SET last_by = excluded.last_by, last_at = excluded.last_at,
        incident_ids = excluded.incident_ids, reason = excluded.reason, merges = merges + 1`)
      .run(a, b, link.by, link.at, link.by, link.at, JSON.stringify(link.incidentIds), link.reason);
  }

  async list(): Promise<RememberedLink[]> {
    return (this.database().prepare('SELECT * FROM remembered_links ORDER BY last_at DESC, service_a, service_b LIMIT ?').all(MAX_REMEMBERED_LINKS) as Row[]).map((row) => ({
      services: [String(row.service_a), String(row.service_b)],
      firstBy: String(row.first_by), firstAt: String(row.first_at), lastBy: String(row.last_by), lastAt: String(row.last_at),
      incidentIds: JSON.parse(String(row.incident_ids)) as string[], reason: optStr(row.reason), merges: Number(row.merges),
    }));
  }
}
