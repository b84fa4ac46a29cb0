import { AUDIT_ONLY_EVENT_KINDS } from '../../domain/correlation/corrections';
/**
 * SQLite schema. Created idempotently at start-up. Times are ISO-8601 UTC strings, which
 * sort correctly as text; JSON columns hold label maps and decisions.
 */
/** The condition that keeps audit-only events out: the same text in the partial index and the queries, so SQLite uses the index. */
export const TIMELINE_EVENTS = `kind NOT IN (${AUDIT_ONLY_EVENT_KINDS.map((k) => `'${k}'`).join(', ')})`;

export const SQLITE_SCHEMA = `
-- The inbox lives in its own file and its processing state in inbox_processing (sqlite-inbox.ts).

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
  updated_at        TEXT NOT NULL,
  merged_into       TEXT,
  origin            TEXT NOT NULL DEFAULT 'rule',
  human_placed      INTEGER NOT NULL DEFAULT 0,
  -- The tally of its alerts (incident-facets.ts), kept incrementally: alert_count and these.
  firing_count      INTEGER NOT NULL DEFAULT 0,
  last_start_at     TEXT,
  last_end_at       TEXT,
  -- JSON IncidentDeclaration of an incident declared by hand; NULL otherwise.
  declaration       TEXT
);
CREATE INDEX IF NOT EXISTS incidents_started ON incidents(started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS incidents_status ON incidents(status, started_at DESC);

CREATE TABLE IF NOT EXISTS incident_services (
  incident_id  TEXT NOT NULL,
  service      TEXT NOT NULL,
  PRIMARY KEY (service, incident_id)
);
-- Refreshing an incident replaces its rows by incident_id: without this index that DELETE scans
-- the whole table, once per placed alert (measured by bench/ingest: O(incidents) per alert).
CREATE INDEX IF NOT EXISTS incident_services_incident ON incident_services(incident_id);

-- Per (alert name, service) of an incident: what its alerts add up to (incident-facets.ts), so
-- summaries, impact lists and timeline groups never re-read every alert.
CREATE TABLE IF NOT EXISTS incident_facets (
  incident_id     TEXT NOT NULL,
  facet           TEXT NOT NULL,
  alertname       TEXT NOT NULL,
  service         TEXT,
  first_at        TEXT NOT NULL,
  first_alert_id  TEXT NOT NULL,
  last_start_at   TEXT NOT NULL,
  last_end_at     TEXT,
  last_seen_at    TEXT NOT NULL,
  alerts          INTEGER NOT NULL,
  firing          INTEGER NOT NULL,
  severity        TEXT,
  clusters        TEXT NOT NULL,
  namespaces      TEXT NOT NULL,
  regions         TEXT NOT NULL,
  PRIMARY KEY (incident_id, facet)
);

-- Schema facts that decide one-off upgrades at start-up (sqlite-store.ts).
CREATE TABLE IF NOT EXISTS schema_meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- Correlation keys an incident holds (rule keys, explicit-link keys), each with the event-time
-- activity of the alerts/pages holding it in that incident (key-activity.ts), so placing an alert
-- is one indexed range scan per key (never a scan of open incidents). For alerts first_at/last_at
-- span their onsets and active_until is the latest onset; for pages active_until is the
-- far-future sentinel while one is unresolved. depth: the smallest topology depth of its holders.
CREATE TABLE IF NOT EXISTS correlation_keys (
  key           TEXT NOT NULL,
  incident_id   TEXT NOT NULL,
  first_at      TEXT NOT NULL,
  last_at       TEXT NOT NULL,
  firing        INTEGER NOT NULL,
  holders       INTEGER NOT NULL,
  active_until  TEXT NOT NULL,
  depth         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (key, incident_id)
);
CREATE INDEX IF NOT EXISTS correlation_keys_active ON correlation_keys(key, active_until);
CREATE INDEX IF NOT EXISTS correlation_keys_incident ON correlation_keys(incident_id);

-- Pairs of incidents a person split apart: never merged automatically. Stored both ways.
CREATE TABLE IF NOT EXISTS incident_fences (
  incident_id  TEXT NOT NULL,
  other_id     TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  actor        TEXT,
  PRIMARY KEY (incident_id, other_id)
);

-- Paging events (PagerDuty incident lifecycle), unique per (instance, event id) so a
-- redelivery changes nothing.
CREATE TABLE IF NOT EXISTS paging_events (
  instance           TEXT NOT NULL,
  event_id           TEXT NOT NULL,
  incident_id        TEXT NOT NULL,
  page_id            TEXT NOT NULL,
  kind               TEXT NOT NULL,
  occurred_at        TEXT NOT NULL,
  page               TEXT NOT NULL,
  service            TEXT,
  keys               TEXT NOT NULL,
  incident_event_id  TEXT NOT NULL,
  channel            TEXT,
  object_id          TEXT,
  actor              TEXT,
  PRIMARY KEY (instance, event_id)
);
CREATE INDEX IF NOT EXISTS paging_events_incident ON paging_events(incident_id, occurred_at);
-- The same change reported by another channel (webhook vs REST API) under another id: looked up
-- by page and kind (src/domain/paging-twins.ts).
CREATE INDEX IF NOT EXISTS paging_events_change ON paging_events(instance, page_id, kind);

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
  corr_keys             TEXT NOT NULL DEFAULT '[]',
  UNIQUE (instance, fingerprint, starts_at)
);
CREATE INDEX IF NOT EXISTS alerts_incident ON alerts(incident_id, starts_at);

-- Notification bookkeeping of alerts re-sent unchanged (sqlite-ledger-port.ts, countResends):
-- a storm re-sends most of a group's alerts in every notification, and rewriting each alert's
-- row (about 3 KB: one page an alert) for one counter filled the WAL with pages. These rows are
-- small and clustered by Alertmanager group, so a group's re-sends share a few pages. Where a
-- row exists it holds the alert's count and last-seen time (alert_rows reads it first); the
-- alert row keeps the values of its last full write.
CREATE TABLE IF NOT EXISTS alert_seen (
  group_ref           INTEGER NOT NULL,
  alert_id            TEXT NOT NULL UNIQUE,
  notification_count  INTEGER NOT NULL,
  last_seen_at        TEXT NOT NULL,
  PRIMARY KEY (group_ref, alert_id)
) WITHOUT ROWID;

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
-- The timeline of an incident without its audit-only events (one decision per placed alert):
-- a storm's incident holds 100,000 of those and a few dozen timeline events.
CREATE INDEX IF NOT EXISTS incident_events_timeline ON incident_events(incident_id, at) WHERE ${TIMELINE_EVENTS};
`;

