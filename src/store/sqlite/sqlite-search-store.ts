import type Database from 'better-sqlite3';
import { matchedParts, type SearchPart, type SearchText } from '../../domain/search/search-text';
import { toPage } from '../cursor';
import type { SearchHit, SearchQuery, SearchStore } from '../search-store';
import type { Page } from '../store';
import { incidentListWhere } from './sqlite-incident-query';
import { toIncident, type Row } from './sqlite-rows';

/**
 * What the index holds and how it is kept: bump when either changes, and `init` refills the
 * index from the stored incidents, reports and action items (the rebuild path of a database
 * written before, or by an older layout).
 */
export const SEARCH_INDEX_LAYOUT = '1';

/** The human text of a report document (`reports.doc`, JSON of a `StoredReport`), as `search_docs` rows. */
const reportRows = (idExpr: string, docExpr: string, from: string): string => `
INSERT INTO search_docs (incident_id, part, ref, text)
  SELECT ${idExpr}, 'section', s.key, json_extract(s.value, '$.text') FROM ${from} json_each(${docExpr}, '$.content.sections') s
  WHERE trim(coalesce(json_extract(s.value, '$.text'), '')) <> '';
INSERT INTO search_docs (incident_id, part, ref, text)
  SELECT ${idExpr}, 'customer-summary', '', json_extract(${docExpr}, '$.content.customerSummary.text') ${from ? `FROM ${from.replace(/,\s*$/, '')}` : ''}
  WHERE trim(coalesce(json_extract(${docExpr}, '$.content.customerSummary.text'), '')) <> '';
INSERT INTO search_docs (incident_id, part, ref, text)
  SELECT ${idExpr}, 'timeline-note', json_extract(e.value, '$.id'), json_extract(e.value, '$.text') FROM ${from} json_each(${docExpr}, '$.content.timelineEntries') e
  WHERE trim(coalesce(json_extract(e.value, '$.text'), '')) <> '';`;

const REPORT_PARTS = "('section', 'customer-summary', 'timeline-note')";

/**
 * `search_docs` holds one row per searchable text (title, report section, customer summary,
 * timeline note, action item); `search_fts` is its FTS5 index (external content, Porter stemming).
 * Triggers on the tables people and processing write keep both in step inside the writing
 * transaction, whichever connection writes (the inbox worker thread included), so the index
 * never drifts and no writer has to know about it.
 */
