import { z } from 'zod';
import { SEARCH_PARTS, searchTerms } from '../../domain/search/search-text';
import { ValidationError } from '../../errors';
import type { SearchStore } from '../../store/search-store';
import { incidentSchema } from '../api-schemas';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse } from '../route-responses';

export interface SearchRouteDeps {
  search: Pick<SearchStore, 'search'>;
}

const searchQuerySchema = z.object({
  q: z.string().min(1).max(500).describe('Words to find, all of them, anywhere in an incident\'s title, its post-mortem\'s sections, customer summary and timeline notes, and its action items. Case does not matter; word endings are stemmed ("exhaust" finds "exhausted"); very common words ("the", "of") are left out.'),
  status: z.enum(['open', 'resolved', 'merged']).optional().describe('Without it, merged incidents are left out.'),
  service: z.string().max(500).optional().describe('Only incidents affecting this service.'),
  severity: z.string().max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('Only incidents active at or after this time.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Only incidents started before this time.'),
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size (1-100).'),
  cursor: z.string().max(1000).optional().describe('Opaque cursor from the previous page.'),
});

const searchMatchSchema = z.object({
  part: z.enum(SEARCH_PARTS).describe('Where a word was found: the incident title, a report section, the customer summary, a timeline note or an action item.'),
  ref: z.string().describe('The section id (`what-happened`, `fix`, ...), timeline note id or action item id; empty for the title and the customer summary.'),
  label: z.string().describe('The part\'s name for people ("What happened", "Action item").'),
  snippet: z.string().describe('Up to 160 characters around the first word found (whitespace runs as one space); `…` where the text was cut.'),
  highlights: z.array(z.object({ start: z.number().int(), end: z.number().int() })).describe('Where the words found are in `snippet`: [start, end) offsets in UTF-16 code units, as JavaScript strings index.'),
}).meta({ id: 'SearchMatch' });

export const searchPageSchema = z.object({
  terms: z.array(z.string()).describe('The words searched for, as read from `q`.'),
  items: z.array(z.object({
    incident: incidentSchema,
    matches: z.array(searchMatchSchema).describe('Its texts holding at least one of the words (all words are somewhere among its texts).'),
  })),
  nextCursor: z.string().nullable(),
}).meta({ id: 'SearchPage' });

export function searchRoutes(deps: SearchRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/search', operationId: 'search', tags: ['incidents'],
      summary: 'Full-text search over incidents and their post-mortems (titles, report sections, customer summaries, timeline notes, action items), newest first, with the incident list\'s filters',
      access: { kind: 'api', role: 'viewer' },
      query: searchQuerySchema,
      responses: { 200: { description: 'One page of incidents holding every word, each with what matched', schema: searchPageSchema }, 400: errorResponse('Invalid search or filter') },
      handler: async ({ res, query }) => {
        const q = query as z.infer<typeof searchQuerySchema>;
        const terms = searchTerms(q.q);
        if (terms.length === 0) throw new ValidationError('invalid query', [{ path: 'query.q', message: 'holds no word to search for (only punctuation or very common words)' }]);
        const page = await deps.search.search({
          terms, status: q.status, service: q.service, severity: q.severity, limit: q.limit, cursor: q.cursor,
          since: q.since ? new Date(q.since).toISOString() : undefined,
          until: q.until ? new Date(q.until).toISOString() : undefined,
        });
        // The snippet says enough; whole sections would make a page of hits heavy.
        res.json({ terms, nextCursor: page.nextCursor, items: page.items.map(({ incident, matches }) => ({ incident, matches: matches.map(({ text: _text, ...match }) => match) })) });
      },
    }),
  ] as RouteDef[];
}