/**
 * Columns added after the first release of the schema: `CREATE TABLE IF NOT EXISTS` leaves an
 * older file's tables as they were, so these are added when missing.
 */
export const SQLITE_ADDED_COLUMNS: Array<{ table: string; column: string; ddl: string }> = [
  { table: 'incidents', column: 'merged_into', ddl: 'ALTER TABLE incidents ADD COLUMN merged_into TEXT' },
  { table: 'incidents', column: 'origin', ddl: "ALTER TABLE incidents ADD COLUMN origin TEXT NOT NULL DEFAULT 'rule'" },
  { table: 'incidents', column: 'human_placed', ddl: 'ALTER TABLE incidents ADD COLUMN human_placed INTEGER NOT NULL DEFAULT 0' },
  { table: 'alerts', column: 'corr_keys', ddl: "ALTER TABLE alerts ADD COLUMN corr_keys TEXT NOT NULL DEFAULT '[]'" },
  { table: 'paging_events', column: 'channel', ddl: 'ALTER TABLE paging_events ADD COLUMN channel TEXT' },
  { table: 'paging_events', column: 'object_id', ddl: 'ALTER TABLE paging_events ADD COLUMN object_id TEXT' },
  { table: 'paging_events', column: 'actor', ddl: 'ALTER TABLE paging_events ADD COLUMN actor TEXT' },
  { table: 'correlation_keys', column: 'depth', ddl: 'ALTER TABLE correlation_keys ADD COLUMN depth INTEGER NOT NULL DEFAULT 0' },
  { table: 'incidents', column: 'firing_count', ddl: 'ALTER TABLE incidents ADD COLUMN firing_count INTEGER NOT NULL DEFAULT 0' },
  { table: 'incidents', column: 'last_start_at', ddl: 'ALTER TABLE incidents ADD COLUMN last_start_at TEXT' },
  { table: 'incidents', column: 'last_end_at', ddl: 'ALTER TABLE incidents ADD COLUMN last_end_at TEXT' },
  { table: 'incidents', column: 'declaration', ddl: 'ALTER TABLE incidents ADD COLUMN declaration TEXT' },
];


/**
 * Views, made anew at every start (after the added columns), so they follow the tables.
 * `alert_rows` is an alert as the API sees it: its row, with the bookkeeping of `alert_seen`
 * where there is some.
 */
export const SQLITE_VIEWS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    name: 'alert_rows',
    sql: `CREATE VIEW alert_rows AS SELECT a.*, s.notification_count AS seen_count, s.last_seen_at AS seen_last
  FROM alerts a LEFT JOIN alert_seen s ON s.alert_id = a.id`,
  },
];

/** Superseded tables: `incident_keys` held keys with the incident's span, not the key's own. */
export const SQLITE_DROPPED = 'DROP TABLE IF EXISTS incident_keys;';