const DOCS_TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS search_docs_ai AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS search_docs_ad AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;`;

export const SQLITE_SEARCH_SCHEMA = `
CREATE TABLE IF NOT EXISTS search_docs (
  id           INTEGER PRIMARY KEY,
  incident_id  TEXT NOT NULL,
  part         TEXT NOT NULL,
  ref          TEXT NOT NULL,
  text         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS search_docs_incident ON search_docs(incident_id, part, ref);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(text, content='search_docs', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
${DOCS_TRIGGERS}

CREATE TRIGGER IF NOT EXISTS search_incident_ai AFTER INSERT ON incidents BEGIN
  INSERT INTO search_docs (incident_id, part, ref, text) VALUES (new.id, 'title', '', new.title);
END;
CREATE TRIGGER IF NOT EXISTS search_incident_au AFTER UPDATE OF title ON incidents WHEN old.title IS NOT new.title BEGIN
  DELETE FROM search_docs WHERE incident_id = old.id AND part = 'title';
  INSERT INTO search_docs (incident_id, part, ref, text) VALUES (new.id, 'title', '', new.title);
END;
CREATE TRIGGER IF NOT EXISTS search_incident_ad AFTER DELETE ON incidents BEGIN
  DELETE FROM search_docs WHERE incident_id = old.id AND part = 'title';
END;

CREATE TRIGGER IF NOT EXISTS search_report_ai AFTER INSERT ON reports BEGIN
  ${reportRows('new.incident_id', 'new.doc', '')}
END;
CREATE TRIGGER IF NOT EXISTS search_report_au AFTER UPDATE OF doc ON reports WHEN old.doc IS NOT new.doc BEGIN
  DELETE FROM search_docs WHERE incident_id = old.incident_id AND part IN ${REPORT_PARTS};
  ${reportRows('new.incident_id', 'new.doc', '')}
END;
CREATE TRIGGER IF NOT EXISTS search_report_ad AFTER DELETE ON reports BEGIN
  DELETE FROM search_docs WHERE incident_id = old.incident_id AND part IN ${REPORT_PARTS};
END;

CREATE TRIGGER IF NOT EXISTS search_action_item_ai AFTER INSERT ON action_items BEGIN
  INSERT INTO search_docs (incident_id, part, ref, text) VALUES (new.incident_id, 'action-item', new.id, new.title);
END;
CREATE TRIGGER IF NOT EXISTS search_action_item_au AFTER UPDATE OF title, incident_id ON action_items
  WHEN old.title IS NOT new.title OR old.incident_id IS NOT new.incident_id BEGIN
  DELETE FROM search_docs WHERE incident_id = old.incident_id AND part = 'action-item' AND ref = old.id;
  INSERT INTO search_docs (incident_id, part, ref, text) VALUES (new.incident_id, 'action-item', new.id, new.title);
END;
CREATE TRIGGER IF NOT EXISTS search_action_item_ad AFTER DELETE ON action_items BEGIN
  DELETE FROM search_docs WHERE incident_id = old.incident_id AND part = 'action-item' AND ref = old.id;
END;
`;

/** Everything stored, as `search_docs` rows (the rebuild). */
const REFILL = `
INSERT INTO search_docs (incident_id, part, ref, text) SELECT id, 'title', '', title FROM incidents;
${reportRows('r.incident_id', 'r.doc', 'reports r,')}
INSERT INTO search_docs (incident_id, part, ref, text) SELECT incident_id, 'action-item', id, title FROM action_items;
`;

/**
 * Search on the SQLite file the main store opened, beside the incident and report tables it
 * indexes (call after both stores' `init`).
 */
export class SqliteSearchStore implements SearchStore {
  /** `database` is called after the main and report stores' `init()` have created their tables. */
  constructor(private readonly database: () => Database.Database) {}

  async init(): Promise<void> {
    const db = this.database();
    // The tables, triggers and layout mark are written together: a current mark means there is
    // nothing to write (a file opened read-only still starts).
    const current = () => String((db.prepare("SELECT value FROM schema_meta WHERE key = 'search_index'").get() as Row | undefined)?.value) === SEARCH_INDEX_LAYOUT;
    if (current()) return;
    // One immediate transaction: a replica starting at the same time waits, then finds the layout current.
    db.transaction(() => {
      if (current()) return;
      // An older layout's triggers are replaced, not kept by `IF NOT EXISTS`.
      for (const row of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search\\_%' ESCAPE '\\'").all() as Row[]) {
        db.exec(`DROP TRIGGER IF EXISTS "${String(row.name)}"`);
      }
      db.exec(SQLITE_SEARCH_SCHEMA);
      this.refill(db);
      db.prepare("INSERT OR REPLACE INTO schema_meta (key, value) VALUES ('search_index', ?)").run(SEARCH_INDEX_LAYOUT);
    }).immediate();
  }

  /** Empties the index and fills it from the stored rows; the rows' triggers are off meanwhile, so FTS5 is rebuilt once. */
  private refill(db: Database.Database): void {
    db.exec('DROP TRIGGER IF EXISTS search_docs_ai; DROP TRIGGER IF EXISTS search_docs_ad; DELETE FROM search_docs;');
    db.exec(REFILL);
    db.exec(DOCS_TRIGGERS);
    db.exec("INSERT INTO search_fts (search_fts) VALUES ('rebuild');");
  }

  async search(query: SearchQuery): Promise<Page<SearchHit>> {
    if (query.terms.length === 0) return { items: [], nextCursor: null };
    const db = this.database();
    const { where, args } = incidentListWhere(query);
    for (const term of query.terms) {
      // Every word, each anywhere among the incident's texts.
      where.push('i.id IN (SELECT d.incident_id FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ?)');
      args.push(ftsPhrase(term));
    }
    const rows = db.prepare(`SELECT i.* FROM incidents i WHERE ${where.join(' AND ')} ORDER BY i.started_at DESC, i.id DESC LIMIT ?`)
      .all(...args, query.limit + 1) as Row[];
    const page = toPage(rows.map(toIncident), query.limit, (last) => ({ s: last.startedAt, id: last.id }));
    const texts = this.textsOf(db, page.items.map((incident) => incident.id));
    return { items: page.items.map((incident) => ({ incident, matches: matchedParts(texts.get(incident.id) ?? [], query.terms) })), nextCursor: page.nextCursor };
  }

  private textsOf(db: Database.Database, ids: readonly string[]): Map<string, SearchText[]> {
    const out = new Map<string, SearchText[]>();
    if (ids.length === 0) return out;
    const rows = db.prepare(`SELECT incident_id, part, ref, text FROM search_docs WHERE incident_id IN (${ids.map(() => '?').join(', ')}) ORDER BY id`).all(...ids) as Row[];
    for (const row of rows) {
      const list = out.get(String(row.incident_id)) ?? out.set(String(row.incident_id), []).get(String(row.incident_id))!;
      list.push({ part: String(row.part) as SearchPart, ref: String(row.ref), text: String(row.text) });
    }
    return out;
  }
}

/** One word as an FTS5 string (quoted, so no word is read as an operator). */
const ftsPhrase = (term: string): string => `"${term.replace(/"/g, '""')}"`;
