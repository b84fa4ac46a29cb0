/**
 * SQLite schema. Created idempotently at start-up. Times are ISO-8601 UTC strings, which
 * sort correctly as text; JSON columns hold label maps and decisions.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  instance      TEXT NOT NULL,
  connector     TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  headers       TEXT NOT NULL,
  body          BLOB NOT NULL,
  delivery_id   TEXT,
  state         TEXT NOT NULL DEFAULT 'pending',
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  lease_owner   TEXT,
  lease_until   TEXT,
  processed_at  TEXT,
  outcome       TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS inbox_delivery ON inbox(instance, delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS inbox_state ON inbox(state, seq);

CREATE TABLE IF NOT EXISTS incidents (
  id                TEXT PRIMARY KEY,
  title             TEXT NOT NULL,
  status            TEXT NOT NULL,
  severity          TEXT,
  services          TEXT NOT NULL,
  started_at        TEXT NOT NULL,
  ended_at          TEXT,
  last_activity_at  TEXT NOT NULL,
  alert_count       INTEGER NOT NULL,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_started ON incidents(started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS incidents_status ON incidents(status, started_at DESC);

CREATE TABLE IF NOT EXISTS incident_services (
  incident_id  TEXT NOT NULL,
  service      TEXT NOT NULL,
  PRIMARY KEY (service, incident_id)
);

-- Correlation keys an incident holds (e.g. its Alertmanager groups), with its span copied
-- so candidate lookup is one indexed range scan per key.
CREATE TABLE IF NOT EXISTS incident_keys (
  key               TEXT NOT NULL,
  incident_id       TEXT NOT NULL,
  started_at        TEXT NOT NULL,
  last_activity_at  TEXT NOT NULL,
  PRIMARY KEY (key, incident_id)
);
CREATE INDEX IF NOT EXISTS incident_keys_activity ON incident_keys(key, last_activity_at);
CREATE INDEX IF NOT EXISTS incident_keys_incident ON incident_keys(incident_id);

CREATE TABLE IF NOT EXISTS alerts (
  id                    TEXT PRIMARY KEY,
  instance              TEXT NOT NULL,
  source                TEXT NOT NULL,
  fingerprint           TEXT NOT NULL,
  fingerprint_computed  INTEGER NOT NULL,
  starts_at             TEXT NOT NULL,
  ends_at               TEXT,
  status                TEXT NOT NULL,
  labels                TEXT NOT NULL,
  annotations           TEXT NOT NULL,
  generator_url         TEXT,
  source_group_key      TEXT,
  source_group_labels   TEXT NOT NULL,
  incident_id           TEXT NOT NULL,
  decision              TEXT NOT NULL,
  first_seen_at         TEXT NOT NULL,
  last_seen_at          TEXT NOT NULL,
  notification_count    INTEGER NOT NULL,
  UNIQUE (instance, fingerprint, starts_at)
);
CREATE INDEX IF NOT EXISTS alerts_incident ON alerts(incident_id, starts_at);

CREATE TABLE IF NOT EXISTS incident_events (
  id           TEXT PRIMARY KEY,
  incident_id  TEXT NOT NULL,
  at           TEXT NOT NULL,
  kind         TEXT NOT NULL,
  actor        TEXT,
  text         TEXT NOT NULL,
  data         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incident_events_incident ON incident_events(incident_id, at);
`;
