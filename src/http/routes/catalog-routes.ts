import { z } from 'zod';
import type { ServiceCatalog } from '../../domain/catalog/service-catalog';
import { catalogSuggestionsFor } from '../../services/same-outage';
import type { RememberedLinkStore } from '../../store/remembered-link-store';
import { defineRoute, type RouteDef } from '../route';

/** What people taught Debrief about the service catalog by merging incidents with `remember`. */
export interface CatalogRouteDeps {
  catalog: ServiceCatalog;
  links: Pick<RememberedLinkStore, 'list'>;
}

export const catalogSuggestionsSchema = z.object({
  items: z.array(z.object({
    services: z.array(z.string()).describe('The two services, sorted by name.'),
    merges: z.number().int().describe('Merges with `remember` that linked them.'),
    lastBy: z.string(),
    lastAt: z.string(),
    named: z.boolean().describe('True once the catalog names shared infrastructure both depend on.'),
    text: z.string().describe('What to add to the catalog.'),
  })).describe('Links the catalog does not explain yet first, then the most recently merged.'),
}).meta({ id: 'CatalogSuggestions' });

export function catalogRoutes(deps: CatalogRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/catalog/suggestions', operationId: 'getCatalogSuggestions', tags: ['corrections'],
      summary: 'Catalog suggestions from merges made with `remember`: two services people treat as one outage, and whether the catalog names what they share',
      access: { kind: 'api', role: 'viewer' },
      responses: { 200: { description: 'The suggestions', schema: catalogSuggestionsSchema } },
      handler: async ({ res }) => {
        res.json({ items: await catalogSuggestionsFor(deps) });
      },
    }),
  ] as RouteDef[];
}
