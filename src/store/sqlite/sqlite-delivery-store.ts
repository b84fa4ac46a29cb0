import type Database from 'better-sqlite3';
import type { DeliveryRecord, DeliveryStore, DeliveryUpdate } from '../delivery-store';
import { optStr, type Row } from './sqlite-rows';

export const SQLITE_DELIVERY_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbound_deliveries (
  id                TEXT PRIMARY KEY,
  incident_id       TEXT NOT NULL,
  version           INTEGER NOT NULL,
  event             TEXT NOT NULL,
  target            TEXT NOT NULL,
  body              TEXT NOT NULL,
  status            TEXT NOT NULL,
  attempts          INTEGER NOT NULL,
  last_status_code  INTEGER,
  last_error        TEXT,
  next_attempt_at   TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  delivered_at      TEXT
);
CREATE INDEX IF NOT EXISTS outbound_deliveries_incident ON outbound_deliveries(incident_id, created_at);
CREATE INDEX IF NOT EXISTS outbound_deliveries_pending ON outbound_deliveries(status, created_at);
`;

/** Delivery outcomes in the SQLite file the main store opened (companion table, like reports). */
export class SqliteDeliveryStore implements DeliveryStore {
  /** `database` is called after the main store's `init()` has opened the file. */
  constructor(private readonly database: () => Database.Database) {}

  async init(): Promise<void> {
    this.database().exec(SQLITE_DELIVERY_SCHEMA);
  }

  async create(record: DeliveryRecord): Promise<void> {
    this.insert('INSERT', record);
  }

  async createOnce(record: DeliveryRecord): Promise<boolean> {
    return this.insert('INSERT OR IGNORE', record) === 1;
  }

  private insert(verb: 'INSERT' | 'INSERT OR IGNORE', record: DeliveryRecord): number {
    return this.database().prepare(`${verb} INTO outbound_deliveries
      (id, incident_id, version, event, target, body, status, attempts, last_status_code, last_error, next_attempt_at, created_at, updated_at, delivered_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(record.id, record.incidentId, record.version, record.event, record.target, record.body, record.status, record.attempts, record.lastStatusCode, record.lastError, record.nextAttemptAt, record.createdAt, record.updatedAt, record.deliveredAt).changes;
  }

  async update(id: string, update: DeliveryUpdate): Promise<void> {
    this.database().prepare(`UPDATE outbound_deliveries SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?, updated_at = ?, delivered_at = ?
      WHERE id = ?`).run(update.status, update.attempts, update.lastStatusCode, update.lastError, update.nextAttemptAt, update.updatedAt, update.deliveredAt, id);
  }

  async listForIncident(incidentId: string): Promise<DeliveryRecord[]> {
    return (this.database().prepare('SELECT * FROM outbound_deliveries WHERE incident_id = ? ORDER BY created_at, target, id').all(incidentId) as Row[]).map(toRecord);
  }

  async listPending(limit: number): Promise<DeliveryRecord[]> {
    return (this.database().prepare("SELECT * FROM outbound_deliveries WHERE status = 'pending' ORDER BY created_at, target, id LIMIT ?").all(limit) as Row[]).map(toRecord);
  }
}

const toRecord = (row: Row): DeliveryRecord => ({
  id: String(row.id),
  incidentId: String(row.incident_id),
  version: Number(row.version),
  event: String(row.event),
  target: String(row.target),
  body: String(row.body),
  status: row.status as DeliveryRecord['status'],
  attempts: Number(row.attempts),
  lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
  lastError: optStr(row.last_error),
  nextAttemptAt: optStr(row.next_attempt_at),
  createdAt: String(row.created_at),
  updatedAt: String(row.updated_at),
  deliveredAt: optStr(row.delivered_at),
});
