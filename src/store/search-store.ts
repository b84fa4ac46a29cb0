import type { Incident } from '../domain/incident';
import type { SearchMatch } from '../domain/search/search-text';
import type { IncidentQuery, Page } from './store';

/**
 * Full-text search over incidents and their post-mortems: incident titles, the human text of
 * reports (sections, customer summary, timeline notes) and action item titles. Each store keeps
 * its index in step with the writes themselves (SQLite: FTS5 fed by triggers in the same
 * transactions; MongoDB: text indexes on the collections written), so it never drifts.
 */
export interface SearchStore {
  /** Creates the index idempotently, and fills it from what is stored when it is new or its layout changed. */
  init(): Promise<void>;
  /**
   * Incidents whose texts, taken together, hold every one of `terms` (words from `searchTerms`;
   * empty finds nothing), filtered as `listIncidents` filters, newest first (by `startedAt`,
   * then id, descending), with cursor pagination. Each hit says which of its texts hold a word
   * (`matchedParts`). Merged incidents only with `status: 'merged'`.
   */
  search(query: SearchQuery): Promise<Page<SearchHit>>;
}

/** The incident list's filters, plus the words to find. */
export interface SearchQuery extends IncidentQuery {
  terms: readonly string[];
}

export interface SearchHit {
  incident: Incident;
  matches: SearchMatch[];
}
