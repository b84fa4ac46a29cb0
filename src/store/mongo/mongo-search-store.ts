import type { Filter } from 'mongodb';
import { matchedParts, reportSearchTexts, type SearchText } from '../../domain/search/search-text';
import type { StoredReport } from '../../domain/report/report-model';
import { toPage } from '../cursor';
import type { SearchHit, SearchQuery, SearchStore } from '../search-store';
import type { Page } from '../store';
import type { MongoConnection } from './mongo-connection';
import { COLLECTIONS, collectionsOf, type MongoCollections, type StoredDoc } from './mongo-indexes';
import { incidentCursor, incidentListQuery } from './mongo-queries';
import { incidentDocSchema, parseDoc, reportDocSchema, toIncident, toStoredReport } from './mongo-schemas';

/** Documents of one collection read per word: a word in more of them than this finds only the newest incidents holding it. */
export const MAX_DOCUMENTS_PER_WORD = 5000;

/**
 * Search on MongoDB through the text indexes of `INDEX_PLAN` (incident titles, the human text of
 * reports, action item titles). The server keeps those indexes in step with every write of the
 * documents, so nothing here writes. Each word is one `$text` lookup per collection (one word
 * per `$search`, so MongoDB stems it and no word is read as a phrase or a negation); an incident
 * is found when every word is somewhere among its documents, then filtered and paged as the
 * incident list is.
 */
export class MongoSearchStore implements SearchStore {
  constructor(private readonly connection: MongoConnection) {}

  private get c(): MongoCollections {
    return collectionsOf(this.connection.db);
  }

  async init(): Promise<void> {
    // The text indexes are in INDEX_PLAN, created with the others at start-up.
    await this.connection.open();
  }

  async search(query: SearchQuery): Promise<Page<SearchHit>> {
    if (query.terms.length === 0) return { items: [], nextCursor: null };
    let ids = await this.incidentsHolding(query.terms[0]!);
    for (const term of query.terms.slice(1)) {
      if (ids.size === 0) break;
      const holding = await this.incidentsHolding(term);
      ids = new Set([...ids].filter((id) => holding.has(id)));
    }
    if (ids.size === 0) return { items: [], nextCursor: null };
    const q = incidentListQuery(query);
    const filter: Filter<StoredDoc> = { $and: [q.filter, { _id: { $in: [...ids] } }] };
    const docs = await this.c.incidents.find(filter).sort(q.sort).limit(q.limit).toArray();
    const page = toPage(docs.map((d) => toIncident(parseDoc(COLLECTIONS.incidents, incidentDocSchema, d))), query.limit, incidentCursor);
    const texts = await this.textsOf(page.items.map((incident) => incident.id));
    return {
      items: page.items.map((incident) => ({
        incident, matches: matchedParts([{ part: 'title', ref: '', text: incident.title }, ...(texts.get(incident.id) ?? [])], query.terms),
      })),
      nextCursor: page.nextCursor,
    };
  }

  private async incidentsHolding(term: string): Promise<Set<string>> {
    const text = { $text: { $search: term } };
    const [incidents, reports, items] = await Promise.all([
      this.c.incidents.find(text, { projection: { _id: 1 } }).sort({ startedAt: -1 }).limit(MAX_DOCUMENTS_PER_WORD).toArray(),
      this.c.reports.find(text, { projection: { _id: 1 } }).limit(MAX_DOCUMENTS_PER_WORD).toArray(),
      this.c.actionItems.find(text, { projection: { incidentId: 1 } }).limit(MAX_DOCUMENTS_PER_WORD).toArray(),
    ]);
    return new Set([...incidents.map((d) => String(d._id)), ...reports.map((d) => String(d._id)), ...items.map((d) => String(d.incidentId))]);
  }

  /** The report and action item texts of a page of incidents (their titles come with them). */
  private async textsOf(ids: readonly string[]): Promise<Map<string, SearchText[]>> {
    const out = new Map<string, SearchText[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const [reports, items] = await Promise.all([
      this.c.reports.find({ _id: { $in: [...ids] } }).toArray(),
      this.c.actionItems.find({ incidentId: { $in: [...ids] } }, { projection: { incidentId: 1, title: 1 } }).sort({ createdAt: 1, _id: 1 }).toArray(),
    ]);
    for (const doc of reports) {
      const report: StoredReport = toStoredReport(parseDoc(COLLECTIONS.reports, reportDocSchema, doc));
      out.get(report.incidentId)?.push(...reportSearchTexts(report));
    }
    for (const doc of items) out.get(String(doc.incidentId))?.push({ part: 'action-item', ref: String(doc._id), text: String(doc.title) });
    return out;
  }
}
